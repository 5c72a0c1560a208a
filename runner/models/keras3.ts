// Keras 3 model configs (a `.keras` archive's config.json) mapped to the Keras 2 / TF.js layers topology
// TF.js deserializes, refusing every layer or option TF.js cannot build exactly as Keras would. What a Keras 2
// file needs too (dtype policies, initializer spellings, groups, keepdims, ReLU slopes, renorm, regularizers and
// constraints) is passed on as Keras 2 writes it, for the topology loader's normalization, which always follows.
// Over 350 lines: one table of per-layer mappings, kept together so the supported set reads in one place.
import { InputError } from "../errors.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonRecord = { [key: string]: Json };

function isRecord(value: unknown): value is JsonRecord {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Keras 3's serialized symbolic tensor: `{class_name: "__keras_tensor__", config: {keras_history: [layer, node, tensor]}}`. */
const KERAS_TENSOR = "__keras_tensor__";
const MODEL_CLASSES = new Set(["Sequential", "Functional", "Model"]);

/**
 * Whether a parsed document is a Keras 3 model config (a `.keras` archive's config.json): a
 * `{class_name, config}` model whose own entry or whose layers carry Keras 3's `module` /
 * `registered_name` keys, or whose layers are wired with `__keras_tensor__` references.
 * Pass the model config itself, not a wrapper such as TF.js's `{modelTopology: …}`.
 */
export function isKeras3Config(json: unknown): boolean {
  if (!isRecord(json) || typeof json.class_name !== "string") return false;
  if ("module" in json || "registered_name" in json) return true;
  const config = json.config;
  const layers = isRecord(config) ? config.layers : config;
  if (!Array.isArray(layers)) return false;
  return layers.some(
    (layer) =>
      isRecord(layer) &&
      ("module" in layer ||
        "registered_name" in layer ||
        (Array.isArray(layer.inbound_nodes) && layer.inbound_nodes.some((node) => isRecord(node) && "args" in node))),
  );
}

/** Raised inside a layer's mapping; `mapLayer` adds the file and the layer to the message. */
class Refusal extends Error {}

function refuse(reason: string): never {
  throw new Refusal(reason);
}

const show = (value: Json | undefined) => JSON.stringify(value);

/**
 * Reads one layer's Keras 3 config, recording which keys a mapping used so that `rest()` can refuse
 * any other key that is set: an option this file does not know might change the network, so it is
 * never dropped silently. Keys left null (Keras writes many, e.g. `quantization_config`) are fine.
 */
class Options {
  private readonly used = new Set(["name", "trainable", "dtype"]);

  constructor(private readonly config: JsonRecord) {}

  get(key: string): Json | undefined {
    this.used.add(key);
    return this.config[key];
  }

  /** Copies each key that is present, as is (TF.js reads the same snake_case names and values). */
  copy(out: JsonRecord, ...keys: string[]): void {
    for (const key of keys) {
      const value = this.get(key);
      if (value !== undefined) out[key] = value;
    }
  }

  /** Accepts `key` only at one of `allowed` (absent counts as the first), with `why` the reason for refusing others. */
  expect(key: string, allowed: Json[], why: string): void {
    const value = this.get(key);
    if (value === undefined) return;
    if (!allowed.some((ok) => show(ok) === show(value))) refuse(`${key} ${show(value)} is not supported: ${why}`);
  }

  dataFormat(out: JsonRecord): void {
    const value = this.get("data_format");
    if (value != null && value !== "channels_last")
      refuse(`data_format ${show(value)} is not supported: TF.js trains channels-last images; save it channels_last`);
    out.data_format = "channels_last";
  }

  padding(out: JsonRecord): void {
    const value = this.get("padding");
    if (value !== undefined && value !== "valid" && value !== "same")
      refuse(`padding ${show(value)} is not supported: use "valid" or "same"`);
    if (value !== undefined) out.padding = value;
  }

  activation(out: JsonRecord, key = "activation"): void {
    const value = this.get(key);
    if (value !== undefined) out[key] = activation(value);
  }

  /**
   * Maps the initializer under each of `prefixes` (`kernel` → kernel_initializer …). Regularizers and
   * constraints are passed on as they are: the topology loader sets them to null and tells the user.
   */
  weights(out: JsonRecord, ...prefixes: string[]): void {
    for (const prefix of prefixes) {
      const init = this.get(`${prefix}_initializer`);
      if (init !== undefined) out[`${prefix}_initializer`] = initializer(init, `${prefix}_initializer`);
      this.copy(out, `${prefix}_regularizer`, `${prefix}_constraint`);
    }
  }

  integer(key: string): number {
    const value = this.get(key);
    if (typeof value !== "number" || !Number.isInteger(value)) refuse(`${key} must be an integer, not ${show(value)}`);
    return value;
  }

  rest(): void {
    for (const [key, value] of Object.entries(this.config)) {
      if (!this.used.has(key) && value !== null)
        refuse(`option ${key} = ${show(value)} has no TF.js equivalent here; remove it or save the model without it`);
    }
  }
}

// Keras 3 activation names (keras.activations.serialize writes a built-in as its name) → TF.js's.
// Left out on purpose: hard_sigmoid (Keras 3 uses relu6(x + 3) / 6, TF.js 0.2·x + 0.5), leaky_relu,
// exponential, log_softmax and the rest, which TF.js lacks or computes differently.
const ACTIVATIONS: Record<string, string> = {
  linear: "linear",
  relu: "relu",
  relu6: "relu6",
  elu: "elu",
  selu: "selu",
  sigmoid: "sigmoid",
  tanh: "tanh",
  softmax: "softmax",
  softplus: "softplus",
  softsign: "softsign",
  silu: "swish",
  swish: "swish",
  gelu: "gelu",
  mish: "mish",
};

function activation(value: Json): string {
  // A custom activation is an object ({module, class_name: "function", config: name}); keras' own is a string.
  const name =
    isRecord(value) && value.class_name === "function" && String(value.module ?? "").startsWith("keras")
      ? value.config
      : value;
  if (typeof name === "string" && name in ACTIVATIONS) return ACTIVATIONS[name] as string;
  return refuse(
    `activation ${show(value)} is not supported; use one of ${Object.keys(ACTIVATIONS).join(", ")}, ` +
      "or a separate layer (LeakyReLU, ReLU, Softmax)",
  );
}

// Initializers: Keras 3 class → Keras 2 class and the config keys both take. The topology loader turns
// Keras 2's spellings into TF.js's (LecunNormal → LeCunNormal, VarianceScaling's distributions), for both.
const INITIALIZERS: Record<string, [string, string[]]> = {
  Zeros: ["Zeros", []],
  Ones: ["Ones", []],
  Constant: ["Constant", ["value"]],
  RandomNormal: ["RandomNormal", ["mean", "stddev", "seed"]],
  RandomUniform: ["RandomUniform", ["minval", "maxval", "seed"]],
  TruncatedNormal: ["TruncatedNormal", ["mean", "stddev", "seed"]],
  VarianceScaling: ["VarianceScaling", ["scale", "mode", "distribution", "seed"]],
  GlorotUniform: ["GlorotUniform", ["seed"]],
  GlorotNormal: ["GlorotNormal", ["seed"]],
  HeUniform: ["HeUniform", ["seed"]],
  HeNormal: ["HeNormal", ["seed"]],
  LecunUniform: ["LecunUniform", ["seed"]],
  LecunNormal: ["LecunNormal", ["seed"]],
  Orthogonal: ["Orthogonal", ["gain", "seed"]],
  OrthogonalInitializer: ["Orthogonal", ["gain", "seed"]],
  Identity: ["Identity", ["gain"]],
  IdentityInitializer: ["Identity", ["gain"]],
};

function initializer(value: Json, key: string): Json {
  if (value === null) return null;
  const className = isRecord(value) ? value.class_name : value;
  const entry = typeof className === "string" ? INITIALIZERS[className] : undefined;
  if (!isRecord(value) || entry === undefined)
    return refuse(`${key} ${show(value)} is not supported; use one of ${Object.keys(INITIALIZERS).join(", ")}`);
  const [tfjsName, keys] = entry;
  const config = isRecord(value.config) ? value.config : {};
  const out: JsonRecord = {};
  for (const [name, setting] of Object.entries(config)) {
    if (name === "seed") {
      // An integer seed is kept; a serialized SeedGenerator has no TF.js form. The runner redraws seeds anyway.
      out.seed = typeof setting === "number" ? setting : null;
    } else if ((name === "input_axes" || name === "output_axes") && setting === null) {
      // Keras 3's default fan computation, the one TF.js has.
    } else if (keys.includes(name)) {
      out[name] = setting;
    } else {
      refuse(`${key} ${className} option ${name} = ${show(setting)} has no TF.js equivalent`);
    }
  }
  if (className === "Constant" && typeof out.value !== "number")
    refuse(`${key} Constant needs a single number, not ${show(out.value)}`);
  return { class_name: tfjsName, config: out };
}

const conv = (o: Options, out: JsonRecord) => {
  out.kernel_size = o.get("kernel_size") ?? refuse("kernel_size is missing");
  o.copy(out, "strides", "dilation_rate", "use_bias");
  o.padding(out);
  o.dataFormat(out);
  o.activation(out);
  o.copy(out, "activity_regularizer");
  o.expect("lora_rank", [null], "LoRA adapters have no TF.js equivalent");
  o.expect("lora_alpha", [null], "LoRA adapters have no TF.js equivalent");
};

const pooling = (o: Options, out: JsonRecord) => {
  o.copy(out, "pool_size", "strides");
  o.padding(out);
  o.dataFormat(out);
};

const globalPooling = (o: Options, out: JsonRecord) => {
  o.dataFormat(out);
  o.copy(out, "keepdims"); // refused unless false by the topology loader, as in a Keras 2 file
};

/** Each supported layer class: fills the TF.js config from the Keras 3 one (name, trainable, dtype are handled around it). */
const LAYERS: Record<string, (o: Options, out: JsonRecord) => void> = {
  Conv2D: (o, out) => {
    out.filters = o.integer("filters");
    o.copy(out, "groups"); // refused unless 1 by the topology loader, as in a Keras 2 file
    conv(o, out);
    o.weights(out, "kernel", "bias");
  },
  DepthwiseConv2D: (o, out) => {
    out.depth_multiplier = o.integer("depth_multiplier");
    conv(o, out);
    o.weights(out, "depthwise", "bias");
  },
  SeparableConv2D: (o, out) => {
    out.filters = o.integer("filters");
    out.depth_multiplier = o.integer("depth_multiplier");
    conv(o, out);
    o.weights(out, "depthwise", "pointwise", "bias");
  },
  Dense: (o, out) => {
    out.units = o.integer("units");
    o.copy(out, "use_bias");
    o.activation(out);
    o.copy(out, "activity_regularizer");
    o.weights(out, "kernel", "bias");
    o.expect("lora_rank", [null], "LoRA adapters have no TF.js equivalent");
    o.expect("lora_alpha", [null], "LoRA adapters have no TF.js equivalent");
    o.expect("quantization_config", [null], "quantized layers have no TF.js equivalent");
  },
  BatchNormalization: (o, out) => {
    o.copy(out, "momentum", "epsilon", "center", "scale");
    out.axis = o.integer("axis");
    for (const key of ["beta", "gamma", "moving_mean", "moving_variance"]) {
      const value = o.get(`${key}_initializer`);
      if (value !== undefined) out[`${key}_initializer`] = initializer(value, `${key}_initializer`);
    }
    for (const key of ["beta", "gamma"]) o.copy(out, `${key}_regularizer`, `${key}_constraint`);
    // Synchronized batch statistics only differ across several devices; the benchmark trains on one.
    o.get("synchronized");
    o.copy(out, "renorm"); // refused unless false by the topology loader, as in a Keras 2 file
    o.get("renorm_momentum"); // used by renorm only
  },
  Dropout: (o, out) => {
    o.copy(out, "rate", "seed");
    o.expect("noise_shape", [null], "a noise shape other than the input's has no equivalent in the runner's Dropout");
  },
  // The runner's own TF.js layer of Keras's name (runner/models/layers.ts), so the config stays Keras's.
  SpatialDropout2D: (o, out) => {
    o.copy(out, "rate", "seed");
    o.dataFormat(out);
  },
  MaxPooling2D: pooling,
  AveragePooling2D: pooling,
  GlobalAveragePooling2D: globalPooling,
  GlobalMaxPooling2D: globalPooling,
  Flatten: (o, out) => o.dataFormat(out),
  Reshape: (o, out) => {
    out.target_shape = o.get("target_shape") ?? refuse("target_shape is missing");
  },
  ZeroPadding2D: (o, out) => {
    out.padding = o.get("padding") ?? refuse("padding is missing");
    o.dataFormat(out);
  },
  Activation: (o, out) => {
    out.activation = activation(o.get("activation") ?? null);
  },
  ReLU: (o, out) => {
    o.copy(out, "max_value");
    o.copy(out, "negative_slope", "threshold"); // refused unless 0 by the topology loader, as in a Keras 2 file
  },
  LeakyReLU: (o, out) => {
    // Keras 3 renamed Keras 2's alpha to negative_slope; TF.js reads alpha (older Keras 3 files may still say alpha).
    const slope = o.get("negative_slope") ?? o.get("alpha") ?? 0.3;
    if (typeof slope !== "number") refuse(`negative_slope must be a number, not ${show(slope)}`);
    out.alpha = slope;
  },
  Softmax: (o, out) => {
    if (o.get("axis") !== undefined) out.axis = o.integer("axis");
  },
  Add: () => {},
  Concatenate: (o, out) => {
    if (o.get("axis") !== undefined) out.axis = o.integer("axis");
  },
  Rescaling: (o, out) => {
    for (const key of ["scale", "offset"]) {
      const value = o.get(key);
      if (typeof value !== "number") refuse(`${key} must be a single number (per-channel arrays are not supported)`);
      out[key] = value;
    }
  },
};

/** The layer classes a Keras 3 file may hold, for error messages. */
export const KERAS3_LAYER_CLASSES: readonly string[] = ["InputLayer", ...Object.keys(LAYERS)];

/** An InputLayer's batch shape, whichever key its Keras version wrote it under, with the batch size left open. */
function inputShape(o: Options): Json[] {
  const batchShape = o.get("batch_shape") ?? o.get("batch_input_shape");
  const shape = o.get("shape");
  o.get("batch_size");
  const full = Array.isArray(batchShape) ? batchShape : Array.isArray(shape) ? [null, ...shape] : null;
  if (full === null || full.length < 2) refuse(`no input shape (batch_shape ${show(batchShape ?? null)})`);
  for (const flag of ["sparse", "ragged", "optional"]) o.expect(flag, [false], "TF.js takes dense, required inputs");
  if (o.get("input_tensor") != null) refuse("input_tensor is not supported");
  // The benchmark chooses the batch size; a fixed one in the file would only break training.
  return [null, ...full.slice(1)];
}

interface MappedLayer {
  className: string;
  name: string;
  config: JsonRecord;
  /** Set for an InputLayer: its batch shape. */
  batchInputShape?: Json[];
  /** A Keras 2-style layer's own batch_input_shape (tf.keras 2.13+ `.keras` files carry Keras 2 layer configs). */
  ownInputShape?: Json[];
}

function mapLayer(layer: Json, index: number, source: string): MappedLayer {
  const entry = isRecord(layer) ? layer : {};
  const config = isRecord(entry.config) ? entry.config : {};
  const className = typeof entry.class_name === "string" ? entry.class_name : "?";
  const rawName = entry.name ?? config.name;
  const name = typeof rawName === "string" ? rawName : `#${index}`;
  try {
    if (!isRecord(layer) || !isRecord(layer.config)) refuse("not a {class_name, config} layer object");
    if (MODEL_CLASSES.has(className))
      refuse("a model nested inside the model is not supported; build its layers into the outer model instead");
    const module = entry.module;
    if (typeof module === "string" && module !== "keras.layers" && !module.startsWith("keras.src.layers"))
      refuse(`comes from module "${module}", not keras.layers: custom layers and keras.ops calls are not supported`);
    const options = new Options(config);
    const out: JsonRecord = { name };
    // A dtype policy object or name; the topology loader refuses all but float32, as in a Keras 2 file.
    options.copy(out, "dtype");
    const trainable = options.get("trainable");
    if (typeof trainable === "boolean") out.trainable = trainable;
    if (className === "InputLayer") {
      const batchInputShape = inputShape(options);
      options.rest();
      return { className, name, config: out, batchInputShape };
    }
    const fill = LAYERS[className];
    if (fill === undefined)
      refuse(`this layer class is not supported; supported Keras 3 layers: ${KERAS3_LAYER_CLASSES.join(", ")}`);
    fill(options, out);
    // Only a Sequential's first layer uses it (as its input shape); Keras ignores it anywhere else.
    const own = options.get("batch_input_shape");
    options.rest();
    return { className, name, config: out, ...(Array.isArray(own) ? { ownInputShape: [null, ...own.slice(1)] } : {}) };
  } catch (error) {
    if (error instanceof Refusal)
      throw new InputError(`${source}: layer "${name}" (${className}): ${error.message}`, { cause: error });
    throw error;
  }
}

/** One Keras 3 inbound node `{args: [tensor | [tensors]], kwargs}` → Keras 2's `[[layer, node, tensor, {}], …]`. */
function mapNode(node: Json): Json[] {
  const history = (tensor: Json): Json[] => {
    const h =
      isRecord(tensor) && tensor.class_name === KERAS_TENSOR && isRecord(tensor.config) && tensor.config.keras_history;
    if (Array.isArray(h) && h.length === 3 && typeof h[0] === "string") return [h[0], h[1] as Json, h[2] as Json, {}];
    // Keras 2's own entry [layer, node, tensor(, kwargs)], which Keras 3 still reads.
    if (Array.isArray(tensor) && typeof tensor[0] === "string" && (tensor.length === 3 || tensor.length === 4)) {
      if (!isEmpty(tensor[3])) refuse(`it is called with ${show(tensor[3])}, which TF.js layers do not take`);
      return [tensor[0], tensor[1] as Json, tensor[2] as Json, {}];
    }
    return refuse(`an input ${show(tensor)} is not a layer's output`);
  };
  if (Array.isArray(node)) return node.map(history);
  if (!isRecord(node) || !Array.isArray(node.args)) return refuse(`inbound node ${show(node)} is not {args, kwargs}`);
  for (const [key, value] of Object.entries(isRecord(node.kwargs) ? node.kwargs : {}))
    if (value !== null) refuse(`it is called with ${key}=${show(value)}, which TF.js layers do not take`);
  const [first, ...others] = node.args;
  if (first === undefined || others.length > 0)
    refuse(`it is called with ${node.args.length} positional arguments; a layer takes one tensor or one list`);
  return Array.isArray(first) && !(first.length === 3 && typeof first[0] === "string")
    ? first.map(history)
    : [history(first)];
}

const isEmpty = (value: Json | undefined) =>
  value === undefined || (isRecord(value) && Object.keys(value).length === 0);

/** `input_layers` / `output_layers`: Keras 3 writes one tensor bare (`[name, 0, 0]`), several as a list. */
function tensorList(value: Json | undefined, key: string, source: string): Json[] {
  const leaf = (item: Json): item is Json[] => Array.isArray(item) && item.length === 3 && typeof item[0] === "string";
  if (leaf(value as Json)) return [value as Json];
  if (Array.isArray(value) && value.length > 0 && value.every(leaf)) return value;
  throw new InputError(
    `${source}: ${key} ${show(value ?? null)} is not supported: the model must take and give a single tensor ` +
      "or a list of tensors (not a dict)",
  );
}

/**
 * Maps a Keras 3 model config to the Keras 2 / TF.js form `{class_name: "Sequential" | "Model", config:
 * {name, layers, input_layers?, output_layers?}}`. Throws InputError `${source}: layer "${name}"
 * (${className}): ${reason}` for a layer or option it cannot map exactly: it never drops anything
 * that changes the network. The result is meant for `normalizeTopology` (topology-file.ts, through
 * `topologyFromJson`), which applies the rules Keras 2 and Keras 3 files share.
 */
export function keras3ToLayersTopology(
  json: unknown,
  source: string,
): { class_name: string; config: Record<string, unknown> } {
  if (!isRecord(json) || typeof json.class_name !== "string" || !MODEL_CLASSES.has(json.class_name))
    throw new InputError(
      `${source}: not a Keras 3 model config: expected {"class_name": "Sequential" | "Functional", …}`,
    );
  const config = isRecord(json.config) ? json.config : { layers: json.config ?? null };
  const layers = config.layers;
  if (!Array.isArray(layers) || layers.length === 0)
    throw new InputError(`${source}: the model has no layers (config.layers must be a non-empty array)`);
  if (config.trainable === false)
    throw new InputError(`${source}: the model is saved with trainable=False; save it trainable to benchmark it`);
  // The model's own dtype policy is checked by the topology loader, as a layer's is.
  const head = { name: typeof config.name === "string" ? config.name : null, dtype: config.dtype ?? null };
  const mapped = layers.map((layer, index) => mapLayer(layer, index, source));
  return json.class_name === "Sequential"
    ? { class_name: "Sequential", config: { ...head, layers: sequentialLayers(json, config, mapped, source) } }
    : { class_name: "Model", config: { ...head, ...functionalGraph(layers as Json[], config, mapped, source) } };
}

function sequentialLayers(model: JsonRecord, config: JsonRecord, mapped: MappedLayer[], source: string): Json[] {
  const [first, ...rest] = mapped;
  const input = first?.batchInputShape !== undefined ? first : undefined;
  const body = input === undefined ? mapped : rest;
  const stray = body.find((layer) => layer.batchInputShape !== undefined);
  if (stray !== undefined)
    throw new InputError(
      `${source}: layer "${stray.name}" (InputLayer): an InputLayer can only come first in a Sequential`,
    );
  // Built without keras.Input, a Sequential records its input shape in build_input_shape / build_config.
  const built = config.build_input_shape ?? (isRecord(model.build_config) ? model.build_config.input_shape : null);
  const batchInputShape =
    input?.batchInputShape ?? body[0]?.ownInputShape ?? (Array.isArray(built) ? [null, ...built.slice(1)] : null);
  if (batchInputShape === null || body.length === 0)
    throw new InputError(
      `${source}: the Sequential model has no input shape or no layers; start it with keras.Input(shape=…) ` +
        "(or call model.build) before saving",
    );
  // TF.js's own Sequential carries the input shape on its first layer, not as an InputLayer: doing the same
  // gives the built model, and so its fingerprint, exactly what TF.js's model.save() of this network gives.
  const out: Json[] = body.map((layer, index) => ({
    class_name: layer.className,
    config:
      index === 0
        ? { ...layer.config, batch_input_shape: batchInputShape, dtype: layer.config.dtype ?? "float32" }
        : layer.config,
  }));
  // An InputLayer stays in front, as tf.keras 2.x writes it: the topology loader checks it (its dtype) as in
  // a Keras 2 file, then drops it.
  if (input !== undefined)
    out.unshift({ class_name: "InputLayer", config: { ...input.config, batch_input_shape: batchInputShape } });
  return out;
}

function functionalGraph(
  layers: Json[],
  config: JsonRecord,
  mapped: MappedLayer[],
  source: string,
): { layers: Json[]; input_layers: Json[]; output_layers: Json[] } {
  const names = new Set(mapped.map((layer) => layer.name));
  const out = mapped.map((layer, index): Json => {
    const entry = layers[index] as JsonRecord;
    let inbound: Json[] = [];
    try {
      inbound = (Array.isArray(entry.inbound_nodes) ? entry.inbound_nodes : []).map(mapNode);
      for (const node of inbound)
        for (const ref of node as Json[][])
          if (!names.has(ref[0] as string))
            refuse(`its input comes from "${ref[0]}", which is not a layer of the model`);
    } catch (error) {
      if (error instanceof Refusal)
        throw new InputError(`${source}: layer "${layer.name}" (${layer.className}): ${error.message}`, {
          cause: error,
        });
      throw error;
    }
    const layerConfig =
      layer.batchInputShape !== undefined
        ? {
            ...layer.config,
            batch_input_shape: layer.batchInputShape,
            dtype: layer.config.dtype ?? "float32",
            sparse: false,
          }
        : layer.config;
    return { class_name: layer.className, name: layer.name, config: layerConfig, inbound_nodes: inbound };
  });
  return {
    layers: out,
    input_layers: tensorList(config.input_layers, "input_layers", source),
    output_layers: tensorList(config.output_layers, "output_layers", source),
  };
}
