// The torch engine's task preparation: the data, order and crops the TF.js loop would train by, and the network.
import { beforeAll, describe, expect, it } from "vitest";
import { NO_REGULARIZER, type Regularizer, type Task, validationSplit } from "../../schema/index.js";
import { corruptDataset } from "../corruptions.js";
import type { Dataset } from "../datasets/dataset.js";
import { loadArchitecture } from "../models/index.js";
import { Rng } from "../random.js";
import { initBackend } from "../train/index.js";
import { torchModelSource, torchTaskInput } from "./prepare.js";

/** A small synthetic dataset of a given image shape: 40 training images, 10 test images. */
function dataset(shape: [number, number, number]): Dataset {
  const rng = Rng.create(1, "prepare-test");
  const size = shape[0] * shape[1] * shape[2];
  const set = (count: number) => ({
    images: Float32Array.from({ length: count * size }, () => rng.float()),
    labels: Uint8Array.from({ length: count }, (_, i) => i % 10),
    count,
  });
  return { id: "synthetic", shape, classes: 10, train: set(40), test: set(10), files: [] };
}

function task(regularizer: Partial<Regularizer>, corruption: Task["corruption"] = { kind: "random" }): Task {
  return {
    suite: { id: "test", version: 1 },
    architecture: "mlp-1x512",
    dataset: { id: "synthetic", trainSize: 40, testSize: 10 },
    corruption,
    regularizer: { ...NO_REGULARIZER, ...regularizer },
    seed: 5,
    optimizer: { kind: "sgd-momentum", learningRate: 0.01, momentum: 0.9, decayPerEpoch: 0.95, batchSize: 8 },
    epochs: 3,
    fitThreshold: 1,
  };
}

const source = { kind: "topology", topology: { class_name: "Sequential", config: {} } } as const;

describe("torchTaskInput", () => {
  it("hands over the corrupted training set, the true test set and every epoch's permutation", () => {
    const data = dataset([28, 28, 1]);
    const input = torchTaskInput(task({}), data, source);
    const corrupted = corruptDataset(data, { kind: "random" }, 5);
    expect(input.train.labels).toEqual(corrupted.train.labels);
    expect(input.train.labels).not.toEqual(data.train.labels);
    expect(input.test.labels).toEqual(data.test.labels);
    expect(input).toMatchObject({ inputShape: [28, 28, 1], classes: 10, preprocess: "none", framePadding: 0 });
    const stream = Rng.create(5, "train/batch-order");
    const expected = [stream.permutation(40), stream.permutation(40), stream.permutation(40)].flatMap((p) =>
      Array.from(p),
    );
    expect(input.schedule).toMatchObject({ count: 40, crops: null, validation: null });
    expect(Array.from(input.schedule.order)).toEqual(expected);
  });

  it("orders only the examples outside the validation split, which it hands over too", () => {
    const input = torchTaskInput(task({ earlyStoppingPatience: 2 }), dataset([28, 28, 1]), source);
    const split = validationSplit(input.train.labels, 5);
    expect(input.schedule.validation).toEqual(split.validation);
    expect(input.schedule.count).toBe(split.training.length);
    expect(input.schedule.order).toHaveLength(3 * split.training.length);
    for (let epoch = 0; epoch < 3; epoch++) {
      const ids = input.schedule.order.subarray(epoch * input.schedule.count, (epoch + 1) * input.schedule.count);
      expect([...ids].sort((a, b) => a - b)).toEqual([...split.training]);
    }
  });

  it("draws the crops of every epoch from the augmentation stream, example after example", () => {
    const input = torchTaskInput(task({ augmentation: "crop-flip" }), dataset([28, 28, 1]), source);
    const stream = Rng.create(5, "train/augmentation");
    const expected = Array.from({ length: 3 * 40 }, () => [stream.int(5), stream.int(5), stream.int(2)]).flat();
    expect(Array.from(input.schedule.crops!)).toEqual(expected);
    expect(input.framePadding).toBe(2);
  });

  it("crops CIFAR-shaped images without padding and asks for the CIFAR preprocessing", () => {
    const input = torchTaskInput(task({ augmentation: "crop" }), dataset([32, 32, 3]), source);
    expect(input).toMatchObject({ inputShape: [28, 28, 3], preprocess: "cifar", framePadding: 0 });
    expect(input.schedule.crops).toHaveLength(3 * 40 * 3);
  });
});

describe("torchModelSource", () => {
  beforeAll(async () => {
    await initBackend("wasm");
  });

  const classNames = (topology: unknown) =>
    (topology as { config: { layers: { class_name: string }[] } }).config.layers.map((l) => l.class_name);

  it("builds the topology with the task's regularizer, seeds nulled", async () => {
    const mlp = await loadArchitecture({ kind: "builtin", id: "mlp-1x512" });
    const plain = torchModelSource(mlp, task({}), [28, 28, 1], 10);
    const dropout = torchModelSource(mlp, task({ dropout: 0.5 }), [28, 28, 1], 10);
    if (plain.kind !== "topology" || dropout.kind !== "topology") throw new Error("expected topologies");
    expect(classNames(dropout.topology).length).toBeGreaterThan(classNames(plain.topology).length);
    expect(classNames(dropout.topology).some((name) => /Dropout/.test(name))).toBe(true);
    expect(classNames(plain.topology).some((name) => /Dropout/.test(name))).toBe(false);
    expect(JSON.stringify(dropout.topology)).not.toMatch(/"seed":\d/);
  });

  it("builds a CIFAR-shaped dataset's network at the 28×28 crop", async () => {
    const mlp = await loadArchitecture({ kind: "builtin", id: "mlp-1x512" });
    const built = torchModelSource(mlp, task({}), [32, 32, 3], 10);
    expect(JSON.stringify(built)).toContain("[null,28,28,3]");
  });
});
