// checkProtocol on hand-made runs of a small suite: seeds, complete conditions, and curves that
// end where the stopping rule says (every expected epoch is worked out in the comments).
import { describe, expect, it } from "vitest";
import {
  type Condition,
  DEFAULT_MEASURE_SETTINGS,
  type EpochPoint,
  expandSuite,
  NO_REGULARIZER,
  type RunMeasures,
  type RunResult,
  type Suite,
  type Task,
  taskKey,
} from "./contract/index.js";
import { checkProtocol } from "./protocol-checks.js";
import { kernelTopology } from "./topology/kernel.js";

const earlyStop = { ...NO_REGULARIZER, name: "early-stop", earlyStoppingPatience: 2 };
/** Two architectures, two seeds, a budget of 10 epochs; early stopping only for mlp-a. */
const suite: Suite = {
  id: "test",
  version: 3,
  title: "Test",
  description: "A suite for checkProtocol's tests.",
  datasets: [{ id: "synthetic", trainSize: 100, testSize: 50 }],
  architectures: [{ id: "mlp-a" }, { id: "mlp-b" }],
  conditions: [
    { corruption: { kind: "true" }, regularizer: NO_REGULARIZER },
    { corruption: { kind: "random" }, regularizer: NO_REGULARIZER },
    { corruption: { kind: "true" }, regularizer: earlyStop, architectures: ["mlp-a"] },
  ] satisfies Condition[],
  seeds: [0, 1],
  optimizer: { kind: "sgd-momentum", learningRate: 0.05, momentum: 0.9, decayPerEpoch: 1, batchSize: 32 },
  epochs: 10,
  fitThreshold: 1,
};

/** A curve from per-epoch training accuracies (and validation accuracies for early stopping). */
function curve(trainAcc: number[], valAcc?: number[]): EpochPoint[] {
  return trainAcc.map((acc, i) => ({
    epoch: i + 1,
    trainLoss: 1 - acc,
    trainAcc: acc,
    testLoss: 1,
    testAcc: 0.5,
    ...(valAcc && { valAcc: valAcc[i]! }),
    wallSeconds: i + 1,
  }));
}

/** Fitted at epoch 2 and after: the rule ends it after epoch 2 + 3 = 5. */
const FITS_AT_2 = [0.5, 1, 1, 1, 1];
/** Validation best 0.6 at epoch 2, not beaten on 3 and 4: patience 2 ends it after epoch 4. */
const EARLY_STOPPED = { trainAcc: [0.5, 0.6, 0.7, 0.8], valAcc: [0.5, 0.6, 0.6, 0.55] };

function run(task: Task, points: EpochPoint[], status: "ok" | "failed" = "ok"): RunResult {
  // checkProtocol reads the task, status and curve; the rest is there to satisfy the type.
  return {
    task,
    architectureFingerprint: "0".repeat(64),
    status,
    failure: status === "ok" ? null : "the loss became NaN",
    curve: points,
    derived: {
      epochsToFit: null,
      stepsToFit: null,
      finalTrainAcc: null,
      finalTestAcc: null,
      genGap: null,
      slowdown: null,
      wallSeconds: 0,
    },
    predictions: null,
  };
}

/** A run of every task given that follows the rule: early stopping by EARLY_STOPPED, the rest by FITS_AT_2. */
function followingRuns(tasks: Task[]): RunResult[] {
  return tasks.map((task) =>
    task.regularizer.earlyStoppingPatience === null
      ? run(task, curve(FITS_AT_2))
      : run(task, curve(EARLY_STOPPED.trainAcc, EARLY_STOPPED.valAcc)),
  );
}

const tasksOf = (architecture: string, seed: number, options: { user?: boolean } = {}) =>
  expandSuite(suite, { seeds: [seed], ...(options.user && { architectures: [architecture] }) }).filter(
    (t) => t.architecture === architecture,
  );

describe("checkProtocol", () => {
  it("accepts complete runs of the suite's seeds that end where the rule ends them", () => {
    const runs = followingRuns([...tasksOf("mlp-a", 0), ...tasksOf("mlp-a", 1), ...tasksOf("mlp-b", 0)]);
    expect(runs).toHaveLength(3 + 3 + 2); // mlp-a has the early-stopping condition, mlp-b does not
    expect(checkProtocol({ runs }, suite)).toEqual([]);
  });

  it("refuses a seed that is not one of the suite's", () => {
    const runs = followingRuns(tasksOf("mlp-b", 7));
    const errors = checkProtocol({ runs }, suite);
    expect(errors).toEqual([
      {
        path: "predicate.runs[0].task.seed",
        message: "mlp-b/synthetic/true/none/seed-7: seed 7 is not one of suite test v3's seeds (0, 1)",
      },
      {
        path: "predicate.runs[1].task.seed",
        message: "mlp-b/synthetic/random/none/seed-7: seed 7 is not one of suite test v3's seeds (0, 1)",
      },
    ]);
  });

  it("refuses a bundle that leaves out a condition of an architecture and seed it covers", () => {
    // mlp-a seed 1 without its random-label run; mlp-a seed 0 complete.
    const runs = followingRuns([
      ...tasksOf("mlp-a", 0),
      ...tasksOf("mlp-a", 1).filter((t) => t.corruption.kind !== "random"),
    ]);
    expect(checkProtocol({ runs }, suite)).toEqual([
      {
        path: "predicate.runs",
        message:
          "mlp-a/synthetic/random/none/seed-1 is missing: a bundle that covers mlp-a/synthetic/seed-1 must hold " +
          "every condition of suite test v3 that applies to mlp-a (3 runs; it has 2)",
      },
    ]);
  });

  it("holds a user-supplied architecture to every condition, also those the suite limits to others", () => {
    const user = tasksOf("my-net", 0, { user: true });
    expect(user.map(taskKey)).toEqual([
      "my-net/synthetic/true/none/seed-0",
      "my-net/synthetic/random/none/seed-0",
      "my-net/synthetic/true/early-stop/seed-0",
    ]);
    expect(checkProtocol({ runs: followingRuns(user) }, suite)).toEqual([]);
    const errors = checkProtocol({ runs: followingRuns(user.slice(0, 2)) }, suite);
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/^my-net\/synthetic\/true\/early-stop\/seed-0 is missing/),
    ]);
  });

  it("refuses a curve that goes on after the three epochs after the fit", () => {
    const [task, random] = tasksOf("mlp-b", 0);
    const runs = [run(task!, curve([...FITS_AT_2, 1])), run(random!, curve(FITS_AT_2))];
    expect(checkProtocol({ runs }, suite)).toEqual([
      {
        path: "predicate.runs[0].curve",
        message:
          "mlp-b/synthetic/true/none/seed-0: the curve has 6 epochs, but the stopping rule ends the run after " +
          "epoch 5: training accuracy reached the fit threshold 1 on epochs 2 to 5, the fitting epoch and 3 more",
      },
    ]);
  });

  it("refuses an ok curve that stops before the rule does, and uses the suite's budget, not the run's", () => {
    const [task, random] = tasksOf("mlp-b", 0);
    // Never fitted, 4 epochs of a budget of 10; the run claims a budget of 4 in its task.
    const short = run({ ...task!, epochs: 4 }, curve([0.2, 0.3, 0.4, 0.5]));
    const errors = checkProtocol({ runs: [short, run(random!, curve(FITS_AT_2))] }, suite);
    expect(errors).toEqual([
      {
        path: "predicate.runs[0].curve",
        message:
          "mlp-b/synthetic/true/none/seed-0: the curve ends after epoch 4, before the stopping rule ends the run: " +
          "training accuracy had not reached the fit threshold 1 on 4 epochs in a row and the budget is 10 epochs",
      },
    ]);
    // The whole budget: 10 epochs without a fit is where the rule ends it.
    const censored = run(task!, curve(Array.from({ length: 10 }, () => 0.5)));
    expect(checkProtocol({ runs: [censored, run(random!, curve(FITS_AT_2))] }, suite)).toEqual([]);
  });

  it("lets a failed run end early, never after the rule's end", () => {
    const [task, random] = tasksOf("mlp-b", 0);
    const failedEarly = run(task!, curve([0.2, 0.3]), "failed");
    expect(checkProtocol({ runs: [failedEarly, run(random!, curve(FITS_AT_2))] }, suite)).toEqual([]);
    const failedLate = run(task!, curve([...FITS_AT_2, 1]), "failed");
    const errors = checkProtocol({ runs: [failedLate, run(random!, curve(FITS_AT_2))] }, suite);
    expect(errors.map((e) => e.path)).toEqual(["predicate.runs[0].curve"]);
    expect(errors[0]!.message).toContain("the curve has 6 epochs, but the stopping rule ends the run after epoch 5");
  });

  it("checks early stopping against validation accuracy, which the curve must carry", () => {
    const tasks = tasksOf("mlp-a", 0);
    const early = tasks.findIndex((t) => t.regularizer.name === "early-stop");
    const withEarly = (points: EpochPoint[]) =>
      tasks.map((t, i) => (i === early ? run(t, points) : run(t, curve(FITS_AT_2))));

    // Stopped where test accuracy would say: test accuracy best at epoch 1, then flat for 2 epochs;
    // validation accuracy rose on every epoch, so the rule had not ended the run after epoch 3.
    const onTest = curve([0.5, 0.6, 0.7], [0.5, 0.6, 0.7]).map((p, i) => ({ ...p, testAcc: i === 0 ? 0.6 : 0.5 }));
    const errors = checkProtocol({ runs: withEarly(onTest) }, suite);
    expect(errors).toEqual([
      {
        path: `predicate.runs[${early}].curve`,
        message:
          "mlp-a/synthetic/true/early-stop/seed-0: the curve ends after epoch 3, before the stopping rule ends " +
          "the run: training accuracy had not reached the fit threshold 1 on 4 epochs in a row, validation " +
          "accuracy had improved within the last 2 epochs and the budget is 10 epochs",
      },
    ]);

    // Trained past its patience: EARLY_STOPPED plus one more epoch.
    const past = curve([...EARLY_STOPPED.trainAcc, 0.9], [...EARLY_STOPPED.valAcc, 0.7]);
    expect(checkProtocol({ runs: withEarly(past) }, suite).map((e) => e.message)).toEqual([
      "mlp-a/synthetic/true/early-stop/seed-0: the curve has 5 epochs, but the stopping rule ends the run after " +
        "epoch 4: validation accuracy had not improved on its best for 2 epochs (early stopping's patience)",
    ]);

    // No validation accuracy on epoch 3: the stopping point cannot be checked.
    const unmarked = curve(EARLY_STOPPED.trainAcc, EARLY_STOPPED.valAcc).map(({ valAcc, ...p }, i) =>
      i === 2 ? p : { ...p, valAcc },
    );
    expect(checkProtocol({ runs: withEarly(unmarked) }, suite)).toEqual([
      {
        path: `predicate.runs[${early}].curve[2].valAcc`,
        message:
          "mlp-a/synthetic/true/early-stop/seed-0: early stopping selects on validation accuracy, so every epoch " +
          "must carry valAcc for the stopping point to be checked",
      },
    ]);
  });

  it("holds a kernel to one point and to the run's training set, which its parameter count is made of", () => {
    const kernel = (trainingPoints: number) => ({
      kind: "kernel" as const,
      fingerprint: "1".repeat(64),
      topology: kernelTopology({ gamma: 0.02, inputShape: [8, 8, 1], classes: 10, trainingPoints }),
    });
    const runs = tasksOf("rbf-kernel", 0, { user: true }).map((task) => ({
      ...run(task, curve([1])),
      architectureFingerprint: "1".repeat(64),
    }));
    expect(checkProtocol({ runs, architectures: [kernel(100)] as never }, suite)).toEqual([]);
    const small = checkProtocol({ runs, architectures: [kernel(10)] as never }, suite);
    expect(small.map((e) => e.path)).toEqual(runs.map((_, i) => `predicate.runs[${i}].architectureFingerprint`));
    expect(small[0]!.message).toBe(
      "rbf-kernel/synthetic/true/none/seed-0: the kernel interpolates 10 training points, but the run trains on 100",
    );
    const twoPoints = [{ ...runs[0]!, curve: curve([1, 1]) }, ...runs.slice(1)];
    expect(checkProtocol({ runs: twoPoints, architectures: [kernel(100)] as never }, suite)).toEqual([
      {
        path: "predicate.runs[0].curve",
        message: "rbf-kernel/synthetic/true/none/seed-0: a closed-form solution has one point, not 2",
      },
    ]);
  });
});

describe("checkProtocol on complexity measures", () => {
  /** The same suite recording measures (the settings every current suite uses). */
  const measured: Suite = { ...suite, measures: DEFAULT_MEASURE_SETTINGS };
  const MLP = { kind: "layers-json" as const, fingerprint: "0".repeat(64), parameterCount: 1000 };
  /** Consistent by hand: 2·2 − 2·ln 2 = 4 − 1.3862943611198906, 2.613705638880109 as the nearest double. */
  const MEASURES: RunMeasures = {
    parameterCount: 1000,
    frobeniusSquared: 12,
    distanceFromInit: 3,
    logSpectralProduct: 2,
    logSpectralOverMargin: 2.613705638880109,
    logPathL2: 1,
    margin: 2,
    flatnessSigma: 0.1, // on the bisection grid (k = 192 of 256)
    adversarialSharpness: 0.2,
    seconds: 0.5,
  };
  const withMeasures = (runs: RunResult[], measures: RunMeasures = MEASURES) =>
    runs.map((r) => (r.status === "ok" ? { ...r, measures } : r));
  const check = (runs: RunResult[], on: Suite = measured) => checkProtocol({ runs, architectures: [MLP] as never }, on);

  it("accepts every ok run with consistent measures, and failed runs without them", () => {
    const [task, random] = tasksOf("mlp-b", 0);
    expect(check(withMeasures(followingRuns(tasksOf("mlp-b", 0))))).toEqual([]);
    const failed = run(random!, curve([0.2, 0.3]), "failed");
    expect(check([...withMeasures([run(task!, curve(FITS_AT_2))]), failed])).toEqual([]);
  });

  it("refuses an ok run without measures where the suite records them, and measures where it does not", () => {
    const runs = followingRuns(tasksOf("mlp-b", 0));
    const missing = check([withMeasures(runs)[0]!, runs[1]!]);
    expect(missing).toEqual([
      {
        path: "predicate.runs[1].measures",
        message:
          "mlp-b/synthetic/random/none/seed-0: suite test v3 records complexity measures on every run; " +
          "this run has none",
      },
    ]);
    expect(check(withMeasures(runs), suite).map((e) => e.message)).toEqual([
      "mlp-b/synthetic/true/none/seed-0: suite test v3 predates complexity measures; leave them out",
      "mlp-b/synthetic/random/none/seed-0: suite test v3 predates complexity measures; leave them out",
    ]);
  });

  it("refuses a parameter count other than the architecture's and a spectral ratio other than its parts'", () => {
    const runs = followingRuns(tasksOf("mlp-b", 0)).slice(0, 1);
    const random = followingRuns(tasksOf("mlp-b", 0)).slice(1);
    const wrongCount = check([...withMeasures(runs, { ...MEASURES, parameterCount: 999 }), ...withMeasures(random)]);
    expect(wrongCount).toEqual([
      {
        path: "predicate.runs[0].measures",
        message: "mlp-b/synthetic/true/none/seed-0: parameterCount is 999, but the architecture has 1000 parameters",
      },
    ]);
    const wrongRatio = check([
      ...withMeasures(runs, { ...MEASURES, logSpectralOverMargin: 2.6137 }),
      ...withMeasures(random),
    ]);
    expect(wrongRatio.map((e) => e.message)).toEqual([
      "mlp-b/synthetic/true/none/seed-0: logSpectralOverMargin is 2.6137, but 2·logSpectralProduct − 2·ln(margin) " +
        "is 2.613705638880109",
    ]);
  });

  it("refuses measures on a kernel baseline's run, which has no weights", () => {
    const kernel = {
      kind: "kernel" as const,
      fingerprint: "1".repeat(64),
      topology: kernelTopology({ gamma: 0.02, inputShape: [8, 8, 1], classes: 10, trainingPoints: 100 }),
    };
    const runs = tasksOf("rbf-kernel", 0, { user: true }).map((task) => ({
      ...run(task, curve([1])),
      architectureFingerprint: "1".repeat(64),
    }));
    expect(checkProtocol({ runs, architectures: [kernel] as never }, measured)).toEqual([]);
    const measuredKernel = checkProtocol({ runs: withMeasures(runs), architectures: [kernel] as never }, measured);
    expect(measuredKernel.map((e) => e.path)).toEqual(runs.map((_, i) => `predicate.runs[${i}].measures`));
    expect(measuredKernel[0]!.message).toBe(
      "rbf-kernel/synthetic/true/none/seed-0: a closed-form solution has no weights to measure; leave measures out",
    );
  });
});
