// Keras 3 config.json documents, written here as Keras 3 writes them, mapped to TF.js topologies and built with TF.js;
// parameter counts worked out by hand; each refusal names the file, the layer and its class.
// Over 350 lines: each Keras 3 document is written out in full, as Keras writes it, so a reader can check it.
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { InputError } from "../errors.js";
import { isKeras3Config } from "./keras3.js";
import { SpatialDropout2D } from "./layers.js";
import { canonicalTopology } from "./topology.js";
import { topologyFromJson } from "./topology-file.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonRecord = { [key: string]: Json };

const SOURCE = "net.keras";

// The pieces Keras 3 writes for every object: {module, class_name, config, registered_name}.
const policy = (name = "float32") => ({
  module: "keras",
  class_name: "DTypePolicy",
  config: { name },
  registered_name: null,
});
const init = (class_name: string, config: JsonRecord = {}) => ({
  module: "keras.initializers",
  class_name,
  config,
  registered_name: null,
});
const glorot = () => init("GlorotUniform", { seed: null });
const zeros = () => init("Zeros");
const ones = () => init("Ones");

/** A layer entry as Keras 3 writes it; `extra` holds functional models' name and inbound_nodes. */
function layer(class_name: string, name: string, config: JsonRecord, extra: JsonRecord = {}): JsonRecord {
  return {
    module: "keras.layers",
    class_name,
    config: { name, trainable: true, dtype: policy(), ...config },
    registered_name: null,
    ...extra,
  };
}
const inputLayer = (name: string, batchShape: Json[]) => ({
  module: "keras.layers",
  class_name: "InputLayer",
  config: { batch_shape: batchShape, dtype: "float32", sparse: false, ragged: false, name },
  registered_name: null,
});
const weights = (...prefixes: string[]) =>
  Object.fromEntries(
    prefixes.flatMap((p) => [
      [`${p}_initializer`, p === "bias" ? zeros() : glorot()],
      [`${p}_regularizer`, null],
      [`${p}_constraint`, null],
    ]),
  );
const conv2d = (filters: number, kernel: number, extra: JsonRecord = {}) => ({
  filters,
  kernel_size: [kernel, kernel],
  strides: [1, 1],
  padding: "valid",
  data_format: "channels_last",
  dilation_rate: [1, 1],
  groups: 1,
  activation: "linear",
  use_bias: true,
  ...weights("kernel", "bias"),
  activity_regularizer: null,
  ...extra,
});
const dense = (units: number, activation: string) => ({
  units,
  activation,
  use_bias: true,
  ...weights("kernel", "bias"),
  quantization_config: null,
});
const batchNorm = () => ({
  axis: -1,
  momentum: 0.99,
  epsilon: 0.001,
  center: true,
  scale: true,
  beta_initializer: zeros(),
  gamma_initializer: ones(),
  moving_mean_initializer: zeros(),
  moving_variance_initializer: ones(),
  beta_regularizer: null,
  gamma_regularizer: null,
  beta_constraint: null,
  gamma_constraint: null,
  synchronized: false,
});

/** A Keras 3 symbolic tensor reference, as in inbound_nodes' args. */
const tensor = (name: string, shape: Json[] = [null]) => ({
  class_name: "__keras_tensor__",
  config: { shape, dtype: "float32", keras_history: [name, 0, 0] },
});
const calls = (...inputs: string[]): JsonRecord => ({
  inbound_nodes: [{ args: inputs.length === 1 ? [tensor(inputs[0]!)] : [inputs.map((i) => tensor(i))], kwargs: {} }],
});

function functional(name: string, layers: JsonRecord[], inputs: Json, outputs: Json): JsonRecord {
  return {
    module: "keras.src.models.functional",
    class_name: "Functional",
    config: { name, trainable: true, layers, input_layers: inputs, output_layers: outputs },
    registered_name: "Functional",
    build_config: { input_shape: null },
    compile_config: null,
  };
}
function sequential(layers: JsonRecord[]): JsonRecord {
  return {
    module: "keras",
    class_name: "Sequential",
    config: { name: "sequential", trainable: true, dtype: policy(), layers },
    registered_name: null,
  };
}

/**
 * Built as the runner builds a file: keras3ToLayersTopology's output always goes through the loader's
 * normalization (topologyFromJson), which does what Keras 2 and Keras 3 files share, so it is tested that way.
 */
async function build(json: unknown): Promise<tf.LayersModel> {
  const { topology } = topologyFromJson(json, SOURCE);
  return tf.models.modelFromJSON({ modelTopology: topology as unknown as tf.io.ModelJSON["modelTopology"] });
}

/** The refusal message for `json`, which must be an InputError. */
function refusal(json: unknown): string {
  try {
    topologyFromJson(json, SOURCE);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error("expected the mapping to refuse the file");
}

// The digit classifier, in full as Keras 3.x's model.save("net.keras") writes its config.json.
const DIGITS = {
  module: "keras",
  class_name: "Sequential",
  config: {
    name: "sequential",
    trainable: true,
    dtype: { module: "keras", class_name: "DTypePolicy", config: { name: "float32" }, registered_name: null },
    layers: [
      {
        module: "keras.layers",
        class_name: "InputLayer",
        config: { batch_shape: [null, 28, 28, 1], dtype: "float32", sparse: false, ragged: false, name: "input_layer" },
        registered_name: null,
      },
      {
        module: "keras.layers",
        class_name: "Conv2D",
        config: {
          name: "conv2d",
          trainable: true,
          dtype: { module: "keras", class_name: "DTypePolicy", config: { name: "float32" }, registered_name: null },
          filters: 32,
          kernel_size: [5, 5],
          strides: [1, 1],
          padding: "valid",
          data_format: "channels_last",
          dilation_rate: [1, 1],
          groups: 1,
          activation: "relu",
          use_bias: true,
          kernel_initializer: {
            module: "keras.initializers",
            class_name: "GlorotUniform",
            config: { seed: null },
            registered_name: null,
          },
          bias_initializer: { module: "keras.initializers", class_name: "Zeros", config: {}, registered_name: null },
          kernel_regularizer: null,
          bias_regularizer: null,
          activity_regularizer: null,
          kernel_constraint: null,
          bias_constraint: null,
        },
        registered_name: null,
        build_config: { input_shape: [null, 28, 28, 1] },
      },
      {
        module: "keras.layers",
        class_name: "MaxPooling2D",
        config: {
          name: "max_pooling2d",
          trainable: true,
          dtype: { module: "keras", class_name: "DTypePolicy", config: { name: "float32" }, registered_name: null },
          pool_size: [2, 2],
          padding: "valid",
          strides: [2, 2],
          data_format: "channels_last",
        },
        registered_name: null,
      },
      {
        module: "keras.layers",
        class_name: "Dropout",
        config: {
          name: "dropout",
          trainable: true,
          dtype: { module: "keras", class_name: "DTypePolicy", config: { name: "float32" }, registered_name: null },
          rate: 0.2,
          seed: null,
          noise_shape: null,
        },
        registered_name: null,
      },
      {
        module: "keras.layers",
        class_name: "Flatten",
        config: {
          name: "flatten",
          trainable: true,
          dtype: { module: "keras", class_name: "DTypePolicy", config: { name: "float32" }, registered_name: null },
          data_format: "channels_last",
        },
        registered_name: null,
        build_config: { input_shape: [null, 12, 12, 32] },
      },
      layer("Dense", "dense", dense(128, "relu"), { build_config: { input_shape: [null, 4608] } }),
      layer("Dense", "dense_1", dense(10, "softmax"), { build_config: { input_shape: [null, 128] } }),
    ],
    build_input_shape: [null, 28, 28, 1],
  },
  registered_name: null,
  build_config: { input_shape: [null, 28, 28, 1] },
  compile_config: {
    optimizer: "adam",
    loss: "sparse_categorical_crossentropy",
    loss_weights: null,
    metrics: ["accuracy"],
    weighted_metrics: null,
    run_eagerly: false,
    steps_per_execution: 1,
    jit_compile: false,
  },
};

describe("isKeras3Config", () => {
  it("recognizes Keras 3 configs by their module keys or __keras_tensor__ wiring", () => {
    expect(isKeras3Config(DIGITS)).toBe(true);
    // A functional model whose entries lost module/registered_name is still wired with Keras 3 nodes.
    const bareNodes = {
      class_name: "Functional",
      config: { layers: [{ class_name: "Dense", name: "d", config: { units: 1 }, ...calls("in") }] },
    };
    expect(isKeras3Config(bareNodes)).toBe(true);
  });

  it("does not take Keras 2 / TF.js topologies or wrappers for Keras 3", () => {
    const keras2List = { class_name: "Sequential", config: [{ class_name: "Dense", config: { units: 1 } }] };
    const keras2Functional = {
      class_name: "Model",
      config: { layers: [{ class_name: "Dense", name: "d", config: {}, inbound_nodes: [[["in", 0, 0, {}]]] }] },
    };
    expect(isKeras3Config(keras2List)).toBe(false);
    expect(isKeras3Config(keras2Functional)).toBe(false);
    expect(isKeras3Config({ modelTopology: DIGITS })).toBe(false);
    expect(isKeras3Config(null)).toBe(false);
  });
});

describe("keras3ToLayersTopology, through the loader, builds with TF.js", () => {
  it("maps the digit classifier: 592,074 parameters, the same network TF.js builds from its own layers", async () => {
    const model = await build(DIGITS);
    // conv 5·5·1·32 + 32 = 832; 24×24×32 pooled to 12×12×32 = 4608; dense 4608·128 + 128 = 589,952;
    // dense 128·10 + 10 = 1290.
    expect(model.countParams()).toBe(832 + 589_952 + 1290);
    expect(model.countParams()).toBe(592_074);
    expect(model.inputs[0]!.shape).toEqual([null, 28, 28, 1]);
    const direct = tf.sequential({
      layers: [
        tf.layers.conv2d({
          inputShape: [28, 28, 1],
          filters: 32,
          kernelSize: 5,
          activation: "relu",
          kernelInitializer: "glorotUniform",
        }),
        tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
        tf.layers.dropout({ rate: 0.2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 128, activation: "relu", kernelInitializer: "glorotUniform" }),
        tf.layers.dense({ units: 10, activation: "softmax", kernelInitializer: "glorotUniform" }),
      ],
    });
    // Same canonical topology, so the same fingerprint as the network saved by TF.js itself.
    expect(canonicalTopology(model)).toEqual(canonicalTopology(direct));
  });

  it("maps a functional residual block (Add) with its single input written bare", async () => {
    const json = functional(
      "resnet",
      [
        { ...inputLayer("image", [null, 8, 8, 3]), name: "image", inbound_nodes: [] },
        layer("Conv2D", "c1", conv2d(4, 3, { padding: "same", activation: "relu" }), { name: "c1", ...calls("image") }),
        layer("Conv2D", "c2", conv2d(4, 3, { padding: "same" }), { name: "c2", ...calls("c1") }),
        layer("BatchNormalization", "bn", batchNorm(), { name: "bn", ...calls("c2") }),
        layer("Add", "add", {}, { name: "add", ...calls("c1", "bn") }),
        layer(
          "ReLU",
          "relu",
          { max_value: null, negative_slope: 0.0, threshold: 0.0 },
          { name: "relu", ...calls("add") },
        ),
        layer(
          "GlobalAveragePooling2D",
          "gap",
          { data_format: "channels_last", keepdims: false },
          {
            name: "gap",
            ...calls("relu"),
          },
        ),
        layer("Dense", "out", dense(10, "softmax"), { name: "out", ...calls("gap") }),
      ],
      ["image", 0, 0],
      ["out", 0, 0],
    );
    const model = await build(json);
    // c1 3·3·3·4 + 4 = 112; c2 3·3·4·4 + 4 = 148; bn 4·4 = 16 (gamma, beta, moving mean and variance);
    // out 4·10 + 10 = 50.
    expect(model.countParams()).toBe(112 + 148 + 16 + 50);
    const add = model.getLayer("add");
    expect(add.getClassName()).toBe("Add");
    expect(add.inboundNodes[0]!.inboundLayers.map((l) => l.name)).toEqual(["c1", "bn"]);
    expect(model.outputs[0]!.shape).toEqual([null, 10]);
    const image = tf.input({ shape: [8, 8, 3], name: "image" });
    const c1 = tf.layers
      .conv2d({ filters: 4, kernelSize: 3, padding: "same", activation: "relu", kernelInitializer: "glorotUniform" })
      .apply(image) as tf.SymbolicTensor;
    const c2 = tf.layers
      .conv2d({ filters: 4, kernelSize: 3, padding: "same", kernelInitializer: "glorotUniform" })
      .apply(c1);
    const bn = tf.layers.batchNormalization().apply(c2) as tf.SymbolicTensor;
    const sum = tf.layers.add().apply([c1, bn]);
    const pooled = tf.layers.globalAveragePooling2d({}).apply(tf.layers.reLU().apply(sum));
    const out = tf.layers.dense({ units: 10, activation: "softmax", kernelInitializer: "glorotUniform" }).apply(pooled);
    const direct = tf.model({ inputs: image, outputs: out as tf.SymbolicTensor });
    expect(canonicalTopology(model)).toEqual(canonicalTopology(direct));
  });

  it("maps a functional inception block (Concatenate) with its input given as a list", async () => {
    const json = functional(
      "inception",
      [
        { ...inputLayer("image", [null, 8, 8, 3]), name: "image", inbound_nodes: [] },
        layer("Conv2D", "a", conv2d(4, 1, { activation: "relu" }), { name: "a", ...calls("image") }),
        layer("Conv2D", "b", conv2d(6, 3, { padding: "same", activation: "relu" }), { name: "b", ...calls("image") }),
        layer(
          "MaxPooling2D",
          "pool",
          { pool_size: [3, 3], padding: "same", strides: [1, 1], data_format: "channels_last" },
          { name: "pool", ...calls("image") },
        ),
        layer("Concatenate", "mix", { axis: -1 }, { name: "mix", ...calls("a", "b", "pool") }),
        layer(
          "GlobalMaxPooling2D",
          "gmp",
          { data_format: "channels_last", keepdims: false },
          {
            name: "gmp",
            ...calls("mix"),
          },
        ),
        layer("Dense", "out", dense(10, "linear"), { name: "out", ...calls("gmp") }),
      ],
      [["image", 0, 0]],
      [["out", 0, 0]],
    );
    const model = await build(json);
    // a 1·1·3·4 + 4 = 16; b 3·3·3·6 + 6 = 168; pool none; 4 + 6 + 3 = 13 channels; out 13·10 + 10 = 140.
    expect(model.countParams()).toBe(16 + 168 + 140);
    expect(model.getLayer("mix").outputShape).toEqual([null, 8, 8, 13]);
  });

  it("maps a separable / depthwise net, keeping depth multipliers and LeakyReLU's slope", async () => {
    const json = sequential([
      inputLayer("input_layer", [null, 8, 8, 3]),
      layer("ZeroPadding2D", "pad", {
        padding: [
          [1, 1],
          [1, 1],
        ],
        data_format: "channels_last",
      }),
      layer("DepthwiseConv2D", "dw", {
        depth_multiplier: 2,
        kernel_size: [3, 3],
        strides: [1, 1],
        padding: "valid",
        data_format: "channels_last",
        dilation_rate: [1, 1],
        activation: "relu",
        use_bias: true,
        ...weights("depthwise", "bias"),
        activity_regularizer: null,
      }),
      layer("SeparableConv2D", "sep", {
        depth_multiplier: 2,
        filters: 8,
        kernel_size: [3, 3],
        strides: [1, 1],
        padding: "valid",
        data_format: "channels_last",
        dilation_rate: [1, 1],
        activation: "linear",
        use_bias: true,
        ...weights("depthwise", "pointwise", "bias"),
        activity_regularizer: null,
      }),
      layer("BatchNormalization", "bn", batchNorm()),
      layer("LeakyReLU", "leaky", { negative_slope: 0.1 }),
      layer("AveragePooling2D", "avg", {
        pool_size: [2, 2],
        padding: "valid",
        strides: [2, 2],
        data_format: "channels_last",
      }),
      layer("SpatialDropout2D", "sd", { rate: 0.1, seed: null, data_format: "channels_last" }),
      layer("Flatten", "flat", { data_format: "channels_last" }),
      layer("Dense", "logits", dense(10, "linear")),
      layer("Softmax", "probs", { axis: -1 }),
    ]);
    const { topology } = topologyFromJson(json, SOURCE);
    const layers = topology.config.layers as Array<{ class_name: string; config: JsonRecord }>;
    // TF.js has no SpatialDropout2D of its own; the runner registers one under Keras's name and config.
    expect(layers[6]).toEqual({
      class_name: "SpatialDropout2D",
      config: { name: "sd", trainable: true, dtype: "float32", rate: 0.1, seed: null, data_format: "channels_last" },
    });
    const model = await build(json);
    // 8×8×3 padded to 10×10×3; dw 3·3·3·2 + 6 = 60 → 8×8×6; sep 3·3·6·2 + 12·8 + 8 = 212 → 6×6×8;
    // bn 4·8 = 32; pooled to 3×3×8 = 72; logits 72·10 + 10 = 730.
    expect(model.countParams()).toBe(60 + 212 + 32 + 730);
    expect((model.getLayer("sep") as unknown as { depthMultiplier: number }).depthMultiplier).toBe(2);
    expect((model.getLayer("leaky").getConfig() as { alpha: number }).alpha).toBe(0.1);
    expect(model.getLayer("probs").getClassName()).toBe("Softmax");
    const direct = tf.sequential({
      layers: [
        tf.layers.zeroPadding2d({
          inputShape: [8, 8, 3],
          padding: [
            [1, 1],
            [1, 1],
          ],
        }),
        tf.layers.depthwiseConv2d({
          kernelSize: 3,
          depthMultiplier: 2,
          activation: "relu",
          depthwiseInitializer: "glorotUniform",
        }),
        tf.layers.separableConv2d({
          filters: 8,
          kernelSize: 3,
          depthMultiplier: 2,
          depthwiseInitializer: "glorotUniform",
          pointwiseInitializer: "glorotUniform",
        }),
        tf.layers.batchNormalization(),
        tf.layers.leakyReLU({ alpha: 0.1 }),
        tf.layers.averagePooling2d({ poolSize: 2, strides: 2 }),
        new SpatialDropout2D({ rate: 0.1 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 10, kernelInitializer: "glorotUniform" }),
        // Keras's Softmax defaults to the last axis, TF.js's to axis 1: the file says -1.
        tf.layers.softmax({ axis: -1 }),
      ],
    });
    expect(canonicalTopology(model)).toEqual(canonicalTopology(direct));
  });

  it("maps activations and initializers to TF.js's names; regularizers and constraints end up null", async () => {
    const json = sequential([
      inputLayer("input_layer", [32, 4]),
      layer("Dense", "d", {
        ...dense(3, "silu"),
        kernel_regularizer: {
          module: "keras.regularizers",
          class_name: "L2",
          config: { l2: 0.01 },
          registered_name: null,
        },
        bias_regularizer: {
          module: "keras.regularizers",
          class_name: "L1",
          config: { l1: 0.5 },
          registered_name: null,
        },
        kernel_constraint: {
          module: "keras.constraints",
          class_name: "MaxNorm",
          config: { max_value: 2, axis: 0 },
          registered_name: null,
        },
        kernel_initializer: init("VarianceScaling", {
          seed: 7,
          scale: 2.0,
          mode: "fan_in",
          distribution: "truncated_normal",
          input_axes: null,
          output_axes: null,
        }),
      }),
      layer("Activation", "act", { activation: "tanh" }),
      layer("Reshape", "shape", { target_shape: [3, 1] }),
      layer("Rescaling", "scale", { scale: 0.5, offset: 1 }),
    ]);
    // Through the loader, as every Keras 3 config goes: it drops regularizers and constraints (the suite's apply).
    const { topology } = topologyFromJson(json, SOURCE);
    const [d] = topology.config.layers as Array<{ config: JsonRecord }>;
    expect(d!.config).toMatchObject({
      batch_input_shape: [null, 4], // the batch size is the benchmark's to choose
      activation: "swish",
      kernel_regularizer: null,
      bias_regularizer: null,
      kernel_constraint: null,
      kernel_initializer: {
        class_name: "VarianceScaling",
        config: { seed: 7, scale: 2, mode: "fan_in", distribution: "normal" },
      },
    });
    const model = await build(json);
    expect(model.countParams()).toBe(4 * 3 + 3);
    expect(model.outputs[0]!.shape).toEqual([null, 3, 1]);
  });

  it("reads the Keras 2 layer configs of a tf.keras 2.13+ .keras file (list nodes, alpha, batch_input_shape)", async () => {
    const keras2 = (class_name: string, name: string, config: JsonRecord, inbound: Json[]) => ({
      module: "keras.layers",
      class_name,
      config: { name, trainable: true, dtype: "float32", ...config },
      registered_name: null,
      name,
      inbound_nodes: inbound,
    });
    const json = {
      module: "keras.engine.functional",
      class_name: "Functional",
      config: {
        name: "model",
        trainable: true,
        layers: [
          {
            ...keras2("InputLayer", "in", { batch_input_shape: [null, 6], sparse: false, ragged: false }, []),
            config: { batch_input_shape: [null, 6], dtype: "float32", sparse: false, ragged: false, name: "in" },
          },
          keras2("Dense", "d", dense(4, "linear"), [[["in", 0, 0, {}]]]),
          keras2("LeakyReLU", "leaky", { alpha: 0.25 }, [[["d", 0, 0, {}]]]),
          keras2("Dense", "e", dense(4, "linear"), [[["in", 0, 0, {}]]]),
          keras2("Add", "sum", {}, [
            [
              ["leaky", 0, 0, {}],
              ["e", 0, 0, {}],
            ],
          ]),
        ],
        input_layers: [["in", 0, 0]],
        output_layers: [["sum", 0, 0]],
      },
      registered_name: "Functional",
    };
    const model = await build(json);
    // d and e: 6·4 + 4 = 28 each.
    expect(model.countParams()).toBe(28 + 28);
    expect((model.getLayer("leaky").getConfig() as { alpha: number }).alpha).toBe(0.25);
    // A Sequential without an InputLayer whose first layer carries batch_input_shape, as Keras 2 wrote it.
    const seq = sequential([layer("Dense", "d", { ...dense(3, "relu"), batch_input_shape: [null, 5] })]);
    expect((await build(seq)).countParams()).toBe(5 * 3 + 3);
  });

  it("takes a Sequential's input shape from build_input_shape when it has no InputLayer", async () => {
    const json = sequential([layer("Dense", "d", dense(5, "relu"))]);
    (json.config as JsonRecord).build_input_shape = [null, 7];
    const model = await build(json);
    expect(model.countParams()).toBe(7 * 5 + 5);
  });
});

describe("keras3ToLayersTopology, through the loader, refuses what TF.js cannot build exactly", () => {
  const oneLayer = (entry: JsonRecord) => sequential([inputLayer("input_layer", [null, 8, 8, 3]), entry]);
  const cases: Array<[string, JsonRecord, RegExp]> = [
    [
      "a mixed-precision layer",
      layer("Dense", "d", { ...dense(2, "relu"), dtype: policy("mixed_float16") }),
      /dtype "mixed_float16"/,
    ],
    ["a grouped convolution", layer("Conv2D", "c", conv2d(4, 3, { groups: 2 })), /groups 2/],
    ["channels_first", layer("Conv2D", "c", conv2d(4, 3, { data_format: "channels_first" })), /channels_first/],
    [
      "ReLU with a slope",
      layer("ReLU", "r", { max_value: null, negative_slope: 0.1, threshold: 0 }),
      /negative_slope 0.1.*LeakyReLU/,
    ],
    ["ReLU with a threshold", layer("ReLU", "r", { max_value: 6, negative_slope: 0, threshold: 1 }), /threshold 1/],
    [
      "keepdims global pooling",
      layer("GlobalAveragePooling2D", "g", { data_format: "channels_last", keepdims: true }),
      /keepdims true/,
    ],
    [
      "a Dropout noise shape",
      layer("Dropout", "drop", { rate: 0.5, seed: null, noise_shape: [null, 1, 1, 3] }),
      /noise_shape/,
    ],
    ["hard_sigmoid", layer("Dense", "d", dense(2, "hard_sigmoid")), /activation "hard_sigmoid" is not supported/],
    [
      "an untruncated VarianceScaling",
      layer("Dense", "d", {
        ...dense(2, "relu"),
        kernel_initializer: init("VarianceScaling", {
          scale: 1,
          mode: "fan_in",
          distribution: "untruncated_normal",
          seed: null,
        }),
      }),
      /untruncated_normal/,
    ],
    ["an option TF.js lacks", layer("Dense", "d", { ...dense(2, "relu"), lora_rank: 4 }), /lora_rank 4/],
    [
      "an unknown option",
      layer("Flatten", "f", { data_format: "channels_last", future_flag: true }),
      /future_flag = true/,
    ],
    [
      "a custom layer",
      { ...layer("Dense", "d", dense(2, "relu")), module: "my_project.layers" },
      /module "my_project.layers"/,
    ],
    [
      "an unsupported class",
      layer("MultiHeadAttention", "mha", { num_heads: 2, key_dim: 4 }),
      /not supported; supported Keras 3 layers: InputLayer, Conv2D, .*Concatenate/,
    ],
    ["a nested model", { ...sequential([]), config: { name: "inner", layers: [] } } as JsonRecord, /nested/],
  ];

  for (const [what, entry, reason] of cases) {
    it(`refuses ${what}, naming the layer`, () => {
      const config = entry.config as JsonRecord;
      const name = String(config.name);
      const message = refusal(oneLayer(entry));
      expect(message).toContain(`${SOURCE}: layer "${name}" (${String(entry.class_name)}): `);
      expect(message).toMatch(reason);
    });
  }

  it("refuses a layer called with a keyword such as training=False", () => {
    const json = functional(
      "m",
      [
        { ...inputLayer("image", [null, 4]), name: "image", inbound_nodes: [] },
        layer(
          "Dropout",
          "drop",
          { rate: 0.5, seed: null, noise_shape: null },
          {
            name: "drop",
            inbound_nodes: [{ args: [tensor("image")], kwargs: { training: false } }],
          },
        ),
      ],
      ["image", 0, 0],
      ["drop", 0, 0],
    );
    expect(refusal(json)).toMatch(/^net\.keras: layer "drop" \(Dropout\): it is called with training=false/);
  });

  it("refuses an input that is not a layer of the model, and dict inputs", () => {
    const dangling = functional(
      "m",
      [
        { ...inputLayer("image", [null, 4]), name: "image", inbound_nodes: [] },
        layer("Dense", "d", dense(2, "relu"), { name: "d", ...calls("ghost") }),
      ],
      ["image", 0, 0],
      ["d", 0, 0],
    );
    expect(refusal(dangling)).toMatch(/layer "d" \(Dense\): its input comes from "ghost"/);
    const dict = functional(
      "m",
      [{ ...inputLayer("image", [null, 4]), name: "image", inbound_nodes: [] }],
      { image: ["image", 0, 0] },
      ["image", 0, 0],
    );
    expect(refusal(dict)).toMatch(/input_layers .*\(not a dict\)/);
  });

  it("refuses a Sequential's non-float32 InputLayer, which the loader checks before dropping it", () => {
    const input = inputLayer("input_layer", [null, 8, 8, 3]);
    const json = sequential([
      { ...input, config: { ...(input.config as JsonRecord), dtype: "float16" } },
      layer("Flatten", "f", { data_format: "channels_last" }),
    ]);
    expect(refusal(json)).toMatch(/^net\.keras: layer "input_layer" \(InputLayer\): dtype "float16" is not supported/);
  });

  it("refuses a Sequential without an input shape, and a mixed-precision model", () => {
    expect(refusal(sequential([layer("Dense", "d", dense(2, "relu"))]))).toMatch(/no input shape.*keras\.Input/);
    const mixed = { ...DIGITS, config: { ...DIGITS.config, dtype: policy("mixed_bfloat16") } };
    expect(refusal(mixed)).toMatch(/^net\.keras: dtype "mixed_bfloat16"/);
  });
});
