// Derived metrics on hand-made curves, including censored and failed runs.
import { describe, expect, it } from "vitest";
import { makeCurve, makePredicate, newSigner } from "../tests/fixtures/bundles.js";
import {
  deriveRuns,
  epochsToFit,
  expandSuite,
  findDerivedMismatches,
  findSuite,
  genGap,
  type RunResult,
  slowdown,
  stepsPerEpoch,
} from "./index.js";

const smoke = findSuite("smoke")!;
const [trueTask, randomTask] = expandSuite(smoke, { seeds: [0] }) as [RunResult["task"], RunResult["task"]];

describe("derive", () => {
  it("finds the first epoch at the threshold, or null when censored", () => {
    expect(epochsToFit([{ trainAcc: 0.5 }, { trainAcc: 0.999 }, { trainAcc: 1 }, { trainAcc: 1 }], 1)).toBe(3);
    expect(epochsToFit([{ trainAcc: 0.5 }, { trainAcc: 0.96 }], 0.95)).toBe(2);
    expect(epochsToFit([{ trainAcc: 0.5 }, { trainAcc: 0.999 }], 1)).toBeNull();
    expect(epochsToFit([], 1)).toBeNull();
  });

  it("counts SGD steps with a smaller last batch", () => {
    expect(stepsPerEpoch({ dataset: { trainSize: 250 }, optimizer: { batchSize: 128 } })).toBe(2);
    expect(stepsPerEpoch({ dataset: { trainSize: 256 }, optimizer: { batchSize: 128 } })).toBe(2);
    expect(stepsPerEpoch({ dataset: { trainSize: 257 }, optimizer: { batchSize: 128 } })).toBe(3);
    // Early stopping trains on all but the validation tenth: 10000 − 1000 = 9000 examples, ⌈9000 / 128⌉ = 71.
    const earlyStopping = { earlyStoppingPatience: 5 };
    expect(
      stepsPerEpoch({ dataset: { trainSize: 10000 }, optimizer: { batchSize: 128 }, regularizer: earlyStopping }),
    ).toBe(71);
    expect(
      stepsPerEpoch({
        dataset: { trainSize: 10000 },
        optimizer: { batchSize: 128 },
        regularizer: { earlyStoppingPatience: null },
      }),
    ).toBe(79);
  });

  it("measures the gap at the end of training", () => {
    expect(
      genGap([
        { trainAcc: 0.5, testAcc: 0.5 },
        { trainAcc: 1, testAcc: 0.75 },
      ]),
    ).toBe(0.25);
    expect(genGap([])).toBeNull();
    expect(slowdown(840, 420)).toBe(2);
    expect(slowdown(null, 420)).toBeNull();
    expect(slowdown(840, null)).toBeNull();
  });

  it("pairs each run with its true-label sibling for the slowdown", () => {
    const runs = [
      { task: trueTask, status: "ok" as const, curve: makeCurve(12, 10) },
      { task: randomTask, status: "ok" as const, curve: makeCurve(25, 21) },
      { task: { ...randomTask, seed: 7 }, status: "ok" as const, curve: makeCurve(25, 21) },
    ];
    const [t, r, orphan] = deriveRuns(runs);
    expect(t).toMatchObject({ epochsToFit: 10, stepsToFit: 20, slowdown: 1, finalTrainAcc: 1, wallSeconds: 3 });
    expect(r).toMatchObject({ epochsToFit: 21, stepsToFit: 42, slowdown: 2.1 });
    expect(orphan!.slowdown).toBeNull();
  });

  it("leaves a censored run unfitted and a failed run without final accuracies", () => {
    const runs = [
      { task: trueTask, status: "ok" as const, curve: makeCurve(12, 10) },
      { task: randomTask, status: "ok" as const, curve: makeCurve(smoke.epochs, null, 0.1) },
    ];
    const [, censored] = deriveRuns(runs);
    expect(censored).toMatchObject({ epochsToFit: null, stepsToFit: null, slowdown: null, finalTestAcc: 0.1 });
    const [failed] = deriveRuns([{ task: trueTask, status: "failed", curve: makeCurve(3, null) }]);
    expect(failed).toEqual({
      epochsToFit: null,
      stepsToFit: null,
      finalTrainAcc: null,
      finalTestAcc: null,
      genGap: null,
      slowdown: null,
      wallSeconds: 0.75,
    });
  });

  it("finds every claimed value that disagrees with the curves", async () => {
    const predicate = await makePredicate(await newSigner(), { seeds: [0] });
    expect(findDerivedMismatches(predicate.runs)).toEqual([]);
    const runs = structuredClone(predicate.runs);
    runs[1]!.derived.stepsToFit = 2;
    runs[0]!.derived.genGap = 0;
    expect(findDerivedMismatches(runs)).toEqual([
      { path: "runs[0].derived.genGap", claimed: 0, expected: predicate.runs[0]!.derived.genGap },
      { path: "runs[1].derived.stepsToFit", claimed: 2, expected: 40 },
    ]);
  });
});
