// Training throughput of a small separable-convolution net on wasm (`npx tsx scripts/bench-separable.ts`).
//
// Measures examples per second of the runner's training loop (trainRun, evaluation excluded) on
// 28×28×1 inputs, batch 128, for a net of Conv2D, SeparableConv2D, DepthwiseConv2D (multiplier 2)
// and a strided SeparableConv2D, whose gradients run through our wasm depthwise kernels
// (runner/train/wasm-kernels/depthwise.ts), with small-alexnet-tiny as the baseline in the same
// process. The first epoch is warm-up and is dropped; the others are the trials. Results are in
// docs/performance.md.
import * as tf from "@tensorflow/tfjs";
import { type ArchitectureBuilder, loadArchitecture } from "../runner/models/index.js";
import { Rng } from "../runner/random.js";
import { initBackend, trainRun } from "../runner/train/index.js";
import { NO_REGULARIZER, type Task } from "../schema/index.js";
import { mean, sampleSd } from "./stats.js";

const EXAMPLES = 1280;
const BATCH = 128;
const TRIALS = 4;

const seeded = (seed: number) => tf.initializers.glorotUniform({ seed });
const separable: ArchitectureBuilder = {
  id: "separable-small",
  name: "separable-small",
  kind: "builder-module",
  build: ({ inputShape, classes, seed }) =>
    tf.sequential({
      layers: [
        tf.layers.conv2d({
          inputShape: [...inputShape],
          filters: 16,
          kernelSize: 3,
          padding: "same",
          activation: "relu",
          kernelInitializer: seeded(seed),
        }),
        tf.layers.separableConv2d({
          filters: 32,
          kernelSize: 3,
          padding: "same",
          activation: "relu",
          depthwiseInitializer: seeded(seed + 1),
          pointwiseInitializer: seeded(seed + 2),
        }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.depthwiseConv2d({
          kernelSize: 3,
          depthMultiplier: 2,
          padding: "same",
          activation: "relu",
          depthwiseInitializer: seeded(seed + 3),
        }),
        tf.layers.separableConv2d({
          filters: 64,
          kernelSize: 3,
          strides: 2,
          padding: "same",
          activation: "relu",
          depthwiseInitializer: seeded(seed + 4),
          pointwiseInitializer: seeded(seed + 5),
        }),
        tf.layers.flatten(),
        tf.layers.dense({ units: classes, kernelInitializer: seeded(seed + 6) }),
      ],
    }),
};

const rng = Rng.create(1, "bench-separable");
const images = (count: number) => ({
  images: Float32Array.from({ length: count * 784 }, () => rng.float()),
  labels: Uint8Array.from({ length: count }, () => rng.int(10)),
  count,
});
const data = { shape: [28, 28, 1] as [number, number, number], classes: 10, train: images(EXAMPLES), test: images(1) };

console.log((await initBackend("wasm")).detail);
for (const architecture of [separable, await loadArchitecture({ kind: "builtin", id: "small-alexnet-tiny" })]) {
  const task: Task = {
    suite: { id: "bench", version: 1 },
    architecture: architecture.id,
    dataset: { id: "synthetic", trainSize: EXAMPLES, testSize: 1 },
    corruption: { kind: "random" },
    regularizer: NO_REGULARIZER,
    seed: 0,
    optimizer: { kind: "sgd-momentum", learningRate: 0.01, momentum: 0.9, decayPerEpoch: 1, batchSize: BATCH },
    epochs: 1 + TRIALS,
    fitThreshold: 1,
  };
  const outcome = await trainRun(task, architecture, data);
  if (outcome.status !== "ok") throw new Error(`${architecture.id} failed: ${outcome.failure}`);
  const seconds = outcome.curve.map((point, i) => point.wallSeconds - (outcome.curve[i - 1]?.wallSeconds ?? 0));
  const rates = seconds.slice(1).map((s) => EXAMPLES / s);
  console.log(
    `${architecture.id}: ${mean(rates).toFixed(1)} ± ${sampleSd(rates).toFixed(1)} examples/s (${rates.length} trials)`,
  );
}
