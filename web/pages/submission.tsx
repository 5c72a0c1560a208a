/** @jsxImportSource hono/jsx */
// Slightly over 350 lines: one page whose sections share the submission's props; the
// reproductions section already lives in submission-reproductions.tsx.
// A submission (`/submissions/:id`, the link `rethink-bench submit` prints): who signed it,
// when, on what machine, its runs, how anyone can verify the bundle independently, and who
// reproduced it with what verdicts. A hidden submission shows the moderation decision instead.
import {
  BASELINE_KINDS,
  type ReproductionSummary,
  type SubmissionDetail,
  type SubmissionRun,
} from "../../schema/index.js";
import type { AssetManifest } from "../assets.js";
import { Layout } from "../components/layout.js";
import {
  Commands,
  EpochsToFit,
  FigureOrNone,
  NotApplicable,
  NumTh,
  Stat,
  TableRegion,
  Timestamp,
} from "../components/parts.js";
import { RunReproductionsCell, VerificationMark } from "../components/verification.js";
import {
  corruptionName,
  formatGibibytes,
  formatInteger,
  formatPercent,
  formatPoints,
  formatSeconds,
  plural,
} from "../format.js";
import { backendLabel, engineSoftware } from "../labels.js";
import {
  API_MODERATION_HREF,
  apiReproductionsHref,
  apiSubmissionHref,
  architectureHref,
  type BoardRef,
  boardHref,
  bundleHref,
  protocolHref,
} from "../urls.js";
import { ReproduceIt, Reproductions } from "./submission-reproductions.js";

export interface SubmissionPageProps {
  submission: Omit<SubmissionDetail, "envelope">;
  runs: SubmissionRun[];
  /** Its stored reproductions, oldest first (as `GET /submissions/{id}/reproductions` lists them). */
  reproductions: ReproductionSummary[];
  /** The suite's title, when this server knows the suite. */
  suiteTitle: string | undefined;
  /**
   * This server's configured public URL, for commands to copy (`https://rethink-bench.org`); never
   * the request's Host, which a client chooses. Without one the page offers the link alone.
   */
  origin: string | undefined;
  assets: AssetManifest | undefined;
}

function RunsTable(props: { runs: SubmissionRun[] }) {
  return (
    <table>
      <caption>Every run of the bundle, in bundle order, with the metrics the server derived from its curves</caption>
      <thead>
        <tr>
          <th scope="col">Architecture</th>
          <th scope="col">Dataset</th>
          <th scope="col">Corruption</th>
          <th scope="col">Regularizer</th>
          <NumTh>Seed</NumTh>
          <NumTh>Epochs to fit</NumTh>
          <NumTh>Steps to fit</NumTh>
          <NumTh>Train acc.</NumTh>
          <NumTh>Test acc.</NumTh>
          <NumTh>Gen. gap</NumTh>
          <NumTh>Wall time</NumTh>
          <th scope="col">Reproductions</th>
        </tr>
      </thead>
      <tbody>
        {props.runs.map((r) => {
          const board = { suite: r.suite.id, version: r.suite.version, dataset: r.dataset };
          const d = r.derived;
          // A baseline's one-point curve is a closed-form solve: SGD epochs and steps do not apply.
          const sgd = !BASELINE_KINDS.includes(r.architecture.kind);
          return (
            <tr>
              <td>
                <a href={architectureHref(r.architecture.fingerprint, board)}>{r.architecture.name}</a>
              </td>
              <td class="nowrap">{r.dataset}</td>
              <th scope="row">{corruptionName(r.corruption)}</th>
              <td class="nowrap">{r.regularizer}</td>
              <td class="num">{r.seed}</td>
              <td class="num">
                <EpochsToFit status={r.status} failure={r.failure} epochsToFit={d.epochsToFit} sgd={sgd} />
              </td>
              <td class="num">
                {sgd ? <FigureOrNone value={d.stepsToFit} format={formatInteger} /> : <NotApplicable />}
              </td>
              <td class="num">
                <FigureOrNone value={d.finalTrainAcc} format={formatPercent} />
              </td>
              <td class="num">
                <FigureOrNone value={d.finalTestAcc} format={formatPercent} />
              </td>
              <td class="num">
                <FigureOrNone value={d.genGap} format={formatPoints} />
              </td>
              <td class="num">{formatSeconds(d.wallSeconds)}</td>
              <RunReproductionsCell reproductions={r.reproductions} />
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function SubmissionPage(props: SubmissionPageProps) {
  const s = props.submission;
  const file = `${s.id}.dsse.json`;
  const hw = s.hardware;
  const architectures = [...new Map(props.runs.map((r) => [r.architecture.fingerprint, r])).values()];
  const failed = props.runs.filter((r) => r.status === "failed").length;
  const firstBoard: BoardRef | undefined = props.runs[0] && {
    suite: props.runs[0].suite.id,
    version: props.runs[0].suite.version,
    dataset: props.runs[0].dataset,
  };
  const suiteName = `${props.suiteTitle ?? s.suite.id} v${s.suite.version}`;
  return (
    <Layout
      title={`Submission ${s.id}`}
      description={`A signed rethink-bench result bundle: ${suiteName}, ${s.runs} runs.`}
      section="other"
      assets={props.assets}
    >
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href="/">Leaderboard</a>
      </nav>
      <header class="page-head">
        <h1>
          Submission <code class="id">{s.id}</code>
        </h1>
        <p class="meta">
          {suiteName} · {plural(s.runs, "run")}
          {failed > 0 && ` (${failed} failed)`} · signed by{" "}
          {s.submitter.name ? <strong>{s.submitter.name}</strong> : "an unnamed submitter"} ·{" "}
          <VerificationMark verification={s.verification} />
        </p>
      </header>

      <dl class="stats">
        <Stat
          label="Submitted by"
          value={s.submitter.name ?? "unnamed"}
          detail={<code title={s.submitter.keyid}>key {s.submitter.keyid.slice(0, 16)}…</code>}
        />
        <Stat
          label="Received"
          value={<Timestamp iso={s.receivedAt} />}
          detail={
            <>
              bundle written <Timestamp iso={s.createdAt} />
            </>
          }
        />
        <Stat label="Backend" value={backendLabel(s.backend)} detail={s.backendDetail} />
        <Stat
          label="Hardware"
          value={hw.gpu ?? `${hw.cpuCount} × CPU`}
          detail={`${hw.cpuModel || "unknown CPU"} · ${formatGibibytes(hw.memoryBytes)} · ${hw.platform}/${hw.arch}`}
        />
      </dl>

      <section aria-labelledby="who-heading">
        <h2 id="who-heading">Who and with what</h2>
        <dl class="facts">
          <div>
            <dt>Key id</dt>
            <dd>
              <code class="wrap-anywhere">{s.submitter.keyid}</code>
            </dd>
          </div>
          <div>
            <dt>Public key (Ed25519, base64url)</dt>
            <dd>
              <code class="wrap-anywhere">{s.publicKey}</code>
            </dd>
          </div>
          <div>
            <dt>Display name</dt>
            <dd>{s.submitter.name ?? <span class="muted">none given</span>}</dd>
          </div>
          <div>
            <dt>Suite</dt>
            <dd>
              <a href={protocolHref(`suite-${s.suite.id}`)}>{suiteName}</a>
            </dd>
          </div>
          <div>
            <dt>Architectures</dt>
            <dd>
              {architectures.map((r, i) => (
                <>
                  {i > 0 && ", "}
                  <a
                    href={architectureHref(r.architecture.fingerprint, {
                      suite: r.suite.id,
                      version: r.suite.version,
                      dataset: r.dataset,
                    })}
                  >
                    {r.architecture.name}
                  </a>
                </>
              ))}
            </dd>
          </div>
          <div>
            <dt>Software</dt>
            <dd>
              rethink-bench {s.runnerVersion}, TensorFlow.js {s.tfjsVersion}
              {s.engine && " (which built the canonical topologies)"}
            </dd>
          </div>
          {s.engine && (
            <div>
              <dt>PyTorch engine</dt>
              <dd>{engineSoftware(s.engine)}</dd>
            </div>
          )}
          <div>
            <dt>Payload SHA-256</dt>
            <dd>
              <code class="wrap-anywhere">{s.payloadSha256}</code>
            </dd>
          </div>
        </dl>
        {s.moderation.length > 0 && (
          <>
            <h3>Moderation history</h3>
            <ul>
              {s.moderation.map((m) => (
                <li>
                  <Timestamp iso={m.createdAt} />: {m.action === "hide" ? "hidden" : "shown again"} — {m.reason}
                  {m.reproductionId && (
                    <>
                      {" "}
                      (<a href={`#${m.reproductionId}`}>the reproduction</a>)
                    </>
                  )}
                </li>
              ))}
            </ul>
          </>
        )}
      </section>

      <section aria-labelledby="verify-heading">
        <h2 id="verify-heading">Verify it yourself</h2>
        <p>
          The bundle is the signed original. Nobody has to trust this server: anyone can check it with the same code the
          server ran.
        </p>
        <ol class="steps">
          <li>
            Download the bundle: <a href={bundleHref(s.id)}>{file}</a> (the envelope exactly as verified)
            {props.origin && (
              <>
                , or
                <Commands lines={[`curl -fLo ${file} ${props.origin}${bundleHref(s.id)}`]} />
              </>
            )}
          </li>
          <li>
            Verify the signature, the schema, every digest, and every metric recomputed from the curves:
            <Commands lines={[`npx rethink-bench verify ${file}`]} />
          </li>
          <li>
            Check it is this submission: the id is <code>sub_</code> and the first 32 hex digits of the payload's
            SHA-256.
            <Commands lines={[`jq -r .payload ${file} | base64 -d | sha256sum`]} />
            should print <code class="wrap-anywhere">{s.payloadSha256}</code>.
          </li>
        </ol>
        <p class="muted">
          Without rethink-bench, any Ed25519 implementation can check the signature over DSSE's pre-authentication
          encoding: see <a href={protocolHref("verification")}>verification</a>. Everything above as JSON:{" "}
          <a href={apiSubmissionHref(s.id)}>API document</a>.
        </p>
      </section>

      <section aria-labelledby="runs-heading">
        <h2 id="runs-heading">Runs</h2>
        <TableRegion labelledBy="runs-heading">
          <RunsTable runs={props.runs} />
        </TableRegion>
        {firstBoard && (
          <p class="muted">
            These runs count toward the board of <a href={boardHref(firstBoard)}>{suiteName}</a> together with every
            other submission of the same architectures.
          </p>
        )}
      </section>

      <Reproductions submissionId={s.id} reproductions={props.reproductions} runs={props.runs} />
      <ReproduceIt submissionId={s.id} origin={props.origin} />
    </Layout>
  );
}

export interface HiddenSubmissionPageProps {
  id: string;
  /**
   * The decision that hid it, if recorded; `reproductionId` when an operator reproducer's
   * "not reproduced" verdict hid it.
   */
  hidden: { createdAt: string; reason: string; reproductionId?: string | null } | undefined;
  assets: AssetManifest | undefined;
}

export function HiddenSubmissionPage(props: HiddenSubmissionPageProps) {
  return (
    <Layout
      title={`Submission ${props.id} (hidden)`}
      description="A submission hidden by moderation."
      section="other"
      assets={props.assets}
    >
      <header class="page-head">
        <h1>
          Submission <code class="id">{props.id}</code> is hidden
        </h1>
      </header>
      <div class="empty">
        <p>
          It was hidden by moderation
          {props.hidden ? (
            <>
              {" "}
              on <Timestamp iso={props.hidden.createdAt} />. Reason given: <q>{props.hidden.reason}</q>
            </>
          ) : (
            "."
          )}
        </p>
        {props.hidden?.reproductionId && (
          <p>
            An operator reproducer trained its runs again and did not reproduce them: the evidence is reproduction{" "}
            <code>{props.hidden.reproductionId}</code> among its{" "}
            <a href={apiReproductionsHref(props.id)}>reproductions (JSON)</a>. An administrator can show it again.
          </p>
        )}
        {/* biome-ignore format: Biome fills prose to 120 columns without counting the {" "} it adds at a break. */}
        <p>
          A hidden submission leaves every ranking, figure and list; nothing is deleted. Every decision is public
          in the <a href={API_MODERATION_HREF}>moderation audit trail</a>.
        </p>
        <p>
          <a href="/">Back to the leaderboard</a>
        </p>
      </div>
    </Layout>
  );
}
