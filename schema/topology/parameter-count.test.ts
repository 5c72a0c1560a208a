// The pure-TypeScript parameter counter agrees with TF.js's model.countParams() on every built-in,
// the user topologies of the fixtures, and models using every layer class it claims to count.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { BUILTIN_ARCHITECTURE_IDS, loadArchitecture } from "../../runner/models/index.js";
import { SpatialDropout2D } from "../../runner/models/layers.js";
import { canonicalTopology } from "../../runner/models/topology.js";
import { TOPOLOGIES } from "../../tests/fixtures/topologies.js";
import { type InputShape, NO_REGULARIZER, REGULARIZERS } from "../index.js";
import { COUNTED_LAYER_CLASSES, countParameters } from "./parameter-count.js";

/** Every shape a model is built at: MNIST-like, CIFAR-10 as the runner builds it (crop) and uncropped, synthetic. */
const SHAPES: InputShape[] = [
  [28, 28, 1],
  [28, 28, 3],
  [32, 32, 3],
  [8, 8, 1],
];

function counts(model: tf.LayersModel, shape: readonly number[]) {
  try {
    return { ours: countParameters(canonicalTopology(model), shape), tfjs: model.countParams() };
  } finally {
    model.dispose();
  }
}

describe("countParameters", () => {
  it("counts the MLP by hand: 784·512 + 512 + 512·10 + 10", async () => {
    const mlp = await loadArchitecture({ kind: "builtin", id: "mlp-1x512" });
    const model = mlp.build({ inputShape: [28, 28, 1], classes: 10, regularizer: NO_REGULARIZER, seed: 0 });
    expect(counts(model, [28, 28, 1]).ours).toEqual({ ok: true, count: 407050 });
  });

  for (const id of BUILTIN_ARCHITECTURE_IDS) {
    it(`equals TF.js for ${id} at every input shape, with and without the regularizers that change it`, async () => {
      const builder = await loadArchitecture({ kind: "builtin", id });
      // Dropout (SeededDropout layers) and batch norm switched on or off change the layers.
      const regularizers = [
        NO_REGULARIZER,
        ...Object.values(REGULARIZERS).filter((r) => r.dropout > 0 || r.batchNorm !== "default"),
      ];
      expect(regularizers.length).toBeGreaterThan(1);
      for (const inputShape of SHAPES) {
        for (const regularizer of regularizers) {
          const { ours, tfjs } = counts(builder.build({ inputShape, classes: 10, regularizer, seed: 0 }), inputShape);
          expect(ours, `${id} at ${inputShape.join("x")} with ${regularizer.name}`).toEqual({ ok: true, count: tfjs });
        }
      }
    });
  }

  it("equals the counts recorded with the fixtures' user topologies", () => {
    for (const [name, { topology, parameterCount }] of Object.entries(TOPOLOGIES))
      expect(countParameters(topology, [28, 28, 1]), name).toEqual({ ok: true, count: parameterCount });
  });

  it("equals TF.js for a Sequential model of every other counted layer class", () => {
    const model = tf.sequential({
      layers: [
        tf.layers.zeroPadding2d({
          inputShape: [28, 28, 3],
          padding: [
            [1, 2],
            [0, 3],
          ],
        }),
        tf.layers.conv2d({ filters: 6, kernelSize: [3, 5], strides: 2, padding: "valid", useBias: false }),
        tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: "same" }),
        tf.layers.conv2d({ filters: 7, kernelSize: 3, dilationRate: 2 }),
        tf.layers.batchNormalization({ center: false }),
        tf.layers.prelu({ sharedAxes: [1, 2] }),
        tf.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: "valid" }),
        tf.layers.leakyReLU(),
        tf.layers.reshape({ targetShape: [20, 7] }),
        tf.layers.layerNormalization({ axis: -1 }),
        tf.layers.flatten(),
        tf.layers.dropout({ rate: 0.5 }),
        tf.layers.dense({ units: 13, activation: "relu" }),
        tf.layers.prelu(),
        tf.layers.dense({ units: 10, activation: "softmax" }),
      ],
    });
    const { ours, tfjs } = counts(model, [28, 28, 3]);
    expect(ours).toEqual({ ok: true, count: tfjs });
  });

  it("equals TF.js for a functional model with merges, a shared layer and global pooling", () => {
    const input = tf.input({ shape: [12, 12, 2] });
    const shared = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: "same" });
    const a = shared.apply(input) as tf.SymbolicTensor;
    const b = shared.apply(tf.layers.activation({ activation: "relu" }).apply(input) as tf.SymbolicTensor);
    const sum = tf.layers.add().apply([a, b as tf.SymbolicTensor]) as tf.SymbolicTensor;
    const pooled = tf.layers.maxPooling2d({ poolSize: 2 }).apply(sum) as tf.SymbolicTensor;
    const wide = tf.layers.concatenate().apply([pooled, tf.layers.maxPooling2d({}).apply(a) as tf.SymbolicTensor]);
    const features = tf.layers.globalMaxPooling2d({}).apply(wide as tf.SymbolicTensor) as tf.SymbolicTensor;
    const model = tf.model({
      inputs: input,
      outputs: tf.layers.dense({ units: 10 }).apply(features) as tf.SymbolicTensor,
    });
    const { ours, tfjs } = counts(model, [12, 12, 2]);
    expect(ours).toEqual({ ok: true, count: tfjs });
  });

  it("names the layer and class it cannot count", () => {
    const input = tf.input({ shape: [28, 28] });
    const model = tf.model({
      inputs: input,
      outputs: tf.layers.dense({ units: 10 }).apply(tf.layers.lstm({ units: 8 }).apply(input)) as tf.SymbolicTensor,
    });
    const { ours } = counts(model, [28, 28]);
    expect(ours).toMatchObject({ ok: false, layer: "layer-1", className: "LSTM" });
    expect(COUNTED_LAYER_CLASSES).not.toContain("LSTM");
  });

  it("counts SeparableConv2D and DepthwiseConv2D by hand, and as TF.js does", () => {
    const model = tf.sequential({
      layers: [
        tf.layers.separableConv2d({ inputShape: [8, 8, 2], filters: 7, kernelSize: 3, depthMultiplier: 3 }),
        tf.layers.separableConv2d({ filters: 4, kernelSize: [2, 3], padding: "same", useBias: false }),
        tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2 }),
      ],
    });
    // 8×8×2 → 6×6×7: depthwise 3·3·2·3 = 54, pointwise (2·3)·7 = 42, bias 7 → 103.
    // 6×6×7 → 6×6×4 (multiplier 1): depthwise 2·3·7 = 42, pointwise 7·4 = 28, no bias → 70.
    // 6×6×4 → 4×4×8: depthwise 3·3·4·2 = 72, bias 4·2 = 8 → 80.
    const byHand = 103 + 70 + 80;
    const topology = canonicalTopology(model);
    expect(counts(model, [8, 8, 2])).toEqual({ ours: { ok: true, count: byHand }, tfjs: byHand });
    // Keras files and older canonical topologies may lack the multiplier: TF.js's default, 1, as a rebuild gets.
    const layers = (topology as { config: { layers: Array<{ config: Record<string, unknown> }> } }).config.layers;
    delete layers[0]!.config.depth_multiplier;
    // The first layer at multiplier 1: 3·3·2 + 2·7 + 7 = 39 instead of 103.
    expect(countParameters(topology, [8, 8, 2])).toEqual({ ok: true, count: 39 + 70 + 80 });
    layers[0]!.config.depth_multiplier = 0;
    expect(countParameters(topology, [8, 8, 2])).toMatchObject({
      ok: false,
      className: "SeparableConv2D",
      reason: expect.stringContaining("depth_multiplier"),
    });
  });

  it("counts SpatialDropout2D (no weights, images only) by hand, and as TF.js does", () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [6, 6, 3], filters: 4, kernelSize: 3 }),
        new SpatialDropout2D({ rate: 0.3 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 10 }),
      ],
    });
    // Conv 3·3·3·4 + 4 = 112 → 4×4×4; dropout 0; dense 64·10 + 10 = 650.
    expect(counts(model, [6, 6, 3])).toEqual({ ours: { ok: true, count: 112 + 650 }, tfjs: 112 + 650 });
    const flat = {
      class_name: "Sequential",
      config: {
        layers: [{ class_name: "SpatialDropout2D", config: { name: "sd", batch_input_shape: [null, 12], rate: 0.5 } }],
      },
    };
    expect(countParameters(flat, [12])).toMatchObject({ ok: false, layer: "sd", className: "SpatialDropout2D" });
  });

  it("equals TF.js for a functional model with the remaining image-classifier layers", () => {
    // Residual and inception-style blocks with the classes the other tests leave out.
    const input = tf.input({ shape: [10, 10, 3] });
    const stem = tf.layers.conv2d({ filters: 6, kernelSize: 3, padding: "same" }).apply(input) as tf.SymbolicTensor;
    const relu = tf.layers.reLU({ maxValue: 6 }).apply(stem) as tf.SymbolicTensor;
    const branch = tf.layers.separableConv2d({ filters: 6, kernelSize: 3, padding: "same", depthMultiplier: 2 });
    const residual = tf.layers.add().apply([relu, branch.apply(relu) as tf.SymbolicTensor]) as tf.SymbolicTensor;
    const dropped = new SpatialDropout2D({ rate: 0.2 }).apply(residual) as tf.SymbolicTensor;
    const wide = tf.layers
      .concatenate()
      .apply([
        tf.layers.averagePooling2d({ poolSize: 2 }).apply(dropped) as tf.SymbolicTensor,
        tf.layers.conv2d({ filters: 2, kernelSize: 2, strides: 2 }).apply(dropped) as tf.SymbolicTensor,
      ]) as tf.SymbolicTensor;
    const pooled = tf.layers.globalAveragePooling2d({}).apply(wide) as tf.SymbolicTensor;
    const logits = tf.layers.dense({ units: 10 }).apply(pooled) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: tf.layers.softmax().apply(logits) as tf.SymbolicTensor });
    const { ours, tfjs } = counts(model, [10, 10, 3]);
    expect(ours).toEqual({ ok: true, count: tfjs });
  });

  it("counts every layer class an image classifier may hold", () => {
    const imageClassifierLayers = [
      "Conv2D",
      "SeparableConv2D",
      "DepthwiseConv2D",
      "Dense",
      "BatchNormalization",
      "Dropout",
      "SpatialDropout2D",
      "MaxPooling2D",
      "AveragePooling2D",
      "GlobalAveragePooling2D",
      "GlobalMaxPooling2D",
      "Flatten",
      "Reshape",
      "ZeroPadding2D",
      "Activation",
      "ReLU",
      "LeakyReLU",
      "Softmax",
      "Add",
      "Concatenate",
    ];
    expect(imageClassifierLayers.filter((name) => !COUNTED_LAYER_CLASSES.includes(name))).toEqual([]);
  });

  it("refuses a topology declared for another input shape than the architecture's", async () => {
    const mlp = await loadArchitecture({ kind: "builtin", id: "mlp-1x512" });
    const model = mlp.build({ inputShape: [28, 28, 1], classes: 10, regularizer: NO_REGULARIZER, seed: 0 });
    expect(counts(model, [28, 28, 3]).ours).toMatchObject({ ok: false, layer: "layer-0", className: "InputLayer" });
  });

  it("refuses shapes that do not fit and configs it cannot read, naming the layer", () => {
    const conv = (config: Record<string, unknown>) => ({
      class_name: "Sequential",
      config: {
        name: "model",
        layers: [
          {
            class_name: "Conv2D",
            config: { name: "big", batch_input_shape: [null, 4, 4, 1], kernel_size: [5, 5], filters: 2, ...config },
          },
        ],
      },
    });
    expect(countParameters(conv({}), [4, 4, 1])).toMatchObject({ ok: false, layer: "big", className: "Conv2D" });
    expect(countParameters(conv({ padding: "same", filters: "2" }), [4, 4, 1])).toMatchObject({
      ok: false,
      layer: "big",
      reason: expect.stringContaining("filters"),
    });
    expect(countParameters(conv({ padding: "same" }), [4, 4, 1])).toEqual({ ok: true, count: 5 * 5 * 2 + 2 });
    expect(countParameters({ class_name: "Model", config: { layers: [] } }, [4, 4, 1])).toMatchObject({ ok: false });
    expect(countParameters("not a topology", [4, 4, 1])).toMatchObject({ ok: false, layer: "(model)" });
  });

  it("refuses a dilated DepthwiseConv2D, which TF.js builds undilated, and counts an undilated one", () => {
    const depthwise = (dilationRate: number) => {
      const model = tf.sequential({
        layers: [tf.layers.depthwiseConv2d({ inputShape: [8, 8, 2], kernelSize: 3, dilationRate })],
      });
      const topology = canonicalTopology(model);
      model.dispose();
      return countParameters(topology, [8, 8, 2]);
    };
    expect(depthwise(2)).toMatchObject({
      ok: false,
      layer: "layer-0",
      className: "DepthwiseConv2D",
      reason: expect.stringMatching(/dilation_rate \[2, 2\] is not supported: TF\.js ignores dilation/),
    });
    // 3·3 kernel per channel, 2 channels, a bias each.
    expect(depthwise(1)).toEqual({ ok: true, count: 3 * 3 * 2 + 2 });
  });

  it("counts only the layers on the way from the input to the outputs, as TF.js's model holds", () => {
    const input = tf.input({ shape: [4] });
    const used = tf.layers.dense({ units: 3 }).apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: used });
    const topology = canonicalTopology(model) as { config: { layers: unknown[] } };
    const expected = 4 * 3 + 3;
    expect(model.countParams()).toBe(expected);
    model.dispose();
    // A dense layer of 1,000 units hanging off the input that no output depends on.
    topology.config.layers.push({
      name: "dangling",
      class_name: "Dense",
      config: { name: "dangling", units: 1000 },
      inbound_nodes: [[["layer-0", 0, 0, {}]]],
    });
    expect(countParameters(topology, [4])).toEqual({ ok: true, count: expected });
  });
});
