// A run's fields as the pages list them, read the same way by every query: the derived
// metrics as stored columns, selected as one nested object (drizzle maps a nested selection
// to a nested result), and the task's identifying fields.
import { runs, type Task } from "../../../schema/index.js";

/** Select as `derived: DERIVED_COLUMNS`; the result's `derived` is a DerivedMetrics. */
export const DERIVED_COLUMNS = {
  epochsToFit: runs.epochsToFit,
  stepsToFit: runs.stepsToFit,
  finalTrainAcc: runs.finalTrainAcc,
  finalTestAcc: runs.finalTestAcc,
  genGap: runs.genGap,
  slowdown: runs.slowdown,
  wallSeconds: runs.wallSeconds,
};

/**
 * Select as `reproductions: REPRODUCTION_COLUMNS`; the result's `reproductions` is a
 * RunReproductions (the run's counters, kept by the transaction that stores a reproduction).
 */
export const REPRODUCTION_COLUMNS = {
  exact: runs.reproducedExact,
  notReproduced: runs.notReproduced,
  consistent: runs.reproducedConsistent,
  inconsistent: runs.reproducedInconsistent,
  verified: runs.verified,
};

/** What names a run within its submission: suite, dataset, corruption, regularizer and seed. */
export function taskFields(task: Task) {
  return {
    suite: task.suite,
    dataset: task.dataset.id,
    corruption: task.corruption,
    regularizer: task.regularizer.name,
    seed: task.seed,
  };
}
