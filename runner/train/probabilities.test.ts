// Which models the training loop takes as ending in a softmax (cross-entropy on their clipped
// probabilities) and which as giving logits, for every way a Keras or TF.js model writes one.
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "./index.js";
import { outputsProbabilities } from "./loop.js";

beforeAll(async () => {
  await initBackend("wasm");
});

const dense = (units: number, activation?: "softmax" | "relu" | "linear") =>
  tf.layers.dense({ units, ...(activation ? { activation } : {}) });

/** A Sequential model on 4 features ending in the given layers. */
function sequential(...head: tf.layers.Layer[]): tf.Sequential {
  return tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 6 }), ...head] });
}

/** A functional model whose output is `head` applied to a hidden layer, beside a branch merged in before it. */
function functional(head: tf.layers.Layer): tf.LayersModel {
  const input = tf.input({ shape: [4] });
  const hidden = dense(6).apply(input) as tf.SymbolicTensor;
  const side = dense(6).apply(input) as tf.SymbolicTensor;
  const merged = tf.layers.add().apply([hidden, side]) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: head.apply(merged) as tf.SymbolicTensor });
}

describe("outputsProbabilities", () => {
  it("takes a last Softmax layer, Activation('softmax') or a layer with activation softmax as probabilities", () => {
    const models = {
      "Softmax layer": sequential(dense(3), tf.layers.softmax()),
      "Activation softmax": sequential(dense(3), tf.layers.activation({ activation: "softmax" })),
      "Dense with softmax": sequential(dense(3, "softmax")),
      "functional, Softmax layer": functional(tf.layers.softmax()),
      "functional, Dense with softmax": functional(dense(3, "softmax")),
    };
    for (const [name, model] of Object.entries(models)) {
      expect(outputsProbabilities(model), name).toBe(true);
      model.dispose();
    }
  });

  it("takes every other ending as logits", () => {
    const models = {
      "Dense, linear": sequential(dense(3)),
      "Dense, relu": sequential(dense(3, "relu")),
      "Activation relu after a softmax": sequential(dense(3, "softmax"), tf.layers.activation({ activation: "relu" })),
      "functional, Dense linear": functional(dense(3, "linear")),
    };
    for (const [name, model] of Object.entries(models)) {
      expect(outputsProbabilities(model), name).toBe(false);
      model.dispose();
    }
  });

  it("looks into a model used as the last layer", () => {
    // A functional model whose output layer is a Sequential head ending in the given activation.
    const withHead = (activation: "softmax" | "linear") => {
      const head = tf.sequential({
        layers: [tf.layers.dense({ inputShape: [6], units: 3 }), tf.layers.activation({ activation })],
      });
      const input = tf.input({ shape: [4] });
      return tf.model({ inputs: input, outputs: head.apply(dense(6).apply(input)) as tf.SymbolicTensor });
    };
    const [withSoftmax, withLogits] = [withHead("softmax"), withHead("linear")];
    expect(withSoftmax.outputLayers[0]!.getClassName()).toBe("Sequential");
    expect(outputsProbabilities(withSoftmax)).toBe(true);
    expect(outputsProbabilities(withLogits)).toBe(false);
    for (const model of [withSoftmax, withLogits]) model.dispose();
  });

  it("reads a Keras file's final Activation('softmax') after deserialization", async () => {
    const keras = {
      class_name: "Sequential",
      config: [
        { class_name: "Dense", config: { name: "d", units: 3, batch_input_shape: [null, 4], activation: "linear" } },
        { class_name: "Activation", config: { name: "probs", activation: "softmax" } },
      ],
    };
    const model = await tf.models.modelFromJSON({
      modelTopology: keras as unknown as tf.io.ModelJSON["modelTopology"],
    });
    expect(outputsProbabilities(model)).toBe(true);
    model.dispose();
  });
});
