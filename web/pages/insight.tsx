/** @jsxImportSource hono/jsx */
// The insight page (`/insight`): the paper's question asked of the board. Is an architecture
// that memorizes random labels fast also one that generalizes badly? A scatter of the two
// figures across architectures with Kendall's rank correlation, and the same for capacity.
import type { BoardMeasureRun, Environment, LeaderboardRow, Suite } from "../../schema/index.js";
import type { AssetManifest } from "../assets.js";
import { type BoardCount, boardLinks } from "../components/board-links.js";
import { Layout } from "../components/layout.js";
import { BoardNav, Commands, Figure, FigureOrNone, NumTh, Stat, submitCommands } from "../components/parts.js";
import {
  capacityGapCorrelation,
  type InsightFigureData,
  type InsightPoint,
  insightPoints,
  memorizationGapCorrelation,
  spansDecade,
} from "../figures.js";
import {
  formatCorrelation,
  formatInteger,
  formatParameters,
  formatPoints,
  formatPValue,
  NONE,
  plural,
} from "../format.js";
import { backendLabel } from "../labels.js";
import { measureScatter } from "../measure-figures.js";
import { measureCorrelations, measureVerdict } from "../measures.js";
import type { KendallTau } from "../stats.js";
import { architectureHref, type BoardRef, boardHref, insightHref, protocolHref, type VerifiedFilter } from "../urls.js";
import { MeasuresSection } from "./insight-measures.js";

export interface InsightPageProps {
  board: BoardRef;
  backend: Environment["backend"] | null;
  suite: Suite;
  boards: BoardCount[];
  /** Every row of the board (ranked by memorization). */
  rows: LeaderboardRow[];
  /** How many architectures the figures cover when the board has more than the page reads; null when it covers all. */
  truncated: number | null;
  /** The board's standing runs with their complexity measures, and which results they are (verified or all). */
  measures: {
    runs: BoardMeasureRun[];
    verified: VerifiedFilter;
    /** The runs are part of the board: the architectures on the page, or the first runs of them. */
    partial?: boolean;
  };
  assets: AssetManifest | undefined;
}

/** Below this many architectures a rank correlation says next to nothing. */
const FEW = 5;

/** The two figures a correlation relates, in words. */
interface Relation {
  /** e.g. "memorization speed". */
  x: string;
  /** Architectures with more of x, e.g. "architectures that need more steps to fit random labels". */
  more: string;
  /** e.g. "generalization gap". */
  y: string;
}

/**
 * What a correlation says, in a sentence with its evidence.
 *
 * @example
 * describeCorrelation({ tau: 0.8, pValue: 0.01, n: 9, … }, { x: "size", more: "bigger architectures", y: "gap" })
 * // "There is a strong tendency: bigger architectures have a larger gap (p = 0.01: unlikely to be chance alone)."
 */
function describeCorrelation(result: KendallTau, relation: Relation): string {
  if (result.n < 3 || result.tau === null)
    return `Too few architectures with both figures to relate ${relation.x} and ${relation.y} (${result.n}).`;
  const size = Math.abs(result.tau);
  const strength = size < 0.1 ? null : size < 0.3 ? "a weak" : size < 0.6 ? "a moderate" : "a strong";
  const trend = strength
    ? `There is ${strength} tendency: ${relation.more} have a ${result.tau > 0 ? "larger" : "smaller"} ${relation.y}`
    : `There is no clear rank relation between ${relation.x} and ${relation.y}`;
  if (result.pValue === null) return `${trend}.`;
  return result.pValue < 0.05
    ? `${trend} (p = ${formatPValue(result.pValue)}: unlikely to be chance alone).`
    : `${trend}, but with ${result.n} architectures this is within what chance produces` +
        ` (p = ${formatPValue(result.pValue)}).`;
}

const MEMORIZATION: Relation = {
  x: "memorization speed",
  more: "architectures that need more steps to fit random labels",
  y: "generalization gap",
};
const CAPACITY: Relation = {
  x: "parameter count",
  more: "architectures with more parameters",
  y: "generalization gap",
};

/** Kendall's τ as a stat card shows it, or NONE when it is undefined. */
function TauValue(props: { result: KendallTau }) {
  return <FigureOrNone value={props.result.tau} format={(tau) => `τ = ${formatCorrelation(tau)}`} />;
}

/** What a scatter plot shows, read out in place of the canvas. */
function scatterSummary(architectures: number, result: KendallTau): string {
  const tau = result.tau === null ? "undefined" : formatCorrelation(result.tau);
  return `Scatter plot of ${architectures} architectures; Kendall's tau ${tau}.`;
}

function tauDetail(result: KendallTau): string {
  return `${plural(result.n, "architecture")}${result.pValue === null ? "" : `, p = ${formatPValue(result.pValue)}`}`;
}

function PointsTable(props: { points: InsightPoint[]; board: BoardRef }) {
  return (
    <table>
      <caption>Each architecture's figures on this board</caption>
      <thead>
        <tr>
          <th scope="col">Architecture</th>
          <NumTh>Params</NumTh>
          <NumTh>Steps to fit random labels</NumTh>
          <NumTh>Gen. gap</NumTh>
        </tr>
      </thead>
      <tbody>
        {props.points.map((p) => (
          <tr>
            <th scope="row">
              <a href={architectureHref(p.fingerprint, props.board)}>{p.name}</a>
              {p.provisional && (
                <abbr class="badge" title="Provisional: fewer seeds than its suite lists">
                  prov.
                </abbr>
              )}
            </th>
            <td class="num">{formatParameters(p.parameterCount)}</td>
            <td class="num">
              {p.stepsToFit !== null ? (
                formatInteger(p.stepsToFit)
              ) : p.censored ? (
                <span class="censored">not fitted</span>
              ) : (
                NONE
              )}
            </td>
            <td class="num">
              <FigureOrNone value={p.genGap} format={formatPoints} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function InsightPage(props: InsightPageProps) {
  const { board, suite } = props;
  const points = insightPoints(props.rows);
  const memorization = memorizationGapCorrelation(points);
  const capacity = capacityGapCorrelation(points);
  const measureRuns = props.measures.runs;
  const correlations = measureCorrelations(measureRuns);
  const scatter = measureScatter(measureRuns);
  const data: InsightFigureData = {
    points,
    logSteps: spansDecade(points.flatMap((p) => (p.stepsToFit === null ? [] : [p.stepsToFit]))),
    logParameters: spansDecade(points.map((p) => p.parameterCount)),
    measures: scatter,
  };
  const censored = points.filter((p) => p.censored && p.genGap !== null);
  const links = boardLinks(props.boards, board, (b) => insightHref(b, props.backend));
  const backendOnly = props.backend ? ` · ${backendLabel(props.backend)}` : "";
  return (
    <Layout
      title="Insight"
      description={
        "Is memorizing random labels fast related to generalizing badly? The question of Zhang et al. (ICLR 2017)," +
        " answered by the architectures on the board."
      }
      section="insight"
      assets={props.assets}
      script="insight"
      data={data}
    >
      <header class="page-head">
        <h1>Does memorizing fast mean generalizing badly?</h1>
        <p class="lede">
          Zhang et al. found that the same networks that generalize well on real labels also fit <em>random</em> labels
          perfectly, so capacity alone cannot explain generalization. Here the question is put to every architecture on
          the board: does the speed at which it memorizes random labels, or its size, predict its generalization gap on
          true labels?
        </p>
      </header>

      <BoardNav label="Boards" boards={links} />

      {points.length < 2 ? (
        <div class="empty">
          <h2>Not enough architectures on this board yet</h2>
          <p>
            A correlation needs at least two architectures with results; this board has {points.length}.{" "}
            <a href={boardHref(board)}>See the leaderboard</a> or add one:
          </p>
          <Commands lines={submitCommands(suite.id, " --model path/to/model.json")} />
        </div>
      ) : (
        <>
          <dl class="stats">
            <Stat
              label="Memorization speed vs gap"
              value={<TauValue result={memorization} />}
              detail={tauDetail(memorization)}
            />
            <Stat label="Parameters vs gap" value={<TauValue result={capacity} />} detail={tauDetail(capacity)} />
            <Stat
              label="Architectures"
              value={formatInteger(points.length)}
              detail={`${suite.title} v${suite.version} · ${board.dataset}${backendOnly}`}
            />
          </dl>
          {points.length < FEW && (
            <p class="note">
              With fewer than {FEW} architectures a rank correlation is little more than an anecdote: read these figures
              as a start, not a finding.
            </p>
          )}
          <section aria-labelledby="scatter-heading">
            <h2 id="scatter-heading">Memorization speed and generalization</h2>
            <p>{describeCorrelation(memorization, MEMORIZATION)}</p>
            <div class="figure-grid">
              <Figure
                id="figure-memorization-gap"
                label="Figure 2a"
                title="Steps to fit random labels vs generalization gap"
                caption={
                  <>
                    One point per architecture: median SGD steps to fit random labels
                    {data.logSteps ? " (log scale)" : ""} and median gap between training and test accuracy on true
                    labels. Hollow points are provisional.
                    {censored.length > 0 &&
                      ` Not drawn, ranked as slowest: ${censored.map((p) => p.name).join(", ")} (never fitted).`}
                  </>
                }
                summary={scatterSummary(points.length, memorization)}
                table={<PointsTable points={points} board={board} />}
              />
              <Figure
                id="figure-capacity-gap"
                label="Figure 2b"
                title="Parameters vs generalization gap"
                caption={
                  <>
                    One point per architecture: parameter count{data.logParameters ? " (log scale)" : ""} and median
                    generalization gap. Hollow points are provisional. {describeCorrelation(capacity, CAPACITY)}
                  </>
                }
                summary={scatterSummary(points.length, capacity)}
                table={<PointsTable points={points} board={board} />}
              />
            </div>
          </section>
        </>
      )}

      <MeasuresSection
        board={board}
        backend={props.backend}
        verified={props.measures.verified}
        partial={props.measures.partial ?? false}
        runs={measureRuns}
        correlations={correlations}
        verdict={measureVerdict(correlations, measureRuns)}
        scatter={scatter}
      />

      <section class="method" aria-labelledby="method-heading">
        <h2 id="method-heading">How these figures are computed</h2>
        {/* biome-ignore format: Biome fills prose to 120 characters; τ and − take two bytes each. */}
        <p>
          Each architecture contributes its board figures: the median{" "}
          <a href={protocolHref("steps-to-fit")}>steps to fit random labels</a> and the median{" "}
          <a href={protocolHref("gen-gap")}>generalization gap</a> on true labels, over every seed and submission.
          Kendall's τ-b compares every pair of architectures: +1 when the two figures always order them the same way,
          −1 when always opposite, 0 when unrelated; ties count in neither direction. An architecture that never
          fitted random labels is ranked slower than every one that did. The p-value tests τ = 0 with the normal
          approximation and the tie-corrected variance; it says how surprising the τ would be if there were no
          relation at all, not how strong the relation is.
          {props.truncated !== null &&
            " This board has more architectures than this page reads; the figures cover the first" +
              ` ${formatInteger(props.truncated)} by memorization rank.`}
        </p>
      </section>
    </Layout>
  );
}
