// User-supplied architectures: a layers topology (a model.json in any of its wrappers, a Keras 3
// .keras archive; runner/models/topology-file.ts reads them) or an ES module that exports a builder function.
import { basename, extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { COUNTED_LAYER_CLASSES } from "../../schema/index.js";
import { InputError } from "../errors.js";
import { Rng } from "../random.js";
import type { BuildOptions } from "./blocks.js";
import { SEEDED_NOISE_LAYERS } from "./layers.js";
import { readTopologyFile } from "./topology-file.js";

/** Thrown by `build` when a regularizer would have to change a fixed topology; the run fails with this reason. */
export class RegularizerNotApplicable extends Error {}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonRecord = { [key: string]: Json };

function isRecord(value: unknown): value is JsonRecord {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** An id for the board from a file name: `nets/My_Net.json` → `my-net`. */
export function idFromPath(path: string): string {
  const stem = basename(path, extname(path));
  const base = stem === "model" ? basename(resolve(path, "..")) : stem;
  return (
    base
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 64) || "user-model"
  );
}

function layerLabel(layer: Json, index: number): string {
  const name = isRecord(layer) ? (isRecord(layer.config) && layer.config.name) || layer.name : null;
  const className = isRecord(layer) && typeof layer.class_name === "string" ? layer.class_name : "?";
  return `layer ${index}${typeof name === "string" ? ` "${name}"` : ""} (${className})`;
}

/** Checks that each layer is an object with a `class_name` that TF.js knows. */
function checkLayerClasses(layers: Json[], path: string): void {
  const known = tf.serialization.SerializationMap.getMap().classNameMap;
  for (const [index, layer] of layers.entries()) {
    if (!isRecord(layer) || typeof layer.class_name !== "string" || !isRecord(layer.config)) {
      throw new InputError(
        `${path}: ${layerLabel(layer, index)} is malformed: each layer needs a "class_name" ` +
          `string and a "config" object`,
      );
    }
    if (!(layer.class_name in known)) {
      throw new InputError(
        `${path}: ${layerLabel(layer, index)}: unknown layer class "${layer.class_name}" ` +
          `(TF.js layers has no such layer)`,
      );
    }
    // TF.js builds more than the leaderboard counts (and the PyTorch engine builds): such a model
    // would train here and then be refused at submission, so it is refused before any training.
    if (!COUNTED_LAYER_CLASSES.includes(layer.class_name)) {
      throw new InputError(
        `${path}: ${layerLabel(layer, index)}: layer class ${layer.class_name} is not supported by the ` +
          `benchmark; supported: ${COUNTED_LAYER_CLASSES.join(", ")}. Rewrite the layer with these, ` +
          `or supply a builder module (a .js file) instead`,
      );
    }
  }
}

/**
 * Writes each SeparableConv2D's depth multiplier, read from the built layer, into a TF.js config:
 * TF.js's getConfig leaves it out although its constructor reads it, so a model rebuilt from the
 * config would otherwise have a multiplier of 1 (another network than the file's).
 */
function withDepthMultipliers(model: tf.LayersModel, config: tf.serialization.ConfigDict): void {
  const built = new Map(model.layers.map((layer) => [layer.name, layer]));
  for (const layer of (config.layers ?? []) as Array<{ className?: string; config?: JsonRecord }>) {
    if (layer.className !== "SeparableConv2D" || !layer.config) continue;
    const multiplier = (built.get(layer.config.name as string) as { depthMultiplier?: number } | undefined)
      ?.depthMultiplier;
    if (typeof multiplier === "number") layer.config.depthMultiplier = multiplier;
  }
}

async function deserialize(topology: JsonRecord): Promise<tf.LayersModel> {
  return tf.models.modelFromJSON({ modelTopology: topology as tf.io.ModelJSON["modelTopology"] });
}

/**
 * The first layer that breaks the model: layers are stored in topological order, so the
 * model cut after each layer in turn (its output moved to that layer) builds until the cut
 * includes the offending one.
 */
async function findBrokenLayer(topology: JsonRecord): Promise<number | null> {
  const config = topology.config as JsonRecord;
  const layers = config.layers as JsonRecord[];
  for (let i = 0; i < layers.length; i++) {
    const name = (layers[i]!.name ?? (layers[i]!.config as JsonRecord).name) as Json;
    const cut = {
      ...config,
      layers: layers.slice(0, i + 1),
      ...("output_layers" in config ? { output_layers: [[name, 0, 0]] } : {}),
    };
    try {
      (await deserialize({ ...topology, config: cut })).dispose();
    } catch {
      return i;
    }
  }
  return null;
}

/** Builds the model once to check it, naming the offending layer when it does not build. */
async function checkModel(topology: JsonRecord, path: string): Promise<tf.LayersModel> {
  const layers = (topology.config as JsonRecord).layers as Json[];
  checkLayerClasses(layers, path);
  try {
    return await deserialize(topology);
  } catch (error) {
    const broken = await findBrokenLayer(topology);
    const where = broken === null ? "the layers do not form a model" : layerLabel(layers[broken]!, broken);
    throw new InputError(`${path}: ${where}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * A config (TF.js's camelCase form) ready to build one run's model: initializer seeds drawn
 * from the run's seed, and plain Dropout layers (whose masks would come from Math.random)
 * replaced by seeded ones; TF.js's noise layers (GaussianNoise, GaussianDropout, AlphaDropout),
 * which would draw from Math.random too, get a seed each (`SEEDED_NOISE_LAYERS`). A SeededDropout
 * layer gets its seed drawn at the same point of the walk as the Dropout it replaced: the
 * canonical topology of a model.json with Dropout holds SeededDropout with a null seed, and
 * `reproduce` rebuilds from that topology, so both paths must draw the same seeds in the same
 * order (a seed written in the file is redrawn too: the canonical topology cannot carry it, and
 * a run must be a function of its fingerprint).
 */
function seededConfig(config: unknown, seed: number): unknown {
  const rng = Rng.create(seed, "architecture/init");
  const walk = (value: unknown, insideInitializer: boolean): unknown => {
    if (Array.isArray(value)) return value.map((item) => walk(item, insideInitializer));
    if (!isRecord(value)) return value;
    const plainDropout = value.className === "Dropout" && isRecord(value.config) && value.config.noiseShape == null;
    if ((plainDropout || value.className === "SeededDropout") && isRecord(value.config)) {
      const { rate, name } = value.config;
      return { className: "SeededDropout", config: { rate, name, seed: rng.int(2 ** 31 - 1) } };
    }
    // Noise layers draw from the run's seed too (runner/models/layers.ts), at their place in the walk.
    if (typeof value.className === "string" && SEEDED_NOISE_LAYERS.has(value.className) && isRecord(value.config))
      return { className: value.className, config: { ...value.config, seed: rng.int(2 ** 31 - 1) } };
    const out: JsonRecord = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] =
        insideInitializer && key === "seed"
          ? rng.int(2 ** 31 - 1)
          : (walk(item, insideInitializer || /Initializer$/.test(key)) as Json);
    }
    return out;
  };
  return walk(config, false);
}

function checkShapes(model: tf.LayersModel, options: BuildOptions, source: string): void {
  const input = model.inputs[0]?.shape;
  const output = model.outputs[0]?.shape;
  const expectedInput = [null, ...options.inputShape];
  if (model.inputs.length !== 1 || JSON.stringify(input) !== JSON.stringify(expectedInput)) {
    throw new InputError(
      `${source}: the model takes input of shape ${JSON.stringify(input)}, but this dataset's ` +
        `images are ${JSON.stringify(expectedInput)} (batch, height, width, channels)`,
    );
  }
  if (model.outputs.length !== 1 || JSON.stringify(output) !== JSON.stringify([null, options.classes])) {
    throw new InputError(
      `${source}: the model's output has shape ${JSON.stringify(output)}, but this dataset ` +
        `needs [null, ${options.classes}] (one score per class)`,
    );
  }
}

/** What a user-supplied architecture builds from: its display name and a seeded build. */
export interface Template {
  name: string;
  build(options: BuildOptions): tf.LayersModel;
}

/**
 * Reads and checks a layers topology file, in any wrapper `readTopologyFile` recognizes. Its weights,
 * if any, are ignored: every run trains from an initialization drawn from its own seed.
 */
export async function loadLayersJson(path: string): Promise<Template> {
  const document = await readTopologyFile(path);
  return layersTemplate(document.topology, document.name ?? basename(path), path);
}

/**
 * A layers topology as it stands (`{class_name, config: {layers}}`), without `topologyFromJson`'s
 * rewriting of Keras spellings: a signed record's canonical topology must build exactly as signed
 * (`reproduce` checks the rebuilt fingerprint), even one recorded before a spelling was normalized.
 */
function layersTopology(topology: unknown, source: string): JsonRecord {
  if (!isRecord(topology) || typeof topology.class_name !== "string" || !isRecord(topology.config))
    throw new InputError(
      `${source}: not a layers model topology: expected {"class_name": …, "config": {"layers": […]}}`,
    );
  if (!Array.isArray(topology.config.layers) || topology.config.layers.length === 0)
    throw new InputError(`${source}: the model has no layers (config.layers must be a non-empty array)`);
  return topology;
}

/**
 * A template from a layers topology already in hand (`{class_name, config}`): a file's, or the
 * canonical topology of a signed architecture record. `source` names it in error messages.
 */
export async function layersTemplate(topology: unknown, name: string, source: string): Promise<Template> {
  const checked = layersTopology(topology, source);
  const template = await checkModel(checked, source);
  const modelClass = template.constructor as typeof tf.LayersModel;
  const config = template.getConfig();
  withDepthMultipliers(template, config);
  template.dispose();
  return {
    name: name.slice(0, 120),
    build(options) {
      if (options.regularizer.dropout > 0 || options.regularizer.batchNorm !== "default") {
        throw new RegularizerNotApplicable(
          `the "${options.regularizer.name}" regularizer adds dropout or changes batch norm, which ` +
            `a fixed model.json topology cannot take; supply a builder module instead`,
        );
      }
      const model = modelClass.fromConfig(
        modelClass,
        seededConfig(config, options.seed) as tf.serialization.ConfigDict,
      ) as tf.LayersModel;
      checkShapes(model, options, source);
      return model;
    },
  };
}

/** What a builder module's function receives: the build options and the runner's TF.js. */
export interface BuilderModuleOptions extends BuildOptions {
  tf: typeof tf;
}

/**
 * Imports a builder module: an ES module whose default export (or export named `build`) is
 * `(options: BuilderModuleOptions) => tf.LayersModel`. It must build with the `tf` it is
 * given (not its own import of TF.js) and draw every initializer seed from `options.seed`.
 */
export async function loadBuilderModule(path: string): Promise<Template> {
  let module: { default?: unknown; build?: unknown; name?: unknown };
  try {
    module = (await import(pathToFileURL(resolve(path)).href)) as typeof module;
  } catch (error) {
    throw new InputError(`cannot load the builder module ${path}: ${(error as Error).message}`, { cause: error });
  }
  const builder = typeof module.default === "function" ? module.default : module.build;
  if (typeof builder !== "function") {
    throw new InputError(
      `${path}: a builder module must export a function, as its default export or as "build": ` +
        `({ tf, inputShape, classes, regularizer, seed }) => tf.LayersModel`,
    );
  }
  return {
    name: typeof module.name === "string" ? module.name.slice(0, 120) : basename(path),
    build(options) {
      let model: unknown;
      try {
        model = builder({ ...options, tf });
      } catch (error) {
        throw new InputError(`${path}: the builder function threw: ${(error as Error).message}`, { cause: error });
      }
      if (!(model instanceof tf.LayersModel)) {
        throw new InputError(
          `${path}: the builder function must return a tf.LayersModel built with the "tf" it ` +
            `receives, not ${model === null ? "null" : typeof model}`,
        );
      }
      checkShapes(model, options, path);
      return model;
    },
  };
}
