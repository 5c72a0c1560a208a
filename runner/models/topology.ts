// The canonical topology of a model: its layers JSON with what does not define the network
// taken out (library version, layer names, seeds), so that its digest, the
// architecture's fingerprint, is the same for every build of the same network.
import type * as tf from "@tensorflow/tfjs";
import type { JsonObject } from "../../schema/index.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

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
 * The canonical layers topology of a model (weights excluded): `{class_name, config}` with
 * layers renamed `layer-0`, `layer-1`, … in order and every seed set to null.
 *
 * @example
 * canonicalTopology(model).config.layers[1].config.name // "layer-1"
 */
export function canonicalTopology(model: tf.LayersModel): JsonObject {
  const json = model.toJSON(undefined, false) as unknown as { class_name: string; config: { [key: string]: Json } };
  const layers = json.config.layers as Array<{ name?: string; config: { name: string } }>;
  const names = new Map(layers.map((layer, i) => [layer.name ?? layer.config.name, `layer-${i}`]));
  return { class_name: json.class_name, config: withoutSeeds(renameLayers(json.config, names)) } as JsonObject;
}
