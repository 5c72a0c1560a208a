// The PyTorch worker (runner/torch/worker.py) against the TF.js side: the same fingerprints, parameter
// counts and weight shapes for every built-in, the same canonical JSON, a short deterministic training
// on a hand-made task folder, TF.js's outputs from TF.js's weights for the separable, depthwise, merge and
// activation layers, and each of its errors. Runs Debian's torch under /usr/bin/python3. One file past
// 350 lines because every case shares one worker process and the hand-made task builders above.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILTIN_ARCHITECTURE_IDS, describeArchitecture, loadArchitecture } from "../../runner/models/index.js";
import { SpatialDropout2D } from "../../runner/models/layers.js";
import { canonicalTopology } from "../../runner/models/topology.js";
import { TorchProcess, TorchProcessExited, workerScriptPath } from "../../runner/torch/process.js";
import {
  readResult,
  readTaskList,
  resultOutcome,
  type TorchModelSource,
  type TorchResult,
  type TorchTaskEntry,
  type TorchTaskInput,
  writeTask,
  writeTaskList,
} from "../../runner/torch/task-files.js";
import {
  type Architecture,
  canonicalDigest,
  canonicalJson,
  checkArchitectures,
  expandSuite,
  findSuite,
  type InputShape,
  NO_REGULARIZER,
  type Regularizer,
  type ResultPredicate,
  type Task,
  type TorchModuleDescription,
} from "../../schema/index.js";

const PYTHON = "/usr/bin/python3";
const WORKER = workerScriptPath();
const CLASSES = 4;

/** A small seeded generator for the hand-made data (not the code under test). */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Images whose class is a bright square in one of four places, plus noise: learnable in a few epochs. */
function images(count: number, [h, w, c]: InputShape, seed: number) {
  const random = lcg(seed);
  const data = new Float32Array(count * h * w * c);
  const labels = new Uint8Array(count);
  for (let n = 0; n < count; n++) {
    const label = n % CLASSES;
    labels[n] = label;
    const [top, left] = [(label >> 1) * (h >> 1), (label & 1) * (w >> 1)];
    for (let i = 0; i < h; i++)
      for (let j = 0; j < w; j++)
        for (let k = 0; k < c; k++) {
          const inside = i >= top && i < top + (h >> 1) && j >= left && j < left + (w >> 1);
          data[((n * h + i) * w + j) * c + k] = (inside ? 0.6 : 0) + 0.4 * random();
        }
  }
  return { images: data, labels, count };
}

function baseTask(architecture: string, regularizer: Regularizer, epochs: number): Task {
  const smoke = expandSuite(findSuite("smoke")!)[0]!;
  return {
    ...smoke,
    architecture,
    regularizer,
    epochs,
    optimizer: { ...smoke.optimizer, learningRate: 0.01, batchSize: 16 },
  };
}

/** A task input with a hand-made schedule: each epoch a rotation of the ids, crops from a seeded stream. */
function taskInput(
  task: Task,
  model: TorchModelSource,
  options: { datasetShape?: InputShape; inputShape?: InputShape; train?: number; crops?: number } = {},
): TorchTaskInput {
  const datasetShape = options.datasetShape ?? [28, 28, 1];
  const inputShape = options.inputShape ?? datasetShape;
  const train = images(options.train ?? 64, datasetShape, 1);
  const test = images(32, datasetShape, 2);
  const validation = task.regularizer.earlyStoppingPatience === null ? null : Uint32Array.from([0, 5, 10, 15, 20, 25]);
  const trained = [...Array(train.count).keys()].filter((i) => !validation?.includes(i));
  const count = trained.length;
  const order = new Uint32Array(task.epochs * count);
  for (let e = 0; e < task.epochs; e++)
    for (let i = 0; i < count; i++) order[e * count + i] = trained[(i + 7 * e) % count]!;
  const random = lcg(3);
  const crops =
    options.crops === undefined
      ? null
      : Uint8Array.from({ length: task.epochs * count * 3 }, (_, i) =>
          i % 3 === 2 ? (random() < 0.5 ? 0 : 1) : Math.floor(random() * (options.crops! + 1)),
        );
  return {
    task,
    model,
    inputShape,
    classes: CLASSES,
    preprocess: options.datasetShape?.[0] === 32 ? "cifar" : "none",
    framePadding: options.datasetShape?.[0] === 32 || crops === null ? 0 : 2,
    train,
    test,
    schedule: { count, order, crops, validation },
  };
}

async function topologyOf(id: string, regularizer: Regularizer, inputShape: InputShape, classes = CLASSES) {
  const builder = await loadArchitecture({ kind: "builtin", id });
  const model = builder.build({ inputShape, classes, regularizer, seed: 7 });
  try {
    return {
      topology: canonicalTopology(model),
      parameterCount: model.countParams(),
      layers: model.layers.map((layer) => layer.weights.map((weight) => weight.shape as number[])),
    };
  } finally {
    model.dispose();
  }
}

function worker(args: string[], env: Record<string, string> = {}) {
  return spawnSync(PYTHON, [WORKER, ...args], { encoding: "utf8", env: { ...process.env, ...env }, timeout: 120_000 });
}

/** A result without its timings, which differ between two runs of the same task. */
function untimed(result: TorchResult) {
  return { ...result, curve: result.curve.map(({ wallSeconds: _, ...point }) => point) };
}

let torch: TorchProcess;
const folders: string[] = [];
function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), "rb-torch-worker-"));
  folders.push(dir);
  return dir;
}

beforeAll(async () => {
  torch = await TorchProcess.start({ python: PYTHON, device: "cpu" });
});
afterAll(async () => {
  await torch?.close();
});

describe("worker.py builds the TF.js topologies", () => {
  const BN_DROPOUT: Regularizer = { ...NO_REGULARIZER, name: "bn-dropout", batchNorm: "on", dropout: 0.5 };

  it("with every built-in's fingerprint, parameter count and per-layer weight shapes, with and without batch norm and dropout", async () => {
    const dir = folder();
    const cases: { id: string; regularizer: Regularizer; shape: InputShape }[] = [];
    for (const id of BUILTIN_ARCHITECTURE_IDS)
      for (const regularizer of [NO_REGULARIZER, BN_DROPOUT]) cases.push({ id, regularizer, shape: [28, 28, 1] });
    cases.push({ id: "small-alexnet", regularizer: NO_REGULARIZER, shape: [28, 28, 3] });
    const expected: Awaited<ReturnType<typeof topologyOf>>[] = [];
    const entries: TorchTaskEntry[] = [];
    for (const [index, { id, regularizer, shape }] of cases.entries()) {
      const built = await topologyOf(id, regularizer, shape);
      expected.push(built);
      const task = baseTask(id, regularizer, 1);
      const input = taskInput(task, { kind: "topology", topology: built.topology }, { datasetShape: shape });
      entries.push(await writeTask(dir, index, input));
    }
    await writeTaskList(dir, entries, "test");
    // The board's record of the plain build is describeArchitecture's: the same digest as below.
    const record = await describeArchitecture(
      await loadArchitecture({ kind: "builtin", id: "mlp-1x512" }),
      [28, 28, 1],
      CLASSES,
    );
    expect(record.fingerprint).toBe(await canonicalDigest(expected[0]!.topology));
    for (const [index, { id, regularizer }] of cases.entries()) {
      const described = await torch.describe(dir, index);
      const want = expected[index]!;
      const label = `${id} with ${regularizer.name}`;
      expect(described.fingerprint, label).toBe(await canonicalDigest(want.topology));
      expect(described.parameterCount, label).toBe(want.parameterCount);
      expect(described.layers, label).toEqual(want.layers);
      expect(described.description, label).toBeNull();
    }
    // Batch norm and dropout really are in the second build of each (the shapes above include them).
    expect(expected[1]!.layers.some((shapes) => shapes.length === 4)).toBe(true);
  });

  it("writes canonical JSON exactly as schema/canonical.ts does, tricky numbers included", () => {
    const random = lcg(11);
    const numbers = [1e-7, 0.001 / 9, 1e21, 1e20, -0, 5.0, 0.1 + 0.2, 123456789012, 2 ** 53, 1.5e-300, -4.2e-7, 1e-6];
    for (let i = 0; i < 300; i++) numbers.push((random() - 0.5) * 10 ** Math.floor(random() * 60 - 30));
    const value = {
      numbers,
      é: 'tab\there \u0001 "quoted" \\ ünïcode ☃',
      b: [true, false, null],
      a: { z: 1, A: 2, "": 3 },
    };
    const code = [
      "import json, sys",
      `sys.path.insert(0, ${JSON.stringify(join(WORKER, ".."))})`,
      "import worker",
      "sys.__stdout__.write(worker.canonical_json(json.loads(sys.stdin.read())))",
    ].join("\n");
    const out = spawnSync(PYTHON, ["-c", code], { input: JSON.stringify(value), encoding: "utf8" });
    expect(out.stderr).toBe("");
    expect(out.stdout).toBe(canonicalJson(value));
  });
});

describe("worker.py trains a task folder", () => {
  let dir: string;
  let entries: TorchTaskEntry[];
  const served: TorchResult[] = [];
  const epochs: number[][] = [];

  beforeAll(async () => {
    dir = folder();
    const mlp = await topologyOf("mlp-1x512", NO_REGULARIZER, [28, 28, 1]);
    const regularized: Regularizer = {
      name: "all",
      weightDecay: 0.0005,
      dropout: 0.5,
      augmentation: "crop-flip",
      batchNorm: "on",
      earlyStoppingPatience: 3,
    };
    const alexnet = await topologyOf("small-alexnet-tiny", regularized, [28, 28, 1]);
    const cifar = await topologyOf("mlp-1x512", NO_REGULARIZER, [28, 28, 3]);
    const crop: Regularizer = { ...NO_REGULARIZER, name: "crop", augmentation: "crop" };
    entries = [
      await writeTask(
        dir,
        0,
        taskInput(baseTask("mlp-1x512", NO_REGULARIZER, 6), { kind: "topology", topology: mlp.topology }),
      ),
      await writeTask(
        dir,
        1,
        taskInput(
          baseTask("small-alexnet-tiny", regularized, 4),
          { kind: "topology", topology: alexnet.topology },
          { crops: 4 },
        ),
      ),
      await writeTask(
        dir,
        2,
        taskInput(
          baseTask("mlp-1x512", crop, 3),
          { kind: "topology", topology: cifar.topology },
          { datasetShape: [32, 32, 3], inputShape: [28, 28, 3], train: 32, crops: 4 },
        ),
      ),
    ];
    await writeTaskList(dir, entries, "test");
    for (const entry of entries) {
      const heard: number[] = [];
      served.push(await torch.train(dir, entry.index, { onEpoch: (point) => heard.push(point.epoch) }));
      epochs.push(heard);
    }
  });

  it("fits the hand-made task: falling losses, predictions for every example that score to the curve's accuracies", async () => {
    const result = served[0]!;
    expect(result.status).toBe("ok");
    expect(result.curve.map((p) => p.epoch)).toEqual([1, 2, 3, 4, 5, 6].slice(0, result.curve.length));
    expect(epochs[0]).toEqual(result.curve.map((p) => p.epoch));
    expect(result.curve.at(-1)!.trainLoss).toBeLessThan(result.curve[0]!.trainLoss / 2);
    expect(result.curve.at(-1)!.trainAcc).toBe(1);
    const outcome = resultOutcome(result);
    const train = images(64, [28, 28, 1], 1);
    const test = images(32, [28, 28, 1], 2);
    expect(outcome.predictions!.train.length).toBe(64);
    expect(outcome.predictions!.test.length).toBe(32);
    const score = (predicted: Uint8Array, labels: Uint8Array) =>
      predicted.filter((p, i) => p === labels[i]).length / labels.length;
    expect(score(outcome.predictions!.train, train.labels)).toBe(result.curve.at(-1)!.trainAcc);
    expect(score(outcome.predictions!.test, test.labels)).toBe(result.curve.at(-1)!.testAcc);
    expect(result.engine.device).toBe("cpu");
    expect(result.parameterCount).toBe(28 * 28 * 512 + 512 + 512 * CLASSES + CLASSES);
  });

  it("trains with crops, flips, batch norm, dropout, weight decay and early stopping, and on CIFAR-shaped images", () => {
    const regularized = served[1]!;
    expect(regularized.status).toBe("ok");
    expect(regularized.curve.every((p) => typeof p.valAcc === "number")).toBe(true);
    expect(resultOutcome(regularized).predictions!.train.length).toBe(64);
    const cifar = served[2]!;
    expect(cifar.status).toBe("ok");
    expect(cifar.curve).toHaveLength(3);
    expect(cifar.parameterCount).toBe(28 * 28 * 3 * 512 + 512 + 512 * CLASSES + CLASSES);
  });

  it("gives the same results again in --all mode (CPU determinism), writes them, and skips them when run again", async () => {
    const first = worker(["--dir", dir, "--all", "--device", "cpu"]);
    expect(first.status, first.stderr).toBe(0);
    for (const entry of entries) {
      const written = await readResult(dir, entry.index);
      expect(written, `task ${entry.index}`).not.toBeNull();
      expect(untimed(written!), `task ${entry.index}`).toEqual(untimed(served[entry.index]!));
    }
    const again = worker(["--dir", dir, "--all", "--device", "cpu"]);
    expect(again.status).toBe(0);
    expect(again.stderr.match(/already done/g)).toHaveLength(entries.length);
    expect((await readTaskList(dir)).tasks.map((t) => t.key)).toEqual(entries.map((e) => e.key));
    expect(readdirSync(join(dir, "results")).sort()).toEqual(["0.json", "1.json", "2.json"]);
  });

  it("stops training on an abort: the worker is killed, the call rejects with the reason, later calls with TorchProcessExited", async () => {
    const own = await TorchProcess.start({ python: PYTHON, device: "cpu" });
    const controller = new AbortController();
    const stopped = own.train(dir, 0, {
      signal: controller.signal,
      onEpoch: () => controller.abort(new Error("stop")),
    });
    await expect(stopped).rejects.toThrow("stop");
    await expect(own.describe(dir, 0)).rejects.toThrow(TorchProcessExited);
    await own.close();
  });

  it("refuses a corrupt data file with exit 65, naming it", () => {
    const copy = folder();
    cpSync(dir, copy, { recursive: true });
    rmSync(join(copy, "results"), { recursive: true }); // else the task counts as done and is skipped
    const file = join(copy, entries[0]!.arrays.trainLabels.file);
    const bytes = readFileSync(file);
    bytes[0] = bytes[0]! ^ 1;
    writeFileSync(file, bytes);
    const out = worker(["--dir", copy, "--task", "0", "--device", "cpu"]);
    expect(out.status).toBe(65);
    expect(out.stderr).toContain(file);
    expect(out.stderr).toContain("checksum mismatch");
  });
});

describe("worker.py with a torch module factory", () => {
  const MODULES = {
    good_net: [
      "import torch.nn as nn",
      "class Net(nn.Module):",
      "    def __init__(self, features, classes):",
      "        super().__init__()",
      "        self.body = nn.Sequential(nn.Flatten(), nn.Linear(features, 32), nn.BatchNorm1d(32), nn.ReLU())",
      "        self.head = nn.Linear(32, classes)",
      "    def forward(self, x):",
      "        return self.head(self.body(x))",
      "def make(input_shape, classes, regularizer, seed):",
      "    c, h, w = input_shape",
      "    return Net(c * h * w, classes)",
    ],
    broken_net: ["def make(input_shape, classes, regularizer, seed):", "    raise ValueError('no such layer size')"],
    wrong_net: [
      "import torch.nn as nn",
      "def make(input_shape, classes, regularizer, seed):",
      "    return nn.Sequential(nn.Flatten(), nn.Linear(784, 3))",
    ],
    failing_net: [
      "import torch.nn as nn",
      "class Net(nn.Module):",
      "    def __init__(self):",
      "        super().__init__()",
      "        self.head = nn.Sequential(nn.Flatten(), nn.Linear(784, 4))",
      "    def forward(self, x):",
      "        if self.training:",
      "            raise RuntimeError('scatter_add has no deterministic implementation here')",
      "        return self.head(x)",
      "def make(input_shape, classes, regularizer, seed):",
      "    return Net()",
    ],
  };
  let dir: string;

  beforeAll(async () => {
    dir = folder();
    const entries: TorchTaskEntry[] = [];
    for (const [index, [name, lines]] of Object.entries(MODULES).entries()) {
      const path = join(dir, `${name}.py`);
      writeFileSync(path, `${lines.join("\n")}\n`);
      const model: TorchModelSource = { kind: "torch-module", path, factory: "make" };
      entries.push(await writeTask(dir, index, taskInput(baseTask("net", NO_REGULARIZER, 2), model)));
    }
    await writeTaskList(dir, entries, "test");
  });

  it("describes the module tree, fingerprints its canonical JSON and counts parameters and float buffers", async () => {
    const described = await torch.describe(dir, 0);
    const description = described.description as Record<string, unknown> & { children: Record<string, unknown> };
    expect(description.type).toBe("good_net.Net");
    expect(description.source).toBe(
      (await import("node:crypto"))
        .createHash("sha256")
        .update(`${MODULES.good_net.slice(1, 8).join("\n")}\n`)
        .digest("hex"),
    );
    expect(description.children.head).toMatchObject({
      type: "torch.nn.modules.linear.Linear",
      config: { in_features: 32, out_features: CLASSES },
      parameters: { weight: [CLASSES, 32], bias: [CLASSES] },
    });
    expect(described.fingerprint).toBe(await canonicalDigest(description));
    // Linear 784→32, batch norm (weight, bias, running mean and variance; not its step counter), Linear 32→4.
    expect(described.parameterCount).toBe(784 * 32 + 32 + 4 * 32 + 32 * CLASSES + CLASSES);
    const result = await torch.train(dir, 0);
    expect(result.status).toBe("ok");
    expect(result.description).toEqual(description);
  });

  it("names the file when the factory raises", async () => {
    await expect(torch.describe(dir, 1)).rejects.toThrow(
      /broken_net\.py.*make\(\(1, 28, 28\), 4, regularizer, \d+\) raised ValueError: no such layer size/,
    );
  });

  it("names the file and both shapes when the module's output is not [batch, classes]", async () => {
    await expect(torch.describe(dir, 2)).rejects.toThrow(/wrong_net\.py.*outputs shape \[2, 3\].*\[2, 4\] logits/);
  });

  it("fails only the run whose module raises in training, naming the error, and goes on serving", async () => {
    const result = await torch.train(dir, 3);
    expect(result.status).toBe("failed");
    expect(result.failure).toBe(
      "training stopped in epoch 1: RuntimeError: scatter_add has no deterministic implementation here",
    );
    expect(result.curve).toEqual([]);
    expect((await torch.describe(dir, 0)).parameterCount).toBe(784 * 32 + 32 + 4 * 32 + 32 * CLASSES + CLASSES);
  });
});

describe("worker.py with tied weights (tests/fixtures/torch/net.py)", () => {
  const NET = fileURLToPath(new URL("../fixtures/torch/net.py", import.meta.url));
  const HIDDEN = 16; // net.py's tied() width
  let dir: string;

  beforeAll(async () => {
    dir = folder();
    const entries: TorchTaskEntry[] = [];
    for (const [index, factory] of ["tied", "make"].entries()) {
      const model: TorchModelSource = { kind: "torch-module", path: NET, factory };
      entries.push(await writeTask(dir, index, taskInput(baseTask("net", NO_REGULARIZER, 2), model)));
    }
    await writeTaskList(dir, entries, "test");
  });

  it("describes a shared tensor at its first holder, ties the later ones to it, and passes the server's check", async () => {
    const described = await torch.describe(dir, 0);
    const description = described.description as TorchModuleDescription;
    expect(description.children.encoder!.parameters).toEqual({ weight: [HIDDEN, HIDDEN], bias: [HIDDEN] });
    expect(description.children.decoder).toMatchObject({
      parameters: { bias: [HIDDEN] },
      tied: { weight: "encoder.weight" },
    });
    expect(description.children.norm_again).toMatchObject({
      parameters: {},
      buffers: {},
      tied: {
        weight: "norm.weight",
        bias: "norm.bias",
        running_mean: "norm.running_mean",
        running_var: "norm.running_var",
        num_batches_tracked: "norm.num_batches_tracked",
      },
    });
    // By hand, each tensor once: Linear 784→16, batch norm (weight, bias, running mean and variance),
    // the encoder's weight and bias, the decoder's own bias, the head 16→4.
    const hand = 784 * HIDDEN + HIDDEN + 4 * HIDDEN + HIDDEN * HIDDEN + HIDDEN + HIDDEN + HIDDEN * CLASSES + CLASSES;
    expect(described.parameterCount).toBe(hand);
    expect(described.fingerprint).toBe(await canonicalDigest(description));
    const architecture: Architecture = {
      id: "net",
      name: "net",
      kind: "torch-module",
      inputShape: [28, 28, 1],
      fingerprint: described.fingerprint,
      parameterCount: described.parameterCount,
      topology: description,
    };
    expect(checkArchitectures({ architectures: [architecture] } as unknown as ResultPredicate)).toEqual([]);
    const result = await torch.train(dir, 0);
    expect(result.status).toBe("ok");
    expect(result.parameterCount).toBe(hand);
  });

  it("describes an untied module exactly as before, so its fingerprint is unchanged", async () => {
    const text = readFileSync(NET, "utf8");
    // inspect.getsource(TinyNet): the class's lines, ending in a newline.
    const source = `${text.slice(text.indexOf("class TinyNet"), text.indexOf("\n\n\nclass TiedNet"))}\n`;
    const leaf = (type: string, config: TorchModuleDescription["config"], parameters = {}) => ({
      type: `torch.nn.modules.${type}`,
      config,
      parameters,
      buffers: {},
      children: {},
    });
    // TinyNet(1, 28, 28, 4, 256, dropout 0) by hand, with no "tied" anywhere.
    const expected: TorchModuleDescription = {
      type: "net.TinyNet",
      config: { hidden: 256 },
      parameters: {},
      buffers: {},
      children: {
        body: {
          ...leaf("container.Sequential", {}),
          children: {
            0: leaf("flatten.Flatten", { start_dim: 1, end_dim: -1 }),
            1: leaf("linear.Linear", { in_features: 784, out_features: 256 }, { weight: [256, 784], bias: [256] }),
            2: leaf("activation.ReLU", { inplace: false }),
            3: leaf("linear.Linear", { in_features: 256, out_features: 4 }, { weight: [4, 256], bias: [4] }),
          },
        },
      },
      source: createHash("sha256").update(source).digest("hex"),
    };
    const described = await torch.describe(dir, 1);
    expect(described.description).toEqual(expected);
    expect(described.fingerprint).toBe(await canonicalDigest(expected));
    // The digest the worker gave this module (torch 1.13) before it described ties.
    expect(described.fingerprint).toBe("fdb3e7253ac9d378a2ae40c2afd2e49971c87693ae4b18b9deedfb7f25217578");
  });
});

describe("worker.py runs the layers image classifiers use as TF.js does", () => {
  const SHAPE: InputShape = [12, 12, 3];
  const BATCH = 5;

  /**
   * One graph, four models on it: a separable convolution (depth multiplier 2, 'same', stride 2: the odd padding
   * pixel at the bottom and right), LeakyReLU, a depthwise convolution (multiplier 3) added to a 1×1 shortcut,
   * ReLU with max_value, Concatenate, batch norm with non-trivial statistics, SpatialDropout2D, a dilated separable
   * convolution without bias, global pooling and Dense, ending in a Softmax layer, an Activation("softmax"), in
   * logits, or at the concatenated feature map. Biases and statistics are drawn, not zeros, so each one counts.
   */
  function graph() {
    // Seeded, so the outputs (and the spread checked below) are the same on every run.
    let seed = 100;
    const drawn = (stddev = 0.3) => tf.initializers.randomNormal({ mean: 0, stddev, seed: seed++ });
    const kernel = () => tf.initializers.glorotUniform({ seed: seed++ });
    const spread = () => tf.initializers.randomUniform({ minval: 0.5, maxval: 1.5, seed: seed++ });
    const input = tf.input({ shape: [...SHAPE] });
    const separable = tf.layers
      .separableConv2d({
        filters: 8,
        kernelSize: 3,
        depthMultiplier: 2,
        padding: "same",
        strides: 2,
        depthwiseInitializer: kernel(),
        pointwiseInitializer: kernel(),
        biasInitializer: drawn(),
      })
      .apply(input) as tf.SymbolicTensor;
    const leaky = tf.layers.leakyReLU({ alpha: 0.2 }).apply(separable) as tf.SymbolicTensor;
    const depthwise = tf.layers
      .depthwiseConv2d({
        kernelSize: 3,
        depthMultiplier: 3,
        padding: "same",
        depthwiseInitializer: kernel(),
        biasInitializer: drawn(),
      })
      .apply(leaky) as tf.SymbolicTensor;
    const shortcut = tf.layers
      .conv2d({ filters: 24, kernelSize: 1, kernelInitializer: kernel(), biasInitializer: drawn() })
      .apply(leaky) as tf.SymbolicTensor;
    const sum = tf.layers.add().apply([depthwise, shortcut]) as tf.SymbolicTensor;
    const capped = tf.layers.reLU({ maxValue: 0.5 }).apply(sum) as tf.SymbolicTensor;
    const joined = tf.layers.concatenate().apply([capped, leaky]) as tf.SymbolicTensor;
    const normalized = tf.layers
      .batchNormalization({
        gammaInitializer: spread(),
        betaInitializer: drawn(),
        movingMeanInitializer: drawn(),
        movingVarianceInitializer: spread(),
      })
      .apply(joined) as tf.SymbolicTensor;
    const dropped = new SpatialDropout2D({ rate: 0.3 }).apply(normalized) as tf.SymbolicTensor;
    const dilated = tf.layers
      .separableConv2d({
        filters: 6,
        kernelSize: 2,
        dilationRate: 2,
        useBias: false,
        activation: "relu",
        depthwiseInitializer: kernel(),
        pointwiseInitializer: kernel(),
      })
      .apply(dropped) as tf.SymbolicTensor;
    const pooled = tf.layers.globalAveragePooling2d({}).apply(dilated) as tf.SymbolicTensor;
    const logits = tf.layers
      .dense({ units: CLASSES, kernelInitializer: drawn(3), biasInitializer: drawn() })
      .apply(pooled) as tf.SymbolicTensor;
    const model = (output: tf.SymbolicTensor) => tf.model({ inputs: input, outputs: output });
    return {
      softmax: model(tf.layers.softmax().apply(logits) as tf.SymbolicTensor),
      activation: model(tf.layers.activation({ activation: "softmax" }).apply(logits) as tf.SymbolicTensor),
      logits: model(logits),
      features: model(joined),
    };
  }
  // By hand: separable 3·3·3·2 + 6·8 + 8; depthwise 3·3·8·3 + 24; shortcut 8·24 + 24; batch norm 4·32;
  // dilated separable 2·2·32 + 32·6; Dense 6·4 + 4.
  const HAND_COUNT = 54 + 48 + 8 + 216 + 24 + 192 + 24 + 4 * 32 + 128 + 192 + 6 * CLASSES + CLASSES;

  type Case = { topology: unknown; weights: { shape: number[]; values: number[] }[][]; expected: number[][] };
  let models: ReturnType<typeof graph>;
  let cases: Record<string, Case>;
  let x: number[];

  beforeAll(() => {
    models = graph();
    const random = lcg(21);
    x = Array.from({ length: BATCH * SHAPE[0] * SHAPE[1] * SHAPE[2] }, () => random() * 2 - 1);
    const input = tf.tensor4d(x, [BATCH, ...SHAPE]);
    cases = Object.fromEntries(
      Object.entries(models).map(([name, model]) => {
        const output = model.predict(input) as tf.Tensor;
        const expected = output.arraySync() as number[][];
        output.dispose();
        const weights = model.layers.map((layer) =>
          layer.getWeights().map((w) => ({ shape: w.shape as number[], values: Array.from(w.dataSync()) })),
        );
        return [name, { topology: canonicalTopology(model), weights, expected }];
      }),
    );
    input.dispose();
  });
  afterAll(() => {
    // The four models share their layers: disposing one disposes the weights of all.
    models?.softmax.dispose();
  });

  /** Runs worker.py's TopologyNet on each case with TF.js's weights; its outputs in TF layout, and facts about it. */
  function runWorker(names: string[]) {
    const code = [
      "import json, sys",
      `sys.path.insert(0, ${JSON.stringify(join(WORKER, ".."))})`,
      "import worker",
      "torch, np = worker.torch, worker.np",
      "request = json.loads(sys.stdin.read())",
      "x = torch.tensor(request['x']).reshape([request['batch']] + request['shape']).permute(0, 3, 1, 2)",
      "out = {}",
      "for name, case in request['cases'].items():",
      "    net = worker.TopologyNet(case['topology'], request['shape'], torch.Generator().manual_seed(0))",
      "    net.load_tf_weights([[np.array(w['values']).reshape(w['shape']) for w in ws] for ws in case['weights']])",
      "    net.eval()",
      "    with torch.no_grad():",
      "        y = worker.to_tf_layout(net(x))",
      "    decayed = sum(p.numel() for p in net.parameters() if p.dim() >= 2)",
      "    out[name] = {'values': y.tolist(), 'probabilities': net.probabilities, 'decayed': decayed}",
      "sys.__stdout__.write(json.dumps(out))",
    ].join("\n");
    const request = { x, batch: BATCH, shape: SHAPE, cases: Object.fromEntries(names.map((n) => [n, cases[n]])) };
    const out = spawnSync(PYTHON, ["-c", code], {
      input: JSON.stringify(request),
      encoding: "utf8",
      maxBuffer: 1 << 26,
    });
    expect(out.status, out.stderr).toBe(0);
    return JSON.parse(out.stdout) as Record<string, { values: unknown; probabilities: boolean; decayed: number }>;
  }

  function maxDifference(a: unknown, b: unknown): number {
    if (Array.isArray(a) && Array.isArray(b)) {
      expect(a.length).toBe(b.length);
      return Math.max(0, ...a.map((item, i) => maxDifference(item, b[i])));
    }
    return Math.abs((a as number) - (b as number));
  }

  it("computes TF.js's outputs from TF.js's weights: logits, probabilities and an NHWC feature map within 1e-4", () => {
    const ran = runWorker(Object.keys(cases));
    for (const [name, { expected }] of Object.entries(cases)) {
      expect(maxDifference(ran[name]!.values, expected), name).toBeLessThan(1e-4);
    }
    // The comparison is sensitive: the logits spread over several units and the feature map is [5, 6, 6, 32].
    const logits = cases.logits!.expected.flat();
    expect(Math.max(...logits) - Math.min(...logits)).toBeGreaterThan(1);
    const features = cases.features!.expected as unknown as number[][][][];
    expect([features.length, features[0]!.length, features[0]![0]!.length, features[0]![0]![0]!.length]).toEqual([
      BATCH,
      6,
      6,
      32,
    ]);
    // A final Softmax layer or Activation("softmax") means probabilities (the clipped cross-entropy), else logits.
    expect(Object.fromEntries(Object.entries(ran).map(([name, r]) => [name, r.probabilities]))).toEqual({
      softmax: true,
      activation: true,
      logits: false,
      features: false,
    });
    // Weight decay takes the same weights as TF.js's rank ≥ 2 rule: the depthwise and pointwise kernels included.
    const tfjsDecayed = models.softmax.trainableWeights
      .filter((w) => w.shape.length >= 2)
      .reduce((sum, w) => sum + tf.util.sizeFromShape(w.shape as number[]), 0);
    expect(tfjsDecayed).toBe(54 + 48 + 216 + 192 + 128 + 192 + 6 * CLASSES);
    expect(ran.softmax!.decayed).toBe(tfjsDecayed);
  });

  it("describes the network with TF.js's fingerprint, parameter count and weight shapes, and trains it", async () => {
    const dir = folder();
    const model = models.softmax;
    const regularizer: Regularizer = { ...NO_REGULARIZER, name: "decay", weightDecay: 0.0005 };
    const task = baseTask("separable", regularizer, 3);
    const entry = await writeTask(
      dir,
      0,
      taskInput(task, { kind: "topology", topology: cases.softmax!.topology as never }, { datasetShape: SHAPE }),
    );
    await writeTaskList(dir, [entry], "test");
    const described = await torch.describe(dir, 0);
    expect(described.fingerprint).toBe(await canonicalDigest(canonicalTopology(model)));
    expect(model.countParams()).toBe(HAND_COUNT);
    expect(described.parameterCount).toBe(HAND_COUNT);
    expect(described.layers).toEqual(model.layers.map((layer) => layer.weights.map((w) => w.shape)));
    // TF.js's shapes, by hand: depthwise [kh, kw, in, multiplier], pointwise [1, 1, in·multiplier, filters].
    expect(described.layers[1]).toEqual([[3, 3, 3, 2], [1, 1, 6, 8], [8]]);
    expect(described.layers[3]).toEqual([[3, 3, 8, 3], [24]]);
    const result = await torch.train(dir, 0);
    expect(result.status, result.failure ?? "").toBe("ok");
    expect(result.curve).toHaveLength(3);
    expect(result.curve.at(-1)!.trainLoss).toBeLessThan(result.curve[0]!.trainLoss);
  });

  it("drops whole channels in SpatialDropout2D: one draw per example and channel, scaled by 1/(1 − rate)", () => {
    const code = [
      "import json, sys",
      `sys.path.insert(0, ${JSON.stringify(join(WORKER, ".."))})`,
      "import worker",
      "torch = worker.torch",
      "layer = worker.SpatialDropout2D({'rate': 0.25, 'data_format': 'channels_last'}, 'test')",
      "layer.build([[5, 4, 16]], None)",
      "worker.DROPOUT['generator'] = torch.Generator().manual_seed(3)",
      "x = torch.arange(1, 1 + 8 * 16 * 5 * 4, dtype=torch.float32).reshape(8, 16, 5, 4)",
      "trained = layer.train()(x)",
      "inferred = layer.eval()(x)",
      "sys.__stdout__.write(json.dumps({'x': x.tolist(), 'trained': trained.tolist(), 'inferred': inferred.tolist()}))",
    ].join("\n");
    const out = spawnSync(PYTHON, ["-c", code], { encoding: "utf8", maxBuffer: 1 << 26 });
    expect(out.status, out.stderr).toBe(0);
    const { x: input, trained, inferred } = JSON.parse(out.stdout) as Record<string, number[][][][]>;
    expect(inferred).toEqual(input);
    let dropped = 0;
    for (const [n, example] of trained!.entries())
      for (const [c, plane] of example.entries()) {
        // Every pixel of a channel shares one draw: all dropped, or all kept and scaled by 1 / 0.75.
        const ratios = plane.flat().map((value, i) => value / input![n]![c]!.flat()[i]!);
        const kept = ratios[0]! !== 0;
        if (!kept) dropped++;
        for (const ratio of ratios) expect(ratio).toBeCloseTo(kept ? 1 / 0.75 : 0, 5);
      }
    // 128 channel draws at rate 0.25: some dropped, most kept.
    expect(dropped).toBeGreaterThan(10);
    expect(dropped).toBeLessThan(64);
  });

  it("refuses a dilated DepthwiseConv2D, which TF.js would train undilated, naming the layer", async () => {
    const input = tf.input({ shape: [...SHAPE] });
    const depthwise = tf.layers.depthwiseConv2d({ kernelSize: 3, dilationRate: 2 }).apply(input) as tf.SymbolicTensor;
    const flat = tf.layers.flatten().apply(depthwise) as tf.SymbolicTensor;
    const model = tf.model({
      inputs: input,
      outputs: tf.layers.dense({ units: CLASSES }).apply(flat) as tf.SymbolicTensor,
    });
    const dir = folder();
    const topology = canonicalTopology(model) as never;
    model.dispose();
    const entry = await writeTask(
      dir,
      0,
      taskInput(baseTask("dilated", NO_REGULARIZER, 1), { kind: "topology", topology }, { datasetShape: SHAPE }),
    );
    await writeTaskList(dir, [entry], "test");
    await expect(torch.describe(dir, 0)).rejects.toThrow(
      /layer 1 'layer-1' \(DepthwiseConv2D\): dilation_rate \[2, 2\] is not supported \(TF\.js ignores it/,
    );
  });
});

describe("worker.py's start-up errors", () => {
  it("exits 3 with the install command when torch is missing or older than 1.13", () => {
    const missing = folder();
    mkdirSync(join(missing, "torch"));
    writeFileSync(
      join(missing, "torch", "__init__.py"),
      "raise ImportError('No module named torch (test stand-in)')\n",
    );
    const out = worker(["--check"], { PYTHONPATH: missing });
    expect(out.status).toBe(3);
    expect(out.stderr).toMatch(/torch is not installed.*pip install 'torch>=1\.13' numpy/);
    const old = folder();
    mkdirSync(join(old, "torch"));
    writeFileSync(join(old, "torch", "__init__.py"), "__version__ = '1.12.1'\n");
    const tooOld = worker(["--check"], { PYTHONPATH: old });
    expect(tooOld.status).toBe(3);
    expect(tooOld.stderr).toMatch(/torch 1\.12\.1 is too old.*torch >= 1\.13.*pip install -U/);
  });

  it("exits 4 naming the devices here when CUDA is asked for on this CPU machine", async () => {
    const out = worker(["--check", "--device", "cuda"]);
    expect(out.status).toBe(4);
    expect(out.stderr).toMatch(/CUDA is not available.*devices here: cpu/);
    await expect(TorchProcess.start({ python: PYTHON, device: "cuda:1" })).rejects.toThrow(
      /--device cuda:1: .*CUDA is not available/,
    );
  });

  it("says how to point at a Python when there is none", async () => {
    await expect(TorchProcess.start({ python: "/nonexistent/python3", device: "cpu" })).rejects.toThrow(
      /cannot run Python "\/nonexistent\/python3".*--python PATH or set RETHINK_BENCH_PYTHON/,
    );
  });

  it("reports the engine and machine in its ready line, as the bundle records them", () => {
    expect(torch.engine).toMatchObject({
      name: "torch",
      device: "cpu",
      threads: 1,
      deterministic: true,
      cudaVersion: null,
    });
    expect(torch.engine.torchVersion).toMatch(/^\d+\.\d+/);
    expect(torch.hardware.cpuCount).toBeGreaterThan(0);
  });
});
