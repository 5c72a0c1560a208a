import { describe, expect, it } from "vitest";
import { erfc, kendallTau } from "./stats.js";

describe("erfc", () => {
  it("matches known values to 1e-7", () => {
    expect(erfc(0)).toBeCloseTo(1, 7);
    expect(erfc(1)).toBeCloseTo(0.157299207050285, 7);
    expect(erfc(-1)).toBeCloseTo(1.842700792949715, 7);
    expect(erfc(2.5)).toBeCloseTo(0.000406952017444959, 7);
  });
});

describe("kendallTau", () => {
  // Reference values: scipy 1.17.1, scipy.stats.kendalltau(x, y, method="asymptotic").
  it.each([
    { x: [12, 2, 1, 12, 2], y: [1, 4, 7, 1, 0], tau: -0.4714045207910316, p: 0.28274545993277467 },
    {
      x: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      y: [2, 1, 4, 3, 6, 5, 8, 7, 10, 9],
      tau: 0.7777777777777777,
      p: 0.001745118699528905,
    },
    { x: [1, 2, 3, Infinity, Infinity], y: [0.1, 0.3, 0.2, 0.5, 0.4], tau: 0.7378647873726218, p: 0.07697417298126674 },
    { x: [1, 2, 3, 4, 5, 6, 7, 8], y: [8, 7, 6, 5, 4, 3, 2, 1], tau: -1, p: 0.0005320055051392492 },
    {
      x: [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5],
      y: [2, 7, 1, 8, 2, 8, 1, 8, 2, 8, 4],
      tau: 0.14757295747452434,
      p: 0.5636090510696283,
    },
  ])("τ-b and p of $x vs $y agree with scipy", ({ x, y, tau, p }) => {
    const result = kendallTau(x, y);
    expect(result.tau).toBeCloseTo(tau, 12);
    expect(result.pValue).toBeCloseTo(p, 6);
    expect(result.n).toBe(x.length);
  });

  it("counts concordant and discordant pairs, ties in either variable in neither", () => {
    expect(kendallTau([1, 2, 3], [1, 3, 2])).toMatchObject({ concordant: 2, discordant: 1 });
    expect(kendallTau([1, 1, 2], [1, 2, 3])).toMatchObject({ concordant: 2, discordant: 0 });
  });

  it("is undefined for a constant variable and has no p-value below three pairs", () => {
    expect(kendallTau([1, 1, 1], [1, 2, 3])).toMatchObject({ tau: null, pValue: null });
    expect(kendallTau([1, 2], [2, 1])).toMatchObject({ tau: -1, pValue: null });
    expect(kendallTau([], [])).toMatchObject({ tau: null, n: 0 });
  });

  it("refuses unpaired values and NaN", () => {
    expect(() => kendallTau([1, 2], [1])).toThrow(/pairs/);
    expect(() => kendallTau([1, NaN], [1, 2])).toThrow(/NaN/);
  });
});
