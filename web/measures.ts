// Which complexity measure predicts the generalization gap: Kendall's τ of each measure against the gap over a
// board's standing runs, and Jiang et al.'s granulated τ per axis (ICLR 2020, §4). Pure; the insight page and the
// report's reproduction section both rank with it.
import { type BoardMeasureRun, corruptionLabel, MEASURES, type MeasureInfo } from "../schema/index.js";
import { formatCorrelation, formatInteger, formatPoints, formatPValue } from "./format.js";
import { type KendallTau, kendallTau } from "./stats.js";

/** Granulated τ along one axis: the mean of the within-group τ over the groups that have one. */
export interface GranulatedTau {
  /** Mean oriented τ over the contributing groups; null when no group has two runs and a defined τ. */
  tau: number | null;
  /** Groups (runs agreeing on every other axis) that contributed a defined τ. */
  groups: number;
}

/** How one measure relates to the gap on a board. */
export interface MeasureCorrelation {
  measure: MeasureInfo;
  /** Kendall's τ-b of direction × value against the gap over every run with the measure. */
  overall: KendallTau;
  /** Runs that differ only in their corruption: does the measure follow the gap as the labels get noisier? */
  corruptionAxis: GranulatedTau;
  /** Runs that differ only in their architecture: does the measure order architectures as the gap does? */
  architectureAxis: GranulatedTau;
}

/** The axes a run varies along; a granulated τ holds all but one fixed. */
type Axis = "architecture" | "corruption" | "regularizer" | "seed";

function axisValue(run: BoardMeasureRun, axis: Axis): string {
  switch (axis) {
    case "architecture":
      return run.architecture.fingerprint;
    case "corruption":
      return corruptionLabel(run.corruption);
    case "regularizer":
      return run.regularizer;
    case "seed":
      return String(run.seed);
  }
}

const AXES: readonly Axis[] = ["architecture", "corruption", "regularizer", "seed"];

/** Runs grouped by every axis but `free`, in first-seen order. */
function groupsAlong(runs: readonly BoardMeasureRun[], free: Axis): BoardMeasureRun[][] {
  const groups = new Map<string, BoardMeasureRun[]>();
  for (const run of runs) {
    // JSON of the values, not a joined string: a regularizer slug could contain any separator we picked.
    const key = JSON.stringify(AXES.filter((axis) => axis !== free).map((axis) => axisValue(run, axis)));
    const group = groups.get(key);
    if (group) group.push(run);
    else groups.set(key, [run]);
  }
  return [...groups.values()];
}

/** The measure's value times its direction, so that a larger value always means "expected to generalize worse". */
function oriented(run: BoardMeasureRun, measure: MeasureInfo): number | null {
  const value = run.measures[measure.key];
  return value === null ? null : measure.direction * value;
}

function orientedTau(runs: readonly BoardMeasureRun[], measure: MeasureInfo): KendallTau {
  return kendallTau(
    runs.map((run) => oriented(run, measure) as number),
    runs.map((run) => run.genGap),
  );
}

function granulatedTau(runs: readonly BoardMeasureRun[], measure: MeasureInfo, free: Axis): GranulatedTau {
  const taus: number[] = [];
  for (const group of groupsAlong(runs, free)) {
    if (group.length < 2) continue;
    const { tau } = orientedTau(group, measure);
    if (tau !== null) taus.push(tau);
  }
  return { tau: taus.length === 0 ? null : taus.reduce((a, b) => a + b, 0) / taus.length, groups: taus.length };
}

/**
 * Every measure's rank correlation with the generalization gap over a board's runs, best predictor first (by
 * overall oriented τ, descending; an undefined τ last, then catalog order). Runs whose value of a measure is null
 * are left out of that measure only.
 *
 * @example
 * measureCorrelations(board.runs)[0]?.measure.name // "worst-case sharpness"
 */
export function measureCorrelations(runs: readonly BoardMeasureRun[]): MeasureCorrelation[] {
  const correlations = MEASURES.map((measure, order) => {
    const withMeasure = runs.filter((run) => run.measures[measure.key] !== null);
    const correlation: MeasureCorrelation = {
      measure,
      overall: orientedTau(withMeasure, measure),
      corruptionAxis: granulatedTau(withMeasure, measure, "corruption"),
      architectureAxis: granulatedTau(withMeasure, measure, "architecture"),
    };
    return { correlation, order };
  });
  correlations.sort((a, b) => {
    const ta = a.correlation.overall.tau;
    const tb = b.correlation.overall.tau;
    if (ta === null || tb === null) return ta === tb ? a.order - b.order : ta === null ? 1 : -1;
    return tb - ta || a.order - b.order;
  });
  return correlations.map(({ correlation }) => correlation);
}

/** "τ = +0.78, p < 0.001, 12 runs". */
function evidence(tau: number, result: KendallTau): string {
  const { pValue } = result;
  const p = pValue === null ? "" : `, p ${pValue < 0.001 ? "< 0.001" : `= ${formatPValue(pValue)}`}`;
  return `τ = ${formatCorrelation(tau)}${p}, ${formatInteger(result.n)} runs`;
}

function bestClause(correlations: readonly MeasureCorrelation[]): string {
  const best = correlations.find((c) => c.overall.tau !== null);
  const tau = best?.overall.tau;
  if (!best || tau === null || tau === undefined)
    return "No measure has a defined rank correlation with the generalization gap on this board yet";
  const { overall, measure } = best;
  if (tau <= 0)
    return (
      `No measure predicts the generalization gap on this board: the best, ${measure.name}, ` +
      `has ${evidence(tau, overall)}`
    );
  const name = measure.name.charAt(0).toUpperCase() + measure.name.slice(1);
  const chance = overall.pValue !== null && overall.pValue >= 0.05 ? ", which is within what chance produces" : "";
  return `${name} predicts the generalization gap best on this board (${evidence(tau, overall)})${chance}`;
}

/** Within one architecture (same regularizer and seed) the widest spread of the gap across corruption levels. */
function widestGapSpread(runs: readonly BoardMeasureRun[]): { low: number; high: number } | null {
  let widest: { low: number; high: number } | null = null;
  for (const group of groupsAlong(runs, "corruption")) {
    if (group.length < 2) continue;
    const gaps = group.map((run) => run.genGap);
    const spread = { low: Math.min(...gaps), high: Math.max(...gaps) };
    if (widest === null || spread.high - spread.low > widest.high - widest.low) widest = spread;
  }
  return widest;
}

function parameterClause(correlations: readonly MeasureCorrelation[], runs: readonly BoardMeasureRun[]): string {
  const parameters = correlations.find((c) => c.measure.key === "parameterCount");
  const spread = widestGapSpread(runs);
  if (!parameters || spread === null)
    return (
      "no architecture has runs at two corruption levels yet, so whether parameter count predicts anything " +
      "within one architecture is open"
    );
  const { tau, groups } = parameters.corruptionAxis;
  // An architecture's parameter count is one number, so within it τ is undefined unless something is wrong; say
  // what the board shows either way rather than assume it.
  if (tau !== null)
    return (
      `within one architecture parameter count has a granulated τ of ${formatCorrelation(tau)} ` +
      `across corruption levels (${formatInteger(groups)} groups)`
    );
  return (
    "parameter count predicts nothing within one architecture: it stays fixed across corruption levels while the gap " +
    `moves from ${formatPoints(spread.low)} to ${formatPoints(spread.high)}, so its granulated τ across corruption ` +
    "levels is undefined"
  );
}

/**
 * The insight page's answer in one sentence: which measure predicts the gap best on this board (with τ, p and the
 * runs it rests on), and whether parameter count predicts anything within one architecture (it cannot: it is
 * constant while the gap moves, and the sentence says by how much).
 *
 * @example
 * measureVerdict(measureCorrelations(runs), runs)
 * // "Worst-case sharpness predicts the generalization gap best on this board (τ = +0.78, p < 0.001, 12 runs);
 * //  parameter count predicts nothing within one architecture: it stays fixed … from 0.4 pp to 88.1 pp, …"
 */
export function measureVerdict(correlations: readonly MeasureCorrelation[], runs: readonly BoardMeasureRun[]): string {
  if (runs.length === 0) return "No runs with complexity measures on this board yet.";
  return `${bestClause(correlations)}; ${parameterClause(correlations, runs)}.`;
}
