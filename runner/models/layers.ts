// Custom layers the built-in architectures need and tfjs-layers lacks, registered for
// (de)serialization so their topologies round-trip through layers JSON.
import * as tf from "@tensorflow/tfjs";

interface LrnConfig {
  depthRadius: number;
  bias: number;
  alpha: number;
  beta: number;
  name?: string;
}

/**
 * Local response normalization across channels (AlexNet's "norm" layer), a thin layer over
 * `tf.localResponseNormalization`: y = x / (bias + alpha · Σ x²)^beta over a window of
 * 2·depthRadius + 1 channels.
 */
export class LocalResponseNormalization extends tf.layers.Layer {
  static readonly className = "LocalResponseNormalization";
  private readonly lrn: Required<Omit<LrnConfig, "name">>;

  constructor(config: LrnConfig) {
    super(config.name === undefined ? {} : { name: config.name });
    this.lrn = { depthRadius: config.depthRadius, bias: config.bias, alpha: config.alpha, beta: config.beta };
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return tf.localResponseNormalization(
      x as tf.Tensor4D,
      this.lrn.depthRadius,
      this.lrn.bias,
      this.lrn.alpha,
      this.lrn.beta,
    );
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.lrn };
  }
}

interface SeededDropoutConfig {
  rate: number;
  seed: number;
  name?: string;
}

/**
 * Dropout whose masks come from a seed and a call counter. tfjs-layers' Dropout either draws
 * from Math.random (not reproducible) or, given a seed, repeats the same mask on every step;
 * this one draws a fresh, reproducible mask on each training call.
 */
export class SeededDropout extends tf.layers.Layer {
  static readonly className = "SeededDropout";
  private readonly rate: number;
  private readonly seed: number;
  private calls = 0;

  constructor(config: SeededDropoutConfig) {
    super(config.name === undefined ? {} : { name: config.name });
    this.rate = config.rate;
    this.seed = config.seed;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    if (!kwargs.training || this.rate === 0) return tf.clone(x);
    // 2^31 − 1 keeps the per-call seed an exact integer whatever the counter.
    const callSeed = (this.seed + this.calls++ * 7919) % 2147483647;
    return tf.dropout(x, this.rate, undefined, callSeed);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed };
  }
}

tf.serialization.registerClass(LocalResponseNormalization);
tf.serialization.registerClass(SeededDropout);
