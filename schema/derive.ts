// The derived metrics of the protocol (README, "The protocol and its limits"), computed from
// curves. The runner claims them and the API recomputes them with these same functions, so both
// sides agree to the bit.
import { type DerivedMetrics, type EpochPoint, type RunResult, type Task, taskKey } from "./contract/index.js";
import { validationSize } from "./validation-split.js";

/**
 * SGD steps per epoch: every example trained on is used once per epoch, the last batch may
 * be smaller than the others. With early stopping the validation split (`validationSize`
 * examples) is held out and not trained on.
 *
 * @example
 * stepsPerEpoch({ dataset: { trainSize: 250 }, optimizer: { batchSize: 128 } }) // 2
 */
export function stepsPerEpoch(task: {
  dataset: { trainSize: number };
  optimizer: { batchSize: number };
  regularizer?: { earlyStoppingPatience: number | null };
}): number {
  const { trainSize } = task.dataset;
  const heldOut = (task.regularizer?.earlyStoppingPatience ?? null) === null ? 0 : validationSize(trainSize);
  return Math.ceil((trainSize - heldOut) / task.optimizer.batchSize);
}

/**
 * The first epoch (1-based) whose training accuracy reaches `threshold`, or null when the
 * budget ran out first (a censored run).
 *
 * @example
 * epochsToFit([{ trainAcc: 0.5 }, { trainAcc: 1 }], 1) // 2
 */
export function epochsToFit(curve: readonly Pick<EpochPoint, "trainAcc">[], threshold: number): number | null {
  const index = curve.findIndex((point) => point.trainAcc >= threshold);
  return index === -1 ? null : index + 1;
}

/**
 * Wall-clock seconds from the start of training to the end of the epoch that fitted (`epochs`,
 * as `epochsToFit` gives it), or null for a run that never fitted.
 *
 * @example
 * wallSecondsToFit([{ wallSeconds: 1.5 }, { wallSeconds: 3.25 }, { wallSeconds: 5 }], 2) // 3.25
 */
export function wallSecondsToFit(
  curve: readonly Pick<EpochPoint, "wallSeconds">[],
  epochs: number | null,
): number | null {
  if (epochs === null) return null;
  const point = curve[epochs - 1];
  // epochsToFit comes from the same curve, so a missing epoch is a bug, not a censored run.
  if (!point) throw new RangeError(`epoch ${epochs} to fit is not on a curve of ${curve.length} epochs`);
  return point.wallSeconds;
}

/** Training accuracy minus test accuracy at the end of training; null for an empty curve. */
export function genGap(curve: readonly Pick<EpochPoint, "trainAcc" | "testAcc">[]): number | null {
  const last = curve.at(-1);
  return last ? last.trainAcc - last.testAcc : null;
}

/**
 * Steps to fit a corrupted run over steps to fit the true-label run; null unless both fitted.
 *
 * @example
 * slowdown(840, 420) // 2
 */
export function slowdown(steps: number | null, trueLabelSteps: number | null): number | null {
  return steps === null || trueLabelSteps === null ? null : steps / trueLabelSteps;
}

/** The key that pairs a run with its true-label sibling: same architecture, dataset, regularizer and seed. */
function siblingKey(task: Task): string {
  return [task.architecture, task.dataset.id, task.regularizer.name, task.seed].join("/");
}

type Measured = Pick<RunResult, "task" | "status" | "curve">;

/** The derived metrics of one run, given the steps to fit of its true-label sibling (if any). */
export function deriveRun(run: Measured, trueLabelSteps: number | null): DerivedMetrics {
  const wallSeconds = run.curve.at(-1)?.wallSeconds ?? 0;
  if (run.status === "failed") {
    return {
      epochsToFit: null,
      stepsToFit: null,
      finalTrainAcc: null,
      finalTestAcc: null,
      genGap: null,
      slowdown: null,
      wallSeconds,
    };
  }
  const epochs = epochsToFit(run.curve, run.task.fitThreshold);
  const steps = epochs === null ? null : epochs * stepsPerEpoch(run.task);
  const last = run.curve.at(-1);
  return {
    epochsToFit: epochs,
    stepsToFit: steps,
    finalTrainAcc: last?.trainAcc ?? null,
    finalTestAcc: last?.testAcc ?? null,
    genGap: genGap(run.curve),
    slowdown: slowdown(steps, trueLabelSteps),
    wallSeconds,
  };
}

/**
 * The derived metrics of every run of a bundle, in order. Slowdowns pair each run with the
 * true-label run of the same architecture, dataset, regularizer and seed.
 *
 * @example
 * deriveRuns(runs).map((d) => d.slowdown) // [1, 2.1, …]
 */
export function deriveRuns(runs: readonly Measured[]): DerivedMetrics[] {
  const unpaired = runs.map((run) => deriveRun(run, null));
  const trueSteps = new Map<string, number | null>();
  runs.forEach((run, i) => {
    if (run.task.corruption.kind === "true") trueSteps.set(siblingKey(run.task), unpaired[i]!.stepsToFit);
  });
  return unpaired.map((derived, i) => ({
    ...derived,
    slowdown: slowdown(derived.stepsToFit, trueSteps.get(siblingKey(runs[i]!.task)) ?? null),
  }));
}

/** A claimed metric that differs from the recomputed one. */
export interface DerivedMismatch {
  path: string;
  claimed: number | null;
  expected: number | null;
}

/**
 * Every claimed derived metric that disagrees with its recomputation from the curves.
 * Comparison is exact: both sides run the same arithmetic on the same doubles.
 */
export function findDerivedMismatches(runs: readonly RunResult[]): DerivedMismatch[] {
  const expected = deriveRuns(runs);
  const mismatches: DerivedMismatch[] = [];
  runs.forEach((run, i) => {
    const want = expected[i]!;
    for (const key of Object.keys(want) as (keyof DerivedMetrics)[]) {
      if (!Object.is(run.derived[key], want[key])) {
        mismatches.push({ path: `runs[${i}].derived.${key}`, claimed: run.derived[key], expected: want[key] });
      }
    }
  });
  return mismatches;
}

/** Runs that appear twice in a bundle (same task key); a bundle holds each task once. */
export function duplicateTaskKeys(runs: readonly Pick<RunResult, "task">[]): string[] {
  const seen = new Set<string>();
  const duplicates: string[] = [];
  for (const { task } of runs) {
    const key = taskKey(task);
    if (seen.has(key)) duplicates.push(key);
    seen.add(key);
  }
  return duplicates;
}
