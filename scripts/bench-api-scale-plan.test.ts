// The scale benchmark's arithmetic: sizes from --sizes, clones per growth step, percentiles.
import { describe, expect, it } from "vitest";
import { clonesToAdd, latencyPercentiles, parseSizes, requestsFor } from "./bench-api-scale-plan.js";

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
