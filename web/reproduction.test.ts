import { describe, expect, it } from "vitest";
import {
  formatDivergence,
  formatDivergentValues,
  formatVerdictCounts,
  formatWaited,
  hasNegativeVerdict,
} from "./reproduction.js";

describe("divergences", () => {
  it("name the epoch, the metric and both values", () => {
    expect(formatDivergence({ epoch: 7, metric: "trainLoss", original: 0.2314, reproduced: 0.2309 })).toBe(
      "epoch 7 · trainLoss · 0.2314 → 0.2309",
    );
  });

  it("print as many digits as it takes to tell the values apart, and no more", () => {
    expect(formatDivergentValues(0.23140001, 0.23090002)).toEqual(["0.2314", "0.2309"]);
    // Equal to 6 significant digits, different at the 7th.
    expect(formatDivergentValues(0.2314001, 0.2314002)).toEqual(["0.2314001", "0.2314002"]);
    // Neighbouring doubles differ only in the 17th digit.
    expect(formatDivergentValues(0.1, 0.10000000000000002)).toEqual(["0.1", "0.10000000000000002"]);
  });

  it("leave the epoch out where the metric is not a curve value, and shorten digests", () => {
    const original = "a".repeat(64);
    const reproduced = "b".repeat(64);
    expect(formatDivergence({ epoch: null, metric: "predictions.test", original, reproduced })).toBe(
      "predictions.test · aaaaaaaaaaaa… → bbbbbbbbbbbb…",
    );
    expect(formatDivergence({ epoch: null, metric: "status", original: "ok", reproduced: "failed" })).toBe(
      "status · ok → failed",
    );
  });

  it("say none for a side that has no value, such as an epoch past the end of its curve", () => {
    expect(formatDivergence({ epoch: 13, metric: "epochs", original: 12, reproduced: 14 })).toBe(
      "epoch 13 · epochs · 12 → 14",
    );
    expect(formatDivergence({ epoch: 4, metric: "valAcc", original: 0.5, reproduced: null })).toBe(
      "epoch 4 · valAcc · 0.5 → none",
    );
  });
});

describe("verdict counts", () => {
  it("list the verdicts some run got, in a fixed order", () => {
    expect(formatVerdictCounts({ exact: 3, notReproduced: 1, consistent: 0, inconsistent: 0 })).toBe(
      "3 exact · 1 not reproduced",
    );
    expect(formatVerdictCounts({ exact: 0, notReproduced: 0, consistent: 2, inconsistent: 1 })).toBe(
      "2 consistent · 1 inconsistent",
    );
    expect(formatVerdictCounts({ exact: 0, notReproduced: 0, consistent: 0, inconsistent: 0 })).toBe("no verdicts");
  });

  it("tell a negative verdict from positive ones", () => {
    expect(hasNegativeVerdict({ exact: 5, notReproduced: 0, consistent: 2, inconsistent: 0 })).toBe(false);
    expect(hasNegativeVerdict({ exact: 5, notReproduced: 1, consistent: 0, inconsistent: 0 })).toBe(true);
    expect(hasNegativeVerdict({ exact: 0, notReproduced: 0, consistent: 0, inconsistent: 1 })).toBe(true);
  });
});

describe("waiting times", () => {
  it("use the largest whole unit", () => {
    expect(formatWaited(20_000)).toBe("less than a minute");
    expect(formatWaited(-5_000)).toBe("less than a minute");
    expect(formatWaited(60_000)).toBe("1 minute");
    expect(formatWaited(59 * 60_000 + 59_000)).toBe("59 minutes");
    expect(formatWaited(90 * 60_000)).toBe("1 hour");
    expect(formatWaited(47 * 3_600_000)).toBe("47 hours");
    expect(formatWaited(48 * 3_600_000)).toBe("2 days");
    expect(formatWaited(400 * 86_400_000)).toBe("400 days");
  });
});
