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
  /** Replace the suite's default seeds. */
  seeds?: readonly number[];
}

/**
 * The tasks of `suite` narrowed to one of its datasets and with the given architectures and
 * seeds. A dataset the suite does not use is a UsageError listing the ones it does.
 */
export function selectTasks(suite: Suite, selection: TaskSelection): Task[] {
  if (selection.dataset !== undefined && !suite.datasets.some((d) => d.id === selection.dataset)) {
    throw new UsageError(
      `suite ${suite.id} does not use dataset "${selection.dataset}"` +
        `; it uses: ${suite.datasets.map((d) => d.id).join(", ")}`,
    );
  }
  const tasks = expandSuite(suite, {
    ...(selection.architectures ? { architectures: selection.architectures } : {}),
    ...(selection.seeds ? { seeds: selection.seeds } : {}),
  });
  return selection.dataset === undefined ? tasks : tasks.filter((task) => task.dataset.id === selection.dataset);
}
