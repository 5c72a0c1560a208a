// The datasets the runner trains on: load one by id, cut to a suite's sizes, and describe it for a bundle.
import { DatasetId, type DatasetRecord, type SuiteDataset } from "../../schema/index.js";
import { UsageError } from "../errors.js";
import { CIFAR10_SOURCE, loadCifarDataset } from "./cifar10.js";
import type { Dataset } from "./dataset.js";
import { FASHION_MNIST_SOURCE } from "./fashion-mnist.js";
import { loadIdxDataset } from "./idx.js";
import { loadMnist10k } from "./mnist-10k.js";
import { MNIST_SOURCE } from "./mnist.js";
import { resolveLoadOptions, type LoadOptions } from "./options.js";
import { cutDataset, type RawDataset } from "./raw.js";
import { generateSynthetic } from "./synthetic.js";

export type { Dataset, ImageSet } from "./dataset.js";
export type { LoadOptions } from "./options.js";

/** Every dataset id, in the order help texts list them. */
export const DATASET_IDS: readonly DatasetId[] = DatasetId.options;

/** A dataset id from user input; an unknown name is a usage error that lists the valid ones. */
export function parseDatasetId(name: string): DatasetId {
  const parsed = DatasetId.safeParse(name);
  if (!parsed.success) throw new UsageError(`unknown dataset "${name}"; valid datasets: ${DATASET_IDS.join(", ")}`);
  return parsed.data;
}

/**
 * Loads a dataset and cuts it to `spec.trainSize` / `spec.testSize` with a fixed,
 * class-balanced choice of examples (the same on every machine). A missing or corrupt
 * dataset is an InputError that says how to get it; no other dataset is ever substituted.
 *
 * @example
 * const data = await loadDataset({ id: "mnist-10k", trainSize: 250, testSize: 250 }, { cacheDir: cacheDir() });
 * data.train.count // 250, 25 of each digit
 */
export async function loadDataset(spec: SuiteDataset, options: LoadOptions): Promise<Dataset> {
  const id = parseDatasetId(spec.id);
  const resolved = resolveLoadOptions(options);
  let raw: RawDataset;
  switch (id) {
    case "mnist-10k":
      raw = await loadMnist10k();
      break;
    case "mnist":
      raw = await loadIdxDataset(MNIST_SOURCE, resolved);
      break;
    case "fashion-mnist":
      raw = await loadIdxDataset(FASHION_MNIST_SOURCE, resolved);
      break;
    case "cifar10":
      raw = await loadCifarDataset(CIFAR10_SOURCE, resolved);
      break;
    case "synthetic":
      raw = generateSynthetic(spec);
      break;
  }
  return cutDataset(raw, spec);
}

/** The bundle's record of a loaded dataset: id, sizes, classes, shape and source files. */
export function datasetRecord(dataset: Dataset): DatasetRecord {
  return {
    id: dataset.id,
    trainSize: dataset.train.count,
    testSize: dataset.test.count,
    classes: dataset.classes,
    shape: dataset.shape,
    files: dataset.files.map(({ name, sha256 }) => ({ name, sha256 })),
  };
}
