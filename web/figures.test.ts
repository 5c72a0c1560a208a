import { describe, expect, it } from "vitest";
import type { ConditionSummary, Corruption, RunCurve, Spread } from "../schema/index.js";
import {
  corruptionSweep,
  epochReaching,
  type InsightPoint,
  insightPoints,
  learningCurves,
  memorizationGapCorrelation,
  spansDecade,
} from "./figures.js";

function run(
  corruption: Corruption,
  trainAcc: number[],
  options: { regularizer?: string; status?: "ok" | "failed" } = {},
): RunCurve {
  return {
    submissionId: `sub_${"0".repeat(32)}`,
    suite: { id: "quick", version: 1 },
    dataset: "mnist-10k",
    corruption,
    regularizer: options.regularizer ?? "none",
    seed: 0,
    status: options.status ?? "ok",
    slotRole: "standing",
    reproductions: { exact: 0, notReproduced: 0, consistent: 0, inconsistent: 0, verified: false },
    derived: {
      epochsToFit: null,
      stepsToFit: null,
      finalTrainAcc: null,
      finalTestAcc: null,
      genGap: null,
      slowdown: null,
      wallSeconds: 1,
    },
    // The curves these tests draw do not read measures; a run without them is a valid RunCurve.
    measures: null,
    curve: trainAcc.map((acc, i) => ({
      epoch: i + 1,
      trainLoss: 1,
      trainAcc: acc,
      testLoss: 1,
      testAcc: 0.5,
      wallSeconds: i + 1,
    })),
  };
}

const spread = (median: number | null, runs = 3): Spread => ({
  median,
  q1: median,
  q3: median,
  runs,
  censoredRuns: median === null ? runs : 0,
  failedRuns: 0,
  seeds: runs,
  provisional: false,
});

function condition(corruption: Corruption, level: number | null, regularizer = "none"): ConditionSummary {
  return {
    suite: { id: "quick", version: 1 },
    dataset: "mnist-10k",
    corruption,
    corruptionLevel: level,
    regularizer,
    stepsToFit: spread(100),
    epochsToFit: spread(10),
    genGap: spread(0.1),
    testError: spread(0.2),
    trainAccuracy: spread(0.9),
    slowdown: null,
    counts: {
      seeds: 3,
      standing: 3,
      confirmations: 0,
      contests: 0,
      replicates: 0,
      reproductions: 0,
      verified: 0,
      failed: 0,
      submissions: 1,
      keys: 1,
    },
  };
}

describe("learningCurves (Figure 1a)", () => {
  it("takes median and quartiles per epoch, carrying a run that stopped at its final accuracy", () => {
    const [random] = learningCurves([
      run({ kind: "random" }, [0.1, 0.5, 1]),
      run({ kind: "random" }, [0.1, 0.3, 0.6, 0.9, 1]),
      run({ kind: "random" }, [0.2, 0.4, 0.8, 1]),
    ]);
    expect(random!.points.map((p) => p.median)).toEqual([0.1, 0.4, 0.8, 1, 1]);
    expect(random!.points.map((p) => p.runs)).toEqual([3, 3, 3, 2, 1]);
    expect(random!.points[2]).toMatchObject({ q1: 0.7, q3: 0.9 });
    expect(epochReaching(random!, 1)).toBe(4);
  });

  it("orders corruptions as the paper's sweep, dashes input corruptions, drops failed and regularized runs", () => {
    const series = learningCurves([
      run({ kind: "gaussian" }, [0.1]),
      run({ kind: "random" }, [0.1]),
      run({ kind: "partial", p: 0.4 }, [0.1]),
      run({ kind: "true" }, [0.1]),
      run({ kind: "true" }, [0.9], { regularizer: "wd" }),
      run({ kind: "shuffled-pixels" }, [0.9], { status: "failed" }),
    ]);
    expect(series.map((s) => [s.key, s.dashed, s.colorVar])).toEqual([
      ["true", false, "--series-true"],
      ["partial-0.4", false, "--series-partial-0-4"],
      ["random", false, "--series-random"],
      ["gaussian", true, "--series-gaussian"],
    ]);
    expect(series[0]!.points[0]!.median).toBe(0.1);
  });
});

describe("corruptionSweep (Figures 1b and 1c)", () => {
  it("keeps the label corruptions without regularizer, by level", () => {
    const sweep = corruptionSweep([
      condition({ kind: "random" }, 1),
      condition({ kind: "gaussian" }, null),
      condition({ kind: "true" }, 0, "wd"),
      condition({ kind: "partial", p: 0.2 }, 0.2),
      condition({ kind: "true" }, 0),
    ]);
    expect(sweep.map((p) => [p.level, p.name])).toEqual([
      [0, "true labels"],
      [0.2, "20% random labels"],
      [1, "random labels"],
    ]);
    expect(sweep[0]!.testError.median).toBe(0.2);
  });
});

describe("the insight figures", () => {
  const point = (name: string, stepsToFit: number | null, genGap: number | null, censored = false): InsightPoint => ({
    fingerprint: name,
    name,
    parameterCount: 1000,
    stepsToFit,
    censored,
    genGap,
    provisional: false,
  });

  it("ranks a censored architecture as slower than every one that fitted, and leaves out one without a gap", () => {
    const result = memorizationGapCorrelation([
      point("a", 100, 0.1),
      point("b", 200, 0.2),
      point("c", null, 0.3, true),
      point("d", 50, null),
    ]);
    expect(result).toMatchObject({ n: 3, tau: 1, concordant: 3, discordant: 0 });
  });

  it("reads censoring from the leaderboard row: no median, but runs", () => {
    const row = {
      architecture: { fingerprint: "f", name: "n", parameterCount: 5 },
      stepsToFit: spread(null, 2),
      genGap: spread(0.1),
    };
    expect(insightPoints([row as never])[0]).toMatchObject({ stepsToFit: null, censored: true, genGap: 0.1 });
  });

  it("draws a log axis only for values that span a decade", () => {
    expect(spansDecade([200, 300, 1999])).toBe(false);
    expect(spansDecade([200, 2000])).toBe(true);
    expect(spansDecade([5])).toBe(false);
  });
});
