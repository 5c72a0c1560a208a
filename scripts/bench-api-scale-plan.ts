// The arithmetic of the API benchmark's scale scenario (bench-api-scale.ts), apart from its
// servers so that it can be tested alone: which board sizes to grow to, how many cloned
// submissions each step adds, and the latency summary of a route.
import { quantile } from "../schema/index.js";

/** Runs on the board at each step of the scale scenario: 10³ to 10⁶. */
export const DEFAULT_SIZES = [1_000, 10_000, 100_000, 1_000_000] as const;

/**
 * Board sizes from `--sizes`: comma-separated run counts, whole numbers or powers of ten written
 * `1e5`, strictly increasing.
 *
 * @example
 * parseSizes("1000,1e4") // [1000, 10000]
 */
export function parseSizes(text: string): number[] {
  const sizes = text.split(",").map((part) => {
    const trimmed = part.trim();
    const size = Number(trimmed);
    if (trimmed === "" || !Number.isSafeInteger(size) || size <= 0)
      throw new Error(`--sizes takes positive whole run counts separated by commas (1000,1e4), not "${part}"`);
    return size;
  });
  for (let i = 1; i < sizes.length; i++)
    if (sizes[i]! <= sizes[i - 1]!)
      throw new Error(`--sizes must grow: ${sizes[i]} follows ${sizes[i - 1]} (the board is only ever added to)`);
  return sizes;
}

/**
 * Cloned submissions to add so that a board of `existingRuns` runs holds at least `targetRuns`,
 * each clone adding `runsPerClone` runs; 0 when it already does.
 *
 * @example
 * clonesToAdd(1000, 24, 6) // 163: 24 + 163 × 6 = 1,002
 */
export function clonesToAdd(targetRuns: number, existingRuns: number, runsPerClone: number): number {
  if (!(runsPerClone > 0)) throw new Error(`a clone must add runs, not ${runsPerClone}`);
  return Math.max(0, Math.ceil((targetRuns - existingRuns) / runsPerClone));
}

/** A route's latency (ms) and throughput at one board size. */
export interface RouteFigures {
  /** Median latency of one request at a time, ms. */
  p50: number;
  /** 95th percentile of the same, ms. */
  p95: number;
  /** Requests per second with several connections at once. */
  reqPerSecond: number;
}

/**
 * p50 and p95 (Postgres's percentile_cont rule) of request latencies in ms.
 *
 * @example
 * latencyPercentiles([4, 1, 3, 2, 5]) // { p50: 3, p95: 4.8 }
 */
export function latencyPercentiles(latenciesMs: readonly number[]): Pick<RouteFigures, "p50" | "p95"> {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return { p50: quantile(sorted, 0.5), p95: quantile(sorted, 0.95) };
}

/**
 * How many requests make a measurement of about `seconds` when one takes `probeMs`: at least
 * `minimum` (so a slow route still gets a p50 over several), at most `maximum`.
 *
 * @example
 * requestsFor(5, 20, { minimum: 5, maximum: 2000 }) // 250
 */
export function requestsFor(seconds: number, probeMs: number, bounds: { minimum: number; maximum: number }): number {
  const wanted = Math.ceil((seconds * 1000) / Math.max(probeMs, 0.1));
  return Math.min(bounds.maximum, Math.max(bounds.minimum, wanted));
}

/** The scale goal (docs/performance.md): how far the board's reads are from /health, and how flat they stay. */
export interface ScaleGoal {
  /** Largest p50 of a leaderboard read over /health's p50 at the same size, across sizes and both ranks. */
  worstHealthRatio: number;
  /** Per rank: p50 at the largest size over p50 at the smallest. */
  growth: { memorization: number; gap: number };
  /** Both parts of the goal: within `maxHealthRatio` × /health everywhere, growth within 1 ± `flatness`. */
  met: boolean;
}

/**
 * Checks measured sizes against the goal: every leaderboard p50 within `maxHealthRatio` times
 * /health's p50 at its size, and each rank's p50 at the largest size within ±`flatness` of its
 * p50 at the smallest.
 *
 * @example
 * const at = (health: number, board: number) => ({ health: { p50: health }, leaderboard: {
 *   memorization: { p50: board }, gap: { p50: board } } })
 * scaleGoal([at(1, 3), at(1, 4)], { maxHealthRatio: 5, flatness: 0.5 }).met // true: 4 ≤ 5 × 1, 4 / 3 ≤ 1.5
 */
export function scaleGoal(
  sizes: readonly {
    health: Pick<RouteFigures, "p50">;
    leaderboard: { memorization: Pick<RouteFigures, "p50">; gap: Pick<RouteFigures, "p50"> };
  }[],
  goal: { maxHealthRatio: number; flatness: number },
): ScaleGoal {
  const first = sizes[0];
  const last = sizes.at(-1);
  if (!first || !last) throw new Error("the scale goal needs at least one measured size");
  const worstHealthRatio = Math.max(
    ...sizes.flatMap((s) => [s.leaderboard.memorization.p50 / s.health.p50, s.leaderboard.gap.p50 / s.health.p50]),
  );
  const growth = {
    memorization: last.leaderboard.memorization.p50 / first.leaderboard.memorization.p50,
    gap: last.leaderboard.gap.p50 / first.leaderboard.gap.p50,
  };
  const flat = (ratio: number) => ratio >= 1 - goal.flatness && ratio <= 1 + goal.flatness;
  return {
    worstHealthRatio,
    growth,
    met: worstHealthRatio <= goal.maxHealthRatio && flat(growth.memorization) && flat(growth.gap),
  };
}
