// The paper's small Inception (Appendix A, after Figure 3): conv modules of convolution,
// batch norm and ReLU, Inception modules of a 1×1 and a 3×3 branch, and down-sampling
// modules of a stride-2 convolution beside a stride-2 max-pool.
import * as tf from "@tensorflow/tfjs";
import { type BuildOptions, LayerFactory } from "./blocks.js";

type Module = { kind: "inception"; ch1: number; ch3: number } | { kind: "down"; ch3: number };

/** The module sequence of the paper's figure. */
const MODULES: readonly Module[] = [
  { kind: "inception", ch1: 32, ch3: 32 },
  { kind: "inception", ch1: 32, ch3: 48 },
  { kind: "down", ch3: 80 },
  { kind: "inception", ch1: 112, ch3: 48 },
  { kind: "inception", ch1: 96, ch3: 64 },
  { kind: "inception", ch1: 80, ch3: 80 },
  { kind: "inception", ch1: 48, ch3: 96 },
  { kind: "down", ch3: 96 },
  { kind: "inception", ch1: 176, ch3: 160 },
  { kind: "inception", ch1: 176, ch3: 160 },
];

/**
 * Builds the small Inception. Batch norm is on unless the regularizer turns it off; the
 * convolutions keep their biases either way, as the paper's parameter count does.
 */
export function buildSmallInception(id: string, options: BuildOptions): tf.LayersModel {
  const f = new LayerFactory(options, true);
  const convModule = (x: tf.SymbolicTensor, filters: number, kernelSize: number, strides = 1) =>
    f.hidden(x, (activation) => f.conv(filters, kernelSize, strides, activation));
  const concat = (branches: tf.SymbolicTensor[]) =>
    tf.layers.concatenate({ axis: -1, name: f.name("concat") }).apply(branches) as tf.SymbolicTensor;

  const input = tf.input({ shape: [...options.inputShape], name: "image" });
  let x = convModule(input, 96, 3);
  for (const module of MODULES) {
    if (module.kind === "inception") {
      x = concat([convModule(x, module.ch1, 1), convModule(x, module.ch3, 3)]);
    } else {
      const pooled = tf.layers
        .maxPooling2d({ poolSize: 3, strides: 2, padding: "same", name: f.name("pool") })
        .apply(x) as tf.SymbolicTensor;
      x = concat([convModule(x, module.ch3, 3, 2), pooled]);
    }
  }
  x = tf.layers.globalAveragePooling2d({ name: "global_pool" }).apply(x) as tf.SymbolicTensor;
  x = f.maybeDropout(x);
  const logits = f.dense(options.classes, "linear", "logits").apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits, name: id });
}
