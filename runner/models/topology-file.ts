// A user's topology file in whatever wrapper it comes (TF.js model.save, tensorflowjs_converter, Keras 2
// to_json, a bare topology, a Keras 3 .keras archive or its config.json), normalized to the one layers
// topology TF.js builds, so that the fingerprint of a network does not depend on the file it came in.
import { readFile, stat } from "node:fs/promises";
import { extname } from "node:path";
import { strFromU8, unzipSync } from "fflate";
import { InputError } from "../errors.js";
import { isKeras3Config, keras3ToLayersTopology } from "./keras3.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonRecord = { [key: string]: Json };

function isRecord(value: unknown): value is JsonRecord {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Which wrapper a topology came in. */
export type TopologyFormat = "tfjs-layers-model" | "keras-converter" | "keras-json" | "bare" | "keras3";

export interface TopologyDocument {
  format: TopologyFormat;
  /**
   * Normalized: `{class_name: "Sequential" | "Model", config: {name?, layers: [...], input_layers?,
   * output_layers?}}` with TF.js / Keras 2 layer configs (snake_case).
   */
  topology: { class_name: string; config: Record<string, unknown> };
  /** The model's name in the file, if any. */
  name: string | null;
  /** What the loader changed that the user should hear about (e.g. ignored regularizers), one sentence each. */
  notes: string[];
}

const ACCEPTED =
  "accepted: the model.json of TF.js's model.save() or of tensorflowjs_converter (any Keras 2.x), Keras 2's " +
  'model.to_json(), a bare {"class_name": …, "config": …} topology, a Keras 3 .keras archive or its config.json';

/** The largest model file read (a .keras archive holds its weights too, so the bound is generous). */
const MAX_MODEL_FILE_BYTES = 256 * 2 ** 20;
/** The largest config.json read out of a .keras archive (uncompressed); real ones are kilobytes. */
const MAX_ARCHIVE_CONFIG_BYTES = 16 * 2 ** 20;

/**
 * Reads `path`: a `.json` document (any format `topologyFromJson` takes) or a `.keras` zip archive
 * (its config.json). An InputError, naming the file, on anything unreadable.
 *
 * @example
 * (await readTopologyFile("out/model.json")).format // "keras-converter"
 */
export async function readTopologyFile(path: string): Promise<TopologyDocument> {
  let bytes: Uint8Array;
  let size: number;
  try {
    size = (await stat(path)).size;
    bytes = size > MAX_MODEL_FILE_BYTES ? new Uint8Array() : await readFile(path);
  } catch (error) {
    throw new InputError(`cannot read the model file ${path}: ${(error as Error).message}`, { cause: error });
  }
  if (size > MAX_MODEL_FILE_BYTES)
    throw new InputError(
      `${path} is ${size} bytes, over the ${MAX_MODEL_FILE_BYTES}-byte limit for a model file: a topology is ` +
        "kilobytes, and a .keras archive's weights megabytes",
    );
  const zipped = bytes[0] === 0x50 && bytes[1] === 0x4b; // "PK", every zip's first bytes
  if (extname(path).toLowerCase() === ".keras" || zipped) return topologyFromJson(archiveConfig(bytes, path), path);
  try {
    return topologyFromJson(JSON.parse(strFromU8(bytes)), path);
  } catch (error) {
    if (error instanceof SyntaxError)
      throw new InputError(`${path}: not valid JSON: ${error.message}`, { cause: error });
    throw error;
  }
}

/** The parsed config.json of a `.keras` archive; nothing else in the archive is decompressed. */
function archiveConfig(bytes: Uint8Array, path: string): unknown {
  const kerasArchive = 'a .keras file is the zip archive Keras 3\'s model.save("net.keras") writes';
  if (bytes[0] !== 0x50 || bytes[1] !== 0x4b) throw new InputError(`${path}: not a zip archive; ${kerasArchive}`);
  let oversize: number | null = null;
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, {
      filter: (file) => {
        if (file.name !== "config.json") return false;
        if (file.originalSize > MAX_ARCHIVE_CONFIG_BYTES) oversize = file.originalSize;
        return oversize === null;
      },
    });
  } catch (error) {
    throw new InputError(`${path}: not a readable zip archive (${(error as Error).message}); ${kerasArchive}`, {
      cause: error,
    });
  }
  if (oversize !== null)
    throw new InputError(
      `${path}: its config.json is ${oversize} bytes uncompressed, over the ${MAX_ARCHIVE_CONFIG_BYTES}-byte limit ` +
        "(a model's config.json is kilobytes; is this a Keras model archive?)",
    );
  const config = entries["config.json"];
  if (!config)
    throw new InputError(
      `${path}: the archive has no config.json; ${kerasArchive} (config.json, metadata.json, model.weights.h5)`,
    );
  try {
    return JSON.parse(strFromU8(config));
  } catch (error) {
    throw new InputError(`${path}: its config.json is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Recognizes a parsed topology document and normalizes it: what `readTopologyFile` does after
 * reading, and what `layersTemplate` does with a signed record's canonical topology. `source`
 * names the document in error messages.
 *
 * @example
 * topologyFromJson({ class_name: "Sequential", config: [dense] }, "net.json").topology
 * // { class_name: "Sequential", config: { layers: [dense] } }
 */
export function topologyFromJson(json: unknown, source: string): TopologyDocument {
  let format: TopologyFormat;
  let model: unknown;
  let where = "the file";
  if (isRecord(json) && "modelTopology" in json) {
    // The converter keeps Keras's h5 attributes (model_config beside keras_version, training_config);
    // TF.js's model.save() writes the topology itself there.
    const inner = json.modelTopology;
    const converter = isRecord(inner) && "model_config" in inner;
    format = converter ? "keras-converter" : "tfjs-layers-model";
    model = converter ? inner.model_config : inner;
    where = converter ? "modelTopology.model_config" : "modelTopology";
  } else if (isRecord(json) && typeof json.class_name === "string") {
    format = typeof json.keras_version === "string" ? "keras-json" : "bare";
    model = json;
  } else {
    throw new InputError(`${source}: not a layers model topology (no "modelTopology", no "class_name"); ${ACCEPTED}`);
  }
  if (!isRecord(model) || typeof model.class_name !== "string" || !("config" in model))
    throw new InputError(
      `${source}: ${where} is not a layers model topology: expected {"class_name": …, "config": …}; ${ACCEPTED}`,
    );
  // Keras 3 (and tf.keras 2.13+'s .keras files) serialize differently: mapped to the Keras 2 form first.
  const keras3 = isKeras3Config(model);
  if (keras3 && (format === "bare" || format === "keras-json")) format = "keras3";
  const ignored: string[] = [];
  const topology = normalizeTopology(
    (keras3 ? keras3ToLayersTopology(model, source) : model) as { class_name: string; config: Json },
    source,
    ignored,
  );
  const name = topology.config.name;
  const notes =
    ignored.length === 0
      ? []
      : [
          `${source}: ignored the regularizers and constraints of ${ignored.join("; ")}. ` +
            "Regularization is a training condition that the suite fixes for every architecture (its weight " +
            "decay, dropout and augmentation settings), not part of the architecture: the suite's apply instead, " +
            "and the architecture's fingerprint does not include the file's.",
        ];
  return { format, topology, name: typeof name === "string" ? name : null, notes };
}

const MODEL_CLASSES = new Set(["Sequential", "Model", "Functional"]);

/**
 * The topology with Keras 2's spellings turned into the ones TF.js reads as Keras meant them. Layers
 * that are not `{class_name, config}` objects are left for the loader to report with their index.
 * Each layer whose regularizers or constraints were set to null is described in `ignored`.
 */
function normalizeTopology(
  model: { class_name: string; config: Json },
  source: string,
  ignored: string[],
): { class_name: string; config: JsonRecord } {
  // Keras ≤ 2.2 writes a Sequential's config as the bare list of its layers.
  const config =
    model.class_name === "Sequential" && Array.isArray(model.config) ? { layers: model.config } : model.config;
  if (!isRecord(config))
    throw new InputError(`${source}: the model's "config" must be an object (for a Sequential, or a list of layers)`);
  if (!Array.isArray(config.layers) || config.layers.length === 0)
    throw new InputError(`${source}: the model has no layers (config.layers must be a non-empty array)`);
  // A model's own dtype (Keras 3 writes its policy) is held to float32 as each layer's is; TF.js has none.
  const { dtype: modelDtype = null, ...rest } = config;
  try {
    dtype(modelDtype);
  } catch (error) {
    if (error instanceof Refusal) throw new InputError(`${source}: ${error.message}`, { cause: error });
    throw error;
  }
  let layers = config.layers.map((layer) => normalizeLayer(layer, source, ignored));
  if (model.class_name === "Sequential") layers = withoutInputLayer(layers);
  // tf.keras ≥ 2.4 calls a functional model "Functional"; TF.js builds both names alike but records
  // the name it was given, which would make the fingerprint depend on the Keras version.
  const className = model.class_name === "Functional" ? "Model" : model.class_name;
  return { class_name: className, config: { ...rest, layers } };
}

/**
 * A Sequential that starts with an InputLayer (tf.keras 2.x writes one) as TF.js itself saves it: the
 * input shape on the first real layer. TF.js would keep the InputLayer as a layer of the model, and the
 * same network would get another fingerprint than in Keras 2.2's or TF.js's own files.
 */
function withoutInputLayer(layers: Json[]): Json[] {
  const [input, first, ...rest] = layers;
  if (!isRecord(input) || input.class_name !== "InputLayer" || !isRecord(input.config)) return layers;
  if (!isRecord(first) || !isRecord(first.config)) return layers;
  const shape = input.config.batch_input_shape;
  if (!Array.isArray(shape)) return layers;
  return [{ ...first, config: { ...first.config, batch_input_shape: shape, dtype: "float32" } }, ...rest];
}

/** Keras's initializer class names that TF.js spells otherwise. */
const INITIALIZER_NAMES: Record<string, string> = { LecunNormal: "LeCunNormal", LecunUniform: "LeCunUniform" };

class Refusal extends Error {}
const refuse = (reason: string): never => {
  throw new Refusal(reason);
};

function normalizeLayer(layer: Json, source: string, ignored: string[]): Json {
  if (!isRecord(layer) || typeof layer.class_name !== "string" || !isRecord(layer.config)) return layer;
  const className = layer.class_name;
  const name = typeof layer.config.name === "string" ? layer.config.name : layer.name;
  try {
    const dropped: string[] = [];
    const config = normalizeLayerConfig(className, layer.config, dropped);
    if (dropped.length > 0) ignored.push(`layer "${String(name)}" (${className}): ${dropped.join(", ")}`);
    return { ...layer, config };
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    throw new InputError(`${source}: layer "${String(name)}" (${className}): ${error.message}`, { cause: error });
  }
}

/**
 * Keras 2.x layer options that TF.js would silently ignore (changing the network) are refused here.
 * Regularizers and constraints are set to null, each one set listed in `dropped`: neither engine's
 * training loop applies them (both train with the suite's regularization), so keeping them would only
 * put into the canonical topology, and the fingerprint, something the runs never did.
 */
function normalizeLayerConfig(className: string, layerConfig: JsonRecord, dropped: string[]): JsonRecord {
  const config: JsonRecord = { ...layerConfig };
  // The leaderboard's parameter counter and the PyTorch engine take flat graphs; refused here, a
  // nested model fails before any training rather than at submission.
  if (MODEL_CLASSES.has(className))
    refuse("a model nested inside the model is not supported; build its layers into the outer model");
  for (const [key, value] of Object.entries(config)) {
    if (key.endsWith("_initializer")) config[key] = initializer(value, key);
    else if (key.endsWith("_regularizer") || key.endsWith("_constraint")) {
      if (value !== null) dropped.push(`${key} ${isRecord(value) ? String(value.class_name) : JSON.stringify(value)}`);
      config[key] = null;
    }
  }
  if ("dtype" in config) config.dtype = dtype(config.dtype);
  const at = (key: string, allowed: Json[], why: string) => {
    const value = config[key];
    if (value !== undefined && !allowed.some((ok) => ok === value))
      refuse(`${key} ${JSON.stringify(value)} is not supported: ${why}`);
  };
  switch (className) {
    case "Conv2D":
    case "DepthwiseConv2D":
    case "SeparableConv2D":
      at("groups", [1], "TF.js has no grouped convolution (it would build an ordinary one)");
      delete config.groups;
      // TF.js 4.22's DepthwiseConv2D passes no dilation to its kernel: it would train an undilated network.
      if (className === "DepthwiseConv2D" && [config.dilation_rate ?? 1].flat().some((rate) => rate !== 1))
        refuse(
          `dilation_rate ${JSON.stringify(config.dilation_rate)} is not supported: TF.js ignores dilation for ` +
            "DepthwiseConv2D (it would build an undilated layer); use dilation_rate 1, or a Conv2D or " +
            "SeparableConv2D with the dilation",
        );
      break;
    case "BatchNormalization":
      // A built tf.keras 2.x layer records its axis as a list; TF.js takes one axis.
      if (Array.isArray(config.axis) && config.axis.length === 1) config.axis = config.axis[0]!;
      at("renorm", [false], "TF.js's BatchNormalization has no batch renormalization");
      at("virtual_batch_size", [null], "TF.js's BatchNormalization has no ghost batches");
      at("adjustment", [null], "TF.js's BatchNormalization has no adjustment function");
      break;
    case "GlobalAveragePooling2D":
    case "GlobalMaxPooling2D":
      at("keepdims", [false], "TF.js's global pooling always drops the pooled dimensions; add a Reshape instead");
      delete config.keepdims;
      break;
    case "ReLU":
      at("negative_slope", [0], "TF.js's ReLU has max_value only; use a LeakyReLU layer for a slope");
      at("threshold", [0], "TF.js's ReLU has max_value only");
      delete config.negative_slope;
      delete config.threshold;
      break;
    case "InputLayer":
      at("sparse", [false], "the benchmark feeds dense images");
      at("ragged", [false], "the benchmark feeds dense images");
      delete config.ragged;
      break;
    case "Flatten":
      // TF.js records a Flatten's data format only when given one: the default written out would make
      // the fingerprint differ from the same network saved by TF.js.
      if (config.data_format === "channels_last") delete config.data_format;
      break;
  }
  return config;
}

function initializer(value: Json, key: string): Json {
  if (!isRecord(value) || typeof value.class_name !== "string") return value;
  const className = INITIALIZER_NAMES[value.class_name] ?? value.class_name;
  let config = value.config ?? {};
  if (className === "VarianceScaling" && isRecord(config)) {
    // TF.js draws its truncated normal for "normal" only: it reads Keras's "truncated_normal" (tf.keras's
    // default) as a uniform distribution. Keras ≥ 2.2's "normal" is that truncated normal too.
    if (config.distribution === "truncated_normal") config = { ...config, distribution: "normal" };
    if (config.distribution === "untruncated_normal")
      refuse(`${key}: VarianceScaling's "untruncated_normal" has no TF.js equivalent; use "truncated_normal"`);
  }
  return { ...value, class_name: className, config };
}

/** A layer's dtype: a plain name, or (tf.keras's mixed-precision API) a Policy object holding the name. */
function dtype(value: Json): Json {
  const name = isRecord(value) && isRecord(value.config) ? value.config.name : value;
  if (name !== "float32" && name !== null)
    refuse(`dtype ${JSON.stringify(name)} is not supported: the benchmark trains in float32; save the model so`);
  return name === null ? null : "float32";
}
