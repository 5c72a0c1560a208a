// The validation split that early stopping selects on: a seeded, class-balanced tenth of a run's
// training subset, the same on every machine, so the runner and the server agree on it.
import { Rng } from "./random.js";

/**
 * The share of the training subset held out for validation when early stopping is on. Changing
 * it changes the training of every suite with early stopping: bump those suites' versions.
 *
 * @example
 * VALIDATION_FRACTION // 0.1
 */
export const VALIDATION_FRACTION = 0.1;

/** The stream name the split's generator is seeded with, beside the task seed. */
const STREAM = "train/validation-split";

/**
 * How many of `trainSize` examples are held out: VALIDATION_FRACTION of them, rounded, at least
 * one (early stopping needs something to measure) and at most all but one (something to train on).
 *
 * @example
 * validationSize(250) // 25
 */
export function validationSize(trainSize: number): number {
  if (!Number.isInteger(trainSize) || trainSize < 2)
    throw new RangeError(`a validation split needs at least 2 training examples, not ${trainSize}`);
  return Math.min(trainSize - 1, Math.max(1, Math.round(trainSize * VALIDATION_FRACTION)));
}

/**
 * The examples of a training subset that early stopping validates on, and the rest, which it
 * trains on; indices into the subset, each list ascending, together every index exactly once.
 *
 * The rule, a pure function of (labels, seed): shuffle the indices with the task seed's
 * `train/validation-split` stream (`Rng.permutation`), sort them by
 * label keeping that order within a class, and take `validationSize(n)` positions evenly spaced
 * through the sorted list, position ⌊(2k + 1)·n / (2·size)⌋ for k = 0 … size − 1. Each class thus
 * gives its share of the validation set to within one example, and which of its examples is random.
 * `labels` are the labels the run trains on (after corruption): the split uses nothing the learner
 * does not see.
 *
 * @example
 * validationSplit([0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1], 0).validation.length
 * // 2: one per class
 */
export function validationSplit(
  labels: ArrayLike<number>,
  seed: number,
): { training: Uint32Array; validation: Uint32Array } {
  const n = labels.length;
  const size = validationSize(n);
  const order = Array.from(Rng.create(seed, STREAM).permutation(n));
  order.sort((a, b) => labels[a]! - labels[b]!); // stable (ES2019): ties keep the shuffled order
  const held = new Uint8Array(n);
  for (let k = 0; k < size; k++) held[order[Math.floor(((2 * k + 1) * n) / (2 * size))]!] = 1;
  const validation = new Uint32Array(size);
  const training = new Uint32Array(n - size);
  let [v, t] = [0, 0];
  for (let i = 0; i < n; i++) {
    if (held[i]) validation[v++] = i;
    else training[t++] = i;
  }
  return { training, validation };
}
