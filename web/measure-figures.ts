// The data behind the complexity-measure charts, computed on the server like figures.ts: the insight page's scatter
// of each measure against the gap (one point per run, colored by corruption) and the architecture page's median of
// each measure per label-corruption level. The same numbers feed the charts and the tables beside them.
import {
  type BoardMeasureRun,
  type Corruption,
  corruptionLabel,
  corruptionLevel,
  MEASURES,
  type MeasureKey,
  quantile,
  type RunCurve,
} from "../schema/index.js";
import { PLAIN, seriesColorVar, spansDecade, sweepOrder } from "./figures.js";
import { corruptionName } from "./format.js";

/** A corruption as a chart series: its name and its color. */
export interface CorruptionSeries {
  /** e.g. `partial-0.4`. */
  label: string;
  name: string;
  colorVar: string;
}

/** One run on the insight page's scatter plots. */
export interface MeasureScatterRun {
  architecture: string;
  regularizer: string;
  seed: number;
  /** Index into `MeasureScatterData.series`. */
  series: number;
  genGap: number;
  /** The run's measures in MEASURES order; null where a measure is undefined for it. */
  values: (number | null)[];
}

/** What the insight page's script draws for the measures: a scatter per measure. */
export interface MeasureScatterData {
  series: CorruptionSeries[];
  /** The measures in MEASURES order, with whether to draw each on a log axis. */
  measures: { key: MeasureKey; name: string; log: boolean }[];
  runs: MeasureScatterRun[];
}

function seriesOf(corruptions: readonly Corruption[]): CorruptionSeries[] {
  const distinct = new Map<string, Corruption>();
  for (const corruption of corruptions) distinct.set(corruptionLabel(corruption), corruption);
  return [...distinct.values()]
    .sort((a, b) => sweepOrder(a) - sweepOrder(b))
    .map((c) => ({ label: corruptionLabel(c), name: corruptionName(c), colorVar: seriesColorVar(c) }));
}

/** A log axis only for a measure whose values are all positive and span a decade (σ, norms, counts). */
export function logAxis(values: readonly number[]): boolean {
  return values.length > 1 && values.every((v) => v > 0) && spansDecade(values);
}

/**
 * The insight page's scatter data: every run with its gap and measures, its corruption as a series.
 *
 * @example
 * measureScatter(board.runs).series.map((s) => s.label) // ["true", "partial-0.2", …, "random"]
 */
export function measureScatter(runs: readonly BoardMeasureRun[]): MeasureScatterData {
  const series = seriesOf(runs.map((r) => r.corruption));
  const index = new Map(series.map((s, i) => [s.label, i]));
  return {
    series,
    measures: MEASURES.map((m) => ({
      key: m.key,
      name: m.name,
      log: logAxis(runs.flatMap((r) => (r.measures[m.key] === null ? [] : [r.measures[m.key]!]))),
    })),
    runs: runs.map((r) => ({
      architecture: r.architecture.name,
      regularizer: r.regularizer,
      seed: r.seed,
      series: index.get(corruptionLabel(r.corruption))!,
      genGap: r.genGap,
      values: MEASURES.map((m) => r.measures[m.key]),
    })),
  };
}

/** The medians of an architecture's measures at one label-corruption level. */
export interface MeasureSweepPoint {
  level: number;
  name: string;
  colorVar: string;
  /** Standing ok runs with measures at this level. */
  runs: number;
  /** Median of each measure in MEASURES order over the runs that define it; null when none does. */
  medians: (number | null)[];
  /** Median generalization gap of the same runs (training minus test accuracy at the end). */
  genGap: number | null;
}

function definedValue(value: number | null | undefined): number[] {
  return value === null || value === undefined ? [] : [value];
}

function median(values: number[]): number | null {
  return values.length === 0
    ? null
    : quantile(
        [...values].sort((a, b) => a - b),
        0.5,
      );
}

/**
 * Each measure's median per label-corruption level (true labels 0 to random labels 1) over an architecture's
 * standing ok runs without regularizer that carry measures: how the capacity the measures see moves, or does not,
 * while the gap grows.
 *
 * @example
 * measureSweep(detail.runs).map((p) => p.level) // [0, 0.2, 0.4, 0.6, 0.8, 1]
 */
export function measureSweep(runs: readonly RunCurve[]): MeasureSweepPoint[] {
  const levels = new Map<number, { corruption: Corruption; runs: RunCurve[] }>();
  for (const run of runs) {
    const level = corruptionLevel(run.corruption);
    if (level === null || run.regularizer !== PLAIN || run.status !== "ok" || run.slotRole !== "standing") continue;
    if (run.measures === null) continue;
    const group = levels.get(level) ?? { corruption: run.corruption, runs: [] };
    group.runs.push(run);
    levels.set(level, group);
  }
  return [...levels.entries()]
    .sort(([a], [b]) => a - b)
    .map(([level, group]) => ({
      level,
      name: corruptionName(group.corruption),
      colorVar: seriesColorVar(group.corruption),
      runs: group.runs.length,
      medians: MEASURES.map((m) => median(group.runs.flatMap((r) => definedValue(r.measures?.[m.key])))),
      genGap: median(group.runs.flatMap((r) => (r.derived.genGap === null ? [] : [r.derived.genGap]))),
    }));
}
