// Choosing what a command trains: the suite by name, then its tasks for the chosen dataset,
// architectures and seeds.
import { expandSuite, findSuite, SUITES, type Suite, type Task } from "../schema/index.js";
import { UsageError } from "./errors.js";

/** The suite named `id` (its current version), or a UsageError that lists the valid names. */
export function resolveSuite(id: string): Suite {
  const suite = findSuite(id);
  if (!suite) throw new UsageError(`unknown suite "${id}"; valid suites: ${SUITES.map((s) => s.id).join(", ")}`);
  return suite;
}

export interface TaskSelection {
  /** Replace the suite's architectures (a user-supplied model). */
  architectures?: readonly string[];
  /** Keep only this dataset of the suite's. */
  dataset?: string;
  /** Only these of the suite's seeds. */
  seeds?: readonly number[];
}

/**
 * The tasks of `suite` narrowed to one of its datasets and some of its seeds, with the given
 * architectures. A dataset or seed the suite does not use is a UsageError listing the ones it does.
 */
export function selectTasks(suite: Suite, selection: TaskSelection): Task[] {
  if (selection.dataset !== undefined && !suite.datasets.some((d) => d.id === selection.dataset)) {
    throw new UsageError(
      `suite ${suite.id} does not use dataset "${selection.dataset}"` +
        `; it uses: ${suite.datasets.map((d) => d.id).join(", ")}`,
    );
  }
  const foreign = selection.seeds?.filter((seed) => !suite.seeds.includes(seed)) ?? [];
  if (foreign.length > 0) {
    // A leaderboard ranks a suite's own seeds only: a run with another seed could not be submitted.
    throw new UsageError(
      `seed ${foreign[0]} is not one of suite ${suite.id} v${suite.version}'s seeds (${suite.seeds.join(", ")})`,
    );
  }
  const tasks = expandSuite(suite, {
    ...(selection.architectures ? { architectures: selection.architectures } : {}),
    ...(selection.seeds ? { seeds: selection.seeds } : {}),
  });
  return selection.dataset === undefined ? tasks : tasks.filter((task) => task.dataset.id === selection.dataset);
}
