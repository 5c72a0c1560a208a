// Scoring on hand-made datasets: exact accuracies, pinned files, unscorable and unknown datasets.
import { describe, expect, it } from "vitest";
import { encodeClasses } from "./bytes.js";
import { expandSuite, type ResultPredicate, type RunMeasures, type RunResult, type Task } from "./contract/index.js";
import { runLabels } from "./datasets/labels.js";
import type { DatasetRegistry, KnownDataset } from "./datasets/registry.js";
import { scoreRuns, unscorableDatasets } from "./scoring.js";
import { findSuite } from "./suites/index.js";

const FILES = [
  { name: "data_batch_1.bin", sha256: "1".repeat(64) },
  { name: "test_batch.bin", sha256: "2".repeat(64) },
];
// Three classes; the runs take the whole pools, 9 training and 3 test examples.
const CIFAR: KnownDataset = {
  id: "cifar10",
  classes: 3,
  files: FILES,
  labels: { classes: 3, train: Uint8Array.of(0, 1, 2, 2, 1, 0, 0, 1, 2), test: Uint8Array.of(2, 1, 0) },
};
const REGISTRY: DatasetRegistry = new Map([
  ["cifar10", CIFAR],
  ["mnist", { id: "mnist", classes: 3, files: FILES, labels: null }],
]);

function task(id: Task["dataset"]["id"], seed: number, trainSize = 9): Task {
  return {
    ...expandSuite(findSuite("smoke")!)[0]!,
    dataset: { id, trainSize, testSize: 3 },
    corruption: { kind: "random" },
    seed,
  };
}

/** An ok run whose predictions are the derived labels with `wrong` training examples changed. */
function run(t: Task, claimed: { trainAcc: number; testAcc: number }, wrong: number[] = []): RunResult {
  const labels = runLabels(t, CIFAR.labels!);
  const train = labels.train.map((label, i) => (wrong.includes(i) ? (label + 1) % 3 : label));
  const point = { epoch: 1, trainLoss: 0.1, testLoss: 0.1, wallSeconds: 1, ...claimed };
  return {
    task: t,
    status: "ok",
    failure: null,
    curve: [point],
    predictions: { train: encodeClasses(train), test: encodeClasses(labels.test) },
  } as RunResult;
}

/** The fingerprint and parameter count of the one architecture the margin cases run. */
const ARCHITECTURE = { fingerprint: "a".repeat(64), parameterCount: 100 };

function predicate(runs: RunResult[], files = FILES, id: Task["dataset"]["id"] = "cifar10"): ResultPredicate {
  const datasets = [{ id, trainSize: 9, testSize: 3, classes: 3, shape: [32, 32, 3], files }];
  return { suite: findSuite("smoke")!, architectures: [ARCHITECTURE], datasets, runs } as never;
}

/** Measures with this margin, and nothing the margin's sign check does not read (no spectral product). */
function withMargin(r: RunResult, margin: number, parameterCount = ARCHITECTURE.parameterCount): RunResult {
  const measures: RunMeasures = {
    parameterCount,
    frobeniusSquared: 10,
    distanceFromInit: 1,
    logSpectralProduct: null,
    logSpectralOverMargin: null,
    logPathL2: null,
    margin,
    flatnessSigma: 0.01,
    adversarialSharpness: 0.1,
    seconds: 1,
  };
  return { ...r, architectureFingerprint: ARCHITECTURE.fingerprint, measures };
}

describe("scoreRuns", () => {
  it("accepts predictions that score exactly the last epoch's accuracies", () => {
    const runs = [
      run(task("cifar10", 0), { trainAcc: 1, testAcc: 1 }),
      run(task("cifar10", 1), { trainAcc: 1, testAcc: 1 }),
    ];
    expect(scoreRuns(predicate(runs), REGISTRY)).toEqual([]);
    // 3 of 9 training predictions wrong: 6/9.
    expect(
      scoreRuns(predicate([run(task("cifar10", 0), { trainAcc: 6 / 9, testAcc: 1 }, [0, 4, 8])]), REGISTRY),
    ).toEqual([]);
  });

  it("reports an accuracy the predictions do not give, even by one unit in the last place", () => {
    const t = task("cifar10", 0);
    // 6/9 is 0.6666666666666666; the next double up is 0.6666666666666667.
    const errors = scoreRuns(predicate([run(t, { trainAcc: 0.6666666666666667, testAcc: 1 }, [0, 4, 8])]), REGISTRY);
    expect(errors).toEqual([
      {
        path: "predicate.runs[0].curve[0].trainAcc",
        message:
          "mlp-1x512/cifar10/random/none/seed-0: the last epoch's trainAcc is 0.6666666666666667, but the run's " +
          "final train predictions score 0.6666666666666666 (6 of 9 correct) against the labels this server derives",
      },
    ]);
    const test = scoreRuns(predicate([run(t, { trainAcc: 1, testAcc: 2 / 3 })]), REGISTRY);
    expect(test.map((e) => e.path)).toEqual(["predicate.runs[0].curve[0].testAcc"]);
    expect(test[0]!.message).toContain("testAcc is 0.6666666666666666, but the run's final test predictions score 1");
  });

  it("scores against the run's own seed: another seed's random labels do not fit", () => {
    const honest = run(task("cifar10", 0), { trainAcc: 1, testAcc: 1 });
    const reseeded = { ...honest, task: task("cifar10", 1) };
    expect(scoreRuns(predicate([reseeded]), REGISTRY).map((e) => e.path)).toEqual([
      "predicate.runs[0].curve[0].trainAcc",
    ]);
  });

  it("skips failed runs, which have no predictions", () => {
    const failed = { ...run(task("cifar10", 0), { trainAcc: 0.5, testAcc: 0.5 }), status: "failed", predictions: null };
    expect(scoreRuns(predicate([failed as RunResult]), REGISTRY)).toEqual([]);
  });

  it("checks the dataset's files against the pinned ones, once per dataset, and then scores nothing of it", () => {
    const lying = run(task("cifar10", 0), { trainAcc: 1, testAcc: 1 }, [0]);
    const swapped = [FILES[0]!, { name: "test_batch.bin", sha256: "3".repeat(64) }];
    expect(scoreRuns(predicate([lying, lying], swapped), REGISTRY)).toEqual([
      {
        path: "predicate.datasets[0].files[1].sha256",
        message:
          `cifar10's test_batch.bin has SHA-256 ${"3".repeat(64)}, not the pinned ${"2".repeat(64)}: ` +
          "a different file under the same name",
      },
    ]);
    const renamed = [FILES[0]!, { name: "test_batch.txt", sha256: "2".repeat(64) }];
    expect(scoreRuns(predicate([lying], renamed), REGISTRY)).toEqual([
      {
        path: "predicate.datasets[0].files[1].name",
        message: "test_batch.txt is not a file of cifar10 (data_batch_1.bin, test_batch.bin)",
      },
      { path: "predicate.datasets[0].files", message: "lacks test_batch.bin of cifar10" },
    ]);
  });

  it("checks the record's image shape: an 8x8 claim would pass CIFAR-10 runs off as the 8x8 built-ins'", () => {
    const honest = run(task("cifar10", 0), { trainAcc: 1, testAcc: 1 });
    const shrunk = predicate([honest]);
    shrunk.datasets[0]!.shape = [8, 8, 1];
    expect(scoreRuns(shrunk, REGISTRY)).toEqual([
      { path: "predicate.datasets[0].shape", message: "cifar10's images are 32x32x3, not 8x8x1" },
    ]);
  });

  it("checks the margin's sign against the scored training predictions", () => {
    // 9 examples, quantile 0.1: type 7 interpolates between the sorted margins at 0-based positions
    // ⌊8 · 0.1⌋ = 0 and 1. With no wrong example both are ≥ 0; with 2 or more both are ≤ 0.
    const t = task("cifar10", 0);
    const allRight = run(t, { trainAcc: 1, testAcc: 1 });
    const oneWrong = run(t, { trainAcc: 8 / 9, testAcc: 1 }, [3]);
    const threeWrong = run(t, { trainAcc: 6 / 9, testAcc: 1 }, [0, 4, 8]);
    const score = (r: RunResult) => scoreRuns(predicate([r]), REGISTRY);
    expect(score(withMargin(allRight, -0.5))).toEqual([
      {
        path: "predicate.runs[0].measures.margin",
        message:
          "mlp-1x512/cifar10/random/none/seed-0: margin is -0.5, but the predictions get only 0 of 9 training " +
          "examples wrong, so the 0.1 quantile of the margins cannot be negative",
      },
    ]);
    expect(score(withMargin(threeWrong, 0.5))).toEqual([
      {
        path: "predicate.runs[0].measures.margin",
        message:
          "mlp-1x512/cifar10/random/none/seed-0: margin is 0.5, but the predictions get 3 of 9 training " +
          "examples wrong, so the 0.1 quantile of the margins cannot be positive",
      },
    ]);
    expect(score(withMargin(allRight, 0.5))).toEqual([]);
    expect(score(withMargin(threeWrong, -0.5))).toEqual([]);
    // One wrong example: the quantile lies between a margin ≤ 0 and one ≥ 0, so either sign is possible.
    expect(score(withMargin(oneWrong, 0.5))).toEqual([]);
    expect(score(withMargin(oneWrong, -0.5))).toEqual([]);
    // A wrong parameter count is the protocol check's to report (checkProtocol), not scoring's.
    expect(score(withMargin(allRight, 0.5, 7))).toEqual([]);
  });

  it("reports sizes beyond the dataset's pools instead of deriving labels", () => {
    const big = { ...run(task("cifar10", 0), { trainAcc: 1, testAcc: 1 }), task: task("cifar10", 0, 12) };
    expect(scoreRuns(predicate([big]), REGISTRY)).toEqual([
      {
        path: "predicate.runs[0].task.dataset",
        message: "mlp-1x512/cifar10/random/none/seed-0 asks for 12 training and 3 test examples; cifar10 has 9 and 3",
      },
    ]);
  });
});

describe("unscorableDatasets", () => {
  it("names datasets without shipped labels and unknown ones; scoreRuns reports them too", () => {
    const honest = run(task("cifar10", 0), { trainAcc: 1, testAcc: 1 });
    expect(unscorableDatasets(predicate([honest]), REGISTRY)).toEqual([]);
    const onMnist = predicate([{ ...honest, task: task("mnist", 0) }], FILES, "mnist");
    const expected = [
      {
        path: "predicate.datasets[0].id",
        message:
          "this server holds no labels for mnist, so it cannot score the predictions of its 1 run with status ok " +
          "(such as mlp-1x512/mnist/random/none/seed-0); its labels are not shipped with it " +
          "(npm run labels:build makes them from the files)",
      },
    ];
    expect(unscorableDatasets(onMnist, REGISTRY)).toEqual(expected);
    expect(scoreRuns(onMnist, REGISTRY)).toEqual(expected);
    const onFashion = predicate([{ ...honest, task: task("fashion-mnist", 0) }], FILES, "fashion-mnist");
    expect(unscorableDatasets(onFashion, REGISTRY)[0]!.message).toMatch(
      /^this server knows no dataset "fashion-mnist": it can neither check its files nor score/,
    );
  });
});
