// A dataset as bytes straight from its files, and the one way it becomes a suite-sized Dataset.
import {
  balancedSubset,
  type DatasetFile,
  type DatasetId,
  type InputShape,
  type SuiteDataset,
} from "../../schema/index.js";
import { UsageError } from "../errors.js";
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
 * Cuts a raw dataset to the suite's sizes with schema's `balancedSubset` (streams `<id>/train`
 * and `<id>/test`, the subsets whose labels the server derives too) and scales pixels to [0, 1].
 * Asking for more examples than a split holds is a usage error that names what there is.
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
