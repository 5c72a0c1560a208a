/** @jsxImportSource hono/jsx */
// An architecture (`/architectures/:fingerprint`): where it stands on a board, its learning
// curves per corruption (Figure 1a), steps to fit and test error against the label-corruption
// level (Figures 1b and 1c), every condition, its topology and its newest runs. A non-neural
// baseline (a kernel) has no SGD figures: its page draws Figure 1c only.
import {
  type ArchitectureDetail,
  BASELINE_KINDS,
  type BaselineRow,
  type ConditionSummary,
  type DatasetId,
  type LeaderboardRow,
  type RunCurve,
  type Suite,
  type SuiteRef,
} from "../../schema/index.js";
import type { AssetManifest } from "../assets.js";
import { Layout } from "../components/layout.js";
import {
  BoardNav,
  EpochsToFit,
  Figure,
  NO_SGD,
  NotApplicable,
  NumTh,
  SpreadValue,
  Stat,
  TableRegion,
} from "../components/parts.js";
import {
  type ArchitectureFigureData,
  type CurveSeries,
  compareConditions,
  corruptionSweep,
  epochReaching,
  learningCurves,
  type SweepPoint,
} from "../figures.js";
import {
  corruptionName,
  formatEpochs,
  formatInteger,
  formatParameters,
  formatPercent,
  formatPercentValue,
  formatPoints,
  formatRatio,
  formatSeconds,
  formatThreshold,
  formatTimestamp,
  NONE,
} from "../format.js";
import { summarizeTopology } from "../topology.js";
import {
  apiArchitectureHref,
  architectureHref,
  type BoardRef,
  leaderboardHref,
  protocolHref,
  submissionHref,
} from "../urls.js";
import { sameBoard } from "./boards.js";

/** A board the architecture has visible runs on. */
export interface ArchitectureBoard {
  suite: SuiteRef;
  title: string;
  dataset: DatasetId;
  runs: number;
  submissions: number;
}

export interface ArchitecturePageProps {
  detail: ArchitectureDetail;
  board: BoardRef;
  boards: ArchitectureBoard[];
  suite: Suite | undefined;
  /** The architecture's leaderboard rows on this board under each ranking, and the board's size; for a baseline, its baseline row. */
  standing: {
    memorization: LeaderboardRow | null;
    gap: LeaderboardRow | null;
    total: number;
    baseline: BaselineRow | null;
  };
  assets: AssetManifest | undefined;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

const KIND_NAMES: Record<ArchitectureDetail["architecture"]["kind"], string> = {
  builtin: "built-in architecture",
  "layers-json": "TF.js layers model",
  "builder-module": "builder module",
  kernel: "kernel baseline",
};

/** Epochs at which the Figure 1a table samples the curves. */
function sampleEpochs(last: number): number[] {
  const marks = [1, 2, 5, 10, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750, 1000].filter((e) => e < last);
  return [...marks, last];
}

function CurvesTable(props: { curves: CurveSeries[]; fitThreshold: number }) {
  const last = Math.max(0, ...props.curves.map((s) => s.points.length));
  const epochs = sampleEpochs(last);
  return (
    <table>
      <caption>Median training accuracy at selected epochs, per corruption</caption>
      <thead>
        <tr>
          <th scope="col">Corruption</th>
          <NumTh>Runs</NumTh>
          {epochs.map((e) => (
            <NumTh>Epoch {e}</NumTh>
          ))}
          <NumTh>Reaches {formatThreshold(props.fitThreshold)}</NumTh>
        </tr>
      </thead>
      <tbody>
        {props.curves.map((s) => {
          const reached = epochReaching(s, props.fitThreshold);
          return (
            <tr>
              <th scope="row">{s.name}</th>
              <td class="num">{s.runs}</td>
              {epochs.map((e) => {
                const point = s.points[Math.min(e, s.points.length) - 1];
                return <td class="num">{point ? formatPercent(point.median) : NONE}</td>;
              })}
              <td class="num">{reached === null ? "never" : `epoch ${reached}`}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function SweepTable(props: { sweep: SweepPoint[]; metric: "steps" | "testError" }) {
  const steps = props.metric === "steps";
  return (
    <table>
      <caption>
        {steps
          ? "SGD steps to fit the training set, by label-corruption level"
          : "Test error on true labels, by label-corruption level"}
      </caption>
      <thead>
        <tr>
          <NumTh>Level</NumTh>
          <th scope="col">Corruption</th>
          <NumTh>{steps ? "Steps to fit (median, IQR)" : "Test error (median, IQR)"}</NumTh>
          <NumTh>Runs</NumTh>
        </tr>
      </thead>
      <tbody>
        {props.sweep.map((p) => (
          <tr>
            <td class="num">{p.level}</td>
            <th scope="row">{p.name}</th>
            <td class="num">
              {steps ? (
                <SpreadValue spread={p.stepsToFit} format={formatInteger} />
              ) : (
                <SpreadValue spread={p.testError} format={formatPercent} formatBound={formatPercentValue} />
              )}
            </td>
            <td class="num">{(steps ? p.stepsToFit : p.testError).runs}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The levels left out of Figure 1b because most of their runs never fitted, in words. */
function notFitted(sweep: SweepPoint[]): string {
  const censored = sweep.filter((p) => p.stepsToFit.runs > 0 && p.stepsToFit.median === null).map((p) => p.level);
  return censored.length === 0
    ? ""
    : ` Not drawn: level${censored.length === 1 ? "" : "s"} ${censored.join(", ")}, where most runs never fitted within the epoch budget.`;
}

function curvesSummary(curves: CurveSeries[], fitThreshold: number): string {
  if (curves.length === 0) return "No finished runs to draw.";
  const parts = curves.map((s) => {
    const reached = epochReaching(s, fitThreshold);
    return `${s.name} ${reached === null ? "never reach" : `reach ${formatThreshold(fitThreshold)} at epoch ${reached}`}`;
  });
  return `Line chart of median training accuracy by epoch, one line per corruption: ${parts.join("; ")}.`;
}

function sweepSummary(sweep: SweepPoint[], metric: "steps" | "testError"): string {
  if (sweep.length === 0) return "No label-corruption runs to draw.";
  const parts = sweep.map((p) => {
    const spread = metric === "steps" ? p.stepsToFit : p.testError;
    const value =
      spread.median === null
        ? "not fitted"
        : metric === "steps"
          ? `${formatInteger(spread.median)} steps`
          : formatPercent(spread.median);
    return `level ${p.level}: ${value}`;
  });
  return `Line chart of ${metric === "steps" ? "median SGD steps to fit" : "median test error"} against label-corruption level: ${parts.join(", ")}.`;
}

function ConditionsTable(props: { conditions: ConditionSummary[]; sgd: boolean }) {
  return (
    <table>
      <caption>
        Every condition this architecture ran on the board: the corruption sweep and the regularizer ablations
      </caption>
      <thead>
        <tr>
          <th scope="col">Corruption</th>
          <th scope="col">Regularizer</th>
          <NumTh>Steps to fit</NumTh>
          <NumTh>Epochs</NumTh>
          <NumTh>Gen. gap</NumTh>
          <NumTh>Test error</NumTh>
          <NumTh>Slowdown</NumTh>
          <NumTh>Runs</NumTh>
        </tr>
      </thead>
      <tbody>
        {[...props.conditions].sort(compareConditions).map((c) => (
          <tr>
            <th scope="row">{corruptionName(c.corruption)}</th>
            <td>{c.regularizer === "none" ? <span class="muted">none</span> : c.regularizer}</td>
            <td class="num">
              {props.sgd ? <SpreadValue spread={c.stepsToFit} format={formatInteger} /> : <NotApplicable />}
            </td>
            <td class="num">
              {props.sgd ? (
                <SpreadValue spread={c.epochsToFit} format={formatEpochs} showSeeds={false} />
              ) : (
                <NotApplicable />
              )}
            </td>
            <td class="num">
              <SpreadValue spread={c.genGap} format={formatPoints} formatBound={formatPercentValue} showSeeds={false} />
            </td>
            <td class="num">
              <SpreadValue
                spread={c.testError}
                format={formatPercent}
                formatBound={formatPercentValue}
                showSeeds={false}
              />
            </td>
            <td class="num">
              {!props.sgd ? (
                <NotApplicable />
              ) : c.slowdown === null ? (
                <span class="none">{NONE}</span>
              ) : (
                formatRatio(c.slowdown)
              )}
            </td>
            <td class="num">{c.testError.runs}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A kernel baseline's recorded settings (γ, training points, the solve), as its bundle states them. */
function KernelSettings(props: { topology: Record<string, unknown> }) {
  const entries = Object.entries(props.topology).filter(
    ([, value]) => typeof value === "string" || typeof value === "number",
  );
  return (
    <dl class="facts">
      {entries.map(([key, value]) => (
        <div>
          <dt>{key}</dt>
          <dd>{String(value)}</dd>
        </div>
      ))}
    </dl>
  );
}

function Topology(props: { detail: ArchitectureDetail }) {
  const a = props.detail.architecture;
  const summary = summarizeTopology(a.topology);
  const json = apiArchitectureHref(a.fingerprint);
  return (
    <section aria-labelledby="topology-heading">
      <h2 id="topology-heading">Topology</h2>
      {summary ? (
        <>
          <p>
            {summary.className === "Sequential" ? "A sequential" : "A"} model of{" "}
            {plural(summary.layers.length, "layer")} with {formatInteger(a.parameterCount)} parameters, for{" "}
            {a.inputShape.join("×")} inputs:{" "}
            {summary.counts.map((c, i) => (
              <>
                {i > 0 && ", "}
                {c.count} {c.className}
              </>
            ))}
            .
          </p>
          <details>
            <summary>Every layer</summary>
            <div class="table-wrap">
              <table>
                <caption>Layers in order (the canonical topology; weights are not part of it)</caption>
                <thead>
                  <tr>
                    <NumTh>#</NumTh>
                    <th scope="col">Layer</th>
                    <th scope="col">Settings</th>
                    <th scope="col">Reads from</th>
                  </tr>
                </thead>
                <tbody>
                  {summary.layers.map((l) => (
                    <tr>
                      <td class="num">{l.index}</td>
                      <th scope="row">{l.className}</th>
                      <td>{l.detail || <span class="none">{NONE}</span>}</td>
                      <td>{l.inputs.length ? l.inputs.join(", ") : <span class="none">{NONE}</span>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </>
      ) : props.detail.architecture.kind === "kernel" ? (
        <KernelSettings topology={a.topology} />
      ) : (
        <p>This architecture's topology has no layer list to summarize.</p>
      )}
      <p class="muted">
        The fingerprint is the SHA-256 of the topology's canonical JSON; the full topology is in the{" "}
        <a href={json}>API document</a>.
      </p>
    </section>
  );
}

function RunsTable(props: { runs: RunCurve[]; truncated: boolean; sgd: boolean }) {
  return (
    <section aria-labelledby="runs-heading">
      <h2 id="runs-heading">Runs</h2>
      <details>
        <summary>
          The {props.runs.length} newest runs
          {props.truncated ? " (older runs are counted in the figures above, but not listed)" : ""}
        </summary>
        <div class="table-wrap">
          <table>
            <caption>Newest runs first</caption>
            <thead>
              <tr>
                <th scope="col">Submission</th>
                <th scope="col">Corruption</th>
                <th scope="col">Regularizer</th>
                <NumTh>Seed</NumTh>
                <NumTh>Epochs to fit</NumTh>
                <NumTh>Train acc.</NumTh>
                <NumTh>Test acc.</NumTh>
                <NumTh>Wall time</NumTh>
              </tr>
            </thead>
            <tbody>
              {props.runs.map((r) => (
                <tr>
                  <td>
                    <a href={submissionHref(r.submissionId)}>
                      <code>{r.submissionId.slice(0, 12)}…</code>
                    </a>
                  </td>
                  <th scope="row">{corruptionName(r.corruption)}</th>
                  <td>{r.regularizer}</td>
                  <td class="num">{r.seed}</td>
                  <td class="num">
                    <EpochsToFit status={r.status} epochsToFit={r.derived.epochsToFit} sgd={props.sgd} />
                  </td>
                  <td class="num">
                    {r.derived.finalTrainAcc === null ? NONE : formatPercent(r.derived.finalTrainAcc)}
                  </td>
                  <td class="num">{r.derived.finalTestAcc === null ? NONE : formatPercent(r.derived.finalTestAcc)}</td>
                  <td class="num">{formatSeconds(r.derived.wallSeconds)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </section>
  );
}

function RankStats(props: { standing: ArchitecturePageProps["standing"]; parameterCount: number }) {
  const { memorization: mem, gap, total } = props.standing;
  return (
    <dl class="stats">
      <Stat
        label="Memorization rank"
        value={mem ? `#${mem.rank} of ${total}` : NONE}
        detail={
          mem && mem.stepsToFit.median !== null
            ? `${formatInteger(mem.stepsToFit.median)} steps to fit random labels`
            : mem && mem.stepsToFit.runs > 0
              ? "random labels not fitted"
              : "no random-label runs"
        }
      />
      <Stat
        label="Gen. gap rank"
        value={gap ? `#${gap.rank} of ${total}` : NONE}
        detail={
          gap && gap.genGap.median !== null ? `${formatPoints(gap.genGap.median)} on true labels` : "no true-label runs"
        }
      />
      <Stat
        label="Slowdown"
        value={mem?.slowdown != null ? formatRatio(mem.slowdown) : NONE}
        detail="random vs true labels"
      />
      <Stat
        label="Test accuracy"
        value={mem?.testAccuracy != null ? formatPercent(mem.testAccuracy) : NONE}
        detail="trained on true labels"
      />
      <Stat
        label="Parameters"
        value={formatParameters(props.parameterCount)}
        detail={`${plural(mem?.submissions ?? 0, "submission")}, ${plural(mem?.submitters ?? 0, "submitter")}`}
      />
    </dl>
  );
}

/** A baseline's standing: not ranked; the true-label figures it shares with the ranked rows. */
function BaselineStats(props: { baseline: BaselineRow | null; parameterCount: number }) {
  const b = props.baseline;
  return (
    <dl class="stats">
      <Stat
        label="Rank"
        value={<abbr title={NO_SGD}>not ranked</abbr>}
        detail={<a href={protocolHref("baselines")}>non-neural baseline</a>}
      />
      <Stat
        label="Gen. gap"
        value={b?.genGap.median != null ? formatPoints(b.genGap.median) : NONE}
        detail="on true labels"
      />
      <Stat
        label="Training accuracy"
        value={b?.trainAccuracy != null ? formatPercent(b.trainAccuracy) : NONE}
        detail="true labels"
      />
      <Stat
        label="Test accuracy"
        value={b?.testAccuracy != null ? formatPercent(b.testAccuracy) : NONE}
        detail="fitted to true labels"
      />
      <Stat
        label="Parameters"
        value={formatParameters(props.parameterCount)}
        detail={`${plural(b?.submissions ?? 0, "submission")}, ${plural(b?.submitters ?? 0, "submitter")}`}
      />
    </dl>
  );
}

export function ArchitecturePage(props: ArchitecturePageProps) {
  const { detail, board, standing } = props;
  const a = detail.architecture;
  const sgd = !BASELINE_KINDS.includes(a.kind);
  const fitThreshold = props.suite?.fitThreshold ?? 1;
  // A baseline's one-point "curves" are a closed-form solve, not training: no Figure 1a.
  const curves = sgd ? learningCurves(detail.runs) : [];
  const sweep = corruptionSweep(detail.conditions);
  const data: ArchitectureFigureData = { curves, sweep, fitThreshold };
  const current = props.boards.find((b) => sameBoard(board, b));
  const boardName = `${current?.title ?? board.suite} v${board.version} · ${board.dataset}`;
  const mem = standing.memorization;
  const gap = standing.gap;
  const inputCorruptions = curves.filter((s) => s.dashed).length;
  const links = props.boards.map((b) => ({
    suite: b.suite,
    title: b.title,
    dataset: b.dataset,
    href: architectureHref(a.fingerprint, { suite: b.suite.id, version: b.suite.version, dataset: b.dataset }),
    current: sameBoard(board, b),
    meta: `${b.runs} run${b.runs === 1 ? "" : "s"}`,
    empty: false,
  }));
  return (
    <Layout
      title={a.name}
      description={`${a.name}: how fast it fits random labels, its generalization gap, learning curves under every randomization test.`}
      section="other"
      assets={props.assets}
      script="architecture"
      data={data}
    >
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href={leaderboardHref({ ...board, rank: "memorization", backend: null, page: 1 })}>
          Leaderboard · {boardName}
        </a>
      </nav>
      <header class="page-head">
        <h1>{a.name}</h1>
        <p class="meta">
          <code>{a.id}</code> · {KIND_NAMES[a.kind]} · {formatInteger(a.parameterCount)} parameters · input{" "}
          {a.inputShape.join("×")} · first submitted{" "}
          <time datetime={a.firstSeenAt}>{formatTimestamp(a.firstSeenAt)}</time>
        </p>
        <p class="meta fingerprint">
          Fingerprint <code>{a.fingerprint}</code>
        </p>
      </header>

      {props.boards.length > 1 && <BoardNav label="Boards this architecture ran on" boards={links} />}

      {sgd ? (
        <RankStats standing={standing} parameterCount={a.parameterCount} />
      ) : (
        <BaselineStats baseline={standing.baseline} parameterCount={a.parameterCount} />
      )}
      {(mem?.provisional || gap?.provisional || standing.baseline?.genGap.provisional) && (
        <p class="note">
          <span class="badge">prov.</span> Fewer than 3 seeds so far: these figures are{" "}
          <a href={protocolHref("provisional")}>provisional</a>.
        </p>
      )}

      <section aria-labelledby="figures-heading">
        <h2 id="figures-heading">Randomization tests</h2>
        {sgd ? (
          <>
            <Figure
              id="figure-curves"
              label="Figure 1a"
              title="Training accuracy by epoch"
              wide
              caption={
                <>
                  Median over {detail.runs.length === 0 ? "no" : "the"} runs of each corruption (line) and its
                  interquartile range (band), on the whole training set in inference mode. Label corruptions are solid,
                  from true labels (blue) to random labels (red)
                  {inputCorruptions > 0 ? "; input corruptions dashed" : ""}. A run that stopped after fitting counts at
                  its final accuracy. The dotted line is the fit threshold.
                </>
              }
              summary={curvesSummary(curves, fitThreshold)}
              table={<CurvesTable curves={curves} fitThreshold={fitThreshold} />}
            />
            <div class="figure-grid">
              <Figure
                id="figure-steps"
                label="Figure 1b"
                title="Steps to fit vs label corruption"
                caption={`Median SGD steps until every training label is fitted, with the interquartile range, from true labels (0) to random labels (1).${notFitted(sweep)}`}
                summary={sweepSummary(sweep, "steps")}
                table={<SweepTable sweep={sweep} metric="steps" />}
              />
              <Figure
                id="figure-test-error"
                label="Figure 1c"
                title="Test error vs label corruption"
                caption="Median error on the true test labels at the end of training, with the interquartile range. At level 1 nothing is left to learn: the error is that of guessing."
                summary={sweepSummary(sweep, "testError")}
                table={<SweepTable sweep={sweep} metric="testError" />}
              />
            </div>
          </>
        ) : (
          <>
            <p class="note" id="baseline-figures">
              A kernel baseline interpolates its training labels in one linear solve: it has no learning curve (Figure
              1a) and no steps to fit (Figure 1b). What compares with the networks is its test error as the labels are
              corrupted.
            </p>
            <Figure
              id="figure-test-error"
              label="Figure 1c"
              title="Test error vs label corruption"
              caption="Median error on the true test labels of the interpolating solution, with the interquartile range. At level 1 nothing is left to learn: the error is that of guessing."
              summary={sweepSummary(sweep, "testError")}
              table={<SweepTable sweep={sweep} metric="testError" />}
            />
          </>
        )}
      </section>

      <section aria-labelledby="conditions-heading">
        <h2 id="conditions-heading">Every condition</h2>
        <TableRegion labelledBy="conditions-heading">
          <ConditionsTable conditions={detail.conditions} sgd={sgd} />
        </TableRegion>
      </section>

      <Topology detail={detail} />
      <RunsTable runs={detail.runs} truncated={detail.runsTruncated} sgd={sgd} />
      <p class="downloads">
        Data: <a href={apiArchitectureHref(a.fingerprint, board)}>JSON</a> ·{" "}
        <a href={`/api/v1/submissions?architecture=${a.fingerprint}&format=csv`}>submissions (CSV)</a>
      </p>
    </Layout>
  );
}
