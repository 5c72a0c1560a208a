// Which of a submission's runs `reproduce` trains again: `--runs all|LIST` (positions as the
// submission page numbers them) and `--sample K` (a seeded sample: the same seed draws the same
// runs, and the seed is the reproducer's, so a submitter cannot know which runs will be checked).

import { UsageError } from "../errors.js";
import { Rng } from "../random.js";

/**
 * The positions a `--runs` value names among `count` runs, in increasing order: `all`, or a
 * comma-separated list of positions and inclusive ranges (`0,2,5-7`).
 *
 * @example
 * parsePositions("0,2,5-7", 10) // [0, 2, 5, 6, 7]
 */
export function parsePositions(list: string, count: number): number[] {
  if (list.trim() === "all") return Array.from({ length: count }, (_, i) => i);
  const chosen = new Set<number>();
  for (const part of list.split(",")) {
    const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!match) throw new UsageError(`--runs takes "all" or positions like 3 or 0,2,5-7; "${part.trim()}" is neither`);
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    if (to < from) throw new UsageError(`--runs: the range ${from}-${to} runs backwards`);
    if (to >= count)
      throw new UsageError(`--runs: the submission has ${count} runs (positions 0 to ${count - 1}), no run ${to}`);
    for (let i = from; i <= to; i++) chosen.add(i);
  }
  return [...chosen].sort((a, b) => a - b);
}

/**
 * `k` of `positions`, drawn by a generator seeded with `seed` and the original's payload digest:
 * the same seed draws the same runs of the same submission on every machine. The seed must not be
 * one the submitter can predict: a sample fixed by the payload alone could be dodged by re-signing
 * a forged bundle until its forged runs fall outside the sample. Returned in increasing order; all
 * of them when k is at least their number.
 *
 * @example
 * samplePositions(2, [0, 1, 2, 3, 4, 5], payloadSha256, 7) // e.g. [1, 4], the same for seed 7
 */
export function samplePositions(
  k: number,
  positions: readonly number[],
  payloadSha256: string,
  seed: number,
): number[] {
  if (k >= positions.length) return [...positions];
  const order = Rng.create(seed, `reproduce/sample/${payloadSha256}`).permutation(positions.length);
  return Array.from(order.subarray(0, k), (i) => positions[i]!).sort((a, b) => a - b);
}
