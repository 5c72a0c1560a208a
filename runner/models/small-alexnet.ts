// The paper's small AlexNet (Appendix A): two blocks of 5×5 convolution, 3×3 max-pool with
// stride 2 and local response normalization, then dense layers of 384 and 192 units.
import * as tf from "@tensorflow/tfjs";
import { type BuildOptions, LayerFactory } from "./blocks.js";
import { LocalResponseNormalization } from "./layers.js";

/**
 * Local response normalization as in TensorFlow's CIFAR-10 AlexNet tutorial (the paper's
 * set-up does not state it): radius 4, bias 1, alpha 0.001/9, beta 0.75.
 */
const LRN = { depthRadius: 4, bias: 1, alpha: 0.001 / 9, beta: 0.75 };

export interface AlexNetWidths {
  filters: number;
  dense: readonly [number, number];
}

/** The paper's widths: 64 filters per convolution, dense 384 and 192. */
export const SMALL_ALEXNET: AlexNetWidths = { filters: 64, dense: [384, 192] };

/**
 * The quick suite's CNN: the same network with a quarter of the filters (16), which makes
 * its convolutions ~16× cheaper, and the paper's dense widths, which keep its capacity near
 * the MLP's (384k parameters on MNIST) so that it can memorize random labels.
 */
export const SMALL_ALEXNET_TINY: AlexNetWidths = { filters: 16, dense: [384, 192] };

/** Builds a small AlexNet of the given widths; batch norm is off unless the regularizer turns it on. */
export function buildSmallAlexNet(id: string, widths: AlexNetWidths, options: BuildOptions): tf.LayersModel {
  const f = new LayerFactory(options, false);
  const input = tf.input({ shape: [...options.inputShape], name: "image" });
  let x: tf.SymbolicTensor = input;
  for (let block = 0; block < 2; block++) {
    x = f.hidden(x, (activation) => f.conv(widths.filters, 5, 1, activation));
    x = tf.layers
      .maxPooling2d({ poolSize: 3, strides: 2, padding: "same", name: f.name("pool") })
      .apply(x) as tf.SymbolicTensor;
    x = new LocalResponseNormalization({ ...LRN, name: f.name("lrn") }).apply(x) as tf.SymbolicTensor;
  }
  x = tf.layers.flatten({ name: "flatten" }).apply(x) as tf.SymbolicTensor;
  for (const units of widths.dense) {
    x = f.hidden(x, (activation) => f.dense(units, activation));
    x = f.maybeDropout(x);
  }
  const logits = f.dense(options.classes, "linear", "logits").apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits, name: id });
}
