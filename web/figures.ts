// The data behind the charts, computed on the server from what the API returns: the same
// numbers feed the chart (as JSON for the client script) and the table beside it, so a
// reader without JavaScript, or with a screen reader, gets every figure the chart shows.
import {
  ALL_CORRUPTIONS,
  type ConditionSummary,
  type Corruption,
  corruptionLabel,
  type LeaderboardRow,
  quantile,
  type RunCurve,
  type Spread,
} from "../schema/index.js";
import { corruptionName } from "./format.js";
import type { MeasureScatterData, MeasureSweepPoint } from "./measure-figures.js";
import { type KendallTau, kendallTau } from "./stats.js";

/** The regularizer of the randomization tests proper; ablations are listed, not drawn. */
export const PLAIN = "none";

/**
 * The CSS custom property that holds a corruption's series color (light and dark themes
 * set it), e.g. `--series-partial-0-2`.
 */
export function seriesColorVar(corruption: Corruption): string {
  return `--series-${corruptionLabel(corruption).replace(/\./g, "-")}`;
}

/** Corruptions in the order of the paper's sweep: true, partial by p, random, then the input corruptions. */
export function sweepOrder(corruption: Corruption): number {
  const index = ALL_CORRUPTIONS.findIndex((c) => corruptionLabel(c) === corruptionLabel(corruption));
  if (index >= 0) return index;
  return corruption.kind === "partial" ? 1 + corruption.p * 4 : ALL_CORRUPTIONS.length;
}

/** Conditions in reading order: the plain sweep first (in sweep order), then each regularizer's. */
export function compareConditions(a: ConditionSummary, b: ConditionSummary): number {
  const plain = Number(b.regularizer === PLAIN) - Number(a.regularizer === PLAIN);
  return plain || a.regularizer.localeCompare(b.regularizer) || sweepOrder(a.corruption) - sweepOrder(b.corruption);
}

function isLabelCorruption(corruption: Corruption): boolean {
  return corruption.kind === "true" || corruption.kind === "partial" || corruption.kind === "random";
}

export interface CurvePoint {
  epoch: number;
  median: number;
  q1: number;
  q3: number;
  /** Runs that contribute at this epoch. */
  runs: number;
}

export interface CurveSeries {
  key: string;
  name: string;
  colorVar: string;
  /** Input corruptions are dashed, label corruptions solid. */
  dashed: boolean;
  runs: number;
  points: CurvePoint[];
}

/**
 * Training-accuracy learning curves per corruption (the paper's Figure 1a): at each epoch
 * the median and quartiles over the runs without regularizer that finished. A run stops a
 * few epochs after it fits, so from its last epoch on it counts at its final accuracy.
 */
export function learningCurves(runs: readonly RunCurve[]): CurveSeries[] {
  const groups = new Map<string, { corruption: Corruption; curves: number[][] }>();
  for (const run of runs) {
    if (run.status !== "ok" || run.regularizer !== PLAIN || run.curve.length === 0) continue;
    const key = corruptionLabel(run.corruption);
    const group = groups.get(key) ?? { corruption: run.corruption, curves: [] };
    group.curves.push(run.curve.map((point) => point.trainAcc));
    groups.set(key, group);
  }
  return [...groups.entries()]
    .sort(([, a], [, b]) => sweepOrder(a.corruption) - sweepOrder(b.corruption))
    .map(([key, { corruption, curves }]) => {
      const epochs = Math.max(...curves.map((c) => c.length));
      const points = Array.from({ length: epochs }, (_, i) => {
        const values = curves.map((c) => c[Math.min(i, c.length - 1)]!).sort((a, b) => a - b);
        return {
          epoch: i + 1,
          median: quantile(values, 0.5),
          q1: quantile(values, 0.25),
          q3: quantile(values, 0.75),
          runs: curves.filter((c) => c.length > i).length,
        };
      });
      return {
        key,
        name: corruptionName(corruption),
        colorVar: seriesColorVar(corruption),
        dashed: !isLabelCorruption(corruption),
        runs: curves.length,
        points,
      };
    });
}

export interface SweepPoint {
  /** The label-corruption level: 0 true labels, p, 1 random labels. */
  level: number;
  name: string;
  /** The CSS custom property of the point's series color. */
  colorVar: string;
  stepsToFit: Spread;
  epochsToFit: Spread;
  testError: Spread;
  slowdown: number | null;
}

/**
 * The label-corruption sweep without regularizer, by level: steps to fit (the paper's
 * Figure 1b) and test error (Figure 1c), each with its spread.
 */
export function corruptionSweep(conditions: readonly ConditionSummary[]): SweepPoint[] {
  return conditions
    .filter((c) => c.regularizer === PLAIN && c.corruptionLevel !== null)
    .map((c) => ({
      level: c.corruptionLevel!,
      name: corruptionName(c.corruption),
      colorVar: seriesColorVar(c.corruption),
      stepsToFit: c.stepsToFit,
      epochsToFit: c.epochsToFit,
      testError: c.testError,
      slowdown: c.slowdown,
    }))
    .sort((a, b) => a.level - b.level);
}

/** One architecture of a board on the insight page's scatter plots. */
export interface InsightPoint {
  fingerprint: string;
  name: string;
  parameterCount: number;
  /** Median steps to fit random labels; null when censored (at least half never fitted) or never run. */
  stepsToFit: number | null;
  /** Random labels were run but not fitted in the budget by at least half the runs. */
  censored: boolean;
  /** Median generalization gap on true labels. */
  genGap: number | null;
  provisional: boolean;
}

export function insightPoints(rows: readonly LeaderboardRow[]): InsightPoint[] {
  return rows.map((row) => ({
    fingerprint: row.architecture.fingerprint,
    name: row.architecture.name,
    parameterCount: row.architecture.parameterCount,
    stepsToFit: row.stepsToFit.median,
    censored: row.stepsToFit.median === null && row.stepsToFit.runs > 0,
    genGap: row.genGap.median,
    provisional: row.stepsToFit.provisional || row.genGap.provisional,
  }));
}

/**
 * Kendall's τ between memorization speed (median steps to fit random labels; a censored
 * architecture counts as +∞, slower than any that fitted) and the generalization gap,
 * over the architectures that have both.
 */
export function memorizationGapCorrelation(points: readonly InsightPoint[]): KendallTau {
  const both = points.filter((p) => p.genGap !== null && (p.stepsToFit !== null || p.censored));
  return kendallTau(
    both.map((p) => p.stepsToFit ?? Infinity),
    both.map((p) => p.genGap!),
  );
}

/** Kendall's τ between parameter count and the generalization gap. */
export function capacityGapCorrelation(points: readonly InsightPoint[]): KendallTau {
  const withGap = points.filter((p) => p.genGap !== null);
  return kendallTau(
    withGap.map((p) => p.parameterCount),
    withGap.map((p) => p.genGap!),
  );
}

/** What the architecture page's script draws: Figure 1a, 1b and 1c. */
export interface ArchitectureFigureData {
  curves: CurveSeries[];
  sweep: SweepPoint[];
  /** The suite's fit threshold (training accuracy), drawn as a reference line. */
  fitThreshold: number;
  /** Each complexity measure's median per label-corruption level, MEASURES order (web/measure-figures.ts). */
  measures: { names: string[]; keys: string[]; sweep: MeasureSweepPoint[]; log: boolean[] };
}

/** What the insight page's script draws: the two scatter plots of architectures, and one per measure. */
export interface InsightFigureData {
  points: InsightPoint[];
  /** Draw steps to fit on a log axis (they span a decade or more). */
  logSteps: boolean;
  /** Draw parameter counts on a log axis. */
  logParameters: boolean;
  /** Each run's complexity measures against its gap: a scatter per measure (web/measure-figures.ts). */
  measures: MeasureScatterData;
}

/**
 * Whether positive values spread over at least a decade, so that a log axis shows them
 * better than a linear one (on a narrower range a log axis has hardly any labels).
 */
export function spansDecade(values: readonly number[]): boolean {
  const positive = values.filter((v) => v > 0 && Number.isFinite(v));
  return positive.length > 1 && Math.max(...positive) / Math.min(...positive) >= 10;
}

/** The first epoch at which a series' median reaches the threshold; null if it never does. */
export function epochReaching(series: CurveSeries, threshold: number): number | null {
  return series.points.find((p) => p.median >= threshold)?.epoch ?? null;
}
