// The paper's central observation, checked on real digits at CI scale: an over-parameterized
// MLP memorizes fully random labels (training accuracy 1.0) while its test accuracy stays at
// chance; with true labels it fits in fewer steps and generalizes; and test error grows with
// the fraction of corrupted labels (the shape of Figure 1c).
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { corruptDataset } from "../../runner/corruptions.js";
import type { Dataset } from "../../runner/datasets/dataset.js";
import { loadDataset } from "../../runner/datasets/index.js";
import { loadArchitecture } from "../../runner/models/index.js";
import { initBackend, trainRun } from "../../runner/train/index.js";
import { type Corruption, type DerivedMetrics, deriveRuns, NO_REGULARIZER, type Task } from "../../schema/index.js";

// The smoke suite's calibration: 250 training digits (25 per class), 1,000 test digits so
// that chance-level accuracy is measured to about ±1 point (binomial sd ≈ 0.0095).
const DATASET = { id: "mnist-10k" as const, trainSize: 250, testSize: 1000 };
const CORRUPTIONS: Corruption[] = [
  { kind: "true" },
  { kind: "partial", p: 0.4 },
  { kind: "partial", p: 0.8 },
  { kind: "random" },
];

function task(corruption: Corruption): Task {
  return {
    suite: { id: "science-check", version: 1 },
    architecture: "mlp-1x512",
    dataset: DATASET,
    corruption,
    regularizer: NO_REGULARIZER,
    seed: 0,
    optimizer: { kind: "sgd-momentum", learningRate: 0.05, momentum: 0.9, decayPerEpoch: 1, batchSize: 128 },
    epochs: 150,
    fitThreshold: 1,
  };
}

let derived: Map<string, DerivedMetrics>;

beforeAll(async () => {
  await initBackend("wasm");
  const dataset: Dataset = await loadDataset(DATASET, {
    cacheDir: join(tmpdir(), "rb-science-check-cache"),
    download: false,
  });
  const mlp = await loadArchitecture({ kind: "builtin", id: "mlp-1x512" });
  const runs = [];
  for (const corruption of CORRUPTIONS) {
    const corrupted = corruptDataset(dataset, corruption, 0);
    const outcome = await trainRun(task(corruption), mlp, {
      shape: corrupted.shape,
      classes: corrupted.classes,
      train: corrupted.train,
      test: corrupted.test,
    });
    runs.push({ task: task(corruption), status: outcome.status, curve: outcome.curve });
  }
  const metrics = deriveRuns(runs);
  derived = new Map(
    runs.map((run, i) => [
      run.task.corruption.kind === "partial" ? `partial-${run.task.corruption.p}` : run.task.corruption.kind,
      metrics[i]!,
    ]),
  );
});

describe("randomization tests on real MNIST digits", () => {
  it("memorizes fully random labels while test accuracy stays within chance ± 5 points", () => {
    const random = derived.get("random")!;
    expect(random.epochsToFit).not.toBeNull();
    expect(random.finalTrainAcc).toBe(1);
    expect(Math.abs(random.finalTestAcc! - 0.1)).toBeLessThan(0.05);
  });

  it("fits true labels in fewer steps and tests far above chance", () => {
    const truth = derived.get("true")!;
    expect(truth.stepsToFit).not.toBeNull();
    expect(truth.stepsToFit!).toBeLessThan(derived.get("random")!.stepsToFit!);
    expect(truth.finalTestAcc!).toBeGreaterThan(0.7);
  });

  it("loses test accuracy as more labels are corrupted", () => {
    const testError = ["true", "partial-0.4", "partial-0.8", "random"].map(
      (key) => 1 - derived.get(key)!.finalTestAcc!,
    );
    for (let i = 1; i < testError.length; i++) expect(testError[i]!, `level ${i}`).toBeGreaterThan(testError[i - 1]!);
  });
});
