// The topology loader: each wrapper recognized, Keras 2's spellings normalized to what TF.js builds as
// Keras meant it (checked by building with TF.js), .keras archives, and errors that name the file.
// Over 350 lines: one case per wrapper, per Keras 2 spelling and per refusal, each with its file written out.
import { readFileSync } from "node:fs";
import { mkdtemp, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { strToU8, zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  dense as keras3Dense,
  flatten as keras3Flatten,
  kerasArchive,
  sequentialConfig,
} from "../../tests/fixtures/keras/keras3.js";
import { InputError } from "../errors.js";
import { initBackend } from "../train/index.js";
import { describeArchitecture, loadArchitecture } from "./index.js";
import { readTopologyFile, topologyFromJson } from "./topology-file.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonRecord = { [key: string]: Json };

let dir: string;
beforeAll(async () => {
  await initBackend("wasm");
  dir = await mkdtemp(join(tmpdir(), "rethink-bench-topology-file-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const write = async (name: string, content: unknown) => {
  const path = join(dir, name);
  await writeFile(
    path,
    typeof content === "string" || content instanceof Uint8Array ? content : JSON.stringify(content),
  );
  return path;
};

/** The file: tensorflowjs_converter 1.2.2 on a Keras 2.2.2 digit classifier. */
const CONVERTER_FILE = new URL("../../tests/fixtures/keras/digit-classifier-keras-2.2.2.json", import.meta.url);
const converterFile = () => JSON.parse(readFileSync(CONVERTER_FILE, "utf8")) as JsonRecord;
/** Its layers as Keras 2.2 lists them (the Sequential's config). */
const digitLayers = () =>
  ((converterFile().modelTopology as JsonRecord).model_config as JsonRecord).config as JsonRecord[];
/** Conv 5·5·1·32 + 32, Dense 12·12·32·128 + 128, Dense 128·10 + 10. */
const DIGIT_PARAMETERS = 832 + 589_952 + 1_290;

const dense = (name: string, units: number, extra: JsonRecord = {}): JsonRecord => ({
  class_name: "Dense",
  config: { name, units, activation: "linear", use_bias: true, ...extra },
});
const flat = { class_name: "Flatten", config: { name: "flatten", batch_input_shape: [null, 4, 4, 1] } };

describe("format detection", () => {
  const topology = { class_name: "Sequential", config: { name: "tiny", layers: [flat, dense("out", 10)] } };
  it.each([
    [
      "tfjs-layers-model",
      {
        format: "layers-model",
        generatedBy: "TensorFlow.js tfjs-layers v4.22.0",
        convertedBy: null,
        modelTopology: { ...topology, keras_version: "tfjs-layers 4.22.0", backend: "tensor_flow.js" },
        weightsManifest: [{ paths: ["weights.bin"], weights: [] }],
      },
    ],
    [
      "keras-converter",
      {
        format: "layers-model",
        generatedBy: "keras v2.6.0",
        convertedBy: "TensorFlow.js Converter v3.8.0",
        modelTopology: { keras_version: "2.6.0", backend: "tensorflow", model_config: topology, training_config: {} },
        weightsManifest: [],
      },
    ],
    // The converter before its header fields existed.
    ["keras-converter", { modelTopology: { keras_version: "2.1.6", backend: "tensorflow", model_config: topology } }],
    ["keras-json", { ...topology, keras_version: "2.4.0", backend: "tensorflow" }],
    ["bare", topology],
  ])("%s", (format, json) => {
    expect(topologyFromJson(json, "net.json")).toEqual({ format, name: "tiny", topology, notes: [] });
  });

  it("a Keras 3 config.json (module / registered_name keys) is keras3, mapped to the Keras 2 form", () => {
    const config = sequentialConfig(
      "k3",
      [4, 4, 1],
      [
        [keras3Flatten("flatten"), [16]],
        [keras3Dense("out", 10), [10]],
      ],
    );
    const document = topologyFromJson(config, "config.json");
    expect(document.format).toBe("keras3");
    expect(document.name).toBe("k3");
    const layers = document.topology.config.layers as JsonRecord[];
    expect(layers.map((layer) => layer.class_name)).toEqual(["Flatten", "Dense"]);
    expect((layers[0]!.config as JsonRecord).batch_input_shape).toEqual([null, 4, 4, 1]);
  });

  it("Keras 2.2's list-config Sequential in the converter's wrapper is the bare form with a layers list", () => {
    const layers = digitLayers();
    // Keras 2.2 writes Flatten's default data format, which TF.js's own save leaves out.
    expect(layers[3]).toEqual({
      class_name: "Flatten",
      config: { name: "flatten_1", trainable: true, data_format: "channels_last" },
    });
    const expected = {
      class_name: "Sequential",
      config: {
        layers: [
          ...layers.slice(0, 3),
          { class_name: "Flatten", config: { name: "flatten_1", trainable: true } },
          ...layers.slice(4),
        ],
      },
    };
    const fromConverter = topologyFromJson(converterFile(), "model.json");
    expect(fromConverter).toEqual({ format: "keras-converter", name: null, topology: expected, notes: [] });
    expect(topologyFromJson({ class_name: "Sequential", config: { layers } }, "bare.json").topology).toEqual(expected);
  });

  it("the issue's converter file loads and builds the digit classifier, 592,074 parameters", async () => {
    const loaded = await loadArchitecture({ kind: "layers-json", path: await write("model.json", converterFile()) });
    const described = await describeArchitecture(loaded, [28, 28, 1], 10);
    expect(described.parameterCount).toBe(DIGIT_PARAMETERS);
    expect(described.parameterCount).toBe(592_074);
  });
});

/** The digit classifier as tf.keras 2.x's to_json writes it: an InputLayer first, dtype on every layer. */
function tfKerasDigits(): JsonRecord {
  const layers = digitLayers().map((layer) => {
    const { batch_input_shape: _, ...config } = layer.config as JsonRecord;
    return { ...layer, config: { ...config, dtype: "float32" } };
  });
  const input = {
    class_name: "InputLayer",
    config: { batch_input_shape: [null, 28, 28, 1], dtype: "float32", sparse: false, ragged: false, name: "input_1" },
  };
  return { class_name: "Sequential", config: { name: "sequential", layers: [input, ...layers] } };
}

const fingerprintOf = async (name: string, json: unknown) => {
  const loaded = await loadArchitecture({ kind: "layers-json", path: await write(name, json) });
  return (await describeArchitecture(loaded, [28, 28, 1], 10)).fingerprint;
};

describe("Keras 2 spellings", () => {
  it("tf.keras 2.x's InputLayer-first Sequential builds the same network (same fingerprint) as Keras 2.2's", async () => {
    const normalized = topologyFromJson(tfKerasDigits(), "tf-keras.json").topology.config.layers as JsonRecord[];
    expect(normalized.map((layer) => layer.class_name)).toEqual([
      "Conv2D",
      "MaxPooling2D",
      "Dropout",
      "Flatten",
      "Dense",
      "Dense",
    ]);
    expect(normalized[0]!.config).toMatchObject({ batch_input_shape: [null, 28, 28, 1], dtype: "float32" });
    // Flatten's default data format is left out, as TF.js's own save leaves it out.
    expect(normalized[3]!.config).toEqual({ name: "flatten_1", trainable: true, dtype: "float32" });
    expect(await fingerprintOf("tf-keras.json", tfKerasDigits())).toBe(
      await fingerprintOf("k22.json", converterFile()),
    );
  });

  it('"Functional" (tf.keras ≥ 2.4) is recorded as "Model": one fingerprint whichever Keras wrote it', async () => {
    const functional = (className: string) => ({
      class_name: className,
      config: {
        name: "net",
        layers: [
          {
            class_name: "InputLayer",
            name: "input_1",
            config: {
              batch_input_shape: [null, 28, 28, 1],
              dtype: "float32",
              sparse: false,
              ragged: false,
              name: "input_1",
            },
            inbound_nodes: [],
          },
          {
            class_name: "Flatten",
            name: "flatten",
            config: { name: "flatten" },
            inbound_nodes: [[["input_1", 0, 0, {}]]],
          },
          { ...dense("out", 10), name: "out", inbound_nodes: [[["flatten", 0, 0, {}]]] },
        ],
        input_layers: [["input_1", 0, 0]],
        output_layers: [["out", 0, 0]],
      },
    });
    expect(topologyFromJson(functional("Functional"), "f.json").topology.class_name).toBe("Model");
    expect(await fingerprintOf("functional.json", functional("Functional"))).toBe(
      await fingerprintOf("model.json", functional("Model")),
    );
  });

  it("renames initializers, dtype policies and BatchNormalization axis lists TF.js cannot read", async () => {
    const conv = {
      class_name: "Conv2D",
      config: {
        name: "conv",
        batch_input_shape: [null, 28, 28, 1],
        dtype: { class_name: "Policy", config: { name: "float32" } },
        filters: 4,
        kernel_size: [3, 3],
        groups: 1,
        kernel_initializer: { class_name: "LecunNormal", config: { seed: null } },
        bias_initializer: { class_name: "Zeros", config: {} },
        kernel_regularizer: { class_name: "L2", config: { l2: 0.01 } },
        bias_regularizer: { class_name: "L1", config: { l1: 0.5 } },
      },
    };
    const batchNorm = { class_name: "BatchNormalization", config: { name: "bn", axis: [3], renorm: false } };
    const out = dense("out", 10, {
      kernel_initializer: {
        class_name: "VarianceScaling",
        config: { scale: 2, mode: "fan_in", distribution: "truncated_normal", seed: null },
      },
    });
    const json = {
      class_name: "Sequential",
      config: { layers: [conv, batchNorm, { class_name: "Flatten", config: { name: "f" } }, out] },
    };
    const [c, b, , d] = topologyFromJson(json, "k2.json").topology.config.layers as Array<{ config: JsonRecord }>;
    expect(c!.config).toEqual({
      name: "conv",
      batch_input_shape: [null, 28, 28, 1],
      dtype: "float32",
      filters: 4,
      kernel_size: [3, 3],
      kernel_initializer: { class_name: "LeCunNormal", config: { seed: null } },
      bias_initializer: { class_name: "Zeros", config: {} },
      // Regularizers are the suite's (see "regularizers and constraints" below).
      kernel_regularizer: null,
      bias_regularizer: null,
    });
    expect(b!.config.axis).toBe(3);
    // TF.js 4.22 reads "truncated_normal" as a uniform draw; its "normal" is the truncated normal.
    expect(d!.config.kernel_initializer).toEqual({
      class_name: "VarianceScaling",
      config: { scale: 2, mode: "fan_in", distribution: "normal", seed: null },
    });
    const loaded = await loadArchitecture({ kind: "layers-json", path: await write("k2.json", json) });
    // Conv 3·3·1·4 + 4, BatchNorm 4·4, Dense 26·26·4·10 + 10.
    expect((await describeArchitecture(loaded, [28, 28, 1], 10)).parameterCount).toBe(40 + 16 + 27_050);
  });

  const seq = (layer: JsonRecord, first = true) => ({
    class_name: "Sequential",
    config: {
      layers: first
        ? [layer, { class_name: "Flatten", config: { name: "f" } }, dense("out", 10)]
        : [
            {
              class_name: "Conv2D",
              config: { name: "c", filters: 2, kernel_size: 3, batch_input_shape: [null, 28, 28, 1] },
            },
            layer,
            dense("out", 10),
          ],
    },
  });
  const conv = (extra: JsonRecord) => ({
    class_name: "Conv2D",
    config: { name: "conv2d", filters: 4, kernel_size: [3, 3], batch_input_shape: [null, 28, 28, 1], ...extra },
  });
  it.each([
    [
      "grouped convolution",
      seq(conv({ groups: 2 })),
      'layer "conv2d" (Conv2D): groups 2 is not supported: TF.js has no grouped',
    ],
    ["float16", seq(conv({ dtype: "float16" })), 'layer "conv2d" (Conv2D): dtype "float16" is not supported'],
    [
      "mixed precision",
      seq(conv({ dtype: { class_name: "Policy", config: { name: "mixed_float16" } } })),
      'layer "conv2d" (Conv2D): dtype "mixed_float16" is not supported',
    ],
    [
      "untruncated normal",
      seq(
        conv({ kernel_initializer: { class_name: "VarianceScaling", config: { distribution: "untruncated_normal" } } }),
      ),
      'layer "conv2d" (Conv2D): kernel_initializer: VarianceScaling\'s "untruncated_normal" has no TF.js equivalent',
    ],
    [
      "keepdims",
      seq({ class_name: "GlobalAveragePooling2D", config: { name: "gap", keepdims: true } }, false),
      'layer "gap" (GlobalAveragePooling2D): keepdims true is not supported',
    ],
    [
      "a ReLU slope",
      seq({ class_name: "ReLU", config: { name: "relu", max_value: null, negative_slope: 0.1, threshold: 0 } }, false),
      'layer "relu" (ReLU): negative_slope 0.1 is not supported',
    ],
    [
      "batch renormalization",
      seq({ class_name: "BatchNormalization", config: { name: "bn", renorm: true } }, false),
      'layer "bn" (BatchNormalization): renorm true is not supported',
    ],
    [
      "a dilated depthwise convolution (TF.js would build it undilated)",
      seq({
        class_name: "DepthwiseConv2D",
        config: { name: "dw", kernel_size: [3, 3], dilation_rate: [2, 2], batch_input_shape: [null, 28, 28, 1] },
      }),
      'layer "dw" (DepthwiseConv2D): dilation_rate [2,2] is not supported: TF.js ignores dilation for DepthwiseConv2D',
    ],
    [
      "a sparse input",
      seq({ class_name: "InputLayer", config: { name: "in", batch_input_shape: [null, 28, 28, 1], sparse: true } }),
      'layer "in" (InputLayer): sparse true is not supported',
    ],
  ])("refuses what TF.js would silently build otherwise: %s", (_, json, message) => {
    const error = (() => {
      try {
        topologyFromJson(json, "k2.json");
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toContain(`k2.json: ${message}`);
  });
});

describe("regularizers and constraints", () => {
  // tf.keras 2.x's spelling (Keras 2.2 wrote L1L2) and Keras 3's, with its module keys.
  const l2 = { class_name: "L2", config: { l2: 1e-4 } };
  const maxNorm = { class_name: "MaxNorm", config: { max_value: 2, axis: 0 } };
  const keras3 = (module: string, object: JsonRecord) => ({ module, ...object, registered_name: null });

  it("are dropped from a Keras 2 converter file: the plain file's fingerprint, and a note names the layers", async () => {
    const file = converterFile();
    const layers = ((file.modelTopology as JsonRecord).model_config as JsonRecord).config as JsonRecord[];
    const config = (name: string) =>
      layers.find((layer) => (layer.config as JsonRecord).name === name)!.config as JsonRecord;
    config("conv2d_1").kernel_regularizer = l2;
    config("dense_1").kernel_regularizer = l2;
    config("dense_1").kernel_constraint = maxNorm;
    config("dense_2").bias_constraint = maxNorm;
    const document = topologyFromJson(file, "regularized.json");
    for (const layer of document.topology.config.layers as JsonRecord[])
      for (const [key, value] of Object.entries(layer.config as JsonRecord))
        if (/_(regularizer|constraint)$/.test(key)) expect(value, key).toBeNull();
    expect(document.notes).toHaveLength(1);
    expect(document.notes[0]).toMatch(
      /^regularized\.json: ignored the regularizers and constraints of layer "conv2d_1" \(Conv2D\): kernel_regularizer L2; /,
    );
    expect(document.notes[0]).toContain(
      'layer "dense_1" (Dense): kernel_regularizer L2, kernel_constraint MaxNorm; layer "dense_2" (Dense): bias_constraint MaxNorm. ',
    );
    expect(document.notes[0]).toContain("a training condition that the suite fixes");
    expect(topologyFromJson(converterFile(), "plain.json").notes).toEqual([]);
    expect(await fingerprintOf("regularized.json", file)).toBe(await fingerprintOf("plain.json", converterFile()));
  });

  it("are dropped from a Keras 3 config, whatever their class: the plain config's fingerprint, and a note", async () => {
    const net = (kernel: JsonRecord) => {
      const out = keras3Dense("out", 10);
      return sequentialConfig(
        "k3",
        [28, 28, 1],
        [
          [keras3Flatten("flatten"), [784]],
          [{ ...out, config: { ...out.config, ...kernel } }, [10]],
        ],
      );
    };
    const orthogonal = {
      module: "keras.regularizers",
      class_name: "OrthogonalRegularizer",
      config: { factor: 0.01, mode: "rows" },
      registered_name: null,
    };
    const regularized = net({
      kernel_regularizer: keras3("keras.regularizers", l2),
      kernel_constraint: keras3("keras.constraints", maxNorm),
    });
    const document = topologyFromJson(regularized, "config.json");
    expect(document.notes).toHaveLength(1);
    expect(document.notes[0]).toContain('of layer "out" (Dense): kernel_regularizer L2, kernel_constraint MaxNorm. ');
    expect(topologyFromJson(net({ kernel_regularizer: orthogonal }), "o.json").notes[0]).toContain(
      'layer "out" (Dense): kernel_regularizer OrthogonalRegularizer.',
    );
    expect(await fingerprintOf("k3-regularized.json", regularized)).toBe(await fingerprintOf("k3.json", net({})));
  });
});

describe(".keras archives", () => {
  const config = sequentialConfig(
    "archived",
    [28, 28, 1],
    [
      [keras3Flatten("flatten"), [784]],
      [keras3Dense("out", 10), [10]],
    ],
  );

  it("reads config.json out of the zip and builds it", async () => {
    const path = await write("net.keras", kerasArchive(config));
    const document = await readTopologyFile(path);
    expect(document).toMatchObject({ format: "keras3", name: "archived" });
    const loaded = await loadArchitecture({ kind: "layers-json", path });
    expect((await describeArchitecture(loaded, [28, 28, 1], 10)).parameterCount).toBe(784 * 10 + 10);
  });

  const zip = (files: Record<string, string>) =>
    zipSync(Object.fromEntries(Object.entries(files).map(([name, text]) => [name, strToU8(text)])), { level: 1 });
  it.each([
    ["not a zip", () => "{}", /bad\.keras: not a zip archive; a \.keras file is the zip archive Keras 3/],
    ["a truncated zip", () => kerasArchive(config).slice(0, 40), /bad\.keras: not a readable zip archive/],
    [
      "no config.json",
      () => zip({ "metadata.json": "{}", "model.weights.h5": "" }),
      /bad\.keras: the archive has no config\.json/,
    ],
    ["config.json not JSON", () => zip({ "config.json": "{ nope" }), /bad\.keras: its config\.json is not valid JSON/],
    [
      "an oversized config.json",
      () => zip({ "config.json": " ".repeat(16 * 2 ** 20 + 1) }),
      /bad\.keras: its config\.json is 16777217 bytes uncompressed, over the 16777216-byte limit/,
    ],
  ])("%s is an input error naming the file", async (_, content, message) => {
    const path = await write("bad.keras", content());
    const error = await readTopologyFile(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain(path);
  });
});

describe("malformed documents", () => {
  it.each([
    ["a list", [1, 2], 'not a layers model topology (no "modelTopology", no "class_name"); accepted: '],
    ["a weights manifest only", { weightsManifest: [] }, 'not a layers model topology (no "modelTopology"'],
    ["an empty modelTopology", { modelTopology: { keras_version: "2.2.4" } }, "modelTopology is not a layers"],
    [
      "a converter file without class_name",
      { modelTopology: { model_config: { config: [] } } },
      "modelTopology.model_config is not a layers model topology",
    ],
    ["a string config", { class_name: "Model", config: "layers" }, 'the model\'s "config" must be an object'],
    ["no layers", { class_name: "Sequential", config: [] }, "the model has no layers"],
  ])("%s: an input error naming the file", async (_, json, message) => {
    const error = await readTopologyFile(await write("odd.json", json)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toContain(`${join(dir, "odd.json")}: ${message}`);
  });

  it("a file that is not JSON names the file", async () => {
    const path = await write("broken.json", "{ nope");
    await expect(readTopologyFile(path)).rejects.toThrow(`${path}: not valid JSON`);
  });

  it("a model nested 20,000 deep is refused at its first nested layer, not by a stack overflow", async () => {
    // Written as text: building it as an object and stringifying it would itself recurse that deep.
    const open = Array.from(
      { length: 20_000 },
      (_, i) => `{"class_name":"Sequential","config":{"name":"s${i}","layers":[`,
    );
    const inner = '{"class_name":"Dense","config":{"name":"d","units":10}}';
    const path = await write("deep.json", `${open.join("")}${inner}${"]}}".repeat(20_000)}`);
    await expect(readTopologyFile(path)).rejects.toThrow(
      `${path}: layer "s1" (Sequential): a model nested inside the model is not supported`,
    );
  });

  it("a file over 256 MiB is refused before it is read", async () => {
    const path = join(dir, "huge.json");
    await writeFile(path, "");
    await truncate(path, 256 * 2 ** 20 + 1);
    await expect(readTopologyFile(path)).rejects.toThrow(`${path} is 268435457 bytes, over the 268435456-byte limit`);
  });
});
