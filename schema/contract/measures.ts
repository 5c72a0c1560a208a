// Complexity measures of a run's final weights (docs/measures.md): what a run records beside its
// curves, the suite settings that fix how both engines compute them, and the catalog the board
// ranks them by.
import { z } from "zod";
import { LIMITS, NonNegative, OpenFraction, PositiveFraction, PositiveInt } from "./common.js";

/**
 * How a suite's runs compute their measures: part of the suite's data, so that a change makes a
 * new suite version and both engines read the same numbers.
 *
 * @example
 * MeasureSettings.parse(quickSuite.measures).marginQuantile // 0.1
 */
export const MeasureSettings = z.strictObject({
  /** The output margin is this quantile (type 7) of the per-example margins (Jiang et al.: the 10th percentile). */
  marginQuantile: OpenFraction,
  /**
   * Examples the two sharpness measures evaluate: the first this many of the run's training set in
   * its stored order (all of them when it has fewer), to bound their cost.
   */
  sharpnessExamples: PositiveInt.max(LIMITS.maxExamples),
  /** Flatness: the largest drop of training accuracy that weight noise may cause (Jiang et al.: 0.1). */
  flatnessAccuracyDrop: PositiveFraction,
  /** Flatness: noise draws averaged at each σ, with the fixed seeds 0, 1, …, n − 1. */
  flatnessSamples: PositiveInt.max(16),
  /** Flatness: bisection steps on ln σ between `flatnessSigmaMin` and `flatnessSigmaMax`. */
  flatnessSteps: PositiveInt.max(32),
  flatnessSigmaMin: PositiveFraction,
  flatnessSigmaMax: z.number().positive().max(10),
  /** Worst-case sharpness: the half-width α of the relative box |uᵢ| ≤ α·|wᵢ|. */
  sharpnessBox: PositiveFraction,
  /** Worst-case sharpness: steps of projected sign-gradient ascent inside the box. */
  sharpnessSteps: PositiveInt.max(32),
});
export type MeasureSettings = z.infer<typeof MeasureSettings>;

/**
 * The measures of one run, from its final weights (and its initial ones) on its own training set,
 * labels as trained on. "Kernels" are the weight tensors of rank ≥ 2 (dense and convolution
 * kernels; a convolution kernel of shape [kh, kw, cin, cout] is read as a (kh·kw·cin) × cout
 * matrix); biases and batch-norm parameters are not kernels. Null means "not defined for this
 * run", with the reason in docs/measures.md.
 *
 * @example
 * RunMeasures.parse(run.measures).margin // 2.31
 */
export const RunMeasures = z.strictObject({
  /** Trainable parameters: the architecture's parameter count. */
  parameterCount: PositiveInt,
  /** Σᵢ ‖Wᵢ‖²_F over the kernels. */
  frobeniusSquared: NonNegative,
  /** (Σᵢ ‖Wᵢ − Wᵢ⁰‖²_F)^½ over the kernels, from the run's initial weights. */
  distanceFromInit: NonNegative,
  /** Σᵢ ln ‖Wᵢ‖₂ over the kernels (the log of the product of spectral norms); null when a kernel is zero. */
  logSpectralProduct: z.number().nullable(),
  /** ln(Πᵢ ‖Wᵢ‖₂² / γ²) = 2·logSpectralProduct − 2·ln γ; null unless γ > 0 and logSpectralProduct is defined. */
  logSpectralOverMargin: z.number().nullable(),
  /** ln of the path-ℓ2 norm; null for a network it is not defined for (docs/measures.md). */
  logPathL2: z.number().nullable(),
  /** γ: the `marginQuantile` quantile over training examples of (true-class logit − largest other logit). */
  margin: z.number().nullable(),
  /** The largest relative σ of Gaussian weight noise that costs at most `flatnessAccuracyDrop` training accuracy. */
  flatnessSigma: z.number().positive(),
  /** Training loss after the worst-case perturbation in the relative box, minus the loss without it. */
  adversarialSharpness: z.number(),
  /** Wall time of computing all of the above, for the cost report; not part of the outcome digest. */
  seconds: NonNegative,
});
export type RunMeasures = z.infer<typeof RunMeasures>;

/** The keys of RunMeasures that are measures (not the cost). */
export type MeasureKey = Exclude<keyof RunMeasures, "seconds">;

export interface MeasureInfo {
  key: MeasureKey;
  name: string;
  /** Jiang et al.'s families: how the measures group. */
  family: "size" | "norm" | "spectral" | "path" | "margin" | "sharpness";
  /**
   * +1 when a larger value means a more complex network (expected to generalize worse), −1 when
   * a larger value means a simpler one (margin, flatness σ). τ against the gap is read times this.
   */
  direction: 1 | -1;
}

/**
 * Every measure a run records, in the order the pages list them.
 *
 * @example
 * MEASURES.find((m) => m.key === "margin")?.direction // -1
 */
export const MEASURES: readonly MeasureInfo[] = [
  { key: "parameterCount", name: "parameter count", family: "size", direction: 1 },
  { key: "frobeniusSquared", name: "sum of squared Frobenius norms", family: "norm", direction: 1 },
  { key: "distanceFromInit", name: "distance from initialization", family: "norm", direction: 1 },
  { key: "logSpectralProduct", name: "product of spectral norms (ln)", family: "spectral", direction: 1 },
  { key: "logSpectralOverMargin", name: "spectral product over margin² (ln)", family: "spectral", direction: 1 },
  { key: "logPathL2", name: "path-ℓ2 norm (ln)", family: "path", direction: 1 },
  { key: "margin", name: "output margin (10th percentile)", family: "margin", direction: -1 },
  { key: "flatnessSigma", name: "PAC-Bayes flatness σ", family: "sharpness", direction: -1 },
  { key: "adversarialSharpness", name: "worst-case sharpness", family: "sharpness", direction: 1 },
];

/**
 * The settings every current suite uses. σ from 10⁻⁴ to 1 covers weights perturbed by 0.01% to
 * 100% of their magnitude; 8 bisection steps place σ within a factor 10^(4/256) ≈ 1.04. The two
 * sharpness measures cost a fixed number of passes over their examples whatever the run's length,
 * so 256 examples, one noise draw and 3 ascent steps keep them to a few percent of a quick run
 * (the smoke suite, whose runs train for about a second, lightens them further; npm run
 * bench:measures).
 */
export const DEFAULT_MEASURE_SETTINGS: MeasureSettings = {
  marginQuantile: 0.1,
  sharpnessExamples: 256,
  flatnessAccuracyDrop: 0.1,
  flatnessSamples: 1,
  flatnessSteps: 8,
  flatnessSigmaMin: 1e-4,
  flatnessSigmaMax: 1,
  sharpnessBox: 0.01,
  sharpnessSteps: 3,
};

/** Slack for the margin's sign against the predictions: two forward passes may round differently. */
const MARGIN_SIGN_SLACK = 1e-4;

/** What the server knows independently of a run's measures. */
export interface MeasureEvidence {
  settings: MeasureSettings;
  /** The architecture's parameter count, from its topology. */
  parameterCount: number;
  /** Training examples and how many of them the run's final predictions get wrong, when scored. */
  train?: { examples: number; errors: number };
}

/**
 * What is inconsistent in a run's measures, checked against what the server computes itself:
 * the parameter count, the spectral ratio against its two parts, σ on the bisection's grid,
 * and the margin's sign against the share of training examples the predictions get wrong (at
 * the margin's quantile the margins of the wrong examples, all ≤ 0, end). Empty when consistent.
 *
 * @example
 * measureProblems(run.measures, { settings: suite.measures, parameterCount: 407050 }) // []
 */
export function measureProblems(measures: RunMeasures, evidence: MeasureEvidence): string[] {
  const problems: string[] = [];
  const { settings } = evidence;
  if (measures.parameterCount !== evidence.parameterCount)
    problems.push(
      `parameterCount is ${measures.parameterCount}, but the architecture has ${evidence.parameterCount} parameters`,
    );
  const { margin, logSpectralProduct, logSpectralOverMargin } = measures;
  if (margin !== null && margin > 0 && logSpectralProduct !== null) {
    const expected = 2 * logSpectralProduct - 2 * Math.log(margin);
    const tolerance = 1e-9 * Math.max(1, Math.abs(expected));
    if (logSpectralOverMargin === null || Math.abs(logSpectralOverMargin - expected) > tolerance)
      problems.push(
        `logSpectralOverMargin is ${logSpectralOverMargin}, but 2·logSpectralProduct − 2·ln(margin) is ${expected}`,
      );
  } else if (logSpectralOverMargin !== null) {
    problems.push("logSpectralOverMargin must be null unless the margin is positive and logSpectralProduct defined");
  }
  // The bisection can only answer a point of its grid: ln σ = ln σ_min + k·(ln σ_max − ln σ_min)/2^steps
  // for k = 0 … 2^steps (k = 2^steps when even σ_max passes), up to float rounding.
  const base = Math.log(settings.flatnessSigmaMin);
  const step = (Math.log(settings.flatnessSigmaMax) - base) / 2 ** settings.flatnessSteps;
  const k = Math.round((Math.log(measures.flatnessSigma) - base) / step);
  const outside =
    measures.flatnessSigma < settings.flatnessSigmaMin * (1 - 1e-9) ||
    measures.flatnessSigma > settings.flatnessSigmaMax * (1 + 1e-9);
  if (outside)
    problems.push(
      `flatnessSigma ${measures.flatnessSigma} is outside the search range ` +
        `[${settings.flatnessSigmaMin}, ${settings.flatnessSigmaMax}]`,
    );
  else if (Math.abs(Math.log(measures.flatnessSigma) - (base + k * step)) > 1e-9)
    problems.push(
      `flatnessSigma ${measures.flatnessSigma} is not a value the bisection gives: with ${settings.flatnessSteps} ` +
        `steps between ${settings.flatnessSigmaMin} and ${settings.flatnessSigmaMax} the nearest is ` +
        `${Math.exp(base + k * step)}`,
    );
  if (evidence.train && margin !== null) {
    const { examples, errors } = evidence.train;
    // Sorted ascending, the wrong examples' margins (≤ 0) come first and the right ones' (≥ 0)
    // after; the type-7 quantile interpolates between positions lo and lo + 1.
    const position = Math.floor((examples - 1) * settings.marginQuantile);
    if (errors <= position && margin < -MARGIN_SIGN_SLACK)
      problems.push(
        `margin is ${margin}, but the predictions get only ${errors} of ${examples} training examples wrong, ` +
          `so the ${settings.marginQuantile} quantile of the margins cannot be negative`,
      );
    if (errors >= position + 2 && margin > MARGIN_SIGN_SLACK)
      problems.push(
        `margin is ${margin}, but the predictions get ${errors} of ${examples} training examples wrong, ` +
          `so the ${settings.marginQuantile} quantile of the margins cannot be positive`,
      );
  }
  return problems;
}
