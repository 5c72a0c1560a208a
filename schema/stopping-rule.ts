// The stopping rule of every run (docs/training.md, "When a run stops"): the runner stops by it and
// the server checks each curve's length against it, so both sides share this one function.
import type { EpochPoint, Task } from "./contract/index.js";

/**
 * Once a run has fitted (training accuracy at the suite's fit threshold), it trains this many
 * more epochs and stops if they all stay fitted. Every architecture and condition follows the
 * same rule, so epochs-to-fit and the final accuracies compare across runs; a run that never
 * fits trains its whole budget. Changing it changes every suite's training: bump every suite.
 *
 * @example
 * EPOCHS_AFTER_FIT // 3
 */
export const EPOCHS_AFTER_FIT = 3;

/** Why the rule ends a run: it stayed fitted, early stopping's patience ran out, or the budget did. */
export type StopReason = "fitted" | "patience" | "budget";

/** Where the rule ends a run: the last epoch it trains, and why. */
export interface Stop {
  epoch: number;
  reason: StopReason;
}

/** What of a task the rule reads. */
export type StoppingTask = Pick<Task, "epochs" | "fitThreshold"> & {
  regularizer: Pick<Task["regularizer"], "earlyStoppingPatience">;
};

/**
 * The first epoch of `curve` after which the stopping rule ends the run, or null when it does
 * not end within these epochs. A run stops after epoch e when
 * - epochs e − EPOCHS_AFTER_FIT … e all reached the fit threshold ("fitted"), or
 * - early stopping is on and validation accuracy (`valAcc`) has not beaten its best so far, strictly,
 *   for `earlyStoppingPatience` epochs ("patience"); never the test set: selecting on it would
 *   leak the test labels into the result, or
 * - e is the budget, `task.epochs` ("budget").
 * When several hold at once the first in this order is named. Throws if early stopping is on and
 * a point has no `valAcc`: callers check its presence first (checkProtocol reports it).
 *
 * @example
 * const task = { epochs: 10, fitThreshold: 1, regularizer: { earlyStoppingPatience: null } };
 * stopAfter([0.5, 1, 1, 1, 1].map((trainAcc) => ({ trainAcc })), task) // { epoch: 5, reason: "fitted" }
 */
export function stopAfter(
  curve: readonly (Pick<EpochPoint, "trainAcc"> & { valAcc?: number | undefined })[],
  task: StoppingTask,
): Stop | null {
  const patience = task.regularizer.earlyStoppingPatience;
  let fittedInARow = 0;
  let bestValAcc = -1;
  let epochsSinceBest = 0;
  for (const [i, point] of curve.entries()) {
    const epoch = i + 1;
    fittedInARow = point.trainAcc >= task.fitThreshold ? fittedInARow + 1 : 0;
    if (fittedInARow > EPOCHS_AFTER_FIT) return { epoch, reason: "fitted" };
    if (patience !== null) {
      if (point.valAcc === undefined) throw new RangeError(`epoch ${epoch} has no valAcc, which early stopping reads`);
      if (point.valAcc > bestValAcc) [bestValAcc, epochsSinceBest] = [point.valAcc, 0];
      else epochsSinceBest++;
      if (epochsSinceBest >= patience) return { epoch, reason: "patience" };
    }
    if (epoch >= task.epochs) return { epoch, reason: "budget" };
  }
  return null;
}
