// A readable summary of a TF.js layers topology (the JSON an architecture is fingerprinted
// by): its layers in order with their main settings, and how many layers of each kind.

export interface LayerSummary {
  index: number;
  className: string;
  /** The layer's main settings in words, e.g. "96 filters 3×3, stride 2, relu". */
  detail: string;
  /** Names of the layers it reads from (functional models only). */
  inputs: string[];
}

export interface TopologySummary {
  /** `Sequential`, `Model`, `Functional`, … */
  className: string;
  layers: LayerSummary[];
  /** Layer kinds by count, most frequent first. */
  counts: { className: string; count: number }[];
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function dims(value: unknown): string | null {
  if (typeof value === "number") return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === "number")) return value.join("×");
  return null;
}

/** The settings that tell layers of one kind apart, in words. */
function describeLayer(config: Json): string {
  const parts: string[] = [];
  const shape = config.batch_input_shape ?? config.batchInputShape;
  if (Array.isArray(shape)) parts.push(`input ${shape.filter((d) => d !== null).join("×")}`);
  if (typeof config.units === "number") parts.push(`${config.units} units`);
  if (typeof config.filters === "number")
    parts.push(`${config.filters} filters${dims(config.kernel_size) ? ` ${dims(config.kernel_size)}` : ""}`);
  else if (dims(config.kernel_size)) parts.push(`kernel ${dims(config.kernel_size)}`);
  // SeparableConv2D / DepthwiseConv2D: a multiplier above 1 multiplies the depthwise channels (and weights).
  const multiplier = config.depth_multiplier ?? config.depthMultiplier;
  if (typeof multiplier === "number" && multiplier !== 1) parts.push(`depth multiplier ${multiplier}`);
  if (dims(config.pool_size)) parts.push(`pool ${dims(config.pool_size)}`);
  // Strides equal along every axis read as one number ("stride 2"), as papers write them.
  const strides =
    Array.isArray(config.strides) && new Set(config.strides).size === 1
      ? dims(config.strides[0])
      : dims(config.strides);
  if (strides && !/^1(×1)*$/.test(strides)) parts.push(`stride ${strides}`);
  if (typeof config.rate === "number") parts.push(`rate ${config.rate}`);
  if (typeof config.activation === "string" && config.activation !== "linear") parts.push(config.activation);
  return parts.join(", ");
}

/** Layer names a functional layer reads from: `inbound_nodes: [[[name, 0, 0, {}], …]]`. */
function inboundNames(layer: Json): string[] {
  const nodes = layer.inbound_nodes;
  if (!Array.isArray(nodes)) return [];
  return nodes.flatMap((node) =>
    Array.isArray(node)
      ? node.flatMap((edge) => (Array.isArray(edge) && typeof edge[0] === "string" ? [edge[0]] : []))
      : [],
  );
}

/**
 * The summary of a layers topology (`{class_name, config: {layers}}`, Sequential or
 * functional, or a model.json with `modelTopology`); null when it has no layer list.
 *
 * @example
 * const dense = { class_name: "Dense", config: { units: 10 } };
 * summarizeTopology({ class_name: "Sequential", config: { layers: [dense] } })?.layers[0]?.detail // "10 units"
 */
export function summarizeTopology(topology: unknown): TopologySummary | null {
  const model = isObject(topology) && isObject(topology.modelTopology) ? topology.modelTopology : topology;
  if (!isObject(model)) return null;
  const config = model.config;
  const rawLayers = Array.isArray(config)
    ? config
    : isObject(config) && Array.isArray(config.layers)
      ? config.layers
      : null;
  if (!rawLayers) return null;
  const layers = rawLayers.filter(isObject).map((layer, index) => ({
    index,
    className: typeof layer.class_name === "string" ? layer.class_name : "?",
    detail: isObject(layer.config) ? describeLayer(layer.config) : "",
    inputs: inboundNames(layer),
  }));
  const counts = new Map<string, number>();
  for (const layer of layers) counts.set(layer.className, (counts.get(layer.className) ?? 0) + 1);
  return {
    className: typeof model.class_name === "string" ? model.class_name : "?",
    layers,
    counts: [...counts]
      .map(([className, count]) => ({ className, count }))
      .sort((a, b) => b.count - a.count || a.className.localeCompare(b.className)),
  };
}
