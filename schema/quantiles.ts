// Medians and quartiles of a figure over runs, with censored runs (null: the budget ran out
// before the run fitted) counted as +∞: the rule the board ranks by (README, "Reading the
// leaderboard"). The runner's summary, the report and the pages use these functions; the
// SQL in api/db/queries/spread.ts mirrors them, and a test compares the two on the same data.

/**
 * The q-quantile of ascending values with linear interpolation between order statistics
 * (Hyndman and Fan's type 7), the rule Postgres's percentile_cont uses. An exact order
 * statistic is itself even beside +∞, and the quantile between two +∞ is +∞ (Postgres: NaN).
 *
 * @example
 * quantile([1, 2, 3, 4], 0.5) // 2.5
 * quantile([1, Infinity, Infinity], 0.5) // Infinity
 */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new Error("quantile of no values");
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  const t = h - lo;
  // An exact order statistic, or equal neighbours, is that value: 0·∞ and ∞ − ∞ would be NaN.
  return t === 0 || a === b ? a : a + t * (b - a);
}

/** The ascending values with each censored run (null) as +∞. */
function censoredSorted(values: readonly (number | null)[]): number[] {
  return values.map((v) => v ?? Number.POSITIVE_INFINITY).sort((a, b) => a - b);
}

/**
 * The median with censored runs (null) counted as +∞: +∞ when the middle runs never fitted,
 * null when there are no runs at all.
 *
 * @example
 * censoredMedian([5, 6, null]) // 6
 * censoredMedian([5, null, null]) // Infinity
 */
export function censoredMedian(values: readonly (number | null)[]): number | null {
  return values.length === 0 ? null : quantile(censoredSorted(values), 0.5);
}

export interface Quartiles {
  q1: number;
  median: number;
  q3: number;
}

/**
 * First quartile, median and third quartile with censored runs (null) counted as +∞; null
 * when there are no runs.
 *
 * @example
 * censoredQuartiles([1, 2, 3, null]) // { q1: 1.75, median: 2.5, q3: Infinity }
 */
export function censoredQuartiles(values: readonly (number | null)[]): Quartiles | null {
  if (values.length === 0) return null;
  const sorted = censoredSorted(values);
  return { q1: quantile(sorted, 0.25), median: quantile(sorted, 0.5), q3: quantile(sorted, 0.75) };
}
