// The fixed, class-balanced subsets: equal counts, nested, deterministic, and pinned to the generator.
import { describe, expect, it } from "vitest";
import { Rng } from "../random.js";
import { balancedQuotas, balancedSubset } from "./subset.js";

describe("balancedQuotas", () => {
  it("splits evenly, gives the remainder to the lowest classes, and fills from others when a class runs out", () => {
    expect(balancedQuotas([100, 100, 100], 30)).toEqual([10, 10, 10]);
    expect(balancedQuotas([100, 100, 100], 31)).toEqual([11, 10, 10]);
    expect(balancedQuotas([3, 100, 100], 30)).toEqual([3, 14, 13]);
    expect(balancedQuotas([3, 4, 5], 12)).toEqual([3, 4, 5]);
  });
});

describe("balancedSubset", () => {
  const labels = Uint8Array.from({ length: 600 }, (_, i) => (i * 7) % 3);

  it("takes equal counts per class, the same indices every time, and nests smaller subsets in larger ones", () => {
    const small = balancedSubset(labels, 3, 30, "t/train");
    const large = balancedSubset(labels, 3, 300, "t/train");
    const counts = [0, 0, 0];
    for (const index of small) counts[labels[index]!]!++;
    expect(counts).toEqual([10, 10, 10]);
    expect(new Set(small).size).toBe(30);
    expect(balancedSubset(labels, 3, 30, "t/train")).toEqual(small);
    const inLarge = new Set(large);
    expect([...small].every((index) => inLarge.has(index))).toBe(true);
    expect(balancedSubset(labels, 3, 30, "t/other")).not.toEqual(small);
  });
});

describe("balancedSubset, whole pools", () => {
  it("takes a whole pool in the order of its stream's permutation", () => {
    const labels = Uint8Array.of(0, 1, 2, 0, 1, 2, 0, 1);
    const order = Rng.create(0, "x/train").permutation(labels.length);
    expect(balancedSubset(labels, 3, labels.length, "x/train")).toEqual(order);
  });

  it("refuses more examples than there are", () => {
    expect(() => balancedSubset(Uint8Array.of(0, 1), 2, 3, "x/train")).toThrow(RangeError);
  });
});
