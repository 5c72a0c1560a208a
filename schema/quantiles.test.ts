// Quantiles with censored runs as +∞, against values worked out by hand.
import { describe, expect, it } from "vitest";
import { censoredMedian, censoredQuartiles, quantile } from "./quantiles.js";

describe("quantile", () => {
  it("interpolates linearly between order statistics, as percentile_cont does", () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4], 0.25)).toBe(1.75);
    expect(quantile([10, 20, 30, 40, 50], 0.75)).toBe(40);
    expect(quantile([7], 0.25)).toBe(7);
    expect(() => quantile([], 0.5)).toThrow(/no values/);
  });

  it("is +∞ between a finite value and +∞, and between two +∞ (not NaN)", () => {
    expect(quantile([1, 2, Infinity, Infinity], 0.5)).toBe(Infinity);
    expect(quantile([1, Infinity, Infinity, Infinity], 0.5)).toBe(Infinity);
    expect(quantile([1, Infinity], 0.5)).toBe(Infinity);
    expect(quantile([3, 7, Infinity], 0.5)).toBe(7);
  });
});

describe("censoredMedian", () => {
  it("counts a censored run (null) as +∞", () => {
    expect(censoredMedian([3, 1, 2])).toBe(2);
    expect(censoredMedian([4, 2])).toBe(3);
    expect(censoredMedian([5, 6, null])).toBe(6);
    expect(censoredMedian([5, null, null])).toBe(Infinity);
    expect(censoredMedian([5, 7, null, null])).toBe(Infinity);
    expect(censoredMedian([])).toBeNull();
  });
});

describe("censoredQuartiles", () => {
  it("gives type-7 quartiles over runs with censored ones at the top", () => {
    // Sorted [1, 2, 3, +∞]: h = 0.75 → 1.75; h = 1.5 → 2.5; h = 2.25 → 3 + 0.25·∞ = +∞.
    expect(censoredQuartiles([3, null, 1, 2])).toEqual({ q1: 1.75, median: 2.5, q3: Infinity });
    expect(censoredQuartiles([null])).toEqual({ q1: Infinity, median: Infinity, q3: Infinity });
    expect(censoredQuartiles([])).toBeNull();
  });
});
