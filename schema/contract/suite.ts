// A suite: the versioned data that fixes one benchmark protocol (README, "The protocol and its limits").
import { z } from "zod";
import {
  FractionBelowOne,
  LIMITS,
  NonNegative,
  NonNegativeInt,
  OpenFraction,
  PositiveFraction,
  PositiveInt,
  Slug,
} from "./common.js";
import { MeasureSettings } from "./measures.js";

/** Datasets the runner knows how to load (docs/datasets.md). */
export const DatasetId = z.enum(["mnist-10k", "mnist", "fashion-mnist", "cifar10", "synthetic"]);
export type DatasetId = z.infer<typeof DatasetId>;

/**
 * One randomization test of the paper (§2.1). `partial` carries p, the probability that a
 * training label is replaced by a uniformly random class.
 *
 * @example
 * Corruption.parse({ kind: "partial", p: 0.4 })
 */
export const Corruption = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("true") }),
  z.strictObject({ kind: z.literal("partial"), p: OpenFraction }),
  z.strictObject({ kind: z.literal("random") }),
  z.strictObject({ kind: z.literal("shuffled-pixels") }),
  z.strictObject({ kind: z.literal("random-pixels") }),
  z.strictObject({ kind: z.literal("gaussian") }),
]);
export type Corruption = z.infer<typeof Corruption>;

/**
 * The label-corruption level of a corruption: 0 for true labels, p for `partial`, 1 for
 * random labels, and null for the input corruptions (they keep the true labels).
 *
 * @example
 * corruptionLevel({ kind: "partial", p: 0.2 }) // 0.2
 */
export function corruptionLevel(corruption: Corruption): number | null {
  switch (corruption.kind) {
    case "true":
      return 0;
    case "partial":
      return corruption.p;
    case "random":
      return 1;
    default:
      return null;
  }
}

/** A stable short label such as `partial-0.4`, used in task keys and tables. */
export function corruptionLabel(corruption: Corruption): string {
  return corruption.kind === "partial" ? `partial-${corruption.p}` : corruption.kind;
}

/**
 * Explicit regularization (paper Table 1 and Appendix E). `batchNorm: "default"` keeps the
 * architecture's own choice (on for small-inception, off for the others).
 *
 * @example
 * Regularizer.parse({
 *   name: "wd",
 *   weightDecay: 5e-4,
 *   dropout: 0,
 *   augmentation: "none",
 *   batchNorm: "default",
 *   earlyStoppingPatience: null,
 * })
 */
export const Regularizer = z.strictObject({
  name: Slug,
  weightDecay: NonNegative.max(1),
  dropout: FractionBelowOne,
  augmentation: z.enum(["none", "crop", "crop-flip"]),
  batchNorm: z.enum(["default", "on", "off"]),
  /**
   * Early stopping: hold out a validation split of the training subset (`validationSplit`), never
   * train on it, and stop when validation accuracy has not improved for this many epochs; null
   * trains on every example up to the budget. Never the test set.
   */
  earlyStoppingPatience: PositiveInt.max(LIMITS.maxEpochs).nullable(),
});
export type Regularizer = z.infer<typeof Regularizer>;

/** The regularizer set with everything off, the paper's default for the randomization tests. */
export const NO_REGULARIZER: Regularizer = {
  name: "none",
  weightDecay: 0,
  dropout: 0,
  augmentation: "none",
  batchNorm: "default",
  earlyStoppingPatience: null,
};

/** SGD with momentum and a per-epoch multiplicative learning-rate decay (paper Appendix A). */
export const Optimizer = z.strictObject({
  kind: z.literal("sgd-momentum"),
  learningRate: z.number().positive().max(10),
  momentum: FractionBelowOne,
  /** The learning rate is multiplied by this factor after each epoch (0.95 in the paper). */
  decayPerEpoch: z.number().positive().max(1),
  batchSize: PositiveInt.max(4096),
});
export type Optimizer = z.infer<typeof Optimizer>;

/** A dataset as a suite uses it: which one and how many examples of each split. */
export const SuiteDataset = z.strictObject({
  id: DatasetId,
  trainSize: PositiveInt.max(LIMITS.maxExamples),
  testSize: PositiveInt.max(LIMITS.maxExamples),
});
export type SuiteDataset = z.infer<typeof SuiteDataset>;

/** An architecture as a suite uses it; `learningRate` overrides the suite optimizer's. */
export const SuiteArchitecture = z.strictObject({
  id: Slug,
  learningRate: z.number().positive().max(10).optional(),
});
export type SuiteArchitecture = z.infer<typeof SuiteArchitecture>;

/**
 * One condition of the benchmark: a corruption trained under a regularizer set. When
 * `architectures` is given, only those architectures run it (e.g. a batch-norm ablation).
 */
export const Condition = z.strictObject({
  corruption: Corruption,
  regularizer: Regularizer,
  architectures: z.array(Slug).min(1).max(LIMITS.maxArchitecturesPerBundle).optional(),
});
export type Condition = z.infer<typeof Condition>;

/**
 * A suite: every run is one dataset × architecture × condition × seed. Changing any field
 * makes a new version; results of different versions are never ranked together.
 *
 * @example
 * Suite.parse(smokeSuite).id // "smoke"
 */
export const Suite = z.strictObject({
  id: Slug,
  version: PositiveInt,
  title: z.string().min(1).max(LIMITS.maxName),
  description: z.string().min(1).max(LIMITS.maxText),
  datasets: z.array(SuiteDataset).min(1).max(8),
  architectures: z.array(SuiteArchitecture).min(1).max(LIMITS.maxArchitecturesPerBundle),
  conditions: z.array(Condition).min(1).max(LIMITS.maxConditions),
  seeds: z
    .array(NonNegativeInt.max(2 ** 31 - 1))
    .min(1)
    .max(LIMITS.maxSeeds),
  optimizer: Optimizer,
  epochs: PositiveInt.max(LIMITS.maxEpochs),
  /** Training accuracy at which a run counts as fitted (1.0: every training example correct). */
  fitThreshold: PositiveFraction,
  /**
   * How every run computes its complexity measures (docs/measures.md); a suite without them
   * (versions before measures existed) has runs without measures.
   */
  measures: MeasureSettings.optional(),
});
export type Suite = z.infer<typeof Suite>;
