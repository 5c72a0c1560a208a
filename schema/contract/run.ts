// One run's result: its task, per-epoch curves, the metrics derived from them, predictions.
import { z } from "zod";
import { Base64, Fraction, LIMITS, NonNegative, PositiveInt, Sha256Hex } from "./common.js";
import { RunMeasures } from "./measures.js";
import { Task } from "./task.js";

/**
 * Measurements after one epoch, all in inference mode: loss and accuracy on the whole
 * (corrupted) training set and on the test set with its true labels. `wallSeconds` is the
 * cumulative training time up to this epoch, evaluation excluded.
 *
 * `valAcc`, only in runs with early stopping and there on every epoch, is the accuracy on the
 * validation split (`validationSplit`, against the labels trained on) that early stopping selects
 * on, so that the server can replay where the run had to stop. The field is optional, so every
 * earlier bundle still parses and the predicate type stays result/v1; the suites whose training
 * it changed (those with early stopping) took a new version instead.
 */
export const EpochPoint = z.strictObject({
  epoch: PositiveInt.max(LIMITS.maxEpochs),
  trainLoss: NonNegative,
  trainAcc: Fraction,
  testLoss: NonNegative,
  testAcc: Fraction,
  valAcc: Fraction.optional(),
  wallSeconds: NonNegative,
});
export type EpochPoint = z.infer<typeof EpochPoint>;

/**
 * Metrics derived from the curves by `schema/derive.ts`; a bundle claims them and the
 * server recomputes them. Null means "not defined": a censored run has no epochs to fit,
 * a failed run has no final accuracy, a slowdown needs both runs fitted.
 */
export const DerivedMetrics = z.strictObject({
  epochsToFit: PositiveInt.max(LIMITS.maxEpochs).nullable(),
  stepsToFit: PositiveInt.nullable(),
  finalTrainAcc: Fraction.nullable(),
  finalTestAcc: Fraction.nullable(),
  genGap: z.number().min(-1).max(1).nullable(),
  /**
   * Steps to fit this run over steps to fit the true-label run of the same architecture, dataset,
   * regularizer and seed.
   */
  slowdown: z.number().positive().nullable(),
  wallSeconds: NonNegative,
});
export type DerivedMetrics = z.infer<typeof DerivedMetrics>;

/**
 * Final class predictions of a run on the training and test sets, two classes per byte
 * (see `encodeClasses`), so the server can re-score them later.
 */
export const Predictions = z.strictObject({
  train: Base64.max(Math.ceil(LIMITS.maxExamples / 2 / 3) * 4 + 4),
  test: Base64.max(Math.ceil(LIMITS.maxExamples / 2 / 3) * 4 + 4),
});
export type Predictions = z.infer<typeof Predictions>;

/**
 * One run. A run that ended early (NaN loss, out of memory) is recorded as `failed` with
 * its reason and the epochs it finished; it is never dropped.
 *
 * @example
 * RunResult.parse(run).status // "ok"
 */
export const RunResult = z
  .strictObject({
    task: Task,
    /** The architecture (as built for this run's dataset) that the bundle lists under this fingerprint. */
    architectureFingerprint: Sha256Hex,
    status: z.enum(["ok", "failed"]),
    failure: z.string().min(1).max(LIMITS.maxText).nullable(),
    curve: z.array(EpochPoint).max(LIMITS.maxEpochs),
    derived: DerivedMetrics,
    predictions: Predictions.nullable(),
    /**
     * Complexity measures of the final weights (contract/measures.ts): present on every ok run of a
     * suite with measure settings (the protocol checks say so), absent otherwise, so earlier bundles
     * still parse.
     */
    measures: RunMeasures.optional(),
  })
  .superRefine((run, ctx) => {
    run.curve.forEach((point, i) => {
      if (point.epoch !== i + 1)
        ctx.addIssue({
          code: "custom",
          path: ["curve", i, "epoch"],
          message: `must be ${i + 1}: epochs are consecutive from 1`,
        });
      if (point.valAcc !== undefined && run.task.regularizer.earlyStoppingPatience === null)
        ctx.addIssue({
          code: "custom",
          path: ["curve", i, "valAcc"],
          message: "must be absent: only a run with early stopping has a validation split",
        });
      const previous = run.curve[i - 1];
      if (previous && point.wallSeconds < previous.wallSeconds) {
        ctx.addIssue({
          code: "custom",
          path: ["curve", i, "wallSeconds"],
          message: "must not decrease: wall time is cumulative",
        });
      }
    });
    if (run.curve.length > run.task.epochs) {
      ctx.addIssue({
        code: "custom",
        path: ["curve"],
        message: `has ${run.curve.length} epochs, more than the budget of ${run.task.epochs}`,
      });
    }
    if (run.status === "ok") {
      if (run.failure !== null)
        ctx.addIssue({ code: "custom", path: ["failure"], message: "must be null for a run with status ok" });
      if (run.curve.length === 0)
        ctx.addIssue({ code: "custom", path: ["curve"], message: "must not be empty for a run with status ok" });
      if (run.predictions === null)
        ctx.addIssue({ code: "custom", path: ["predictions"], message: "must be present for a run with status ok" });
    } else if (run.measures !== undefined) {
      ctx.addIssue({ code: "custom", path: ["measures"], message: "must be absent for a failed run" });
    }
    if (run.status === "failed" && run.failure === null) {
      ctx.addIssue({ code: "custom", path: ["failure"], message: "must give the reason of a failed run" });
    }
  });
export type RunResult = z.infer<typeof RunResult>;
