// The validation split: its size, its class balance (counts worked out by hand), and that it is
// disjoint from the rest, deterministic for a seed and drawn from the seed's own stream.
import { describe, expect, it } from "vitest";
import { Rng } from "./random.js";
import { VALIDATION_FRACTION, validationSize, validationSplit } from "./validation-split.js";

const countByClass = (labels: ArrayLike<number>, indices: Uint32Array, classes: number) => {
  const counts = new Array<number>(classes).fill(0);
  for (const i of indices) counts[labels[i]!]!++;
  return counts;
};

describe("validationSize", () => {
  it("holds out a rounded tenth, at least one example and never all of them", () => {
    expect(VALIDATION_FRACTION).toBe(0.1);
    expect(validationSize(250)).toBe(25);
    expect(validationSize(10000)).toBe(1000);
    expect(validationSize(14)).toBe(1); // 1.4
    expect(validationSize(15)).toBe(2); // 1.5 rounds up
    expect(validationSize(5)).toBe(1); // 0.5 rounds up to the minimum of one
    expect(validationSize(2)).toBe(1); // one to validate on, one to train on
    expect(() => validationSize(1)).toThrow(/at least 2 training examples/);
  });
});

describe("validationSplit", () => {
  // The smoke suite's shape: 250 examples, 25 of each of 10 classes.
  const balanced = Uint8Array.from({ length: 250 }, (_, i) => i % 10);

  it("partitions the subset into ascending training and validation indices", () => {
    const { training, validation } = validationSplit(balanced, 0);
    expect(validation).toHaveLength(25);
    expect(training).toHaveLength(225);
    const all = [...training, ...validation].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 250 }, (_, i) => i));
    expect([...training]).toEqual([...training].sort((a, b) => a - b));
    expect([...validation]).toEqual([...validation].sort((a, b) => a - b));
  });

  it("takes each class's share to within one example", () => {
    // Sorted by class, class c holds positions 25c … 25c + 24; the picks are positions 5, 15, …, 245,
    // so even classes give two (25c + 5, 25c + 15) and odd classes three (25c, 25c + 10, 25c + 20).
    for (const seed of [0, 1, 2]) {
      expect(countByClass(balanced, validationSplit(balanced, seed).validation, 10)).toEqual([
        2, 3, 2, 3, 2, 3, 2, 3, 2, 3,
      ]);
    }
    // 50 of class 0 and 10 of class 1: six picks at positions 5, 15, 25, 35, 45 (class 0) and 55 (class 1).
    const skewed = Uint8Array.from({ length: 60 }, (_, i) => (i < 50 ? 0 : 1));
    expect(countByClass(skewed, validationSplit(skewed, 3).validation, 2)).toEqual([5, 1]);
  });

  it("is the same for a seed, and another seed picks other examples of each class", () => {
    const a = validationSplit(balanced, 0);
    expect(validationSplit(balanced, 0)).toEqual(a);
    expect([...validationSplit(balanced, 1).validation]).not.toEqual([...a.validation]);
  });

  it("picks within a class by the seed's train/validation-split stream", () => {
    // One class of ten: the one pick is position ⌊(2·0 + 1)·10 / 2⌋ = 5 of the shuffled order.
    const labels = new Uint8Array(10);
    for (const seed of [0, 7, 2 ** 31 - 1]) {
      const shuffled = Rng.create(seed, "train/validation-split").permutation(10);
      expect([...validationSplit(labels, seed).validation]).toEqual([shuffled[5]]);
    }
  });
});
