// The contract's schemas refuse what a bundle must never contain.
import { describe, expect, it } from "vitest";
import { makePredicate, newSigner } from "../../tests/fixtures/bundles.js";
import {
  Envelope,
  EpochPoint,
  expandSuite,
  findSuite,
  LIMITS,
  ResultPredicate,
  RunResult,
  SUITES,
  Suite,
  Task,
} from "../index.js";

const point = { epoch: 1, trainLoss: 2.3, trainAcc: 0.1, testLoss: 2.3, testAcc: 0.1, wallSeconds: 0.5 };

describe("EpochPoint", () => {
  it("accepts a plain point", () => {
    expect(EpochPoint.safeParse(point).success).toBe(true);
  });
  it.each([
    ["NaN loss", { trainLoss: Number.NaN }],
    ["infinite loss", { testLoss: Number.POSITIVE_INFINITY }],
    ["negative epoch", { epoch: -1 }],
    ["epoch 0", { epoch: 0 }],
    ["fractional epoch", { epoch: 1.5 }],
    ["accuracy above 1", { trainAcc: 1.0000001 }],
    ["negative accuracy", { testAcc: -0.01 }],
    ["negative wall time", { wallSeconds: -1 }],
    ["unknown key", { momentum: 0.9 }],
  ])("rejects %s", (_, change) => {
    expect(EpochPoint.safeParse({ ...point, ...change }).success).toBe(false);
  });
});

describe("RunResult and the predicate", () => {
  it("accepts the fixture and rejects each structural violation with its path", async () => {
    const predicate = await makePredicate(await newSigner());
    expect(ResultPredicate.safeParse(predicate).success).toBe(true);
    const run = predicate.runs[0]!;

    const gap = RunResult.safeParse({ ...run, curve: [run.curve[0], { ...run.curve[1]!, epoch: 5 }] });
    expect(gap.success).toBe(false);
    expect(gap.error?.issues[0]?.path).toEqual(["curve", 1, "epoch"]);

    const tooLong = RunResult.safeParse({
      ...run,
      curve: Array.from({ length: LIMITS.maxEpochs + 1 }, (_, i) => ({ ...point, epoch: i + 1 })),
    });
    expect(tooLong.success).toBe(false);

    expect(RunResult.safeParse({ ...run, status: "failed", failure: null }).success).toBe(false);
    expect(
      RunResult.safeParse({
        ...run,
        status: "failed",
        failure: "loss became NaN at epoch 3",
        predictions: null,
        measures: undefined,
      }).success,
    ).toBe(true);
    // A failed run has no final weights to measure: the fixture's ok run keeps its measures here.
    expect(run.measures).toBeDefined();
    const measuredFailure = RunResult.safeParse({ ...run, status: "failed", failure: "NaN", predictions: null });
    expect(measuredFailure.error?.issues.map((issue) => issue.path)).toEqual([["measures"]]);
    expect(RunResult.safeParse({ ...run, predictions: null }).success).toBe(false);
    expect(RunResult.safeParse({ ...run, extra: true }).success).toBe(false);
    expect(RunResult.safeParse({ ...run, derived: { ...run.derived, genGap: 1.5 } }).success).toBe(false);

    // valAcc belongs to runs with early stopping only; the fixture's runs have none.
    expect(run.task.regularizer.earlyStoppingPatience).toBeNull();
    const unasked = RunResult.safeParse({ ...run, curve: [{ ...run.curve[0]!, valAcc: 0.5 }, ...run.curve.slice(1)] });
    expect(unasked.error?.issues.map((issue) => issue.path)).toEqual([["curve", 0, "valAcc"]]);
    const earlyStopping = { ...run.task, regularizer: { ...run.task.regularizer, earlyStoppingPatience: 5 } };
    const marked = run.curve.map((p) => ({ ...p, valAcc: 0.5 }));
    expect(RunResult.safeParse({ ...run, task: earlyStopping, curve: marked }).success).toBe(true);
    expect(EpochPoint.safeParse({ ...point, valAcc: 1.5 }).success).toBe(false);

    const tooManyRuns = ResultPredicate.safeParse({
      ...predicate,
      runs: Array.from({ length: LIMITS.maxRunsPerBundle + 1 }, () => run),
    });
    expect(tooManyRuns.success).toBe(false);
    const longName = ResultPredicate.safeParse({
      ...predicate,
      submitter: { ...predicate.submitter, name: "x".repeat(LIMITS.maxName + 1) },
    });
    expect(longName.success).toBe(false);
    const controlName = ResultPredicate.safeParse({
      ...predicate,
      submitter: { ...predicate.submitter, name: "a\u0007b" },
    });
    expect(controlName.success).toBe(false);
    const infiniteInTopology = ResultPredicate.safeParse({
      ...predicate,
      architectures: [{ ...predicate.architectures[0]!, topology: { units: Number.POSITIVE_INFINITY } }],
    });
    expect(infiniteInTopology.success).toBe(false);
  });

  it("rejects envelopes with unknown keys or several signatures", () => {
    const env = {
      payloadType: "application/vnd.in-toto+json",
      payload: "e30=",
      signatures: [{ keyid: "a".repeat(64), sig: "AA==" }],
    };
    expect(Envelope.safeParse(env).success).toBe(true);
    expect(Envelope.safeParse({ ...env, signatures: [...env.signatures, ...env.signatures] }).success).toBe(false);
    expect(Envelope.safeParse({ ...env, signatures: [{ ...env.signatures[0], extra: 1 }] }).success).toBe(false);
    expect(Envelope.safeParse({ ...env, payload: "e30" }).success).toBe(false);
  });
});

describe("suites", () => {
  it("are valid, uniquely identified, and expand into valid tasks", () => {
    expect(new Set(SUITES.map((s) => `${s.id}@${s.version}`)).size).toBe(SUITES.length);
    expect(SUITES.map((s) => s.id)).toEqual(["smoke", "quick", "regularizers", "standard", "paper"]);
    for (const suite of SUITES) {
      const tasks = expandSuite(suite);
      expect(tasks.length).toBeGreaterThan(0);
      for (const task of tasks) expect(Task.safeParse(task).success).toBe(true);
    }
  });

  it("applies per-architecture learning rates and condition filters", () => {
    const paper = findSuite("paper")!;
    const tasks = expandSuite(paper);
    expect(tasks.find((t) => t.architecture === "small-inception")!.optimizer.learningRate).toBe(0.1);
    expect(tasks.find((t) => t.architecture === "small-alexnet")!.optimizer.learningRate).toBe(0.01);
    expect(tasks.filter((t) => t.regularizer.name === "no-bn").every((t) => t.architecture === "small-inception")).toBe(
      true,
    );
  });

  it("replaces the architectures with a user model that runs every condition", () => {
    const standard = findSuite("standard")!;
    const tasks = expandSuite(standard, { architectures: ["my-net"] });
    expect(
      tasks.every((t) => t.architecture === "my-net" && t.optimizer.learningRate === standard.optimizer.learningRate),
    ).toBe(true);
    expect(tasks).toHaveLength(standard.datasets.length * standard.conditions.length * standard.seeds.length);
  });

  it("rejects a suite with an unknown dataset or a partial corruption outside (0, 1)", () => {
    const smoke = findSuite("smoke")!;
    expect(Suite.safeParse({ ...smoke, datasets: [{ id: "imagenet", trainSize: 10, testSize: 10 }] }).success).toBe(
      false,
    );
    const bad = { ...smoke, conditions: [{ ...smoke.conditions[0]!, corruption: { kind: "partial", p: 1 } }] };
    expect(Suite.safeParse(bad).success).toBe(false);
  });
});
