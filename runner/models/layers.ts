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

/** The seed of one training call's draws: a fresh, reproducible draw per call (2^31 − 1 keeps it an exact integer). */
function callSeed(seed: number, calls: number): number {
  return (seed + calls * 7919) % 2147483647;
}

/** A noise layer's config: TF.js's layer arguments (name, input shape, …) and the seed of its draws. */
type NoiseConfig = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]> & {
  /** The first draw's seed, which a model.json's build writes in (`seededConfig`); no file carries one. */
  seed?: number | null;
};

function layerArgs({
  seed: _seed,
  ...args
}: NoiseConfig): NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]> {
  return args;
}

/**
 * The base of TF.js's noise layers redone with seeded draws. tfjs-layers' GaussianNoise,
 * GaussianDropout and AlphaDropout take no seed: each training call draws from a generator that
 * Math.random seeds, so a model.json holding one trained differently on every run and could never
 * be reproduced. The subclasses register under TF.js's own class names, so that a model.json
 * deserializes into them; their configs are TF.js's (no seed), so fingerprints do not change.
 */
abstract class SeededNoise extends tf.layers.Layer {
  protected readonly seed: number | null;
  private calls = 0;

  constructor(config: NoiseConfig) {
    // The whole config, as TF.js's layers take it: a noise layer may be the one that names the input shape.
    super(layerArgs(config));
    this.supportsMasking = true;
    this.seed = config.seed ?? null;
  }

  /** The input with this call's noise, drawn from `seed`. */
  protected abstract noised(x: tf.Tensor, seed: number): tf.Tensor;

  /** Whether the layer changes anything in training (a rate of 0 or 1 leaves the input alone, as in TF.js). */
  protected abstract active(): boolean;

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    if (!kwargs.training || !this.active()) return tf.clone(x);
    if (this.seed === null) {
      // Only a build through seededConfig trains; anything else training this layer is a bug.
      throw new Error(`${this.getClassName()} layer "${this.name}" was built without a seed and cannot train`);
    }
    return tf.tidy(() => this.noised(x, callSeed(this.seed!, this.calls++)));
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }
}

/** TF.js's GaussianNoise (x + N(0, stddev²) in training), seeded. */
export class SeededGaussianNoise extends SeededNoise {
  static readonly className = "GaussianNoise";
  private readonly stddev: number;

  constructor(config: NoiseConfig & { stddev: number }) {
    super(config);
    this.stddev = config.stddev;
  }

  protected override active(): boolean {
    return true;
  }

  protected override noised(x: tf.Tensor, seed: number): tf.Tensor {
    return tf.add(tf.randomNormal(x.shape, 0, this.stddev, "float32", seed), x);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { stddev: this.stddev, ...super.getConfig() };
  }
}

/** TF.js's GaussianDropout (x · N(1, rate / (1 − rate)) in training), seeded. */
export class SeededGaussianDropout extends SeededNoise {
  static readonly className = "GaussianDropout";
  private readonly rate: number;

  constructor(config: NoiseConfig & { rate: number }) {
    super(config);
    this.rate = config.rate;
  }

  protected override active(): boolean {
    return this.rate > 0 && this.rate < 1;
  }

  protected override noised(x: tf.Tensor, seed: number): tf.Tensor {
    return tf.mul(x, tf.randomNormal(x.shape, 1, Math.sqrt(this.rate / (1 - this.rate)), "float32", seed));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { rate: this.rate, ...super.getConfig() };
  }
}

/** TF.js's AlphaDropout (dropped units set to SELU's negative saturation, then an affine fix-up), seeded. */
export class SeededAlphaDropout extends SeededNoise {
  static readonly className = "AlphaDropout";
  private readonly rate: number;
  private readonly noiseShape: number[] | null;

  constructor(config: NoiseConfig & { rate: number; noiseShape?: number[] | null }) {
    super(config);
    this.rate = config.rate;
    this.noiseShape = config.noiseShape ?? null;
  }

  protected override active(): boolean {
    return this.rate > 0 && this.rate < 1;
  }

  protected override noised(x: tf.Tensor, seed: number): tf.Tensor {
    // TF.js's constants and formula (tfjs-layers noise.ts), with the uniform draw seeded.
    const alphaP = -1.6732632423543772 * 1.0507009873554805;
    const kept = tf.cast(
      tf.greaterEqual(tf.randomUniform(this.noiseShape ?? x.shape, 0, 1, "float32", seed), this.rate),
      "float32",
    );
    const a = ((1 - this.rate) * (1 + this.rate * alphaP ** 2)) ** -0.5;
    const b = -a * alphaP * this.rate;
    return tf.add(tf.mul(tf.add(tf.mul(x, kept), tf.mul(tf.add(kept, -1), alphaP)), a), b);
  }

  override getConfig(): tf.serialization.ConfigDict {
    // TF.js's AlphaDropout leaves noiseShape out of its config too.
    return { rate: this.rate, ...super.getConfig() };
  }
}

/**
 * Keras's SpatialDropout2D, which TF.js lacks (it has only SpatialDropout1D): in training it drops
 * whole channels of each image, a mask of shape [batch, 1, 1, channels] scaled by 1 / (1 − rate),
 * drawn afresh from the seed on each call; at inference it passes its input through. Registered
 * under Keras's class name, so a Keras file deserializes into it as it is.
 */
export class SpatialDropout2D extends SeededNoise {
  static readonly className = "SpatialDropout2D";
  private readonly rate: number;

  constructor(config: NoiseConfig & { rate: number; dataFormat?: string | null; noiseShape?: unknown }) {
    const { rate, dataFormat, noiseShape, ...args } = config;
    super(args);
    const where = `SpatialDropout2D layer "${this.name}"`;
    if (typeof rate !== "number" || !(rate >= 0 && rate < 1))
      throw new Error(`${where}: rate must be a number in [0, 1), not ${JSON.stringify(rate)}`);
    // TF.js's deserialization turns Keras's "channels_last" into "channelsLast"; a direct call may use either.
    if (dataFormat != null && dataFormat !== "channelsLast" && dataFormat !== "channels_last")
      throw new Error(
        `${where}: data_format ${JSON.stringify(dataFormat === "channelsFirst" ? "channels_first" : dataFormat)} ` +
          `is not supported; TF.js trains channels-last images (height, width, channels) only, so save the model ` +
          `with data_format "channels_last"`,
      );
    // Keras 2 writes Dropout's noise_shape (always null) into this layer's config; the mask's shape is fixed.
    if (noiseShape != null)
      throw new Error(
        `${where}: noise_shape must be null (the mask is per image and channel), not ${JSON.stringify(noiseShape)}`,
      );
    this.rate = rate;
    this.inputSpec = [{ ndim: 4 }];
  }

  protected override active(): boolean {
    return this.rate > 0;
  }

  protected override noised(x: tf.Tensor, seed: number): tf.Tensor {
    const [batch, , , channels] = x.shape;
    return tf.dropout(x, this.rate, [batch!, 1, 1, channels!], seed);
  }

  override getConfig(): tf.serialization.ConfigDict {
    // Keras's config: the seed too (null until `seededConfig` draws one; the canonical topology nulls it).
    // TF.js's spelling of "channels_last", which its serialization writes back as Keras's.
    return { rate: this.rate, seed: this.seed, dataFormat: "channelsLast", ...super.getConfig() };
  }
}

/** Class names whose layers `seededConfig` gives a seed: the noise layers above. */
export const SEEDED_NOISE_LAYERS: ReadonlySet<string> = new Set([
  "GaussianNoise",
  "GaussianDropout",
  "AlphaDropout",
  "SpatialDropout2D",
]);

tf.serialization.registerClass(LocalResponseNormalization);
tf.serialization.registerClass(SeededDropout);
// These replace tfjs-layers' registrations of the same names (this module loads after it).
tf.serialization.registerClass(SeededGaussianNoise);
tf.serialization.registerClass(SeededGaussianDropout);
tf.serialization.registerClass(SeededAlphaDropout);
// TF.js has no layer of this name; Keras has, and writes it into its files.
tf.serialization.registerClass(SpatialDropout2D);
