// The stopping rule on hand-made curves; every expected epoch is worked out in the comments.
import { describe, expect, it } from "vitest";
import { EPOCHS_AFTER_FIT, type StoppingTask, stopAfter } from "./stopping-rule.js";

const task = (epochs: number, patience: number | null = null, fitThreshold = 1): StoppingTask => ({
  epochs,
  fitThreshold,
  regularizer: { earlyStoppingPatience: patience },
});
const accs = (trainAcc: number[], valAcc?: number[]) =>
  trainAcc.map((acc, i) => ({ trainAcc: acc, ...(valAcc && { valAcc: valAcc[i]! }) }));

describe("stopAfter", () => {
  it("waits three epochs after the fit", () => {
    expect(EPOCHS_AFTER_FIT).toBe(3);
  });

  it("ends a run that stays fitted three epochs after the fitting epoch", () => {
    // Fitted at epoch 2, still fitted on 3, 4 and 5: the rule ends it after epoch 5 = 2 + 3.
    expect(stopAfter(accs([0.5, 1, 1, 1, 1, 1]), task(100))).toEqual({ epoch: 5, reason: "fitted" });
    // Four epochs in are only epochs 2–4 fitted: it goes on.
    expect(stopAfter(accs([0.5, 1, 1, 1]), task(100))).toBeNull();
  });

  it("starts the count again when a fitted run drops below the threshold", () => {
    // Fitted on 1 and 2, not on 3 (0.99), fitted again from 4: the streak 4, 5, 6, 7 ends it after 7.
    expect(stopAfter(accs([1, 1, 0.99, 1, 1, 1, 1, 1]), task(100))).toEqual({ epoch: 7, reason: "fitted" });
  });

  it("compares with the suite's threshold, not with 1", () => {
    // Threshold 0.95: epochs 2 (0.95), 3, 4, 5 are at or above it, so it ends after 5.
    expect(stopAfter(accs([0.9, 0.95, 0.97, 0.96, 0.99, 1]), task(100, null, 0.95))).toEqual({
      epoch: 5,
      reason: "fitted",
    });
  });

  it("ends at the budget, also when that comes before the three epochs after the fit", () => {
    expect(stopAfter(accs([0.1, 0.2, 0.3, 0.4]), task(4))).toEqual({ epoch: 4, reason: "budget" });
    // Fitted at 3 with a budget of 4: min(3 + 3, 4) = 4.
    expect(stopAfter(accs([0.5, 0.5, 1, 1]), task(4))).toEqual({ epoch: 4, reason: "budget" });
    expect(stopAfter(accs([0.1, 0.2, 0.3]), task(4))).toBeNull();
  });

  it("runs out of patience on validation accuracy that has not beaten its best", () => {
    // Patience 2. Best 0.5 at epoch 2; epoch 3 equals it (no improvement: 1), epoch 4 is below it (2).
    expect(stopAfter(accs([0.4, 0.6, 0.6, 0.6], [0.3, 0.5, 0.5, 0.4]), task(100, 2))).toEqual({
      epoch: 4,
      reason: "patience",
    });
    // Improvements at 3 and 5 start the count again: 6 is one epoch without, 7 two, so after 7.
    expect(
      stopAfter(accs([0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1], [0.3, 0.2, 0.4, 0.4, 0.5, 0.5, 0.5]), task(100, 2)),
    ).toEqual({ epoch: 7, reason: "patience" });
    expect(stopAfter(accs([0.1, 0.1, 0.1, 0.1, 0.1, 0.1], [0.3, 0.2, 0.4, 0.4, 0.5, 0.5]), task(100, 2))).toBeNull();
  });

  it("never reads test accuracy", () => {
    // Test accuracy falls every epoch (it would have ended the run after epoch 3 with patience 2);
    // validation accuracy rises, so the run goes on.
    const curve = [0.9, 0.8, 0.7, 0.6].map((testAcc, i) => ({ trainAcc: 0.5, testAcc, valAcc: 0.2 + 0.1 * i }));
    expect(stopAfter(curve, task(100, 2))).toBeNull();
  });

  it("names the fit when fit and patience end the same epoch", () => {
    // Fitted 1–4 (ends after 4); validation best at 2, flat on 3 and 4 (patience 2 also ends after 4).
    expect(stopAfter(accs([1, 1, 1, 1], [0.3, 0.4, 0.4, 0.4]), task(100, 2))).toEqual({ epoch: 4, reason: "fitted" });
  });

  it("throws when early stopping is on and an epoch has no validation accuracy", () => {
    expect(() => stopAfter(accs([0.5, 0.6]), task(100, 2))).toThrow(/epoch 1 has no valAcc/);
  });
});
