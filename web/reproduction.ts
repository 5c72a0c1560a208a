// How the pages say what reproductions found: verdict counts, where a run first departed from
// its original, and how long a submission has waited for an operator reproducer.
import type { Divergence, VerdictCounts } from "../schema/index.js";
import { formatInteger, nounFor } from "./format.js";

/** Significant digits tried first when printing two values that differ; more only where needed. */
const MIN_DIGITS = 4;
/** A double needs at most 17 significant digits to be told apart from any other. */
const MAX_DIGITS = 17;
/** A digest is shown by its first hex digits, as key ids are elsewhere. */
const DIGEST_DIGITS = 12;

function formatValue(value: number | string | null, digits: number): string {
  if (value === null) return "none";
  if (typeof value === "string") return /^[0-9a-f]{64}$/.test(value) ? `${value.slice(0, DIGEST_DIGITS)}…` : value;
  // Number(…) drops the trailing zeros and exponent padding that toPrecision leaves.
  return String(Number(value.toPrecision(digits)));
}

/**
 * The two sides of a divergence, each printed with the fewest significant digits (at least 4)
 * that tell them apart: an exact comparison fails on a last bit, which 4 digits would hide.
 *
 * @example
 * formatDivergentValues(0.23140001, 0.23090002) // ["0.2314", "0.2309"]
 * formatDivergentValues(0.2314001, 0.2314002) // ["0.2314001", "0.2314002"]
 */
export function formatDivergentValues(
  original: number | string | null,
  reproduced: number | string | null,
): [string, string] {
  for (let digits = MIN_DIGITS; digits < MAX_DIGITS; digits++) {
    const pair: [string, string] = [formatValue(original, digits), formatValue(reproduced, digits)];
    if (pair[0] !== pair[1]) return pair;
  }
  return [formatValue(original, MAX_DIGITS), formatValue(reproduced, MAX_DIGITS)];
}

/**
 * Where a reproduced run first departed from the original: the epoch when it is a curve value,
 * the metric, then the original's value and the reproduction's.
 *
 * @example
 * formatDivergence({ epoch: 7, metric: "trainLoss", original: 0.2314, reproduced: 0.2309 })
 * // "epoch 7 · trainLoss · 0.2314 → 0.2309"
 */
export function formatDivergence(divergence: Divergence): string {
  const [original, reproduced] = formatDivergentValues(divergence.original, divergence.reproduced);
  const epoch = divergence.epoch === null ? "" : `epoch ${divergence.epoch} · `;
  return `${epoch}${divergence.metric} · ${original} → ${reproduced}`;
}

/** The verdicts in the order the pages list them, with the words they use. */
const VERDICT_WORDS: [keyof VerdictCounts, string][] = [
  ["exact", "exact"],
  ["notReproduced", "not reproduced"],
  ["consistent", "consistent"],
  ["inconsistent", "inconsistent"],
];

/**
 * How many runs got each verdict, the ones none got left out.
 *
 * @example
 * formatVerdictCounts({ exact: 3, notReproduced: 1, consistent: 0, inconsistent: 0 }) // "3 exact · 1 not reproduced"
 */
export function formatVerdictCounts(counts: VerdictCounts): string {
  const parts = VERDICT_WORDS.filter(([key]) => counts[key] > 0).map(
    ([key, words]) => `${formatInteger(counts[key])} ${words}`,
  );
  return parts.length > 0 ? parts.join(" · ") : "no verdicts";
}

/** Whether any run got a verdict that says it did not reproduce. */
export function hasNegativeVerdict(counts: VerdictCounts): boolean {
  return counts.notReproduced > 0 || counts.inconsistent > 0;
}

/**
 * A waiting time in the largest whole unit that fits it: minutes, hours, then days.
 *
 * @example
 * formatWaited(90 * 60_000) // "1 hour"; formatWaited(3 * 86_400_000) // "3 days"
 */
export function formatWaited(milliseconds: number): string {
  const minutes = Math.floor(Math.max(0, milliseconds) / 60_000);
  if (minutes < 1) return "less than a minute";
  if (minutes < 60) return `${minutes} ${nounFor(minutes, "minute")}`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} ${nounFor(hours, "hour")}`;
  const days = Math.floor(hours / 24);
  return `${formatInteger(days)} ${nounFor(days, "day")}`;
}
