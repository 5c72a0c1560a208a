// The gallery of real shapes (tests/fixtures/keras/gallery.ts): the Keras 2.2 digit
// classifier, a small ResNet, an Inception block and a separable-conv net, each saved in every
// wrapper people have it in (TF.js model.save, the Python converter, Keras 2.2's list Sequential,
// Keras 2's to_json, a bare topology, a Keras 3 .keras archive and its config.json). Each file
// loads as its format, has the parameter count Keras reports (worked out by hand below), on the
// runner and on the server's counter alike, gets one fingerprint whichever wrapper it came in, and
// each model trains the smoke suite through the built CLI. Files Keras or the converter write
// with a layer we do not support are refused before training, naming the layer and its class.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { describeArchitecture, loadArchitecture } from "../../runner/models/index.js";
import { parseModelSpec } from "../../runner/models/spec.js";
import { readTopologyFile } from "../../runner/models/topology-file.js";
import { type Architecture, countParameters } from "../../schema/index.js";
import {
  digitClassifier,
  GALLERY,
  type GalleryModel,
  KERAS_222_DIGIT_CLASSIFIER,
  separableNet,
  smallInceptionBlock,
  smallResnet,
  WRAPPERS,
  type Wrapper,
  writeWrappers,
} from "../fixtures/keras/gallery.js";
import { trainGalleryModel } from "../fixtures/keras/gallery-runs.js";
import * as k3 from "../fixtures/keras/keras3.js";

const MNIST_SHAPE = [28, 28, 1] as const;

/**
 * What Keras's model.summary() reports for each, by hand. A Conv2D has kh·kw·cin·filters weights
 * (+ filters biases), a SeparableConv2D kh·kw·cin·dm depthwise + cin·dm·filters pointwise (+ filters),
 * a DepthwiseConv2D kh·kw·cin·dm (+ cin·dm), a Dense in·units (+ units), a BatchNormalization 4·channels
 * (gamma, beta and the two moving statistics, which Keras counts as non-trainable parameters).
 */
const KERAS_PARAMETER_COUNTS: Record<string, number> = {
  // Conv2D 5×5×1×32 + 32 = 832 → 24×24×32, MaxPooling2D → 12×12×32 = 4,608 after Flatten;
  // Dense 4,608·128 + 128 = 589,952; Dense 128·10 + 10 = 1,290. 832 + 589,952 + 1,290 = 592,074,
  // the figure the Keras reports.
  [digitClassifier.id]: 592_074,
  // Stem: Conv2D 3×3×1×8 (no bias) = 72 (stride 2 → 14×14×8), BN 32.
  // Block 1: two Conv2D 3×3×8×8 = 576 each, two BN 32 each → 1,216.
  // Block 2: Conv2D 3×3×8×16 = 1,152 (stride 2 → 7×7×16), BN 64, Conv2D 3×3×16×16 = 2,304, BN 64,
  // shortcut Conv2D 1×1×8×16 = 128, BN 64 → 3,776.
  // Flatten 7·7·16 = 784; Dense 784·10 + 10 = 7,850. 72 + 32 + 1,216 + 3,776 + 7,850 = 12,946.
  [smallResnet.id]: 12_946,
  // Stem Conv2D 3×3×1×8 + 8 = 80 (valid, stride 2 → 13×13×8). Branches: 1×1×8×8 + 8 = 72,
  // 3×3×8×8 + 8 = 584, pool → 1×1×8×4 + 4 = 36; concatenated 13×13×20 = 3,380 after Flatten;
  // Dense 3,380·10 + 10 = 33,810. 80 + 72 + 584 + 36 + 33,810 = 34,582.
  [smallInceptionBlock.id]: 34_582,
  // SeparableConv2D (dm 2, 16 filters) on 1 channel: 3·3·1·2 = 18 + 1·2·16 = 32 + 16 = 66 → 13×13×16;
  // DepthwiseConv2D (dm 2): 3·3·16·2 = 288 + 32 = 320 → 13×13×32; SeparableConv2D (dm 1, 16 filters):
  // 3·3·32 = 288 + 32·16 = 512 + 16 = 816 → 13×13×16 = 2,704 after Flatten; Dense 2,704·10 + 10 = 27,050.
  // 66 + 320 + 816 + 27,050 = 28,252.
  [separableNet.id]: 28_252,
};

/**
 * TF.js's own `model.save()` (getConfig) leaves SeparableConv2D's depth_multiplier out, so the file
 * it writes of the separable net describes another network: its first SeparableConv2D with
 * multiplier 1, 3·3·1·1 = 9 + 1·1·16 = 16 + 16 = 41 weights instead of 66, 28,252 − 25 = 28,227 in all.
 * Nothing in that file says otherwise; every other wrapper is written as Keras writes it.
 */
const TFJS_SAVED_SEPARABLE_NET = 28_227;

function expectedCount(id: string, wrapper: Wrapper): number {
  return id === separableNet.id && wrapper === "tfjs" ? TFJS_SAVED_SEPARABLE_NET : KERAS_PARAMETER_COUNTS[id]!;
}

/** The wrappers each model comes in: all of them, Keras 2.2's list form only for a Sequential. */
const EXPECTED_WRAPPERS: Record<string, Wrapper[]> = {
  [digitClassifier.id]: ["tfjs", "converter", "keras-2.2-list", "keras-json", "bare", "keras3", "keras3-config"],
  [smallResnet.id]: ["tfjs", "converter", "keras-json", "bare", "keras3", "keras3-config"],
  [smallInceptionBlock.id]: ["tfjs", "converter", "keras-json", "bare", "keras3", "keras3-config"],
  [separableNet.id]: ["tfjs", "converter", "keras-2.2-list", "keras-json", "bare", "keras3", "keras3-config"],
};

interface Loaded {
  wrapper: Wrapper;
  format: string;
  architecture: Architecture;
}

async function loadEvery(model: GalleryModel): Promise<Loaded[]> {
  const files = await writeWrappers(model, mkdtempSync(join(tmpdir(), `rb-gallery-${model.id}-`)));
  const loaded: Loaded[] = [];
  for (const [wrapper, path] of Object.entries(files) as [Wrapper, string][]) {
    const { format } = await readTopologyFile(path);
    const builder = await loadArchitecture(parseModelSpec(path));
    loaded.push({ wrapper, format, architecture: await describeArchitecture(builder, [...MNIST_SHAPE], 10) });
  }
  return loaded;
}

describe.each(GALLERY.map((model) => [model.id, model] as const))("the gallery's %s", (id, model) => {
  let loaded: Loaded[];
  beforeAll(async () => {
    loaded = await loadEvery(model);
  });

  it("is the network Keras describes: TF.js builds it with Keras's parameter count", () => {
    const built = model.build();
    try {
      expect(built.countParams()).toBe(KERAS_PARAMETER_COUNTS[id]);
    } finally {
      built.dispose();
    }
  });

  it("loads from every wrapper, each recognized as the format it is", () => {
    expect(loaded.map((l) => l.wrapper)).toEqual(EXPECTED_WRAPPERS[id]);
    expect(loaded.map((l) => [l.wrapper, l.format])).toEqual(loaded.map((l) => [l.wrapper, WRAPPERS[l.wrapper]]));
  });

  it("has Keras's parameter count from every wrapper, on the runner and on the server's counter", () => {
    for (const { wrapper, architecture } of loaded) {
      expect([wrapper, architecture.parameterCount]).toEqual([wrapper, expectedCount(id, wrapper)]);
      // The server counts the canonical topology without TF.js (it runs in the Worker).
      expect([wrapper, countParameters(architecture.topology, MNIST_SHAPE)]).toEqual([
        wrapper,
        { ok: true, count: expectedCount(id, wrapper) },
      ]);
      expect(architecture.kind).toBe("layers-json");
    }
  });

  it("gets the same fingerprint whichever wrapper it came in", () => {
    // The keras3 archive first: it is what the others must match (see TFJS_SAVED_SEPARABLE_NET).
    const same = loaded.filter((l) => !(id === separableNet.id && l.wrapper === "tfjs"));
    const fingerprints = new Map(same.map((l) => [l.wrapper, l.architecture.fingerprint]));
    const first = fingerprints.get("keras3");
    expect(Object.fromEntries(fingerprints)).toEqual(
      Object.fromEntries([...fingerprints.keys()].map((w) => [w, first])),
    );
  });

  it("trains the smoke suite through the CLI, and the run carries that fingerprint", async () => {
    const run = await trainGalleryModel(model);
    expect(run.code, run.stderr).toBe(0);
    const { runs } = JSON.parse(run.stdout) as {
      runs: { corruption: string; status: string; fingerprint: string; finalTrainAcc: number | null }[];
    };
    expect(runs.map((r) => [r.corruption, r.status])).toEqual([
      ["true", "ok"],
      ["random", "ok"],
    ]);
    const keras3 = loaded.find((l) => l.wrapper === "keras3")!.architecture.fingerprint;
    expect(new Set(runs.map((r) => r.fingerprint))).toEqual(new Set([keras3]));
    // Fitted within the smoke budget: every training digit right, true labels and random ones alike.
    expect(runs.map((r) => [r.corruption, r.finalTrainAcc])).toEqual([
      ["true", 1],
      ["random", 1],
    ]);
  });
});

describe("TF.js's own save of a separable net", () => {
  it("is another network: depth_multiplier is not in the file, so it loads with multiplier 1", async () => {
    const files = await writeWrappers(separableNet, mkdtempSync(join(tmpdir(), "rb-gallery-tfjs-save-")));
    const describeFile = async (path: string) =>
      describeArchitecture(await loadArchitecture(parseModelSpec(path)), [...MNIST_SHAPE], 10);
    const [saved, keras3] = [await describeFile(files.tfjs!), await describeFile(files.keras3!)];
    expect([saved.parameterCount, keras3.parameterCount]).toEqual([
      TFJS_SAVED_SEPARABLE_NET,
      KERAS_PARAMETER_COUNTS[separableNet.id],
    ]);
    expect(saved.fingerprint).not.toBe(keras3.fingerprint);
  });
});

describe("files the issue's user has", () => {
  it("the converter's Keras 2.2.2 digit classifier is a converter file, a Sequential of Keras 2.2's list form", async () => {
    const document = await readTopologyFile(KERAS_222_DIGIT_CLASSIFIER);
    expect(document.format).toBe("keras-converter");
    // Normalized: the list became {layers: […]}, with the six layers the file lists.
    expect(document.topology.class_name).toBe("Sequential");
    const layers = (document.topology.config as { layers: { class_name: string }[] }).layers;
    expect(layers.map((l) => l.class_name)).toEqual(["Conv2D", "MaxPooling2D", "Dropout", "Flatten", "Dense", "Dense"]);
  });
});

describe("a layer we do not support is refused at load, naming the layer and its class", () => {
  const dir = mkdtempSync(join(tmpdir(), "rb-gallery-refused-"));

  it("in a Keras 3 archive (a RandomFlip augmentation layer in the model)", async () => {
    const graph = k3.sequentialConfig(
      "sequential",
      [28, 28, 1],
      [
        [
          {
            module: "keras.layers",
            class_name: "RandomFlip",
            config: {
              name: "random_flip",
              trainable: true,
              mode: "horizontal",
              seed: null,
              data_format: "channels_last",
            },
            registered_name: null,
          },
          [28, 28, 1],
        ],
        [k3.flatten("flatten"), [784]],
        [k3.dense("dense", 10, "softmax"), [10]],
      ],
    );
    const path = join(dir, "augmented.keras");
    writeFileSync(path, k3.kerasArchive(graph));
    await expect(loadArchitecture(parseModelSpec(path))).rejects.toThrow(/"random_flip".*RandomFlip/);
  });

  it("in a converter file (an UpSampling2D layer, which TF.js has but neither engine's list does)", async () => {
    const path = join(dir, "upsampled.json");
    const layers = [
      {
        class_name: "UpSampling2D",
        config: {
          name: "up_sampling2d_1",
          trainable: true,
          batch_input_shape: [null, 28, 28, 1],
          dtype: "float32",
          size: [2, 2],
          data_format: "channels_last",
          interpolation: "nearest",
        },
      },
      { class_name: "Flatten", config: { name: "flatten_1", trainable: true, data_format: "channels_last" } },
      { class_name: "Dense", config: { name: "dense_1", trainable: true, units: 10, activation: "softmax" } },
    ];
    writeFileSync(
      path,
      JSON.stringify({
        modelTopology: {
          keras_version: "2.2.4",
          backend: "tensorflow",
          model_config: { class_name: "Sequential", config: layers },
        },
        weightsManifest: [],
      }),
    );
    await expect(loadArchitecture(parseModelSpec(path))).rejects.toThrow(/"up_sampling2d_1".*UpSampling2D/);
  });
});
