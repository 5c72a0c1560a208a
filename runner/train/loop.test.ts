// The training loop on the wasm backend: fitting, determinism, failures, stopping rules,
// preprocessing and tensor hygiene, on small synthetic images.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { NO_REGULARIZER, type InputShape, type Regularizer, type Task } from "../../schema/index.js";
import type { ImageSet } from "../datasets/dataset.js";
import { describeArchitecture, loadArchitecture } from "../models/index.js";
import { Rng } from "../random.js";
import { EPOCHS_AFTER_FIT, initBackend, modelInputShape, trainRun, type TrainData } from "./index.js";

/** Gaussian clusters, one per class, of images with the given shape; labels optionally random. */
function clusters(shape: InputShape, count: number, seed: number, randomLabels = false): ImageSet {
  const rng = Rng.create(seed, "clusters");
  const size = shape[0] * shape[1] * shape[2];
  const centers = Array.from({ length: 10 }, (_, c) => Float32Array.from({ length: size }, (__, i) => ((i * 7 + c * 13) % 10) / 10));
  const images = new Float32Array(count * size);
  const labels = new Uint8Array(count);
  for (let n = 0; n < count; n++) {
    const label = n % 10;
    labels[n] = randomLabels ? rng.int(10) : label;
    for (let i = 0; i < size; i++) images[n * size + i] = centers[label]![i]! + 0.3 * rng.normal();
  }
  return { images, labels, count };
}

function data(shape: InputShape, trainCount: number, options: { randomLabels?: boolean } = {}): TrainData {
  return { shape, classes: 10, train: clusters(shape, trainCount, 1, options.randomLabels), test: clusters(shape, 50, 2) };
}

function task(overrides: { epochs?: number; learningRate?: number; decayPerEpoch?: number; regularizer?: Partial<Regularizer>; seed?: number } = {}): Task {
  return {
    suite: { id: "test", version: 1 },
    architecture: "mlp-1x512",
    dataset: { id: "synthetic", trainSize: 100, testSize: 50 },
    corruption: { kind: "true" },
    regularizer: { ...NO_REGULARIZER, ...overrides.regularizer },
    seed: overrides.seed ?? 0,
    optimizer: { kind: "sgd-momentum", learningRate: overrides.learningRate ?? 0.05, momentum: 0.9, decayPerEpoch: overrides.decayPerEpoch ?? 0.95, batchSize: 32 },
    epochs: overrides.epochs ?? 40,
    fitThreshold: 1,
  };
}

const withoutTimes = (curve: { wallSeconds: number }[]) => curve.map(({ wallSeconds: _, ...rest }) => rest);

beforeAll(async () => {
  await initBackend("wasm");
});

describe("trainRun", () => {
  it("fits random labels, then stops a fixed number of epochs after the fit", async () => {
    const mlp = await loadArchitecture({ kind: "builtin", id: "mlp-1x512" });
    const before = tf.memory().numTensors;
    const epochs: number[] = [];
    const outcome = await trainRun(task({ epochs: 100, decayPerEpoch: 1 }), mlp, data([8, 8, 1], 100, { randomLabels: true }), { onEpoch: (point) => epochs.push(point.epoch) });
    expect(tf.memory().numTensors).toBe(before);
    expect(outcome.status).toBe("ok");
    // It stops at the first epoch that ends a streak of 1 + EPOCHS_AFTER_FIT fitted epochs.
    const fitted = outcome.curve.map((point) => point.trainAcc === 1);
    const streakEnd = fitted.findIndex((_, i) => i >= EPOCHS_AFTER_FIT && fitted.slice(i - EPOCHS_AFTER_FIT, i + 1).every(Boolean));
    expect(fitted.indexOf(true)).toBeGreaterThan(0);
    expect(streakEnd).toBeGreaterThan(0);
    expect(outcome.curve).toHaveLength(streakEnd + 1);
    expect(epochs).toEqual(outcome.curve.map((point) => point.epoch));
    const times = outcome.curve.map((point) => point.wallSeconds);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(outcome.predictions!.train).toHaveLength(100);
    expect(outcome.predictions!.test).toHaveLength(50);
  });

  it("is deterministic for a seed, also with dropout, weight decay, batch norm and crop-flip augmentation", async () => {
    const mlp = await loadArchitecture({ kind: "builtin", id: "mlp-1x512" });
    const regularizer = { name: "all", dropout: 0.3, weightDecay: 5e-4, batchNorm: "on", augmentation: "crop-flip" } as const;
    const run = (seed: number) => trainRun(task({ epochs: 3, regularizer, seed }), mlp, data([8, 8, 1], 60));
    const [a, b, c] = [await run(0), await run(0), await run(1)];
    expect(withoutTimes(a.curve)).toEqual(withoutTimes(b.curve));
    expect(a.predictions).toEqual(b.predictions);
    expect(withoutTimes(c.curve)).not.toEqual(withoutTimes(a.curve));
  });

  it("trains a CNN (max-pool and LRN gradients) and frees every tensor", async () => {
    const alexnet = await loadArchitecture({ kind: "builtin", id: "small-alexnet" });
    const before = tf.memory().numTensors;
    const outcome = await trainRun(task({ epochs: 2, learningRate: 0.01 }), alexnet, data([12, 12, 1], 40));
    expect(outcome.status).toBe("ok");
    expect(outcome.curve).toHaveLength(2);
    expect(outcome.curve[1]!.trainLoss).toBeLessThan(outcome.curve[0]!.trainLoss * 1.5);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("ends a diverging run as failed with its reason and the epochs it finished", async () => {
    const mlp = await loadArchitecture({ kind: "builtin", id: "mlp-1x512" });
    const before = tf.memory().numTensors;
    const outcome = await trainRun(task({ learningRate: 1e6, epochs: 20 }), mlp, data([8, 8, 1], 100));
    expect(outcome.status).toBe("failed");
    expect(outcome.failure).toMatch(/loss became (NaN|infinite) in epoch \d+/);
    expect(outcome.predictions).toBeNull();
    expect(outcome.curve.length).toBeLessThan(20);
    expect(outcome.curve.every((point) => Number.isFinite(point.trainLoss))).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("ends a run that runs out of memory as failed, with the epochs it finished", async () => {
    // A layer that fails as V8 does when an allocation fails, on its 10th training call.
    class ExhaustsMemory extends tf.layers.Layer {
      static readonly className = "ExhaustsMemory";
      private calls = 0;
      override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
        if (kwargs.training && ++this.calls === 10) throw new RangeError("Array buffer allocation failed");
        return tf.clone(Array.isArray(inputs) ? inputs[0]! : inputs);
      }
    }
    const exhausting = {
      id: "exhausting",
      name: "Exhausting",
      kind: "builtin" as const,
      build(options: { inputShape: InputShape; classes: number }) {
        const input = tf.input({ shape: options.inputShape });
        const flat = tf.layers.flatten().apply(new ExhaustsMemory({}).apply(input)) as tf.SymbolicTensor;
        return tf.model({ inputs: input, outputs: tf.layers.dense({ units: options.classes }).apply(flat) as tf.SymbolicTensor });
      },
    };
    const before = tf.memory().numTensors;
    // 100 examples in batches of 32: 4 steps an epoch, so the 10th step is in epoch 3.
    const outcome = await trainRun(task({ epochs: 5 }), exhausting, data([8, 8, 1], 100));
    expect(outcome.status).toBe("failed");
    expect(outcome.failure).toMatch(/^out of memory in epoch 3: Array buffer allocation failed/);
    expect(outcome.curve).toHaveLength(2);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("stops on early stopping's patience", async () => {
    const mlp = await loadArchitecture({ kind: "builtin", id: "mlp-1x512" });
    // Random training labels: test accuracy has nothing to climb, so patience runs out.
    const outcome = await trainRun(task({ epochs: 40, regularizer: { earlyStoppingPatience: 2 } }), mlp, data([8, 8, 1], 100, { randomLabels: true }));
    const best = Math.max(...outcome.curve.map((point) => point.testAcc));
    const bestEpoch = outcome.curve.map((point) => point.testAcc).indexOf(best) + 1;
    expect(outcome.curve.length).toBeLessThan(40);
    expect(outcome.curve.length).toBe(bestEpoch + 2);
  });

  it("rejects with the signal's reason when aborted", async () => {
    const mlp = await loadArchitecture({ kind: "builtin", id: "mlp-1x512" });
    const controller = new AbortController();
    const before = tf.memory().numTensors;
    const run = trainRun(task({ epochs: 40 }), mlp, data([8, 8, 1], 100), {
      onEpoch: () => controller.abort(new Error("stop")),
      signal: controller.signal,
    });
    await expect(run).rejects.toThrow("stop");
    expect(tf.memory().numTensors).toBe(before);
  });

  it("center-crops and standardizes CIFAR-shaped images for a 28×28×3 model", async () => {
    expect(modelInputShape([32, 32, 3])).toEqual([28, 28, 3]);
    expect(modelInputShape([28, 28, 1])).toEqual([28, 28, 1]);
    const shapes: number[][] = [];
    const probe = {
      id: "probe",
      name: "Probe",
      kind: "builtin" as const,
      build(options: Parameters<Awaited<ReturnType<typeof loadArchitecture>>["build"]>[0]) {
        shapes.push(options.inputShape);
        const input = tf.input({ shape: options.inputShape });
        const flat = tf.layers.flatten().apply(input) as tf.SymbolicTensor;
        return tf.model({ inputs: input, outputs: tf.layers.dense({ units: options.classes, kernelInitializer: tf.initializers.zeros() }).apply(flat) as tf.SymbolicTensor });
      },
    };
    const outcome = await trainRun(task({ epochs: 1, regularizer: { augmentation: "crop" } }), probe, data([32, 32, 3], 20));
    expect(outcome.status).toBe("ok");
    expect(shapes).toEqual([[28, 28, 3]]);
  });

  it("a model.json architecture cannot take dropout: the run fails and says why", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rethink-bench-train-"));
    try {
      const mlp = await describeArchitecture(await loadArchitecture({ kind: "builtin", id: "mlp-1x512" }), [8, 8, 1], 10);
      const path = join(dir, "mlp.json");
      await writeFile(path, JSON.stringify({ modelTopology: mlp.topology }));
      const outcome = await trainRun(task({ regularizer: { name: "dropout", dropout: 0.5 } }), await loadArchitecture({ kind: "layers-json", path }), data([8, 8, 1], 20));
      expect(outcome).toMatchObject({ status: "failed", curve: [], predictions: null });
      expect(outcome.failure).toMatch(/cannot take/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
