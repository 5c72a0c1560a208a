// Architectures: the built-in models and user-supplied ones, behind one builder interface,
// and their description for a result bundle (canonical topology, fingerprint, size).
import type * as tf from "@tensorflow/tfjs";
import {
  type Architecture,
  canonicalDigest,
  type InputShape,
  NO_REGULARIZER,
  type Regularizer,
} from "../../schema/index.js";
import { UsageError } from "../errors.js";
import { BUILTIN_ARCHITECTURE_IDS, findBuiltin } from "./builtin.js";
import { modelInputShape } from "./input-shape.js";
import type { ModelSpec } from "./spec.js";
import { canonicalTopology } from "./topology.js";
import { idFromPath, layersTemplate, loadBuilderModule, loadLayersJson } from "./user.js";

export { BUILTIN_ARCHITECTURE_IDS } from "./builtin.js";
export type { ModelSpec } from "./spec.js";
export { type BuilderModuleOptions, RegularizerNotApplicable } from "./user.js";

/** Builds fresh, seeded models of one architecture for any input shape the architecture accepts. */
export interface ArchitectureBuilder {
  id: string;
  name: string;
  kind: "builtin" | "layers-json" | "builder-module";
  /**
   * A new model with freshly initialized weights: the same seed gives the same weights. The
   * regularizer's dropout and batch-norm settings shape the model; weight decay, augmentation
   * and early stopping belong to the training loop.
   */
  build(options: { inputShape: InputShape; classes: number; regularizer: Regularizer; seed: number }): tf.LayersModel;
}

/**
 * Loads an architecture. An unknown built-in id is a `UsageError` listing the valid ones; a
 * missing or malformed file is an `InputError` (naming the offending layer of a model.json).
 *
 * @example
 * const mlp = await loadArchitecture({ kind: "builtin", id: "mlp-1x512" });
 */
export async function loadArchitecture(spec: ModelSpec): Promise<ArchitectureBuilder> {
  if (spec.kind === "torch-module")
    throw new UsageError(
      `${spec.path} is a PyTorch module, which only the PyTorch engine builds: add --engine torch ` +
        `(it needs Python with torch >= 1.13 and numpy; see --python)`,
    );
  if (spec.kind === "builtin") {
    const builtin = findBuiltin(spec.id);
    if (!builtin)
      throw new UsageError(
        `unknown model "${spec.id}"; built-in models: ${BUILTIN_ARCHITECTURE_IDS.join(", ")}, ` +
          `or a path to a model.json or a builder module (.js)`,
      );
    return { id: spec.id, name: builtin.name, kind: "builtin", build: (options) => builtin.build(spec.id, options) };
  }
  if (spec.kind === "topology") {
    // A signed record's topology: it keeps the record's id and name, and builds as the
    // model.json it was described from did (`seededConfig` draws the same seeds).
    const template = await layersTemplate(spec.topology, spec.name, `the topology of ${spec.id}`);
    return { id: spec.id, name: spec.name, kind: "layers-json", build: (options) => template.build(options) };
  }
  const template = spec.kind === "layers-json" ? await loadLayersJson(spec.path) : await loadBuilderModule(spec.path);
  return {
    id: idFromPath(spec.path),
    name: template.name,
    kind: spec.kind,
    build: (options) => template.build(options),
  };
}

/**
 * The bundle's record of an architecture built for a dataset's images: its canonical
 * topology (built without regularizers, weights excluded, layer names and seeds normalized),
 * the fingerprint (SHA-256 of the topology's canonical JSON) and its parameter count (every
 * weight, batch-norm moving statistics included). A dataset shape is accepted as is: CIFAR's
 * 32×32×3 is described at the 28×28×3 that training crops it to (`modelInputShape`).
 *
 * @example
 * (await describeArchitecture(mlp, [28, 28, 1], 10)).parameterCount // 407050
 */
export async function describeArchitecture(
  builder: ArchitectureBuilder,
  datasetShape: InputShape,
  classes: number,
): Promise<Architecture> {
  const inputShape = modelInputShape(datasetShape);
  const model = builder.build({ inputShape, classes, regularizer: NO_REGULARIZER, seed: 0 });
  try {
    const topology = canonicalTopology(model);
    return {
      id: builder.id,
      name: builder.name,
      kind: builder.kind,
      inputShape,
      fingerprint: await canonicalDigest(topology),
      parameterCount: model.countParams(),
      topology,
    };
  } finally {
    model.dispose();
  }
}
