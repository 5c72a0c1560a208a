// The custom layers a Keras file may hold that TF.js lacks (SpatialDropout2D), and the canonical
// topology of a SeparableConv2D, whose depth multiplier TF.js's own config leaves out.
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { NO_REGULARIZER } from "../../schema/index.js";
import { initBackend } from "../train/index.js";
import { SEEDED_NOISE_LAYERS, SpatialDropout2D } from "./layers.js";
import { canonicalTopology } from "./topology.js";
import { layersTemplate } from "./user.js";

beforeAll(async () => {
  await initBackend("wasm");
});

/** A batch of 3 images of 4×5 with 6 channels, every value distinct and non-zero. */
const images = () =>
  tf.tensor4d(
    Float32Array.from({ length: 3 * 4 * 5 * 6 }, (_, i) => i + 1),
    [3, 4, 5, 6],
  );

/** Per (sample, channel): "dropped" if all its values are 0, "kept" if all equal x / (1 − rate); fails otherwise. */
function channelMask(input: tf.Tensor4D, output: tf.Tensor, rate: number): string[] {
  const [batch, height, width, channels] = input.shape;
  const x = input.arraySync();
  const y = output.arraySync() as number[][][][];
  const mask: string[] = [];
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < channels; c++) {
      const values: Array<[number, number]> = [];
      for (let h = 0; h < height; h++)
        for (let w = 0; w < width; w++) values.push([x[n]![h]![w]![c]!, y[n]![h]![w]![c]!]);
      if (values.every(([, out]) => out === 0)) mask.push("dropped");
      else if (values.every(([inp, out]) => Math.abs(out - inp / (1 - rate)) <= 1e-5 * Math.abs(inp / (1 - rate))))
        mask.push("kept");
      else throw new Error(`sample ${n}, channel ${c} is neither all dropped nor all kept: ${JSON.stringify(values)}`);
    }
  }
  return mask;
}

describe("SpatialDropout2D", () => {
  it("is the identity at inference", () => {
    const layer = new SpatialDropout2D({ rate: 0.5, seed: 7 });
    const x = images();
    expect(Array.from((layer.apply(x) as tf.Tensor).dataSync())).toEqual(Array.from(x.dataSync()));
    expect(Array.from((layer.apply(x, { training: false }) as tf.Tensor).dataSync())).toEqual(Array.from(x.dataSync()));
  });

  it("drops whole channels of each image in training, scaling the rest by 1 / (1 − rate), afresh on each call", () => {
    const rate = 0.5;
    const layer = new SpatialDropout2D({ rate, seed: 11 });
    const x = images();
    const first = channelMask(x, layer.apply(x, { training: true }) as tf.Tensor, rate);
    const second = channelMask(x, layer.apply(x, { training: true }) as tf.Tensor, rate);
    // 18 (sample, channel) pairs at rate 0.5: both outcomes occur in each call, and the calls differ.
    for (const mask of [first, second]) expect(new Set(mask)).toEqual(new Set(["dropped", "kept"]));
    expect(second).not.toEqual(first);
  });

  it("draws the same masks from the same seed, and other masks from another", () => {
    const x = images();
    const masks = (seed: number) => {
      const layer = new SpatialDropout2D({ rate: 0.5, seed });
      return [0, 1, 2].map(() => channelMask(x, layer.apply(x, { training: true }) as tf.Tensor, 0.5));
    };
    expect(masks(5)).toEqual(masks(5));
    expect(masks(5)).not.toEqual(masks(6));
  });

  it("refuses to train without a seed, channels-first images, and rates outside [0, 1)", () => {
    const x = images();
    expect(() => new SpatialDropout2D({ rate: 0.5 }).apply(x, { training: true })).toThrow(/without a seed/);
    expect(() => new SpatialDropout2D({ rate: 0.5, dataFormat: "channels_first" })).toThrow(
      /data_format "channels_first" is not supported.*"channels_last"/,
    );
    expect(() => new SpatialDropout2D({ rate: 1 })).toThrow(/rate must be a number in \[0, 1\)/);
    expect(() => new SpatialDropout2D({ rate: 0.2, noiseShape: [null, 1, 1, 6] })).toThrow(/noise_shape/);
  });

  it("refuses an input that is not an image", () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3 })] });
    expect(() => model.add(new SpatialDropout2D({ rate: 0.5 }))).toThrow(/ndim=4/);
  });

  it("deserializes from a Keras 2 config and round-trips through its own config", async () => {
    // As Keras 2 writes it (its Dropout base adds noise_shape), after the first conv of a model.
    const keras = {
      class_name: "Sequential",
      config: {
        name: "net",
        layers: [
          {
            class_name: "Conv2D",
            config: { name: "conv", batch_input_shape: [null, 8, 8, 1], filters: 4, kernel_size: [3, 3] },
          },
          {
            class_name: "SpatialDropout2D",
            config: {
              name: "sd",
              trainable: true,
              rate: 0.25,
              noise_shape: null,
              seed: null,
              data_format: "channels_last",
            },
          },
        ],
      },
    };
    const model = await tf.models.modelFromJSON({
      modelTopology: keras as unknown as tf.io.ModelJSON["modelTopology"],
    });
    const layer = model.layers.at(-1)!;
    expect(layer).toBeInstanceOf(SpatialDropout2D);
    const config = layer.getConfig();
    expect(config).toMatchObject({ name: "sd", rate: 0.25, seed: null, dataFormat: "channelsLast" });
    // Through TF.js's own JSON (snake_case, as model.save writes it) and back.
    const again = await tf.models.modelFromJSON({
      modelTopology: model.toJSON(undefined, false) as unknown as tf.io.ModelJSON["modelTopology"],
    });
    expect(again.layers.at(-1)).toBeInstanceOf(SpatialDropout2D);
    expect(again.layers.at(-1)!.getConfig()).toEqual(config);
    again.dispose();
    // The canonical topology keeps Keras's keys, with the seed nulled.
    const canonical = canonicalTopology(model) as { config: { layers: Array<{ config: Record<string, unknown> }> } };
    expect(canonical.config.layers[1]!.config).toMatchObject({ rate: 0.25, seed: null, data_format: "channels_last" });
    model.dispose();
    // The same file saved channels-first is refused, in Keras's spelling.
    keras.config.layers[1]!.config.data_format = "channels_first";
    await expect(
      tf.models.modelFromJSON({ modelTopology: keras as unknown as tf.io.ModelJSON["modelTopology"] }),
    ).rejects.toThrow(/layer "sd": data_format "channels_first" is not supported/);
  });

  it("gets its seed from the run's seed in a model.json build, so a run is a function of its seed", async () => {
    expect(SEEDED_NOISE_LAYERS.has("SpatialDropout2D")).toBe(true);
    const topology = {
      class_name: "Sequential",
      config: {
        name: "net",
        layers: [
          { class_name: "SpatialDropout2D", config: { name: "sd", batch_input_shape: [null, 4, 5, 6], rate: 0.5 } },
          { class_name: "Flatten", config: { name: "flat" } },
          { class_name: "Dense", config: { name: "out", units: 10 } },
        ],
      },
    };
    const template = await layersTemplate(topology, "net", "net.json");
    const dropped = (seed: number) => {
      const model = template.build({ inputShape: [4, 5, 6], classes: 10, regularizer: NO_REGULARIZER, seed });
      const layer = model.layers[0]!;
      const x = images();
      try {
        return [0, 1].map(() => channelMask(x, layer.apply(x, { training: true }) as tf.Tensor, 0.5));
      } finally {
        model.dispose();
      }
    };
    expect(dropped(1)).toEqual(dropped(1));
    expect(dropped(1)).not.toEqual(dropped(2));
  });
});

describe("canonicalTopology of a SeparableConv2D", () => {
  it("records the depth multiplier, so a model rebuilt from it is the same network", async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.separableConv2d({ inputShape: [8, 8, 3], filters: 5, kernelSize: 3, depthMultiplier: 2 }),
        tf.layers.separableConv2d({ filters: 4, kernelSize: 2, useBias: false }),
      ],
    });
    // Depthwise 3·3·3·2 = 54, pointwise (3·2)·5 = 30, bias 5; then 2·2·5·1 = 20 and 5·1·4 = 20, no bias.
    expect(model.countParams()).toBe(54 + 30 + 5 + 20 + 20);
    const canonical = canonicalTopology(model);
    const layers = (canonical as { config: { layers: Array<{ config: Record<string, unknown> }> } }).config.layers;
    expect(layers.map((layer) => layer.config.depth_multiplier)).toEqual([2, 1]);
    const rebuilt = await tf.models.modelFromJSON({
      modelTopology: canonical as unknown as tf.io.ModelJSON["modelTopology"],
    });
    expect(rebuilt.countParams()).toBe(model.countParams());
    expect(canonicalTopology(rebuilt)).toEqual(canonical);
    for (const m of [model, rebuilt]) m.dispose();
  });

  it("records it inside a Sequential block used as a layer of a functional model", () => {
    const block = tf.sequential({
      layers: [tf.layers.separableConv2d({ inputShape: [6, 6, 2], filters: 3, kernelSize: 3, depthMultiplier: 4 })],
    });
    const input = tf.input({ shape: [6, 6, 2] });
    const model = tf.model({ inputs: input, outputs: block.apply(input) as tf.SymbolicTensor });
    const json = JSON.stringify(canonicalTopology(model));
    expect(json).toContain('"depth_multiplier":4');
    model.dispose();
  });
});
