// What the server knows of each dataset: its pinned files and, where it ships them, its labels.
import type { DatasetFile } from "../contract/index.js";
import { type LabelData, unpackLabelData } from "./label-data.js";
import { fashionMnistLabels } from "./labels/fashion-mnist.js";
import { mnist10kLabels } from "./labels/mnist-10k.js";
import type { PoolLabels } from "./labels.js";
import { type FileDatasetId, PINNED_DATASET_FILES } from "./pinned.js";

/**
 * One dataset as the server knows it: the files a bundle must name, with their pinned digests,
 * and the labels of its two pools, or null when this server holds no labels for it (its runs
 * cannot be scored).
 */
export interface KnownDataset {
  id: string;
  classes: number;
  files: readonly DatasetFile[];
  labels: PoolLabels | null;
}

/** Known datasets by id; a dataset missing from it is one the server cannot check at all. */
export type DatasetRegistry = ReadonlyMap<string, KnownDataset>;

/**
 * A known dataset from a generated labels module: its files are the ones the labels were read
 * from. For tests and private deployments that score runs on their own files.
 *
 * @example
 * knownDatasetFrom(packLabelData("cifar10", pools, files)).labels?.train.length // the pool's size
 */
export function knownDatasetFrom(data: LabelData): KnownDataset {
  return { id: data.id, classes: data.classes, files: data.sources, labels: unpackLabelData(data) };
}

/** Labels this package ships, each checked to have been read from the pinned files. */
const SHIPPED: readonly LabelData[] = [mnist10kLabels, fashionMnistLabels];

let defaultRegistry: DatasetRegistry | undefined;

/**
 * The registry of this package: every file dataset's pinned files; labels for `mnist-10k` and
 * `fashion-mnist`. `mnist` and `cifar10` have no labels here: their files could not be obtained
 * where the label modules were generated (`npm run labels:build` makes them from the files).
 * Labels are decoded on first use and kept.
 *
 * @example
 * defaultDatasetRegistry().get("cifar10")?.labels // null: its runs are unscorable here
 */
export function defaultDatasetRegistry(): DatasetRegistry {
  if (defaultRegistry) return defaultRegistry;
  const registry = new Map<string, KnownDataset>();
  for (const [id, files] of Object.entries(PINNED_DATASET_FILES) as [FileDatasetId, readonly DatasetFile[]][]) {
    const shipped = SHIPPED.find((data) => data.id === id);
    if (shipped && JSON.stringify(shipped.sources) !== JSON.stringify(files)) {
      // A generated module must come from the pinned files; anything else is a build mistake.
      throw new Error(`the shipped labels of ${id} were not read from its pinned files`);
    }
    // MNIST, Fashion-MNIST and CIFAR-10 all have ten classes.
    registry.set(id, { id, classes: 10, files, labels: shipped ? unpackLabelData(shipped) : null });
  }
  defaultRegistry = registry;
  return registry;
}
