// The in-memory form of a dataset that corruptions and training share.
import type { DatasetFile, DatasetId, InputShape } from "../../schema/index.js";

/**
 * Images and labels of one split. `images` holds `count` images in NHWC order (row-major,
 * channels last), pixel values in [0, 1] (except after the `gaussian` corruption, whose
 * noise is not clipped); `labels` holds one class id per image.
 */
export interface ImageSet {
  images: Float32Array;
  labels: Uint8Array;
  count: number;
}

/** A loaded dataset, already cut to the sizes a suite asks for. */
export interface Dataset {
  id: DatasetId;
  /** [height, width, channels] of one image. */
  shape: InputShape;
  classes: number;
  train: ImageSet;
  test: ImageSet;
  /** The source files the data was read from, with their SHA-256 (the bundle's subjects). */
  files: DatasetFile[];
}
