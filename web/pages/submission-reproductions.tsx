/** @jsxImportSource hono/jsx */
// A submission page's reproductions: every stored attestation (who, on what engine, which
// verdicts, where each negative one first departed), each anchored by its id so that a contested
// row can link to it, and the commands that reproduce the submission and verify an attestation.
import type { ReproductionSummary, SubmissionRun, Verdict } from "../../schema/index.js";
import { Commands, Timestamp } from "../components/parts.js";
import { corruptionName, plural } from "../format.js";
import { backendLabel, engineSoftware } from "../labels.js";
import { formatDivergence, formatVerdictCounts, hasNegativeVerdict } from "../reproduction.js";
import { apiReproductionsHref, protocolHref } from "../urls.js";

const VERDICT_TEXT: Record<Verdict, string> = {
  exact: "exact",
  "not-reproduced": "not reproduced",
  consistent: "consistent",
  inconsistent: "inconsistent",
};

const MODE_TEXT: Record<ReproductionSummary["mode"], string> = {
  exact: "exact: the same engine, every curve value and prediction compared bit for bit",
  tolerance: "within tolerance: another engine, the ranked figures compared within the documented tolerance",
};

/** A run as a reader finds it in the runs table: its position, architecture, corruption, regularizer and seed. */
function runLabel(position: number, runs: SubmissionRun[]): string {
  const run = runs.find((r) => r.position === position);
  if (!run) return `run ${position + 1}`;
  const parts = [run.architecture.name, corruptionName(run.corruption), run.regularizer, `seed ${run.seed}`];
  return `run ${position + 1} (${parts.join(" · ")})`;
}

function Reproduction(props: { reproduction: ReproductionSummary; runs: SubmissionRun[] }) {
  const r = props.reproduction;
  const negative = r.runs.filter((run) => run.verdict === "not-reproduced" || run.verdict === "inconsistent");
  const hw = r.hardware;
  return (
    <article class="reproduction" id={r.id} aria-labelledby={`${r.id}-heading`}>
      <h3 id={`${r.id}-heading`}>
        {r.reproducer.name ?? "Unnamed reproducer"}{" "}
        <code class="key" title={r.reproducer.keyid}>
          key {r.reproducer.keyid.slice(0, 16)}…
        </code>
        {r.operator && (
          <span class="badge badge-verified" title="One of this server's operator reproducer keys">
            operator
          </span>
        )}
      </h3>
      <dl class="facts">
        <div>
          <dt>Verdicts</dt>
          <dd class={hasNegativeVerdict(r.verdicts) ? "verdicts-negative" : undefined}>
            {formatVerdictCounts(r.verdicts)}
          </dd>
        </div>
        <div>
          <dt>Comparison</dt>
          <dd>{MODE_TEXT[r.mode]}</dd>
        </div>
        <div>
          <dt>Engine</dt>
          <dd>
            {backendLabel(r.backend)} ({r.backendDetail}) · rethink-bench {r.runnerVersion} · TensorFlow.js{" "}
            {r.tfjsVersion} · {r.engine && `${engineSoftware(r.engine)} · `}
            {hw.gpu ?? `${hw.cpuCount} × ${hw.cpuModel || "CPU"}`}
          </dd>
        </div>
        <div>
          <dt>Received</dt>
          <dd>
            <Timestamp iso={r.receivedAt} /> (signed <Timestamp iso={r.createdAt} />)
          </dd>
        </div>
        <div>
          <dt>Id</dt>
          <dd>
            <code class="wrap-anywhere">{r.id}</code>
          </dd>
        </div>
      </dl>
      {negative.length > 0 && (
        <>
          <h4>Where it departed</h4>
          <ul class="divergences">
            {negative.map((run) => (
              <li>
                {runLabel(run.position, props.runs)}: <strong>{VERDICT_TEXT[run.verdict]}</strong>
                {run.firstDivergence && (
                  <>
                    {" "}
                    — <code>{formatDivergence(run.firstDivergence)}</code>
                  </>
                )}
                {!run.counted && (
                  <span class="muted"> (not counted: this key had given this run a verdict before)</span>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
    </article>
  );
}

/** Every stored reproduction of the submission, oldest first, or a line saying there is none yet. */
export function Reproductions(props: {
  submissionId: string;
  reproductions: ReproductionSummary[];
  runs: SubmissionRun[];
}) {
  return (
    <section aria-labelledby="reproductions-heading">
      <h2 id="reproductions-heading">Reproductions</h2>
      {props.reproductions.length === 0 ? (
        <p class="muted">Nobody has sent a reproduction of this submission yet.</p>
      ) : (
        <>
          <p>
            {plural(props.reproductions.length, "signed attestation")} from people who trained these runs again and
            compared them with the original, oldest first. A reproduction by an <em>operator</em> key (one this server
            names) is what makes a result verified.
          </p>
          {props.reproductions.map((r) => (
            <Reproduction reproduction={r} runs={props.runs} />
          ))}
        </>
      )}
      <p class="downloads">
        Every attestation with its signed envelope: <a href={apiReproductionsHref(props.submissionId)}>JSON</a>
      </p>
    </section>
  );
}

/** The commands that reproduce a submission, send the attestation, and verify someone else's. */
export function ReproduceIt(props: { submissionId: string; origin: string | undefined }) {
  const id = props.submissionId;
  const list = `${id}-reproductions.json`;
  return (
    <section class="reproduce-box" aria-labelledby="reproduce-heading">
      <h2 id="reproduce-heading">Reproduce it</h2>
      <p>
        Train every run of this submission again on your machine and compare the curves epoch by epoch. On the same
        backend and versions the result must match bit for bit; on another engine, within a documented tolerance. The
        command exits with an error when anything did not reproduce.
      </p>
      <Commands lines={[`npx rethink-bench reproduce ${id}`]} label="Command to reproduce this submission" />
      <p>Sign the verdicts with your key and send them to the board:</p>
      <Commands lines={[`npx rethink-bench reproduce ${id} --submit`]} label="Command to reproduce and submit" />
      <p>
        Check an attestation yourself: download the list of them (<a href={apiReproductionsHref(id)}>JSON</a>), take one
        envelope out, and verify it beside this submission's bundle (<code>{id}.dsse.json</code>, above): its signature,
        and every verdict recomputed against the original.
      </p>
      <Commands
        label="Commands to verify a reproduction attestation"
        lines={[
          ...(props.origin ? [`curl -fLo ${list} ${props.origin}${apiReproductionsHref(id)}`] : []),
          `jq '.reproductions[0].envelope' ${list} > reproduction.dsse.json`,
          `npx rethink-bench verify reproduction.dsse.json ${id}.dsse.json`,
        ]}
      />
      <p class="muted">
        What exact and consistent mean, and the tolerance: <a href={protocolHref("reproduction")}>reproduction</a>.
      </p>
    </section>
  );
}
