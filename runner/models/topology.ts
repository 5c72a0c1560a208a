// The canonical topology of a model: its layers JSON with what does not define the network
// taken out (library version, layer names, seeds), so that its digest, the
// architecture's fingerprint, is the same for every build of the same network.
import type * as tf from "@tensorflow/tfjs";
import type { JsonObject } from "../../schema/index.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonRecord = { [key: string]: Json };

/** Replaces every seed (of initializers, of seeded dropout) in a layers config with null. */
function withoutSeeds(value: Json): Json {
  if (Array.isArray(value)) return value.map(withoutSeeds);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, key === "seed" ? null : withoutSeeds(item)]),
  );
}

/** Replaces every occurrence of a layer name by its index (as a string) in a functional config. */
function renameLayers(config: { [key: string]: Json }, names: Map<string, string>): Json {
  const rename = (value: Json): Json => {
    if (typeof value === "string") return names.get(value) ?? value;
    if (Array.isArray(value)) return value.map(rename);
    return value;
  };
  const layers = (config.layers as Array<{ [key: string]: Json }>).map((layer) => ({
    ...layer,
    ...("name" in layer ? { name: rename(layer.name!) } : {}),
    config: {
      ...(layer.config as { [key: string]: Json }),
      name: rename((layer.config as { [key: string]: Json }).name ?? null),
    },
    ...("inbound_nodes" in layer ? { inbound_nodes: rename(layer.inbound_nodes!) } : {}),
  }));
  return {
    ...config,
    name: "model",
    layers,
    ...("input_layers" in config ? { input_layers: rename(config.input_layers!) } : {}),
    ...("output_layers" in config ? { output_layers: rename(config.output_layers!) } : {}),
  };
}

/**
 * Writes each SeparableConv2D's depth multiplier into its config, read from the built layer.
 * TF.js's SeparableConv2D.getConfig leaves it out, though its constructor reads it: without it
 * the topology would not fix the layer's weights (the server could not count them) and a model
 * rebuilt from it would have a multiplier of 1.
 */
function withDepthMultipliers(model: tf.LayersModel, layers: Array<{ class_name?: string; config: JsonRecord }>) {
  const built = new Map(model.layers.map((layer) => [layer.name, layer]));
  for (const layer of layers) {
    const inner = built.get(layer.config.name as string);
    // A model used as a layer (a Sequential block inside a functional model) holds its own layers.
    if (inner && "layers" in inner && Array.isArray(layer.config.layers))
      withDepthMultipliers(inner as tf.LayersModel, layer.config.layers as Array<{ config: JsonRecord }>);
    if (layer.class_name !== "SeparableConv2D") continue;
    const multiplier = (inner as { depthMultiplier?: unknown } | undefined)?.depthMultiplier;
    if (typeof multiplier !== "number")
      throw new Error(`SeparableConv2D layer "${String(layer.config.name)}" has no depth multiplier to record`);
    layer.config.depth_multiplier = multiplier;
  }
}

/**
 * The canonical layers topology of a model (weights excluded): `{class_name, config}` with
 * layers renamed `layer-0`, `layer-1`, … in order, every seed set to null, and each
 * SeparableConv2D's `depth_multiplier` written in (TF.js's own config omits it).
 *
 * @example
 * canonicalTopology(model).config.layers[1].config.name // "layer-1"
 */
export function canonicalTopology(model: tf.LayersModel): JsonObject {
  const json = model.toJSON(undefined, false) as unknown as { class_name: string; config: { [key: string]: Json } };
  const layers = json.config.layers as Array<{ name?: string; class_name?: string; config: JsonRecord }>;
  withDepthMultipliers(model, layers);
  const names = new Map(layers.map((layer, i) => [layer.name ?? (layer.config.name as string), `layer-${i}`]));
  return { class_name: json.class_name, config: withoutSeeds(renameLayers(json.config, names)) } as JsonObject;
}
