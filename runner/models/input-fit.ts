// Whether a topology file's input shape fits a suite's datasets, checked before anything trains, with
// the suites and datasets that do fit it when it does not.
import { DATASET_SHAPES, modelInputShape, SUITES, type Suite } from "../../schema/index.js";
import { InputError } from "../errors.js";
import type { TopologyDocument } from "./topology-file.js";

type JsonRecord = Record<string, unknown>;

function isRecord(value: unknown): value is JsonRecord {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `[28, 28, 1]` → "28×28×1". */
const showShape = (shape: readonly unknown[]) => shape.map((n) => (n === null ? "?" : String(n))).join("×");

/**
 * The image shape (without the batch dimension) a normalized topology takes, from its input layer's
 * (or a Sequential's first layer's) `batch_input_shape`; null when the file does not say, or the model
 * has several inputs (the build then reports what is wrong).
 *
 * @example
 * topologyInputShape({ class_name: "Sequential", config: { layers: [{ class_name: "Flatten",
 *   config: { batch_input_shape: [null, 28, 28, 1] } }] } }) // [28, 28, 1]
 */
export function topologyInputShape(topology: TopologyDocument["topology"]): unknown[] | null {
  const layers = Array.isArray(topology.config.layers) ? topology.config.layers : [];
  let input: unknown = layers[0];
  if (topology.class_name !== "Sequential") {
    const inputs = topology.config.input_layers;
    if (!Array.isArray(inputs) || inputs.length !== 1 || !Array.isArray(inputs[0])) return null;
    const name = inputs[0][0];
    input = layers.find((layer) => isRecord(layer) && (layer.name ?? (layer.config as JsonRecord)?.name) === name);
  }
  const shape = isRecord(input) && isRecord(input.config) ? input.config.batch_input_shape : null;
  return Array.isArray(shape) && shape.length > 1 ? shape.slice(1) : null;
}

/**
 * For each image shape a network is trained at, the suite datasets that train it at that shape (CIFAR-10
 * through its crop), as "dataset (suites …)".
 */
function datasetsByShape(): Map<string, string[]> {
  const suitesOf = new Map<string, string[]>();
  for (const suite of SUITES)
    for (const { id } of suite.datasets) {
      // A suite of several datasets trains a model on one of them only with --dataset.
      const where = suite.datasets.length > 1 ? `${suite.id} --dataset ${id}` : suite.id;
      if (id !== "synthetic") suitesOf.set(id, [...(suitesOf.get(id) ?? []), where]);
    }
  const byShape = new Map<string, string[]>();
  for (const [id, suites] of suitesOf) {
    const dataset = DATASET_SHAPES[id as keyof typeof DATASET_SHAPES];
    const shape = showShape(modelInputShape(dataset));
    const crop = showShape(dataset) === shape ? "" : `, its ${showShape(dataset)} images cropped`;
    const entry = `${id} (suite${suites.length > 1 ? "s" : ""} ${suites.join(", ")}${crop})`;
    byShape.set(shape, [...(byShape.get(shape) ?? []), entry]);
  }
  return byShape;
}

/**
 * Checks a topology file's input shape against the datasets a run of `suite` (only `datasetId`, when
 * given) trains on, before any training: an InputError naming the file's shape, the dataset's, and
 * the suites whose datasets fit the file. A file that does not state its input shape passes here (its
 * build says what is wrong).
 *
 * @example
 * checkInputFits(document, "model.json", findSuite("smoke")!) // throws for a 32×32×3 model
 */
export function checkInputFits(document: TopologyDocument, source: string, suite: Suite, datasetId?: string): void {
  const shape = topologyInputShape(document.topology);
  if (!shape) return;
  for (const { id } of suite.datasets) {
    if ((datasetId !== undefined && id !== datasetId) || id === "synthetic") continue;
    const datasetShape = DATASET_SHAPES[id];
    const expected = modelInputShape(datasetShape);
    if (showShape(shape) === showShape(expected)) continue;
    const seen =
      showShape(expected) === showShape(datasetShape)
        ? showShape(datasetShape)
        : `${showShape(datasetShape)}, cropped to ${showShape(expected)} for training`;
    const byShape = datasetsByShape();
    const fitting = byShape.get(showShape(shape));
    const hint = fitting
      ? `a ${showShape(shape)} input fits ${fitting.join("; ")}`
      : `no suite feeds a network ${showShape(shape)} images; build the model for ` +
        [...byShape].map(([at, datasets]) => `${at}: ${datasets.join("; ")}`).join(", or ");
    throw new InputError(
      `${source} takes ${showShape(shape)} images, but ${id}'s (suite ${suite.id}) are ${seen}; ${hint}`,
    );
  }
}
