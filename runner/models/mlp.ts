// Multilayer perceptrons of the paper (Appendix A): `depth` hidden ReLU layers of `width`
// units on the flattened image.
import * as tf from "@tensorflow/tfjs";
import { type BuildOptions, LayerFactory } from "./blocks.js";

/** Builds an MLP; batch norm is off unless the regularizer turns it on. */
export function buildMlp(id: string, depth: number, width: number, options: BuildOptions): tf.LayersModel {
  const f = new LayerFactory(options, false);
  const input = tf.input({ shape: [...options.inputShape], name: "image" });
  let x = tf.layers.flatten({ name: "flatten" }).apply(input) as tf.SymbolicTensor;
  for (let i = 0; i < depth; i++) {
    x = f.hidden(x, (activation) => f.dense(width, activation));
    x = f.maybeDropout(x);
  }
  const logits = f.dense(options.classes, "linear", "logits").apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits, name: id });
}
