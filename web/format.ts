// How the pages print numbers: one rule per kind of figure, with its unit and a sensible
// number of significant digits, so that every page formats the same figure the same way.
import type { Corruption } from "../schema/index.js";

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });
// Accuracies and gaps keep their decimal ("42.0%") so that a column of them lines up.
const fixedDecimal = new Intl.NumberFormat("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumSignificantDigits: 3 });
const twoSignificant = new Intl.NumberFormat("en-US", { maximumSignificantDigits: 2 });

/** Printed for a figure that does not exist (no runs of that kind). */
export const NONE = "—";

/** Printed for a figure that cannot exist for this kind of model (a kernel's SGD steps). */
export const NOT_APPLICABLE = "n/a";

/**
 * A count or a step count: whole, with thousands separators.
 *
 * @example
 * formatInteger(1240.5) // "1,241"
 */
export function formatInteger(value: number): string {
  return integer.format(value);
}

/** Epochs: a median of two runs may fall between epochs, so one decimal where needed ("12.5"). */
export function formatEpochs(value: number): string {
  return oneDecimal.format(value);
}

/**
 * Parameter counts in the compact form ML papers use, three significant digits.
 *
 * @example
 * formatParameters(1654522) // "1.65M"
 */
export function formatParameters(value: number): string {
  return compact.format(value);
}

/**
 * An accuracy or error (a fraction) as a percentage with one decimal.
 *
 * @example
 * formatPercent(0.8125) // "81.3%"
 */
export function formatPercent(fraction: number): string {
  return `${fixedDecimal.format(fraction * 100)}%`;
}

/**
 * A threshold such as the fit threshold, without a trailing ".0".
 *
 * @example
 * formatThreshold(1) // "100%"
 */
export function formatThreshold(fraction: number): string {
  return `${oneDecimal.format(fraction * 100)}%`;
}

/**
 * A fraction as a number of percent (or percentage points) without the unit, for the
 * bounds of a range whose median already shows it.
 *
 * @example
 * formatPercentValue(0.0923) // "9.2"
 */
export function formatPercentValue(fraction: number): string {
  return fixedDecimal.format(fraction * 100).replace("-", "−");
}

/**
 * A difference of two accuracies in percentage points, signed when negative.
 *
 * @example
 * formatPoints(0.184) // "18.4 pp"
 */
export function formatPoints(fraction: number): string {
  // A typographic minus: a hyphen is too short to read as one in a column of figures.
  return `${fixedDecimal.format(fraction * 100).replace("-", "−")} pp`;
}

/**
 * A change in percentage points with its sign and without the unit, for a strip of changes whose
 * header names the unit; a change that rounds to zero reads "±0.0".
 *
 * @example
 * formatPointsChange(-0.04) // "−4.0"; formatPointsChange(0.0123) // "+1.2"
 */
export function formatPointsChange(fraction: number): string {
  const size = fixedDecimal.format(Math.abs(fraction) * 100);
  if (size === "0.0") return "±0.0";
  return `${fraction < 0 ? "−" : "+"}${size}`;
}

/**
 * A ratio such as the slowdown, two significant digits.
 *
 * @example
 * formatRatio(3.214) // "3.2×"
 */
export function formatRatio(value: number): string {
  return `${twoSignificant.format(value)}×`;
}

/**
 * A duration in the unit that keeps it short: seconds, minutes or hours.
 *
 * @example
 * formatSeconds(41.2) // "41 s"; formatSeconds(0.84) // "0.8 s"; formatSeconds(150) // "2.5 min"
 */
export function formatSeconds(seconds: number): string {
  if (seconds < 10) return `${fixedDecimal.format(seconds)} s`;
  if (seconds < 120) return `${integer.format(seconds)} s`;
  if (seconds < 7200) return `${oneDecimal.format(seconds / 60)} min`;
  return `${oneDecimal.format(seconds / 3600)} h`;
}

/** Memory in GiB, as machines are sold. */
export function formatGibibytes(bytes: number): string {
  return `${oneDecimal.format(bytes / 2 ** 30)} GiB`;
}

/**
 * A timestamp as an unambiguous UTC date and minute.
 *
 * @example
 * formatTimestamp("2026-11-27T05:38:04.000Z") // "2026-11-27 05:38 UTC"
 */
export function formatTimestamp(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** A p-value: two significant digits, and "< 0.001" below that. */
export function formatPValue(p: number): string {
  return p < 0.001 ? "< 0.001" : twoSignificant.format(p);
}

/**
 * A complexity measure's value: whole numbers (parameter counts) in full, others to four significant digits,
 * in exponent form outside [0.001, 10⁶).
 *
 * @example
 * formatMeasure(407050) // "407,050"; formatMeasure(-0.0123456) // "−0.01235"; formatMeasure(2.5e-5) // "2.5e−5"
 */
export function formatMeasure(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return formatInteger(value);
  const size = Math.abs(value);
  const text = size >= 1e-3 && size < 1e6 ? value.toPrecision(4) : value.toExponential(3);
  // Trailing zeros of the mantissa say nothing ("0.001000" on a log axis's ticks).
  return text
    .replace(/(\.\d*?)0+(?=$|e)/, "$1")
    .replace(/\.(?=$|e)/, "")
    .replace(/-/g, "−");
}

/** A correlation coefficient with its sign and two decimals ("+0.33", "−0.47"). */
export function formatCorrelation(value: number): string {
  const text = Math.abs(value).toFixed(2);
  return value > 0 ? `+${text}` : value < 0 ? `−${text}` : text;
}

/**
 * A noun in the number a count asks for, where the count is printed apart from it.
 *
 * @example
 * nounFor(1, "level") // "level"; nounFor(2, "level") // "levels"
 */
export function nounFor(count: number, noun: string): string {
  return count === 1 ? noun : `${noun}s`;
}

/**
 * A count and its noun.
 *
 * @example
 * plural(1, "run") // "1 run"; plural(3, "seed") // "3 seeds"
 */
export function plural(count: number, noun: string): string {
  return `${count} ${nounFor(count, noun)}`;
}

/**
 * The short name of a corruption, as chart legends and tables show it.
 *
 * @example
 * corruptionName({ kind: "partial", p: 0.2 }) // "20% random labels"
 */
export function corruptionName(corruption: Corruption): string {
  switch (corruption.kind) {
    case "true":
      return "true labels";
    case "partial":
      return `${integer.format(corruption.p * 100)}% random labels`;
    case "random":
      return "random labels";
    case "shuffled-pixels":
      return "shuffled pixels";
    case "random-pixels":
      return "random pixels";
    case "gaussian":
      return "Gaussian inputs";
  }
}
