// Wall seconds to fit on hand-made curves: the time at the end of the epoch that fitted.
import { describe, expect, it } from "vitest";
import { deriveRun, epochsToFit, expandSuite, findSuite, type RunResult, wallSecondsToFit } from "./index.js";

const point = (trainAcc: number, wallSeconds: number) => ({
  epoch: 0,
  trainLoss: 1,
  trainAcc,
  testLoss: 1,
  testAcc: 0.1,
  wallSeconds,
});

describe("wallSecondsToFit", () => {
  it("reads the wall clock at the end of the epoch that fitted", () => {
    const curve = [point(0.5, 1.5), point(1, 3.25), point(1, 5)];
    expect(wallSecondsToFit(curve, 2)).toBe(3.25);
    expect(wallSecondsToFit(curve, epochsToFit(curve, 1))).toBe(3.25);
    expect(wallSecondsToFit(curve, epochsToFit(curve, 0.4))).toBe(1.5);
  });

  it("is null for a censored run, whatever its curve took", () => {
    const curve = [point(0.5, 1.5), point(0.9, 3.25)];
    expect(wallSecondsToFit(curve, epochsToFit(curve, 1))).toBeNull();
    expect(wallSecondsToFit([], null)).toBeNull();
  });

  it("is null for a failed run even when its curve reached the threshold", () => {
    const task = expandSuite(findSuite("smoke")!)[0] as RunResult["task"];
    const curve = [point(1, 2), point(1, 4)];
    const derived = deriveRun({ task: { ...task, fitThreshold: 1 }, status: "failed", curve }, null);
    expect(wallSecondsToFit(curve, derived.epochsToFit)).toBeNull();
  });

  it("rejects an epoch that is not on the curve", () => {
    expect(() => wallSecondsToFit([point(1, 2)], 2)).toThrow(RangeError);
  });
});
