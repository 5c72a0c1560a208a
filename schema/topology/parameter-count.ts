// The parameter count of a TF.js layers topology, computed without TF.js (it runs in the Worker):
// output shapes are propagated through the layer graph and each layer's weights counted from them.
// This file walks Sequential and functional models; layer-rules.ts holds each layer class's rule.
import {
  applyLayer,
  CountError,
  isRecord,
  type Json,
  type JsonRecord,
  LayerConfig,
  type Shape,
  sameShape,
} from "./layer-rules.js";

export { COUNTED_LAYER_CLASSES } from "./layer-rules.js";

export type ParameterCount =
  | { ok: true; count: number }
  | {
      ok: false;
      /** The offending layer's name (or `(model)` for the topology as a whole). */
      layer: string;
      className: string;
      reason: string;
    };

/** The declared input shape of a layer config (`batch_input_shape` without the batch), if any. */
function declaredInput(layer: LayerConfig): Shape | null {
  const raw = layer.raw("batch_input_shape");
  if (raw === undefined || raw === null) return null;
  if (
    !Array.isArray(raw) ||
    raw.length < 2 ||
    !raw.slice(1).every((d) => typeof d === "number" && Number.isSafeInteger(d) && d >= 1)
  )
    layer.fail(`config.batch_input_shape must be [null, …positive sizes], not ${JSON.stringify(raw)}`);
  return raw.slice(1) as number[];
}

function checkInput(layer: LayerConfig, declared: Shape | null, inputShape: readonly number[]): Shape {
  if (declared && !sameShape(declared, inputShape))
    layer.fail(
      `declares input [${declared.join(", ")}], but the architecture is described at [${inputShape.join(", ")}]`,
    );
  return [...inputShape];
}

function layerOf(raw: Json, index: number): { layer: LayerConfig; record: JsonRecord } {
  if (!isRecord(raw) || typeof raw.class_name !== "string" || !isRecord(raw.config))
    throw new CountError(`layers[${index}]`, "?", "each layer needs a class_name string and a config object");
  const name = typeof raw.config.name === "string" ? raw.config.name : typeof raw.name === "string" ? raw.name : null;
  return { layer: new LayerConfig(name ?? `layers[${index}]`, raw.class_name, raw.config), record: raw };
}

function countSequential(layers: Json[], inputShape: readonly number[]): number {
  let shape: Shape | null = null;
  let total = 0;
  for (const [index, raw] of layers.entries()) {
    const { layer } = layerOf(raw, index);
    if (shape === null) {
      shape = checkInput(layer, declaredInput(layer), inputShape);
      if (layer.className === "InputLayer") continue;
    } else if (layer.className === "InputLayer") {
      layer.fail("an input layer after the first layer");
    }
    const applied = applyLayer(layer, [shape]);
    total += applied.params;
    shape = applied.output;
  }
  return total;
}

/** `[name, nodeIndex, tensorIndex, …]`, the reference to a layer call in a functional config. */
function tensorRef(layer: LayerConfig, value: Json): { name: string; node: number; tensor: number } {
  if (
    !Array.isArray(value) ||
    value.length < 3 ||
    typeof value[0] !== "string" ||
    !Number.isSafeInteger(value[1]) ||
    !Number.isSafeInteger(value[2])
  )
    layer.fail(`a tensor reference must be [layer name, node index, tensor index, …], not ${JSON.stringify(value)}`);
  return { name: value[0] as string, node: value[1] as number, tensor: value[2] as number };
}

function countFunctional(config: JsonRecord, inputShape: readonly number[]): number {
  // Annotated, so that TypeScript sees `model.fail(…)` end the flow.
  const model: LayerConfig = new LayerConfig("(model)", "Model", config);
  const rawLayers = config.layers as Json[];
  const layers = rawLayers.map(layerOf);
  const byName = new Map<string, (typeof layers)[number]>();
  for (const entry of layers) {
    if (byName.has(entry.layer.name)) entry.layer.fail("a second layer with this name");
    byName.set(entry.layer.name, entry);
  }
  const inputRefs = config.input_layers;
  const outputRefs = config.output_layers;
  if (!Array.isArray(inputRefs) || inputRefs.length !== 1)
    model.fail("config.input_layers must name exactly one input (the image)");
  if (!Array.isArray(outputRefs) || outputRefs.length === 0) model.fail("config.output_layers must name the outputs");

  // Output shapes by `name/node`, and the weights and first input shapes of each layer called so far.
  const outputs = new Map<string, Shape>();
  const params = new Map<string, number>();
  const inboundOf = new Map<string, Set<string>>();
  const pending = layers.map(({ layer, record }) => {
    const nodes = record.inbound_nodes ?? [];
    if (!Array.isArray(nodes)) layer.fail("inbound_nodes must be a list");
    return { layer, nodes: nodes as Json[], done: 0 };
  });
  const inputName = tensorRef(model, inputRefs[0]!).name;
  // Each pass calls every layer whose inputs are known; a pass without progress means a cycle or a missing layer.
  for (let progress = true; progress; ) {
    progress = false;
    for (const entry of pending) {
      const layer: LayerConfig = entry.layer; // annotated, so that `layer.fail(…)` ends the flow
      if (layer.className === "InputLayer") {
        if (entry.done > 0) continue;
        if (layer.name !== inputName) layer.fail("an input layer that config.input_layers does not name");
        outputs.set(`${layer.name}/0`, checkInput(layer, declaredInput(layer), inputShape));
        params.set(layer.name, 0);
        entry.done = 1;
        progress = true;
        continue;
      }
      while (entry.done < entry.nodes.length) {
        const node = entry.nodes[entry.done]!;
        if (!Array.isArray(node) || node.length === 0) layer.fail("each inbound node must be a non-empty list");
        const refs = node.map((ref) => tensorRef(layer, ref));
        if (refs.some((ref) => ref.tensor !== 0)) layer.fail("refers to a second output of a layer; none has one");
        const shapes = refs.map((ref) => outputs.get(`${ref.name}/${ref.node}`));
        if (shapes.some((shape) => shape === undefined)) break;
        const applied = applyLayer(layer, shapes as Shape[]);
        const before = params.get(layer.name);
        if (before !== undefined && before !== applied.params)
          layer.fail("a shared layer called on inputs that need different weights");
        params.set(layer.name, applied.params);
        outputs.set(`${layer.name}/${entry.done}`, applied.output);
        const inbound = inboundOf.get(layer.name) ?? new Set<string>();
        for (const ref of refs) inbound.add(ref.name);
        inboundOf.set(layer.name, inbound);
        entry.done++;
        progress = true;
      }
    }
  }
  for (const entry of pending) {
    const expected = entry.layer.className === "InputLayer" ? 1 : entry.nodes.length;
    if (entry.done < expected) entry.layer.fail("its inputs never become available (a missing layer or a cycle)");
    if (expected === 0) entry.layer.fail("a layer that is never called");
  }

  // TF.js's model holds the layers between its inputs and outputs; it counts exactly those.
  const reachable = new Set<string>();
  const stack = (outputRefs as Json[]).map((ref) => {
    const { name, node } = tensorRef(model, ref);
    if (!outputs.has(`${name}/${node}`)) model.fail(`config.output_layers names "${name}", which no layer produces`);
    return name;
  });
  for (let name = stack.pop(); name !== undefined; name = stack.pop()) {
    if (reachable.has(name)) continue;
    reachable.add(name);
    stack.push(...(inboundOf.get(name) ?? []));
  }
  if (!reachable.has(inputName)) model.fail("the outputs do not depend on the input");
  return [...reachable].reduce((sum, name) => sum + params.get(name)!, 0);
}

/**
 * The number of weights (trainable or not: batch norm's moving statistics included) of a TF.js
 * layers topology built for `inputShape`, as TF.js's `model.countParams()` gives it, computed
 * without TF.js. A layer it cannot count (an unknown class, a config it cannot read, shapes that
 * do not fit) is an error naming the layer and its class.
 *
 * @example
 * countParameters(mlpTopology, [28, 28, 1]) // { ok: true, count: 407050 }
 * countParameters(lstmTopology, [28, 28, 1]) // { ok: false, layer: "layer-1", className: "LSTM", reason: "…" }
 */
export function countParameters(topology: unknown, inputShape: readonly number[]): ParameterCount {
  try {
    if (!isRecord(topology) || typeof topology.class_name !== "string")
      throw new CountError("(model)", "?", "a topology is {class_name, config}");
    const { class_name: className, config } = topology;
    let count: number;
    if (className === "Sequential") {
      const layers = Array.isArray(config) ? config : isRecord(config) ? config.layers : null;
      if (!Array.isArray(layers) || layers.length === 0)
        throw new CountError("(model)", className, "config.layers must be a non-empty list");
      count = countSequential(layers, inputShape);
    } else if (className === "Model" || className === "Functional") {
      if (!isRecord(config) || !Array.isArray(config.layers) || config.layers.length === 0)
        throw new CountError("(model)", className, "config.layers must be a non-empty list");
      count = countFunctional(config, inputShape);
    } else {
      throw new CountError("(model)", className, "the topology must be a Sequential or a functional Model");
    }
    if (!Number.isSafeInteger(count)) throw new CountError("(model)", className, "more parameters than can be counted");
    return { ok: true, count };
  } catch (error) {
    if (error instanceof CountError)
      return { ok: false, layer: error.layer, className: error.className, reason: error.message };
    throw error;
  }
}
