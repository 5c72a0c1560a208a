// The fixed, class-balanced choice of examples that cuts a dataset to a suite's sizes.
import { Rng } from "../random.js";

/**
 * How many examples of each class a subset of `size` takes: round-robin over the classes
 * (0, 1, …, K-1, 0, …), one example each turn, skipping classes that have run out. Equal
 * counts whenever the classes have enough examples; otherwise as equal as they allow. Throws
 * a RangeError when fewer than `size` examples are available.
 *
 * @example
 * balancedQuotas([3, 100, 100], 30) // [3, 14, 13]
 */
export function balancedQuotas(available: readonly number[], size: number): number[] {
  const quotas = available.map(() => 0);
  let taken = 0;
  while (taken < size) {
    let progressed = false;
    for (let c = 0; c < available.length && taken < size; c++) {
      if (quotas[c]! < available[c]!) {
        quotas[c]!++;
        taken++;
        progressed = true;
      }
    }
    if (!progressed) throw new RangeError(`asked for ${size} examples of ${taken} available`);
  }
  return quotas;
}

/**
 * The indices of a deterministic, class-balanced subset of `size` examples: the split's
 * examples are put in a fixed pseudo-random order (seed 0, stream `stream`), and each class
 * contributes its first `quota` examples in that order. Smaller subsets are therefore
 * always contained in larger ones. The indices come back in that order.
 *
 * @example
 * balancedSubset(labels, 10, 250, "mnist-10k/train") // 250 indices, 25 of each class
 */
export function balancedSubset(labels: Uint8Array, classes: number, size: number, stream: string): Uint32Array {
  const available = new Array<number>(classes).fill(0);
  for (const label of labels) available[label]!++;
  const quotas = balancedQuotas(available, size);
  const order = Rng.create(0, stream).permutation(labels.length);
  const chosen = new Uint32Array(size);
  let n = 0;
  for (const index of order) {
    const label = labels[index]!;
    if (quotas[label]! > 0) {
      quotas[label]!--;
      chosen[n++] = index;
    }
  }
  return chosen;
}
