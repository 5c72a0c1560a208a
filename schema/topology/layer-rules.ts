// The parameter counter's per-layer rules: how each TF.js layer class reads its config, what
// output shape it gives and how many weights it holds. parameter-count.ts walks a model with them.

/** A TF.js layers topology as `model.toJSON()` writes it: `{class_name, config}`, snake_case keys. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonRecord = { [key: string]: Json };
/** An output shape without the batch dimension. */
export type Shape = number[];

/** Thrown inside the counter and turned into the `ok: false` result at its boundary. */
export class CountError extends Error {
  constructor(
    readonly layer: string,
    readonly className: string,
    reason: string,
  ) {
    super(reason);
  }
}

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const product = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
export const sameShape = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/** One layer's config with typed readers that fail naming the layer. */
export class LayerConfig {
  constructor(
    readonly name: string,
    readonly className: string,
    private readonly config: JsonRecord,
  ) {}

  fail(reason: string): never {
    throw new CountError(this.name, this.className, reason);
  }

  has(key: string): boolean {
    return this.config[key] !== undefined && this.config[key] !== null;
  }

  positiveInt(key: string, fallback?: number): number {
    const value = this.config[key];
    if ((value === undefined || value === null) && fallback !== undefined) return fallback;
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1)
      this.fail(`config.${key} must be a positive integer, not ${JSON.stringify(value)}`);
    return value;
  }

  bool(key: string, fallback: boolean): boolean {
    const value = this.config[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== "boolean") this.fail(`config.${key} must be true or false, not ${JSON.stringify(value)}`);
    return value;
  }

  int(key: string, fallback: number): number {
    const value = this.config[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== "number" || !Number.isSafeInteger(value))
      this.fail(`config.${key} must be an integer, not ${JSON.stringify(value)}`);
    return value;
  }

  /** A pair such as a kernel size: a positive integer or a list of two (Keras writes both forms). */
  pair(key: string, fallback?: [number, number]): [number, number] {
    const value = this.config[key];
    if ((value === undefined || value === null) && fallback) return fallback;
    const pair = typeof value === "number" ? [value, value] : value;
    if (
      !Array.isArray(pair) ||
      pair.length !== 2 ||
      !pair.every((v) => typeof v === "number" && Number.isSafeInteger(v) && v >= 1)
    )
      this.fail(`config.${key} must be a positive integer or two of them, not ${JSON.stringify(value)}`);
    return pair as [number, number];
  }

  padding(): "same" | "valid" {
    const value = this.config.padding ?? "valid";
    if (value !== "same" && value !== "valid")
      this.fail(`config.padding must be "same" or "valid", not ${JSON.stringify(value)}`);
    return value;
  }

  /** Only channels-last images are counted: TF.js trains nothing else on the CPU or wasm backends. */
  channelsLast(): void {
    const format = this.config.data_format ?? "channels_last";
    if (format !== "channels_last") this.fail(`data_format ${JSON.stringify(format)} is not supported`);
  }

  raw(key: string): Json | undefined {
    return this.config[key];
  }
}

/** The input as an image [height, width, channels], or an error naming the layer. */
function image(layer: LayerConfig, input: Shape): [number, number, number] {
  if (input.length !== 3) layer.fail(`expects an image input [height, width, channels], got [${input.join(", ")}]`);
  return input as [number, number, number];
}

/** Output length of a sliding window along one axis, as TF.js computes it. */
function windowOutput(length: number, window: number, stride: number, dilation: number, padding: "same" | "valid") {
  const span = (window - 1) * dilation + 1;
  return padding === "same" ? Math.ceil(length / stride) : Math.ceil((length - span + 1) / stride);
}

function conv2dOutput(layer: LayerConfig, input: Shape, channels: number, depthwise = false) {
  layer.channelsLast();
  const [height, width] = image(layer, input);
  const [kh, kw] = layer.pair("kernel_size");
  const [sh, sw] = layer.pair("strides", [1, 1]);
  const [dh, dw] = layer.pair("dilation_rate", [1, 1]);
  const padding = layer.padding();
  const shape = [windowOutput(height, kh, sh, dh, padding), windowOutput(width, kw, sw, dw, padding), channels];
  if (shape[0]! < 1 || shape[1]! < 1)
    layer.fail(`a ${kh}×${kw} ${depthwise ? "depthwise " : ""}kernel does not fit an input of ${height}×${width}`);
  return { shape, kernel: kh * kw };
}

function poolOutput(layer: LayerConfig, input: Shape): Shape {
  layer.channelsLast();
  const [height, width, channels] = image(layer, input);
  const pool = layer.pair("pool_size", [2, 2]);
  const strides = layer.pair("strides", pool);
  const padding = layer.padding();
  const shape = [
    windowOutput(height, pool[0], strides[0], 1, padding),
    windowOutput(width, pool[1], strides[1], 1, padding),
    channels,
  ];
  if (shape[0]! < 1 || shape[1]! < 1)
    layer.fail(`a ${pool[0]}×${pool[1]} pool does not fit an input of ${height}×${width}`);
  return shape;
}

/** A normalization axis (negative counts from the end) as an index into the shape without batch. */
function axisIndex(layer: LayerConfig, axis: number, rank: number): number {
  // Axes count the batch dimension: axis 1 is the first dimension of `Shape`.
  const index = axis < 0 ? rank + axis : axis - 1;
  if (index < 0 || index >= rank) layer.fail(`axis ${axis} is outside an input of rank ${rank + 1}`);
  return index;
}

/** Layers with no weights whose output shape is their input's. */
const SHAPE_PRESERVING = new Set([
  "Activation",
  "ReLU",
  "LeakyReLU",
  "ELU",
  "Softmax",
  "ThresholdedReLU",
  "Dropout",
  "SeededDropout",
  "AlphaDropout",
  "GaussianDropout",
  "GaussianNoise",
  "LocalResponseNormalization",
]);

/** Layers that combine several inputs of one shape element-wise. */
const ELEMENTWISE_MERGE = new Set(["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"]);

/** Layer classes the counter knows, for error messages and documentation. */
export const COUNTED_LAYER_CLASSES: readonly string[] = [
  "InputLayer",
  "Dense",
  "Conv2D",
  "DepthwiseConv2D",
  "SeparableConv2D",
  "SpatialDropout2D",
  "MaxPooling2D",
  "AveragePooling2D",
  "GlobalAveragePooling2D",
  "GlobalMaxPooling2D",
  "Flatten",
  "Reshape",
  "ZeroPadding2D",
  "BatchNormalization",
  "LayerNormalization",
  "PReLU",
  "Concatenate",
  ...ELEMENTWISE_MERGE,
  ...SHAPE_PRESERVING,
];

/** The weights of one layer called on `inputs`, and its output shape. */
export function applyLayer(layer: LayerConfig, inputs: Shape[]): { params: number; output: Shape } {
  const { className } = layer;
  if (className === "Concatenate" || ELEMENTWISE_MERGE.has(className)) {
    if (inputs.length < 2) layer.fail(`merges at least two inputs, got ${inputs.length}`);
    const first = inputs[0]!;
    if (ELEMENTWISE_MERGE.has(className)) {
      if (!inputs.every((shape) => sameShape(shape, first)))
        layer.fail(`inputs of different shapes: ${inputs.map((s) => `[${s.join(", ")}]`).join(", ")}`);
      return { params: 0, output: first };
    }
    const axis = axisIndex(layer, layer.int("axis", -1), first.length);
    const rest = (shape: Shape) => shape.filter((_, i) => i !== axis);
    if (!inputs.every((shape) => shape.length === first.length && sameShape(rest(shape), rest(first))))
      layer.fail(`inputs that differ off the concatenation axis: ${inputs.map((s) => `[${s.join(", ")}]`).join(", ")}`);
    const output = [...first];
    output[axis] = inputs.reduce((sum, shape) => sum + shape[axis]!, 0);
    return { params: 0, output };
  }
  if (inputs.length !== 1) layer.fail(`takes one input, got ${inputs.length}`);
  const input = inputs[0]!;
  if (SHAPE_PRESERVING.has(className)) return { params: 0, output: input };
  switch (className) {
    case "Dense": {
      const units = layer.positiveInt("units");
      if (input.length === 0) layer.fail("has no input features");
      const features = input.at(-1)!;
      const bias = layer.bool("use_bias", true) ? units : 0;
      return { params: features * units + bias, output: [...input.slice(0, -1), units] };
    }
    case "Conv2D": {
      const filters = layer.positiveInt("filters");
      const { shape, kernel } = conv2dOutput(layer, input, filters);
      const bias = layer.bool("use_bias", true) ? filters : 0;
      return { params: kernel * input[2]! * filters + bias, output: shape };
    }
    case "DepthwiseConv2D": {
      // TF.js 4.22's DepthwiseConv2D passes no dilation to its kernel: such a topology trains an
      // undilated network (and the PyTorch engine refuses it), so it is not a network anyone can reproduce.
      const [dh, dw] = layer.pair("dilation_rate", [1, 1]);
      if (dh !== 1 || dw !== 1)
        layer.fail(
          `dilation_rate [${dh}, ${dw}] is not supported: TF.js ignores dilation for DepthwiseConv2D; ` +
            "use dilation_rate 1, or a Conv2D or SeparableConv2D with the dilation",
        );
      const channels = image(layer, input)[2] * layer.positiveInt("depth_multiplier", 1);
      const { shape, kernel } = conv2dOutput(layer, input, channels, true);
      const bias = layer.bool("use_bias", true) ? channels : 0;
      return { params: kernel * channels + bias, output: shape };
    }
    case "SeparableConv2D": {
      // A depthwise kernel per input channel and multiplier, then a 1×1 pointwise one. The
      // canonical topology writes depth_multiplier (TF.js's own config omits it); absent, it is
      // TF.js's default of 1, which is also what a rebuild from such a config gets.
      const inputChannels = image(layer, input)[2];
      const depthwiseChannels = inputChannels * layer.positiveInt("depth_multiplier", 1);
      const filters = layer.positiveInt("filters");
      const { shape, kernel } = conv2dOutput(layer, input, filters);
      const bias = layer.bool("use_bias", true) ? filters : 0;
      return { params: kernel * depthwiseChannels + depthwiseChannels * filters + bias, output: shape };
    }
    case "SpatialDropout2D":
      // Drops whole channels of an image: no weights, and only defined on images.
      layer.channelsLast();
      image(layer, input);
      return { params: 0, output: input };
    case "MaxPooling2D":
    case "AveragePooling2D":
      return { params: 0, output: poolOutput(layer, input) };
    case "GlobalAveragePooling2D":
    case "GlobalMaxPooling2D":
      layer.channelsLast();
      return { params: 0, output: [image(layer, input)[2]] };
    case "Flatten":
      return { params: 0, output: [product(input)] };
    case "Reshape": {
      const target = layer.raw("target_shape");
      if (!Array.isArray(target) || !target.every((d) => typeof d === "number" && Number.isSafeInteger(d)))
        layer.fail(`config.target_shape must be a list of integers, not ${JSON.stringify(target)}`);
      const dims = target as number[];
      const unknown = dims.filter((d) => d === -1).length;
      const known = product(dims.filter((d) => d !== -1));
      if (unknown > 1 || dims.some((d) => d < -1 || d === 0) || product(input) % known !== 0)
        layer.fail(`cannot reshape [${input.join(", ")}] to [${dims.join(", ")}]`);
      const output = dims.map((d) => (d === -1 ? product(input) / known : d));
      if (product(output) !== product(input))
        layer.fail(`cannot reshape [${input.join(", ")}] to [${dims.join(", ")}]`);
      return { params: 0, output };
    }
    case "ZeroPadding2D": {
      layer.channelsLast();
      const [height, width, channels] = image(layer, input);
      const value = layer.raw("padding") ?? 1;
      const pads =
        typeof value === "number"
          ? [value, value, value, value]
          : Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === "number")
            ? [value[0], value[0], value[1], value[1]]
            : Array.isArray(value) && value.length === 2 && value.every((v) => Array.isArray(v) && v.length === 2)
              ? (value as number[][]).flat()
              : null;
      if (!pads?.every((p) => typeof p === "number" && Number.isSafeInteger(p) && p >= 0))
        layer.fail(`config.padding must be an integer, two, or two pairs, not ${JSON.stringify(value)}`);
      const [top, bottom, left, right] = pads as number[];
      return { params: 0, output: [height + top! + bottom!, width + left! + right!, channels] };
    }
    case "BatchNormalization": {
      const axis = axisIndex(layer, layer.int("axis", -1), input.length);
      // Gamma and beta when scaled and centered; the moving mean and variance always.
      const perChannel = 2 + (layer.bool("center", true) ? 1 : 0) + (layer.bool("scale", true) ? 1 : 0);
      return { params: perChannel * input[axis]!, output: input };
    }
    case "LayerNormalization": {
      const raw = layer.raw("axis") ?? -1;
      const axes = typeof raw === "number" ? [raw] : raw;
      if (!Array.isArray(axes) || !axes.every((a) => typeof a === "number" && Number.isSafeInteger(a)))
        layer.fail(`config.axis must be an integer or a list of them, not ${JSON.stringify(raw)}`);
      const size = product((axes as number[]).map((a) => input[axisIndex(layer, a, input.length)]!));
      const perUnit = (layer.bool("center", true) ? 1 : 0) + (layer.bool("scale", true) ? 1 : 0);
      return { params: perUnit * size, output: input };
    }
    case "PReLU": {
      const shared = layer.raw("shared_axes") ?? [];
      const axes = typeof shared === "number" ? [shared] : shared;
      if (!Array.isArray(axes) || !axes.every((a) => typeof a === "number" && Number.isSafeInteger(a)))
        layer.fail(`config.shared_axes must be a list of integers, not ${JSON.stringify(shared)}`);
      const sharedIndices = new Set((axes as number[]).map((a) => axisIndex(layer, a, input.length)));
      return { params: product(input.map((d, i) => (sharedIndices.has(i) ? 1 : d))), output: input };
    }
    default:
      return layer.fail(
        `layer class "${className}" cannot be counted without TF.js; the counted classes are ` +
          COUNTED_LAYER_CLASSES.join(", "),
      );
  }
}
