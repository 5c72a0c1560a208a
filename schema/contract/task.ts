// A task: one fully resolved run of a suite (architecture × dataset × condition × seed).
import { z } from "zod";
import { LIMITS, NonNegativeInt, PositiveInt, Slug } from "./common.js";
import { Corruption, corruptionLabel, Optimizer, Regularizer, type Suite, SuiteDataset } from "./suite.js";

/**
 * Everything a worker needs to train one run, with the suite's defaults already applied
 * (for instance an architecture's own learning rate).
 *
 * @example
 * taskKey(expandSuite(smokeSuite)[0]) // "mlp-tiny/mnist-10k/true/none/seed-0"
 */
export const Task = z.strictObject({
  suite: z.strictObject({ id: Slug, version: PositiveInt }),
  architecture: Slug,
  dataset: SuiteDataset,
  corruption: Corruption,
  regularizer: Regularizer,
  seed: NonNegativeInt.max(2 ** 31 - 1),
  optimizer: Optimizer,
  epochs: PositiveInt.max(LIMITS.maxEpochs),
  fitThreshold: z.number().gt(0).max(1),
});
export type Task = z.infer<typeof Task>;

/** A stable, human-readable key of a task, unique within a suite. */
export function taskKey(task: Task): string {
  return [
    task.architecture,
    task.dataset.id,
    corruptionLabel(task.corruption),
    task.regularizer.name,
    `seed-${task.seed}`,
  ].join("/");
}

/**
 * Every task of a suite, in a fixed order (dataset, architecture, condition, seed).
 * `architectures` replaces the suite's own list, e.g. with a user-supplied model's id; a
 * replaced architecture runs every condition and uses the suite optimizer's learning rate.
 * `seeds` narrows the tasks to some seeds (a leaderboard ranks only the suite's own seeds:
 * checkProtocol refuses the others).
 *
 * @example
 * expandSuite(quickSuite, { architectures: ["my-net"] }).every((t) => t.architecture === "my-net") // true
 */
export function expandSuite(
  suite: Suite,
  options: { architectures?: readonly string[]; seeds?: readonly number[] } = {},
): Task[] {
  const replaced = options.architectures !== undefined;
  const seeds = options.seeds ?? suite.seeds;
  const architectures = replaced
    ? options.architectures!.map((id) => ({ id, learningRate: undefined }))
    : suite.architectures;
  const tasks: Task[] = [];
  for (const dataset of suite.datasets) {
    for (const architecture of architectures) {
      for (const condition of suite.conditions) {
        if (!replaced && condition.architectures && !condition.architectures.includes(architecture.id)) continue;
        for (const seed of seeds) {
          tasks.push({
            suite: { id: suite.id, version: suite.version },
            architecture: architecture.id,
            dataset,
            corruption: condition.corruption,
            regularizer: condition.regularizer,
            seed,
            optimizer: { ...suite.optimizer, learningRate: architecture.learningRate ?? suite.optimizer.learningRate },
            epochs: suite.epochs,
            fitThreshold: suite.fitThreshold,
          });
        }
      }
    }
  }
  return tasks;
}
