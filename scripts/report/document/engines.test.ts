// The engines section's cells and its summary of how far wasm and torch runs are apart, on hand-made
// runs whose figures are worked out in the comments.
import { describe, expect, it } from "vitest";
import { deriveRun, NO_REGULARIZER, type RunResult, type Task } from "../../../schema/index.js";
import { runFromAccuracies } from "../../../tests/fixtures/curve-runs.js";
import { agreement, epochsCell } from "./engines.js";

const TASK: Task = {
  suite: { id: "quick", version: 1 },
  architecture: "mlp-1x512",
  dataset: { id: "mnist-10k", trainSize: 100, testSize: 100 },
  corruption: { kind: "true" },
  regularizer: NO_REGULARIZER,
  seed: 0,
  optimizer: { kind: "sgd-momentum", learningRate: 0.05, momentum: 0.9, decayPerEpoch: 1, batchSize: 50 },
  epochs: 10,
  fitThreshold: 1,
};

/** A finished run whose training accuracy follows `trainAccs`, ending at test accuracy `testAcc`. */
const run = (trainAccs: number[], testAcc: number): RunResult => runFromAccuracies(TASK, trainAccs, testAcc);

function failed(): RunResult {
  const measured = { task: TASK, status: "failed" as const, curve: [] };
  return {
    ...measured,
    architectureFingerprint: "a".repeat(64),
    failure: "the loss became NaN in epoch 1",
    derived: deriveRun(measured, null),
    predictions: null,
  };
}

describe("epochsCell", () => {
  it("gives the first epoch at the fit threshold, '> N' after N epochs without it, and says when a run failed", () => {
    expect(epochsCell(run([0.5, 0.9, 1, 1], 0.8))).toBe("3");
    expect(epochsCell(run([0.5, 0.6, 0.7], 0.8))).toBe("> 3");
    expect(epochsCell(failed())).toBe("failed");
    expect(epochsCell(undefined)).toBe("—");
  });
});

describe("agreement", () => {
  it("compares conditions both engines finished: fitted on both or one, the largest gaps, torch's epochs over wasm's", () => {
    const summary = agreement([
      // Both fit: wasm at epoch 2, torch at epoch 3 (3/2 = 1.5); test accuracies 0.80 and 0.83 (gap 0.03).
      { wasm: run([0.5, 1, 1], 0.8), torch: run([0.4, 0.9, 1], 0.83) },
      // Both fit at epoch 4 and 2 (2/4 = 0.5); test 0.10 and 0.12 (gap 0.02).
      { wasm: run([0.1, 0.3, 0.6, 1], 0.1), torch: run([0.2, 1, 1], 0.12) },
      // Only wasm fits; final train accuracies 1 and 0.9 (gap 0.1, the largest), test 0.5 and 0.45.
      { wasm: run([0.5, 1], 0.5), torch: run([0.5, 0.9], 0.45) },
      // Not compared: torch failed, or wasm has no run.
      { wasm: run([0.2, 0.3], 0.1), torch: failed() },
      { wasm: undefined, torch: run([1], 0.9) },
    ]);
    expect(summary.compared).toBe(3);
    expect(summary.bothFitted).toBe(2);
    expect(summary.oneFitted).toBe(1);
    expect(summary.epochRatios).toEqual([1.5, 0.5]);
    expect(summary.maxTrainGap).toBeCloseTo(0.1, 12);
    expect(summary.maxTestGap).toBeCloseTo(0.05, 12);
  });

  it("reports no gap and no ratios when nothing finished on both", () => {
    const summary = agreement([{ wasm: failed(), torch: run([1], 0.9) }]);
    expect(summary).toEqual({
      compared: 0,
      bothFitted: 0,
      oneFitted: 0,
      maxTestGap: 0,
      maxTrainGap: 0,
      epochRatios: [],
    });
  });
});
