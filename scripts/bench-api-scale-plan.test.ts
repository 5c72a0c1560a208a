// The scale benchmark's arithmetic: sizes from --sizes, clones per growth step, percentiles.
import { describe, expect, it } from "vitest";
import { clonesToAdd, latencyPercentiles, parseSizes, requestsFor, scaleGoal } from "./bench-api-scale-plan.js";

describe("parseSizes", () => {
  it("reads whole counts and powers of ten", () => {
    expect(parseSizes("1000, 1e4,100000")).toEqual([1000, 10000, 100000]);
  });

  it("refuses sizes that are not positive whole numbers, naming them", () => {
    expect(() => parseSizes("1000,ten")).toThrow(/not "ten"/);
    expect(() => parseSizes("0")).toThrow(/not "0"/);
    expect(() => parseSizes("1.5")).toThrow(/not "1.5"/);
    expect(() => parseSizes("1000,")).toThrow(/not ""/);
  });

  it("refuses sizes that do not grow", () => {
    expect(() => parseSizes("10000,1000")).toThrow(/1000 follows 10000/);
  });
});

describe("clonesToAdd", () => {
  it("adds just enough clones to reach the target", () => {
    // 24 runs + 163 × 6 = 1002 ≥ 1000, and 162 × 6 + 24 = 996 < 1000.
    expect(clonesToAdd(1000, 24, 6)).toBe(163);
    expect(clonesToAdd(1002, 24, 6)).toBe(163);
    expect(clonesToAdd(1003, 24, 6)).toBe(164);
  });

  it("adds nothing to a board already that large", () => {
    expect(clonesToAdd(1000, 1000, 6)).toBe(0);
    expect(clonesToAdd(1000, 5000, 6)).toBe(0);
  });

  it("refuses clones without runs", () => {
    expect(() => clonesToAdd(1000, 0, 0)).toThrow(/must add runs/);
  });
});

describe("latencyPercentiles", () => {
  it("interpolates between order statistics as percentile_cont does", () => {
    // Sorted 1..5: p50 at index 2 = 3; p95 at index 3.8 = 4 + 0.8 × (5 − 4).
    expect(latencyPercentiles([4, 1, 3, 2, 5])).toEqual({ p50: 3, p95: 4.8 });
    // Twenty values 1..20: p95 at index 18.05 = 19.05.
    const twenty = Array.from({ length: 20 }, (_, i) => 20 - i);
    expect(latencyPercentiles(twenty).p50).toBeCloseTo(10.5, 12);
    expect(latencyPercentiles(twenty).p95).toBeCloseTo(19.05, 12);
  });
});

describe("requestsFor", () => {
  it("fills the time, within the bounds", () => {
    expect(requestsFor(5, 20, { minimum: 5, maximum: 2000 })).toBe(250);
    expect(requestsFor(5, 0.5, { minimum: 5, maximum: 2000 })).toBe(2000);
    expect(requestsFor(5, 30_000, { minimum: 5, maximum: 2000 })).toBe(5);
  });
});

describe("scaleGoal", () => {
  const size = (health: number, memorization: number, gap: number) => ({
    health: { p50: health },
    leaderboard: { memorization: { p50: memorization }, gap: { p50: gap } },
  });
  const goal = { maxHealthRatio: 5, flatness: 0.5 };

  it("is met by reads close to /health that stay flat", () => {
    // Ratios 2.5, 3, 3.2, 3.6 (worst 3.6 ≤ 5); growth 3.6/2.5 = 1.44 and 3.2/3 = 1.0667, both within 0.5–1.5.
    const result = scaleGoal([size(1, 2.5, 3), size(1, 3.6, 3.2)], goal);
    expect(result.worstHealthRatio).toBeCloseTo(3.6, 12);
    expect(result.growth.memorization).toBeCloseTo(1.44, 12);
    expect(result.growth.gap).toBeCloseTo(3.2 / 3, 12);
    expect(result.met).toBe(true);
  });

  it("is missed by a read more than 5× /health at any size", () => {
    // 2.6 / 0.5 = 5.2 at the second size, though the growth (2.6/2.5 = 1.04) is flat.
    const result = scaleGoal([size(1, 2.5, 2.5), size(0.5, 2.6, 2.5)], goal);
    expect(result.worstHealthRatio).toBeCloseTo(5.2, 12);
    expect(result.met).toBe(false);
  });

  it("is missed by a read that grows more than 50% from the smallest size to the largest", () => {
    // Gap: 4.6 / 3 = 1.53 > 1.5, all within 5 × /health.
    const result = scaleGoal([size(1, 3, 3), size(1, 3, 4.6), size(1, 3.1, 4.6)], goal);
    expect(result.growth.gap).toBeCloseTo(4.6 / 3, 12);
    expect(result.met).toBe(false);
  });

  it("needs a measured size", () => {
    expect(() => scaleGoal([], goal)).toThrow(/at least one/);
  });
});
