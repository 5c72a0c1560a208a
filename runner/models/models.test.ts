// Built-in architectures (sizes against the paper's Table 1, fingerprints), user-supplied
// model.json files and builder modules, on the wasm backend.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canonicalDigest, type InputShape, NO_REGULARIZER } from "../../schema/index.js";
import { InputError, UsageError } from "../errors.js";
import { initBackend } from "../train/index.js";
import { type ArchitectureBuilder, BUILTIN_ARCHITECTURE_IDS, describeArchitecture, loadArchitecture } from "./index.js";
import { parseModelSpec } from "./spec.js";
import { canonicalTopology } from "./topology.js";

let dir: string;
beforeAll(async () => {
  await initBackend("wasm");
  dir = await mkdtemp(join(tmpdir(), "rethink-bench-models-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const builtin = (id: string) => loadArchitecture({ kind: "builtin", id });
const build = (
  builder: ArchitectureBuilder,
  inputShape: InputShape,
  options: Partial<{ seed: number; dropout: number }> = {},
) =>
  builder.build({
    inputShape,
    classes: 10,
    regularizer: { ...NO_REGULARIZER, dropout: options.dropout ?? 0 },
    seed: options.seed ?? 0,
  });

describe("built-in architectures", () => {
  // The paper's Table 1 counts are for CIFAR-10 cropped to 28×28×3; small Inception's
  // count there leaves out its batch-norm parameters (4 per channel here: 1,712 channels).
  const expected: Record<string, { mnist: number; cifar: number }> = {
    "mlp-1x512": { mnist: 407_050, cifar: 1_209_866 },
    "mlp-3x512": { mnist: 932_362, cifar: 1_735_178 },
    "small-alexnet": { mnist: 1_384_586, cifar: 1_387_786 },
    "small-inception": { mnist: 1_654_522, cifar: 1_649_402 + 4 * 1_712 },
    // Not in the paper: small AlexNet with 16 filters per convolution.
    "small-alexnet-tiny": { mnist: 384_122, cifar: 384_922 },
  };

  it("lists the paper's four models and the quick suite's CNN", () => {
    expect([...BUILTIN_ARCHITECTURE_IDS].sort()).toEqual(Object.keys(expected).sort());
  });

  it.each(Object.entries(expected))(
    "%s has the expected parameter counts for 28×28×1 and 28×28×3",
    async (id, counts) => {
      const builder = await builtin(id);
      for (const [shape, count] of [
        [[28, 28, 1], counts.mnist],
        [[28, 28, 3], counts.cifar],
      ] as const) {
        const description = await describeArchitecture(builder, [...shape], 10);
        expect(description.parameterCount).toBe(count);
        expect(description.inputShape).toEqual(shape);
        expect(description.kind).toBe("builtin");
      }
    },
  );

  it("describes CIFAR-shaped data at the 28×28×3 that training crops it to, with the paper's count", async () => {
    const described = await describeArchitecture(await builtin("small-alexnet"), [32, 32, 3], 10);
    expect(described.inputShape).toEqual([28, 28, 3]);
    expect(described.parameterCount).toBe(1_387_786);
  });

  it("the fingerprint is stable across builds and independent of seed and regularizers", async () => {
    const alexnet = await builtin("small-alexnet");
    const first = await describeArchitecture(alexnet, [28, 28, 1], 10);
    expect(await describeArchitecture(alexnet, [28, 28, 1], 10)).toEqual(first);
    const seeded = build(alexnet, [28, 28, 1], { seed: 7 });
    expect(await canonicalDigest(canonicalTopology(seeded))).toBe(first.fingerprint);
    // Dropout changes the network a run trains, not the architecture's identity.
    const withDropout = build(alexnet, [28, 28, 1], { dropout: 0.5 });
    expect(await canonicalDigest(canonicalTopology(withDropout))).not.toBe(first.fingerprint);
    expect((await describeArchitecture(alexnet, [28, 28, 3], 10)).fingerprint).not.toBe(first.fingerprint);
    expect((await describeArchitecture(await builtin("mlp-1x512"), [28, 28, 1], 10)).fingerprint).not.toBe(
      first.fingerprint,
    );
    for (const model of [seeded, withDropout]) model.dispose();
  });

  it("the seed fixes the initial weights", async () => {
    const mlp = await builtin("mlp-1x512");
    const [a, b, c] = [
      build(mlp, [8, 8, 1], { seed: 1 }),
      build(mlp, [8, 8, 1], { seed: 1 }),
      build(mlp, [8, 8, 1], { seed: 2 }),
    ];
    const kernel = (m: tf.LayersModel) => Array.from(m.getWeights()[0]!.dataSync());
    expect(kernel(a)).toEqual(kernel(b));
    expect(kernel(a)).not.toEqual(kernel(c));
    for (const model of [a, b, c]) model.dispose();
  });

  it("an unknown id is a usage error listing the built-in models", async () => {
    const error = await builtin("resnet-50").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain("mlp-1x512");
  });

  it("parses --model paths into absolute ones, and refuses anything but a model.json, a .keras or a module", () => {
    expect(parseModelSpec("nets/model.JSON")).toEqual({ kind: "layers-json", path: resolve("nets/model.JSON") });
    expect(parseModelSpec("nets/net.keras")).toEqual({ kind: "layers-json", path: resolve("nets/net.keras") });
    for (const name of ["build.js", "build.mjs", "build.cjs"]) {
      expect(parseModelSpec(`nets/${name}`)).toEqual({ kind: "builder-module", path: resolve("nets", name) });
    }
    expect(parseModelSpec("/abs/model.json")).toEqual({ kind: "layers-json", path: "/abs/model.json" });
    for (const value of ["small-alexnet", "nets/model.pb", "nets/net.py:not-an-identifier"]) {
      expect(() => parseModelSpec(value)).toThrow(UsageError);
      expect(() => parseModelSpec(value)).toThrow(
        "--model takes a layers model.json (TF.js, tensorflowjs_converter, Keras to_json), a Keras 3 .keras " +
          "archive, a JavaScript module exporting a builder, or (with --engine torch) " +
          `a Python file and its nn.Module factory as file.py:factory; got "${value}"`,
      );
    }
    expect(() => parseModelSpec("nets/model.h5")).toThrow(
      'convert "nets/model.h5" with tensorflowjs_converter --input_format keras nets/model.h5 out/',
    );
  });

  it("parses file.py:factory into a PyTorch module spec, the factory defaulting to make", () => {
    expect(parseModelSpec("nets/net.py:build_net")).toEqual({
      kind: "torch-module",
      path: resolve("nets/net.py"),
      factory: "build_net",
    });
    expect(parseModelSpec("/abs/net.py")).toEqual({ kind: "torch-module", path: "/abs/net.py", factory: "make" });
    // Only the last colon separates the factory: a path may hold colons.
    expect(parseModelSpec("/a:b/net.py:f")).toEqual({ kind: "torch-module", path: "/a:b/net.py", factory: "f" });
  });
});

describe("user-supplied model.json", () => {
  async function writeJson(name: string, value: unknown): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, typeof value === "string" ? value : JSON.stringify(value));
    return path;
  }

  it("round-trips a built-in topology (LRN layer included) to the same fingerprint", async () => {
    const alexnet = await describeArchitecture(await builtin("small-alexnet"), [28, 28, 1], 10);
    const path = await writeJson("alexnet.json", {
      format: "layers-model",
      modelTopology: alexnet.topology,
      weightsManifest: [],
    });
    const loaded = await loadArchitecture({ kind: "layers-json", path });
    expect(loaded).toMatchObject({ id: "alexnet", kind: "layers-json" });
    const described = await describeArchitecture(loaded, [28, 28, 1], 10);
    expect(described.fingerprint).toBe(alexnet.fingerprint);
    expect(described.parameterCount).toBe(alexnet.parameterCount);
  });

  it("reads a Keras converter export (model_config inside modelTopology) and seeds its initializers", async () => {
    const dense = (units: number, name: string, activation: string) => ({
      class_name: "Dense",
      config: {
        name,
        units,
        activation,
        use_bias: true,
        kernel_initializer: { class_name: "GlorotUniform", config: { seed: null } },
      },
    });
    const keras = {
      format: "layers-model",
      generatedBy: "keras v2.15.0",
      convertedBy: "TensorFlow.js Converter v4.22.0",
      modelTopology: {
        keras_version: "2.15.0",
        backend: "tensorflow",
        model_config: {
          class_name: "Sequential",
          config: {
            name: "sequential",
            layers: [
              {
                class_name: "InputLayer",
                config: { batch_input_shape: [null, 28, 28, 1], dtype: "float32", name: "input_1" },
              },
              { class_name: "Flatten", config: { name: "flatten" } },
              dense(32, "hidden", "relu"),
              { class_name: "Dropout", config: { name: "drop", rate: 0.25 } },
              dense(10, "probabilities", "softmax"),
            ],
          },
        },
      },
      weightsManifest: [{ paths: ["group1-shard1of1.bin"], weights: [] }],
    };
    const loaded = await loadArchitecture({ kind: "layers-json", path: await writeJson("model.json", keras) });
    const shape: InputShape = [28, 28, 1];
    expect((await describeArchitecture(loaded, shape, 10)).parameterCount).toBe(784 * 32 + 32 + 32 * 10 + 10);
    const [a, b] = [build(loaded, shape, { seed: 3 }), build(loaded, shape, { seed: 3 })];
    expect(Array.from(a.getWeights()[0]!.dataSync())).toEqual(Array.from(b.getWeights()[0]!.dataSync()));
    expect(a.layers.map((l) => l.getClassName())).toContain("SeededDropout");
    for (const model of [a, b]) model.dispose();
  });

  it("a SeparableConv2D keeps the file's depth multiplier in every build (TF.js's getConfig drops it)", async () => {
    const separable = {
      class_name: "Sequential",
      config: {
        layers: [
          {
            class_name: "SeparableConv2D",
            config: {
              name: "sep",
              filters: 8,
              kernel_size: [3, 3],
              depth_multiplier: 2,
              batch_input_shape: [null, 8, 8, 3],
            },
          },
          { class_name: "Flatten", config: { name: "flat" } },
          { class_name: "Dense", config: { name: "out", units: 10 } },
        ],
      },
    };
    const loaded = await loadArchitecture({ kind: "layers-json", path: await writeJson("separable.json", separable) });
    // Depthwise 3·3·3·2, pointwise 3·2·8, bias 8; then Dense 6·6·8·10 + 10.
    const expected = 54 + 48 + 8 + 2_890;
    expect((await describeArchitecture(loaded, [8, 8, 3], 10)).parameterCount).toBe(expected);
    const model = build(loaded, [8, 8, 3], { seed: 4 });
    expect(model.countParams()).toBe(expected);
    model.dispose();
  });

  it("a model built for another input shape is an input error at build time", async () => {
    const mlp = await describeArchitecture(await builtin("mlp-1x512"), [28, 28, 1], 10);
    const loaded = await loadArchitecture({
      kind: "layers-json",
      path: await writeJson("mlp.json", { modelTopology: mlp.topology }),
    });
    expect(() => build(loaded, [28, 28, 3])).toThrow(InputError);
  });

  it.each([
    ["not JSON", "{ nope", /not valid JSON/],
    ["no topology", { weightsManifest: [] }, /not a layers model topology .*accepted: /],
    ["no layers", { class_name: "Sequential", config: { layers: [] } }, /no layers/],
    [
      "an unknown layer class",
      {
        class_name: "Sequential",
        config: {
          layers: [
            { class_name: "Flatten", config: { name: "f" } },
            { class_name: "Conv9D", config: { name: "weird" } },
          ],
        },
      },
      /layer 1 "weird" \(Conv9D\): unknown layer class/,
    ],
    [
      "a layer with a bad config",
      {
        class_name: "Sequential",
        config: {
          layers: [
            { class_name: "Flatten", config: { name: "flat", batch_input_shape: [null, 28, 28, 1] } },
            { class_name: "Dense", config: { name: "hidden", units: 16 } },
            { class_name: "Conv2D", config: { name: "conv", filters: 4, kernel_size: 3 } },
          ],
        },
      },
      /layer 2 "conv" \(Conv2D\): .*ndim=4/,
    ],
    [
      "a layer class TF.js has but the benchmark does not count",
      {
        class_name: "Sequential",
        config: [
          { class_name: "UpSampling2D", config: { name: "up", size: [2, 2], batch_input_shape: [null, 28, 28, 1] } },
          { class_name: "Flatten", config: { name: "flat" } },
        ],
      },
      /layer 0 "up" \(UpSampling2D\): layer class UpSampling2D is not supported by the benchmark; supported: InputLayer, /,
    ],
    [
      "a layer that is not an object",
      { class_name: "Sequential", config: { layers: [42] } },
      /layer 0 \(\?\) is malformed/,
    ],
  ])("a malformed file (%s) is an input error that says what is wrong", async (_, content, message) => {
    const error = await loadArchitecture({ kind: "layers-json", path: await writeJson("bad.json", content) }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(message);
  });

  it("a missing file is an input error", async () => {
    await expect(loadArchitecture({ kind: "layers-json", path: join(dir, "absent.json") })).rejects.toThrow(InputError);
  });
});

describe("builder modules", () => {
  it("builds with the runner's TF.js and the run's seed", async () => {
    const path = join(dir, "tiny-cnn.mjs");
    await writeFile(
      path,
      `export const name = "Tiny CNN";
export default function build({ tf, inputShape, classes, seed }) {
  const input = tf.input({ shape: inputShape });
  const init = (s) => tf.initializers.glorotUniform({ seed: s });
  const conv = tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: "relu", kernelInitializer: init(seed) });
  const flat = tf.layers.flatten().apply(conv.apply(input));
  const dense = tf.layers.dense({ units: classes, kernelInitializer: init(seed + 1) });
  return tf.model({ inputs: input, outputs: dense.apply(flat) });
}
`,
    );
    const loaded = await loadArchitecture({ kind: "builder-module", path });
    expect(loaded).toMatchObject({ id: "tiny-cnn", name: "Tiny CNN", kind: "builder-module" });
    const first = await describeArchitecture(loaded, [8, 8, 1], 10);
    expect(first.parameterCount).toBe(3 * 3 * 4 + 4 + 6 * 6 * 4 * 10 + 10);
    // Default layer names differ between builds; the canonical topology does not.
    expect((await describeArchitecture(loaded, [8, 8, 1], 10)).fingerprint).toBe(first.fingerprint);
  });

  it("a module without a builder function is an input error", async () => {
    const path = join(dir, "empty.mjs");
    await writeFile(path, "export const answer = 42;\n");
    await expect(loadArchitecture({ kind: "builder-module", path })).rejects.toThrow(/must export a function/);
  });
});
