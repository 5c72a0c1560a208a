// The training loop on the wasm backend: fitting, determinism, failures, stopping rules,
// preprocessing and tensor hygiene, on small synthetic images.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import {
  EPOCHS_AFTER_FIT,
  type InputShape,
  NO_REGULARIZER,
  type Regularizer,
  stopAfter,
  type Task,
  validationSplit,
} from "../../schema/index.js";
import type { ImageSet } from "../datasets/dataset.js";
import { describeArchitecture, loadArchitecture } from "../models/index.js";
import { modelInputShape } from "../models/input-shape.js";
import { Rng } from "../random.js";
import { initBackend, type TrainData, trainRun } from "./index.js";
import { RunInputs } from "./inputs.js";
import { cropStream } from "./schedule.js";

/** Gaussian clusters, one per class, of images with the given shape; labels optionally random. */
function clusters(shape: InputShape, count: number, seed: number, randomLabels = false): ImageSet {
  const rng = Rng.create(seed, "clusters");
  const size = shape[0] * shape[1] * shape[2];
  const centers = Array.from({ length: 10 }, (_, c) =>
    Float32Array.from({ length: size }, (__, i) => ((i * 7 + c * 13) % 10) / 10),
  );
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
  return {
    shape,
    classes: 10,
    train: clusters(shape, trainCount, 1, options.randomLabels),
    test: clusters(shape, 50, 2),
  };
}

function task(
  overrides: {
    epochs?: number;
    learningRate?: number;
    decayPerEpoch?: number;
    regularizer?: Partial<Regularizer>;
    seed?: number;
  } = {},
): Task {
  return {
    suite: { id: "test", version: 1 },
    architecture: "mlp-1x512",
    dataset: { id: "synthetic", trainSize: 100, testSize: 50 },
    corruption: { kind: "true" },
    regularizer: { ...NO_REGULARIZER, ...overrides.regularizer },
    seed: overrides.seed ?? 0,
    optimizer: {
      kind: "sgd-momentum",
      learningRate: overrides.learningRate ?? 0.05,
      momentum: 0.9,
      decayPerEpoch: overrides.decayPerEpoch ?? 0.95,
      batchSize: 32,
    },
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
    const outcome = await trainRun(
      task({ epochs: 100, decayPerEpoch: 1 }),
      mlp,
      data([8, 8, 1], 100, { randomLabels: true }),
      { onEpoch: (point) => epochs.push(point.epoch) },
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(outcome.status).toBe("ok");
    // It stops at the first epoch that ends a streak of 1 + EPOCHS_AFTER_FIT fitted epochs.
    const fitted = outcome.curve.map((point) => point.trainAcc === 1);
    const streakEnd = fitted.findIndex(
      (_, i) => i >= EPOCHS_AFTER_FIT && fitted.slice(i - EPOCHS_AFTER_FIT, i + 1).every(Boolean),
    );
    expect(fitted.indexOf(true)).toBeGreaterThan(0);
    expect(streakEnd).toBeGreaterThan(0);
    expect(outcome.curve).toHaveLength(streakEnd + 1);
    expect(epochs).toEqual(outcome.curve.map((point) => point.epoch));
    const times = outcome.curve.map((point) => point.wallSeconds);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(outcome.predictions!.train).toHaveLength(100);
    expect(outcome.predictions!.test).toHaveLength(50);
  });

  it("is deterministic for a seed, also with dropout, weight decay, batch norm and crop-flip", async () => {
    const mlp = await loadArchitecture({ kind: "builtin", id: "mlp-1x512" });
    const regularizer = {
      name: "all",
      dropout: 0.3,
      weightDecay: 5e-4,
      batchNorm: "on",
      augmentation: "crop-flip",
    } as const;
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
        return tf.model({
          inputs: input,
          outputs: tf.layers.dense({ units: options.classes }).apply(flat) as tf.SymbolicTensor,
        });
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

  it("stops on early stopping's patience, counted on validation accuracy", async () => {
    const mlp = await loadArchitecture({ kind: "builtin", id: "mlp-1x512" });
    // Random training labels: validation accuracy has nothing to climb, so patience runs out.
    const outcome = await trainRun(
      task({ epochs: 40, regularizer: { earlyStoppingPatience: 2 } }),
      mlp,
      data([8, 8, 1], 100, { randomLabels: true }),
    );
    const valAccs = outcome.curve.map((point) => point.valAcc!);
    expect(valAccs.every((acc) => acc >= 0 && acc <= 1)).toBe(true);
    const bestEpoch = valAccs.indexOf(Math.max(...valAccs)) + 1;
    expect(outcome.curve.length).toBeLessThan(40);
    expect(outcome.curve.length).toBe(bestEpoch + 2);
  });

  it("never trains on the validation split: the model sees exactly the other examples", async () => {
    // Each training image is one pixel whose value is its index; a pass-through layer records the
    // pixels it sees in training mode, i.e. which examples the steps trained on.
    const seen: number[][] = [[]]; // one list per epoch; onEpoch opens the next
    class RecordsTraining extends tf.layers.Layer {
      static readonly className = "RecordsTraining";
      override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
        const x = Array.isArray(inputs) ? inputs[0]! : inputs;
        if (kwargs.training) seen.at(-1)!.push(...x.dataSync());
        return tf.clone(x);
      }
    }
    const recording = {
      id: "recording",
      name: "Recording",
      kind: "builtin" as const,
      build(options: { inputShape: InputShape; classes: number }) {
        const input = tf.input({ shape: options.inputShape });
        const flat = tf.layers.flatten().apply(new RecordsTraining({}).apply(input)) as tf.SymbolicTensor;
        return tf.model({
          inputs: input,
          outputs: tf.layers.dense({ units: options.classes }).apply(flat) as tf.SymbolicTensor,
        });
      },
    };
    const labels = Uint8Array.from({ length: 100 }, (_, i) => (i * 7) % 10);
    const indexed: TrainData = {
      shape: [1, 1, 1],
      classes: 10,
      train: { images: Float32Array.from({ length: 100 }, (_, i) => i), labels, count: 100 },
      test: { images: Float32Array.from({ length: 20 }, (_, i) => i), labels: labels.slice(0, 20), count: 20 },
    };
    const outcome = await trainRun(task({ epochs: 3, regularizer: { earlyStoppingPatience: 5 } }), recording, indexed, {
      onEpoch: () => seen.push([]),
    });
    seen.pop(); // the list opened after the last epoch
    expect(outcome.status).toBe("ok");
    expect(seen).toHaveLength(3);
    const { training, validation } = validationSplit(labels, 0);
    expect(validation).toHaveLength(10);
    // Every epoch trains on each of the other 90 examples exactly once, and on no validation example.
    for (const epoch of seen) expect(epoch.sort((a, b) => a - b)).toEqual([...training]);
    expect(seen.flat().filter((example) => validation.includes(example))).toEqual([]);
  });

  it("stops on validation accuracy where test accuracy would have stopped it earlier", async () => {
    const mlp = await loadArchitecture({ kind: "builtin", id: "mlp-1x512" });
    // Learnable clusters; the test labels are shifted by one class, so test accuracy falls as the
    // model learns while validation accuracy (held-out training examples) rises.
    const disagreeing = data([8, 8, 1], 100);
    disagreeing.test = { ...disagreeing.test, labels: disagreeing.test.labels.map((label) => (label + 1) % 10) };
    const early = task({ epochs: 40, decayPerEpoch: 1, regularizer: { earlyStoppingPatience: 2 } });
    const outcome = await trainRun(early, mlp, disagreeing);
    expect(outcome.status).toBe("ok");
    const { curve } = outcome;
    // The loop ends where the shared rule ends this curve…
    expect(stopAfter(curve, early)?.epoch).toBe(curve.length);
    // …and the same rule fed test accuracy instead would have ended it earlier.
    const onTest = curve.map((point) => ({ ...point, valAcc: point.testAcc }));
    expect(stopAfter(onTest, early)!.epoch).toBeLessThan(curve.length);
    // The last valAcc is the final model's accuracy on the validation examples, scored here from its
    // training-set predictions against the labels it trained on.
    const { validation } = validationSplit(disagreeing.train.labels, early.seed);
    const correct = [...validation].filter((i) => outcome.predictions!.train[i] === disagreeing.train.labels[i]);
    expect(curve.at(-1)!.valAcc).toBe(correct.length / validation.length);
  });

  it("gives identical curves for the same early-stopped run twice", async () => {
    const mlp = await loadArchitecture({ kind: "builtin", id: "mlp-1x512" });
    const early = task({ epochs: 40, regularizer: { earlyStoppingPatience: 2 } });
    const run = () => trainRun(early, mlp, data([8, 8, 1], 100, { randomLabels: true }));
    const [a, b] = [await run(), await run()];
    expect(a.curve.every((point) => point.valAcc !== undefined)).toBe(true);
    expect(withoutTimes(a.curve)).toEqual(withoutTimes(b.curve));
    expect(a.predictions).toEqual(b.predictions);
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

  it("builds the model of CIFAR-shaped data at the 28×28×3 it is cropped to", async () => {
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
        return tf.model({
          inputs: input,
          outputs: tf.layers
            .dense({ units: options.classes, kernelInitializer: tf.initializers.zeros() })
            .apply(flat) as tf.SymbolicTensor,
        });
      },
    };
    const outcome = await trainRun(
      task({ epochs: 1, regularizer: { augmentation: "crop" } }),
      probe,
      data([32, 32, 3], 20),
    );
    expect(outcome.status).toBe("ok");
    expect(shapes).toEqual([[28, 28, 3]]);
  });

  it.each([
    ["GaussianNoise", (amount: number) => tf.layers.gaussianNoise({ stddev: amount })],
    ["GaussianDropout", (amount: number) => tf.layers.gaussianDropout({ rate: amount })],
    ["AlphaDropout", (amount: number) => tf.layers.alphaDropout({ rate: amount })],
  ])(
    "trains a model.json with %s the same twice for a seed, its noise drawn from the seed",
    async (className, noise) => {
      // tfjs-layers' noise layers take no seed and draw from Math.random: such a model trained
      // differently on every run until they were replaced by seeded ones.
      const dir = await mkdtemp(join(tmpdir(), "rethink-bench-noise-"));
      try {
        const load = async (amount: number) => {
          const model = tf.sequential({
            layers: [
              tf.layers.flatten({ inputShape: [8, 8, 1] }),
              tf.layers.dense({ units: 32, activation: "relu" }),
              noise(amount),
              tf.layers.dense({ units: 10 }),
            ],
          });
          const path = join(dir, `noise-${amount}.json`);
          await writeFile(path, JSON.stringify({ modelTopology: model.toJSON(null, false) }));
          model.dispose();
          return loadArchitecture({ kind: "layers-json", path });
        };
        const noisy = await load(0.3);
        const run = async (architecture: typeof noisy) => {
          const outcome = await trainRun(task({ epochs: 3 }), architecture, data([8, 8, 1], 60));
          expect(outcome.status).toBe("ok");
          return outcome;
        };
        const [a, b] = [await run(noisy), await run(noisy)];
        expect(withoutTimes(a.curve)).toEqual(withoutTimes(b.curve));
        expect(a.predictions).toEqual(b.predictions);
        // The noise still acts: without it (amount 0, the same initial weights) the run differs.
        expect(withoutTimes((await run(await load(0))).curve)).not.toEqual(withoutTimes(a.curve));
        // The topology keeps TF.js's class name and no seed, so the architecture's fingerprint is as before.
        const described = await describeArchitecture(noisy, [8, 8, 1], 10);
        const layers = (described.topology as { config: { layers: { class_name: string; config: object }[] } }).config
          .layers;
        const layer = layers.find((l) => l.class_name === className);
        expect(layer).toBeDefined();
        expect(layer!.config).not.toHaveProperty("seed");
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );

  it("a model.json architecture cannot take dropout: the run fails and says why", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rethink-bench-train-"));
    try {
      const mlp = await describeArchitecture(
        await loadArchitecture({ kind: "builtin", id: "mlp-1x512" }),
        [8, 8, 1],
        10,
      );
      const path = join(dir, "mlp.json");
      await writeFile(path, JSON.stringify({ modelTopology: mlp.topology }));
      const outcome = await trainRun(
        task({ regularizer: { name: "dropout", dropout: 0.5 } }),
        await loadArchitecture({ kind: "layers-json", path }),
        data([8, 8, 1], 20),
      );
      expect(outcome).toMatchObject({ status: "failed", curve: [], predictions: null });
      expect(outcome.failure).toMatch(/cannot take/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("RunInputs", () => {
  const size = (shape: readonly number[]) => shape.reduce((p, q) => p * q, 1);
  const imageOf = (set: ImageSet, shape: InputShape, i: number) =>
    set.images.subarray(i * size(shape), (i + 1) * size(shape));
  const maxDifference = (a: ArrayLike<number>, b: ArrayLike<number>) =>
    Array.from(a).reduce((max, v, i) => Math.max(max, Math.abs(v - b[i]!)), 0);

  /** The h × w window at (top, left) of an H×W×C image framed by `pad` zero pixels on each side. */
  function window(
    image: Float32Array,
    [height, width, channels]: InputShape,
    top: number,
    left: number,
    pad: number,
  ): number[] {
    const out: number[] = [];
    for (let y = top - pad; y < top - pad + 28; y++) {
      for (let x = left - pad; x < left - pad + 28; x++) {
        for (let c = 0; c < channels; c++)
          out.push(y >= 0 && y < height && x >= 0 && x < width ? image[(y * width + x) * channels + c]! : 0);
      }
    }
    return out;
  }

  /** TensorFlow's per_image_standardization, in float64. */
  function standardize(values: number[]): number[] {
    const mean = values.reduce((p, q) => p + q, 0) / values.length;
    const sd = Math.sqrt(values.reduce((p, q) => p + (q - mean) ** 2, 0) / values.length);
    return values.map((v) => (v - mean) / Math.max(sd, 1 / Math.sqrt(values.length)));
  }

  function expectStandardized(image: ArrayLike<number>): void {
    const values = Array.from(image);
    const mean = values.reduce((p, q) => p + q, 0) / values.length;
    expect(mean).toBeCloseTo(0, 5);
    expect(Math.sqrt(values.reduce((p, q) => p + (q - mean) ** 2, 0) / values.length)).toBeCloseTo(1, 4);
  }

  it("center-crops CIFAR-shaped images to 28×28 and standardizes each image (mean 0, sd 1)", () => {
    const shape: InputShape = [32, 32, 3];
    const train = clusters(shape, 4, 3);
    const inputs = new RunInputs({ shape, train, test: clusters(shape, 2, 4) }, cropStream(0, "none", shape));
    try {
      expect(inputs.shape).toEqual([28, 28, 3]);
      const seen = inputs.train.images.dataSync();
      for (let i = 0; i < train.count; i++) {
        const image = seen.subarray(i * 28 * 28 * 3, (i + 1) * 28 * 28 * 3);
        expectStandardized(image);
        expect(maxDifference(image, standardize(window(imageOf(train, shape, i), shape, 2, 2, 0)))).toBeLessThan(1e-4);
      }
    } finally {
      inputs.dispose();
    }
  });

  it.each([
    ["a CIFAR-shaped image, standardized", [32, 32, 3], 0],
    ["a 28×28 image zero-padded by 2", [28, 28, 1], 2],
  ] as const)("crops each augmented example from %s", (_, dataShape, pad) => {
    const shape: InputShape = [...dataShape];
    const train = clusters(shape, 6, 5);
    const inputs = new RunInputs({ shape, train, test: clusters(shape, 2, 6) }, cropStream(1, "crop", shape));
    const ids = Int32Array.from([4, 0, 5, 0]);
    const { x, y } = inputs.batch(ids);
    try {
      expect(x.shape).toEqual([4, 28, 28, shape[2]]);
      expect(Array.from(y.dataSync())).toEqual(Array.from(ids, (id) => train.labels[id]!));
      const pixels = x.dataSync();
      const offsets: string[] = [];
      ids.forEach((id, k) => {
        const example = pixels.subarray(k * 28 * 28 * shape[2], (k + 1) * 28 * 28 * shape[2]);
        if (pad === 0) expectStandardized(example);
        // The window is drawn at random: it must be one of the 5 × 5 placements in the 32×32 frame.
        const windows = Array.from({ length: 25 }, (__, w) => ({ top: Math.floor(w / 5), left: w % 5 }));
        const found = windows.find(({ top, left }) => {
          const expected = window(imageOf(train, shape, id), shape, top, left, pad);
          return maxDifference(example, pad === 0 ? standardize(expected) : expected) < 1e-4;
        });
        expect(found).toBeDefined();
        offsets.push(`${found!.top},${found!.left}`);
      });
      expect(new Set(offsets).size).toBeGreaterThan(1);
    } finally {
      tf.dispose([x, y]);
      inputs.dispose();
    }
  });
});
