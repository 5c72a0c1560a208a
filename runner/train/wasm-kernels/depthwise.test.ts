// The wasm depthwise convolution gradients against the cpu backend: each kernel on random inputs,
// then whole-model gradients of separable and depthwise layers and a short run of the training loop.
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { beforeAll, describe, expect, it } from "vitest";
import { NO_REGULARIZER } from "../../../schema/index.js";
import { Rng } from "../../random.js";
import { initBackend, type TrainData, trainRun } from "../index.js";
import { registerWasmTrainingKernels } from "./index.js";

type Values = { values: Float32Array; shape: number[] };

function random(shape: number[], seed: number): Values {
  const rng = Rng.create(seed, "depthwise-test");
  return { values: Float32Array.from({ length: shape.reduce((p, q) => p * q, 1) }, () => rng.normal()), shape };
}

/** Runs one kernel by name on a backend and returns its output's values. */
async function runOn(backend: "cpu" | "wasm", kernel: string, inputs: Record<string, Values>, attrs: object) {
  await tf.setBackend(backend);
  const tensors = Object.fromEntries(Object.entries(inputs).map(([name, t]) => [name, tf.tensor(t.values, t.shape)]));
  const out = tf.engine().runKernel(kernel, tensors, attrs as tf.NamedAttrMap) as tf.Tensor;
  const result = { values: (await out.data()) as Float32Array, shape: out.shape };
  tf.dispose([...Object.values(tensors), out]);
  return result;
}

/** max |actual − expected| / max |expected|, after checking that the shapes agree. */
function relativeError(actual: Values, expected: Values): number {
  expect(actual.shape).toEqual(expected.shape);
  let error = 0;
  let scale = 0;
  expected.values.forEach((v, i) => {
    error = Math.max(error, Math.abs(actual.values[i]! - v));
    scale = Math.max(scale, Math.abs(v));
  });
  expect(scale).toBeGreaterThan(0);
  return error / scale;
}

/** The forward output's shape, which dy takes. */
async function outputShape(x: number[], filter: number[], attrs: object): Promise<number[]> {
  return (await runOn("cpu", tf.DepthwiseConv2dNative, { x: random(x, 1), filter: random(filter, 2) }, attrs)).shape;
}

beforeAll(async () => {
  tf.enableProdMode(); // no console hint from the cpu backend
  await initBackend("wasm");
  registerWasmTrainingKernels(); // a no-op after initBackend: checks that it did register ours
});

describe("wasm depthwise convolution gradients", () => {
  it("are registered on wasm, which has none of its own", () => {
    expect(tf.getKernel(tf.DepthwiseConv2dNativeBackpropFilter, "wasm")).toBeDefined();
    expect(tf.getKernel(tf.DepthwiseConv2dNativeBackpropInput, "wasm")).toBeDefined();
  });

  // [batch, height, width, channels, multiplier, filter size, stride, padding, rounding]: odd and
  // even sizes under "same" (asymmetric padding at stride 2 on even sizes and even filters),
  // explicit paddings, a numeric padding with its rounding mode.
  type Padding = "same" | "valid" | number | number[][];
  const explicitPadding = [
    [0, 0],
    [1, 2],
    [0, 1],
    [0, 0],
  ];
  const cases: Array<[number, number, number, number, number, number, number, Padding, "round"?]> = [
    [2, 9, 9, 3, 1, 3, 1, "same"],
    [2, 9, 9, 3, 3, 3, 2, "same"],
    [3, 8, 8, 2, 3, 3, 2, "same"],
    [2, 8, 6, 4, 2, 2, 1, "same"],
    [2, 10, 7, 2, 1, 5, 2, "valid"],
    [1, 7, 7, 3, 2, 3, 1, "valid"],
    [2, 9, 8, 2, 3, 3, 2, explicitPadding],
    [2, 9, 9, 2, 2, 3, 2, 1, "round"],
  ];

  it.each(cases)(
    "on %i×%i×%i×%i, multiplier %i, filter %i, stride %i, padding %j %s, match cpu",
    async (b, h, w, c, dm, k, s, pad, dimRoundingMode) => {
      const attrs = { strides: [s, s], dilations: [1, 1], pad, dimRoundingMode, dataFormat: "NHWC" };
      const dy = random(await outputShape([b, h, w, c], [k, k, c, dm], attrs), 3);
      const x = random([b, h, w, c], 4);
      const filter = random([k, k, c, dm], 5);
      const filterAttrs = { ...attrs, filterShape: [k, k, c, dm] };
      const inputAttrs = { ...attrs, inputShape: [b, h, w, c] };
      const dwName = tf.DepthwiseConv2dNativeBackpropFilter;
      const dxName = tf.DepthwiseConv2dNativeBackpropInput;
      const dw = [
        await runOn("wasm", dwName, { x, dy }, filterAttrs),
        await runOn("cpu", dwName, { x, dy }, filterAttrs),
      ];
      expect(relativeError(dw[0]!, dw[1]!)).toBeLessThan(1e-5);
      const dx = [
        await runOn("wasm", dxName, { dy, filter }, inputAttrs),
        await runOn("cpu", dxName, { dy, filter }, inputAttrs),
      ];
      expect(relativeError(dx[0]!, dx[1]!)).toBeLessThan(1e-5);
    },
  );

  it("match cpu when the filter gradient takes the batch in chunks (framed input over 2 MiB)", async () => {
    // 66×66×48 framed floats per example: chunks of 2, 2 and 1 examples.
    const attrs = { strides: [1, 1], dilations: [1, 1], pad: "same", filterShape: [3, 3, 48, 1] };
    const x = random([5, 64, 64, 48], 9);
    const dy = random([5, 64, 64, 48], 10);
    const name = tf.DepthwiseConv2dNativeBackpropFilter;
    const dw = await runOn("wasm", name, { x, dy }, attrs);
    expect(relativeError(dw, await runOn("cpu", name, { x, dy }, attrs))).toBeLessThan(1e-5);
  });

  // The cpu kernels ignore dilations (tfjs-core's gradient refuses them, so no model trains with
  // them), so the reference is cpu on the filter with zeros between its taps, which is what a
  // dilated filter is.
  it.each(["same", "valid"] as const)(
    "with dilation 2 (%s padding) match cpu on the zero-filled filter",
    async (pad) => {
      const [b, h, w, c, dm, k] = [2, 9, 8, 3, 2, 3];
      const wide = 2 * (k - 1) + 1;
      const attrs = { strides: [1, 1], dilations: [2, 2], pad, dataFormat: "NHWC" };
      const plain = { ...attrs, dilations: [1, 1] };
      const dy = random(await outputShape([b, h, w, c], [wide, wide, c, dm], plain), 6);
      const x = random([b, h, w, c], 7);
      const filter = random([k, k, c, dm], 8);
      // Tap (i, j) of the filter sits at (2i, 2j) of the zero-filled one.
      const at = (i: number, j: number, rest: number, width: number) => ((i * width + j) * c * dm + rest) as number;
      const zeroFilled = new Float32Array(wide * wide * c * dm);
      for (let i = 0; i < k; i++)
        for (let j = 0; j < k; j++)
          for (let r = 0; r < c * dm; r++) zeroFilled[at(2 * i, 2 * j, r, wide)] = filter.values[at(i, j, r, k)]!;

      const dx = await runOn(
        "wasm",
        tf.DepthwiseConv2dNativeBackpropInput,
        { dy, filter },
        {
          ...attrs,
          inputShape: [b, h, w, c],
        },
      );
      const dxRef = await runOn(
        "cpu",
        tf.DepthwiseConv2dNativeBackpropInput,
        { dy, filter: { values: zeroFilled, shape: [wide, wide, c, dm] } },
        { ...plain, inputShape: [b, h, w, c] },
      );
      expect(relativeError(dx, dxRef)).toBeLessThan(1e-5);

      const dw = await runOn(
        "wasm",
        tf.DepthwiseConv2dNativeBackpropFilter,
        { x, dy },
        {
          ...attrs,
          filterShape: [k, k, c, dm],
        },
      );
      const dwWide = await runOn(
        "cpu",
        tf.DepthwiseConv2dNativeBackpropFilter,
        { x, dy },
        {
          ...plain,
          filterShape: [wide, wide, c, dm],
        },
      );
      const dwRef = new Float32Array(k * k * c * dm);
      for (let i = 0; i < k; i++)
        for (let j = 0; j < k; j++)
          for (let r = 0; r < c * dm; r++) dwRef[at(i, j, r, k)] = dwWide.values[at(2 * i, 2 * j, r, wide)]!;
      expect(relativeError(dw, { values: dwRef, shape: [k, k, c, dm] })).toBeLessThan(1e-5);
    },
  );

  it("refuses a stride and a dilation both above 1, as tfjs-core does", async () => {
    await tf.setBackend("wasm");
    const x = tf.zeros([1, 9, 9, 2]);
    const dy = tf.zeros([1, 5, 5, 2]);
    const attrs = { strides: [2, 2], dilations: [2, 2], pad: "same", filterShape: [3, 3, 2, 1] };
    expect(() => tf.engine().runKernel(tf.DepthwiseConv2dNativeBackpropFilter, { x, dy }, attrs)).toThrow(
      /either the strides or the dilations must be 1/,
    );
    tf.dispose([x, dy]);
  });

  /** A SeparableConv2D (multiplier 2, stride 2) then a DepthwiseConv2D (multiplier 3), with seeded weights. */
  function separableNet(): tf.Sequential {
    const model = tf.sequential({
      layers: [
        tf.layers.separableConv2d({
          inputShape: [9, 8, 3],
          filters: 4,
          kernelSize: 3,
          strides: 2,
          depthMultiplier: 2,
          padding: "same",
          activation: "relu",
        }),
        tf.layers.depthwiseConv2d({ kernelSize: 2, depthMultiplier: 3, padding: "valid", activation: "tanh" }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 5 }),
      ],
    });
    model.setWeights(model.getWeights().map((w, i) => tf.tensor(random(w.shape, 20 + i).values, w.shape)));
    return model;
  }

  /** Gradients of a cross-entropy loss with respect to the input and every weight, on a backend. */
  async function gradientsOn(backend: "cpu" | "wasm"): Promise<Values[]> {
    await tf.setBackend(backend);
    const model = separableNet();
    const x = tf.variable(tf.tensor(random([3, 9, 8, 3], 30).values, [3, 9, 8, 3]));
    const labels = tf.oneHot(tf.tensor1d([0, 3, 4], "int32"), 5);
    const variables = [x, ...model.trainableWeights.map((w) => w.read() as tf.Variable)];
    const { grads } = tf.variableGrads(
      () => tf.losses.softmaxCrossEntropy(labels, model.apply(x) as tf.Tensor) as tf.Scalar,
      variables,
    );
    const out = await Promise.all(
      variables.map(async (v) => ({ values: (await grads[v.name]!.data()) as Float32Array, shape: v.shape })),
    );
    tf.dispose([x, labels, ...Object.values(grads)]);
    model.dispose();
    return out;
  }

  it("give a separable and depthwise model the gradients cpu gives it", async () => {
    const wasm = await gradientsOn("wasm");
    const cpu = await gradientsOn("cpu");
    // The input, then depthwise, pointwise and bias of each layer as it has them.
    expect(wasm.map((g) => g.shape)).toEqual([
      [3, 9, 8, 3],
      [3, 3, 3, 2],
      [1, 1, 6, 4],
      [4],
      [2, 2, 4, 3],
      [12],
      [144, 5],
      [5],
    ]);
    for (const [i, expected] of cpu.entries())
      expect(relativeError(wasm[i]!, expected), `gradient ${i}`).toBeLessThan(1e-5);
  });

  it("let the training loop fit a separable net on wasm", async () => {
    await tf.setBackend("wasm");
    // Ten classes of 8×8 images, each a fixed pattern plus noise.
    const rng = Rng.create(40, "depthwise-fit");
    const images = (count: number) => {
      const labels = Uint8Array.from({ length: count }, (_, n) => n % 10);
      const pixels = Float32Array.from({ length: count * 64 }, (_, i) => {
        const label = labels[Math.floor(i / 64)]!;
        return (((i % 64) * 7 + label * 13) % 10) / 10 + 0.3 * rng.normal();
      });
      return { images: pixels, labels, count };
    };
    const data: TrainData = { shape: [8, 8, 1], classes: 10, train: images(100), test: images(20) };
    const separable = {
      id: "separable-test",
      name: "separable-test",
      kind: "builder-module" as const,
      build: ({ inputShape, classes, seed }: { inputShape: number[]; classes: number; seed: number }) =>
        tf.sequential({
          layers: [
            tf.layers.separableConv2d({
              inputShape,
              filters: 8,
              kernelSize: 3,
              depthMultiplier: 2,
              padding: "same",
              activation: "relu",
              depthwiseInitializer: tf.initializers.glorotUniform({ seed }),
              pointwiseInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }),
            }),
            tf.layers.depthwiseConv2d({
              kernelSize: 3,
              strides: 2,
              padding: "same",
              activation: "relu",
              depthwiseInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }),
            }),
            tf.layers.flatten(),
            tf.layers.dense({ units: classes, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 3 }) }),
          ],
        }),
    };
    const before = tf.memory().numTensors;
    const outcome = await trainRun(
      {
        suite: { id: "test", version: 1 },
        architecture: "separable-test",
        dataset: { id: "synthetic", trainSize: 100, testSize: 20 },
        corruption: { kind: "true" },
        regularizer: NO_REGULARIZER,
        seed: 0,
        optimizer: { kind: "sgd-momentum", learningRate: 0.05, momentum: 0.9, decayPerEpoch: 1, batchSize: 25 },
        epochs: 15,
        fitThreshold: 1,
      },
      separable,
      data,
    );
    expect(outcome.status, outcome.failure ?? "").toBe("ok");
    expect(outcome.curve.at(-1)!.trainAcc).toBeGreaterThan(0.9);
    expect(outcome.curve.at(-1)!.trainLoss).toBeLessThan(outcome.curve[0]!.trainLoss);
    expect(tf.memory().numTensors).toBe(before);
  });
});
