// Summary statistics of the benchmarks' trials.
import { quantile } from "../schema/index.js";

export function mean(values: readonly number[]): number {
  return values.reduce((sum, x) => sum + x, 0) / values.length;
}

/** The sample standard deviation (n − 1 in the denominator); 0 for a single value. */
export function sampleSd(values: readonly number[]): number {
  const m = mean(values);
  return Math.sqrt(values.reduce((sum, x) => sum + (x - m) ** 2, 0) / Math.max(values.length - 1, 1));
}

/** The ordinary median of the trials (none is censored). */
export function median(values: readonly number[]): number {
  return quantile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}
