// The datasets the runner trains on: load one by id, cut to a suite's sizes, and describe it for a bundle.
import { DatasetId, type DatasetRecord, type SuiteDataset } from "../../schema/index.js";
import { UsageError } from "../errors.js";
import { CIFAR10_SOURCE, loadCifarDataset, verifyCifarDataset } from "./cifar10.js";
import type { Dataset } from "./dataset.js";
import { FASHION_MNIST_SOURCE } from "./fashion-mnist.js";
import { loadIdxDataset, verifyIdxDataset } from "./idx.js";
import { type LoadOptions, type ResolvedLoadOptions, resolveLoadOptions } from "./load-options.js";
import { MNIST_SOURCE } from "./mnist.js";
import { loadMnist10k, verifyMnist10k } from "./mnist-10k.js";
import { cutDataset, type RawDataset } from "./raw.js";
import { generateSynthetic } from "./synthetic.js";

export type { Dataset, ImageSet } from "./dataset.js";
export type { LoadOptions } from "./load-options.js";
export { DATASET_PINS_VARIABLE, type DatasetPins, readDatasetPins } from "./pins.js";
export type { RawDataset } from "./raw.js";

/** Every dataset id, in the order help texts list them. */
const DATASET_IDS: readonly DatasetId[] = DatasetId.options;

/** A dataset id from user input; an unknown name is a usage error that lists the valid ones. */
export function parseDatasetId(name: string): DatasetId {
  const parsed = DatasetId.safeParse(name);
  if (!parsed.success) throw new UsageError(`unknown dataset "${name}"; valid datasets: ${DATASET_IDS.join(", ")}`);
  return parsed.data;
}

/** Each dataset's source: finding and verifying its files alone, and reading all of it. */
const SOURCES: Record<
  DatasetId,
  {
    verify(options: ResolvedLoadOptions): Promise<void>;
    load(spec: SuiteDataset, options: ResolvedLoadOptions): Promise<RawDataset>;
  }
> = {
  "mnist-10k": { verify: verifyMnist10k, load: loadMnist10k },
  mnist: {
    verify: (options) => verifyIdxDataset(MNIST_SOURCE, options),
    load: (_, options) => loadIdxDataset(MNIST_SOURCE, options),
  },
  "fashion-mnist": {
    verify: (options) => verifyIdxDataset(FASHION_MNIST_SOURCE, options),
    load: (_, options) => loadIdxDataset(FASHION_MNIST_SOURCE, options),
  },
  cifar10: {
    verify: (options) => verifyCifarDataset(CIFAR10_SOURCE, options),
    load: (_, options) => loadCifarDataset(CIFAR10_SOURCE, options),
  },
  // Generated from its seed: no files.
  synthetic: { verify: async () => {}, load: async (spec) => generateSynthetic(spec) },
};

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
  return cutDataset(await SOURCES[parseDatasetId(spec.id)].load(spec, resolveLoadOptions(options)), spec);
}

/**
 * Every example of a dataset's files, before any cut: both pools in the order the suites' subsets
 * are drawn from (scripts/build-labels.ts ships their labels to the server). The same errors as
 * `loadDataset` for a missing or corrupt dataset. `synthetic` has no pools apart from its sizes.
 *
 * @example
 * (await loadRawDataset("mnist-10k", { cacheDir: cacheDir() })).test.count // 2000
 */
export async function loadRawDataset(id: Exclude<DatasetId, "synthetic">, options: LoadOptions): Promise<RawDataset> {
  // Only `synthetic` reads the sizes; the file datasets load all of their files.
  const spec = { id, trainSize: 1, testSize: 1 };
  return SOURCES[parseDatasetId(id)].load(spec, resolveLoadOptions(options));
}

/**
 * Finds (downloading if needed) a dataset's files and checks their digests, without decoding
 * them: the same errors as `loadDataset` for a missing or corrupt dataset, at a fraction of
 * its cost, for a check before the work that loads it.
 */
export async function verifyDataset(spec: SuiteDataset, options: LoadOptions): Promise<void> {
  await SOURCES[parseDatasetId(spec.id)].verify(resolveLoadOptions(options));
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
