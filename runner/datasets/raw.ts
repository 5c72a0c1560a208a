// A dataset as bytes straight from its files, and the one way it becomes a suite-sized Dataset.
import type { DatasetFile, DatasetId, InputShape, SuiteDataset } from "../../schema/index.js";
import { UsageError } from "../errors.js";
import { Rng } from "../random.js";
import type { Dataset, ImageSet } from "./dataset.js";

/** One split as stored on disk: `count` images of uint8 pixels in NHWC order, one label each. */
export interface RawSplit {
  pixels: Uint8Array;
  labels: Uint8Array;
  count: number;
}

/** Every example a dataset's files hold, before it is cut to a suite's sizes. */
export interface RawDataset {
  id: DatasetId;
  shape: InputShape;
  classes: number;
  train: RawSplit;
  test: RawSplit;
  files: DatasetFile[];
}

/** byte → byte / 255 as float32: every loader scales pixels through this one table. */
const SCALE = Float32Array.from({ length: 256 }, (_, byte) => byte / 255);

/**
 * How many examples of each class a subset of `size` takes: round-robin over the classes
 * (0, 1, …, K-1, 0, …), one example each turn, skipping classes that have run out. Equal
 * counts whenever the classes have enough examples; otherwise as equal as they allow.
 */
export function balancedQuotas(available: readonly number[], size: number): number[] {
  const quotas = available.map(() => 0);
  let taken = 0;
  while (taken < size) {
    let progressed = false;
    for (let c = 0; c < available.length && taken < size; c++) {
      if (quotas[c]! < available[c]!) {
        quotas[c]!++;
        taken++;
        progressed = true;
      }
    }
    if (!progressed) throw new Error(`asked for ${size} examples of ${taken} available`);
  }
  return quotas;
}

/**
 * The indices of a deterministic, class-balanced subset of `size` examples: the split's
 * examples are put in a fixed pseudo-random order (seed 0, stream `stream`), and each class
 * contributes its first `quota` examples in that order. Smaller subsets are therefore
 * always contained in larger ones. The indices come back in that order.
 */
export function balancedSubset(labels: Uint8Array, classes: number, size: number, stream: string): Uint32Array {
  const available = new Array<number>(classes).fill(0);
  for (const label of labels) available[label]!++;
  const quotas = balancedQuotas(available, size);
  const order = Rng.create(0, stream).permutation(labels.length);
  const chosen = new Uint32Array(size);
  let n = 0;
  for (const index of order) {
    const label = labels[index]!;
    if (quotas[label]! > 0) {
      quotas[label]!--;
      chosen[n++] = index;
    }
  }
  return chosen;
}

function takeScaled(split: RawSplit, indices: Uint32Array, imageSize: number): ImageSet {
  const images = new Float32Array(indices.length * imageSize);
  const labels = new Uint8Array(indices.length);
  indices.forEach((index, i) => {
    const source = split.pixels.subarray(index * imageSize, (index + 1) * imageSize);
    for (let j = 0; j < imageSize; j++) images[i * imageSize + j] = SCALE[source[j]!]!;
    labels[i] = split.labels[index]!;
  });
  return { images, labels, count: indices.length };
}

/**
 * Cuts a raw dataset to the suite's sizes with `balancedSubset` (streams `<id>/train` and
 * `<id>/test`) and scales pixels to [0, 1]. Asking for more examples than a split holds is
 * a usage error that names what there is.
 */
export function cutDataset(raw: RawDataset, spec: SuiteDataset): Dataset {
  if (spec.id !== raw.id) throw new Error(`cutDataset: spec for ${spec.id} given ${raw.id}`);
  for (const [split, size] of [
    ["train", spec.trainSize],
    ["test", spec.testSize],
  ] as const) {
    if (size > raw[split].count) {
      throw new UsageError(
        `${raw.id} has ${raw.train.count} training and ${raw.test.count} test examples; ` +
          `the suite asks for ${size} ${split === "train" ? "training" : "test"} examples`,
      );
    }
  }
  const imageSize = raw.shape[0] * raw.shape[1] * raw.shape[2];
  return {
    id: raw.id,
    shape: raw.shape,
    classes: raw.classes,
    train: takeScaled(
      raw.train,
      balancedSubset(raw.train.labels, raw.classes, spec.trainSize, `${raw.id}/train`),
      imageSize,
    ),
    test: takeScaled(
      raw.test,
      balancedSubset(raw.test.labels, raw.classes, spec.testSize, `${raw.id}/test`),
      imageSize,
    ),
    files: raw.files,
  };
}
