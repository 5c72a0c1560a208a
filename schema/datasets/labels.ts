// Every run's labels as pure, seeded functions of its task and its dataset's labels: the runner
// trains on them and the server derives them again to score a run's predictions.
import type { Corruption, Task } from "../contract/index.js";
import { Rng } from "../random.js";
import { balancedSubset } from "./subset.js";

/**
 * The labels of a dataset's two pools of examples, in the order the runner's loader reads them
 * (file order for IDX and CIFAR-10 files; for `mnist-10k`, the order of its fixed split).
 */
export interface PoolLabels {
  classes: number;
  train: Uint8Array;
  test: Uint8Array;
}

/** The labels one run trains and is tested on, one per example of its subsets. */
export interface RunLabels {
  train: Uint8Array;
  test: Uint8Array;
}

/**
 * New training labels: each label, independently with probability p, replaced by a uniformly
 * random class (possibly the same one). Every example draws u and a class whether or not it is
 * replaced, so for one seed the labels replaced at a lower p are a subset of those replaced at a
 * higher p, with the same new classes, and p = 1 gives the `random` corruption.
 *
 * @example
 * corruptLabels(Uint8Array.of(0, 1, 2), 3, 1, 0) // three uniformly random classes, the same for seed 0 everywhere
 */
export function corruptLabels(labels: Uint8Array, classes: number, p: number, seed: number): Uint8Array {
  const rng = Rng.create(seed, "corruption/labels");
  return labels.map((label) => {
    const u = rng.float();
    const replacement = rng.int(classes);
    return u < p ? replacement : label;
  });
}

/**
 * The training labels under a corruption: `partial(p)` and `random` (p = 1) replace labels with
 * `corruptLabels`; `true` and the input corruptions keep them, returning the same array.
 *
 * @example
 * trainingLabels(labels, 10, { kind: "shuffled-pixels" }, 3) === labels // true
 */
export function trainingLabels(labels: Uint8Array, classes: number, corruption: Corruption, seed: number): Uint8Array {
  switch (corruption.kind) {
    case "partial":
      return corruptLabels(labels, classes, corruption.p, seed);
    case "random":
      return corruptLabels(labels, classes, 1, seed);
    case "true":
    case "shuffled-pixels":
    case "random-pixels":
    case "gaussian":
      return labels;
  }
}

/**
 * The true labels of the subsets a dataset is cut to for a suite: `balancedSubset` of each pool
 * with streams `<id>/train` and `<id>/test`, in subset order. Throws a RangeError when a size
 * exceeds its pool.
 *
 * @example
 * subsetLabels("mnist-10k", pools, 250, 250).train.length // 250, 25 of each class
 */
export function subsetLabels(id: string, pools: PoolLabels, trainSize: number, testSize: number): RunLabels {
  const take = (labels: Uint8Array, size: number, split: "train" | "test") => {
    if (size > labels.length) throw new RangeError(`${id} has ${labels.length} ${split} examples, not ${size}`);
    return Uint8Array.from(balancedSubset(labels, pools.classes, size, `${id}/${split}`), (i) => labels[i]!);
  };
  return { train: take(pools.train, trainSize, "train"), test: take(pools.test, testSize, "test") };
}

/**
 * The labels of one run: its dataset cut to the task's sizes, then its corruption applied under
 * its seed to the training labels. Test labels are always the true ones.
 *
 * @example
 * const { train, test } = runLabels(task, { classes: 10, train: poolTrain, test: poolTest });
 */
export function runLabels(task: Task, pools: PoolLabels): RunLabels {
  const { train, test } = subsetLabels(task.dataset.id, pools, task.dataset.trainSize, task.dataset.testSize);
  return { train: trainingLabels(train, pools.classes, task.corruption, task.seed), test };
}
