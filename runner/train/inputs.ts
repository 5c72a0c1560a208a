// The model's view of a dataset, on the backend: the paper's CIFAR-10 preprocessing (center
// crop to 28×28, per-image standardization), and the random crops (and flips) of the
// augmentation regularizers, drawn per example and per step from the run's CropStream.
import * as tf from "@tensorflow/tfjs";
import type { InputShape } from "../../schema/index.js";
import type { ImageSet } from "../datasets/dataset.js";
import { CIFAR_CROP as CROP, isCifarShaped } from "../models/input-shape.js";
import type { CropStream } from "./schedule.js";

/** TensorFlow's per_image_standardization: zero mean, unit (adjusted) std per image. */
function standardizePerImage(images: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [, h, w, c] = images.shape;
    const { mean, variance } = tf.moments(images, [1, 2, 3], true);
    const adjustedStd = tf.maximum(tf.sqrt(variance), 1 / Math.sqrt(h * w * c));
    return tf.div(tf.sub(images, mean), adjustedStd);
  });
}

function centerCrop(images: tf.Tensor4D, size: number): tf.Tensor4D {
  const [n, h, w, c] = images.shape;
  return tf.slice(images, [0, (h - size) >> 1, (w - size) >> 1, 0], [n, size, size, c]);
}

/**
 * One split on the backend, as the model sees it at evaluation: [count, H, W, C] images and
 * int32 labels.
 */
export interface Split {
  images: tf.Tensor4D;
  labels: tf.Tensor1D;
  count: number;
}

/**
 * The examples of a split at these indices, as a split of their own on the backend (for the
 * validation split that early stopping evaluates); the caller disposes it.
 */
export function selectExamples(split: Split, indices: Uint32Array): Split {
  return tf.tidy(() => {
    const ids = tf.tensor1d(Int32Array.from(indices), "int32");
    return { images: tf.gather(split.images, ids), labels: tf.gather(split.labels, ids), count: indices.length };
  });
}

function toSplit(set: ImageSet, shape: InputShape): Split {
  return tf.tidy(() => {
    const raw = tf.tensor4d(set.images, [set.count, ...shape]);
    const images = isCifarShaped(shape) ? standardizePerImage(centerCrop(raw, CROP)) : raw;
    return { images, labels: tf.tensor1d(Int32Array.from(set.labels), "int32"), count: set.count };
  });
}

/**
 * The training and test splits on the backend, and the source of training batches. Without
 * augmentation a batch is a gather from the evaluation images; with it, each example is a
 * random 28×28 window (and, for crop-flip, a coin-flip mirror) of its image framed to
 * 32×32: CIFAR-10 as is, 28×28 images zero-padded by CROP_PADDING (2) pixels, so every dataset
 * gets shifts of up to ±2 pixels. The draws come from `crops` (runner/train/schedule.ts), the
 * same stream the torch engine's task files are written from.
 */
export class RunInputs {
  readonly train: Split;
  readonly test: Split;
  private readonly cifar: boolean;
  private readonly framed: tf.Tensor1D | null;

  constructor(
    data: { shape: InputShape; train: ImageSet; test: ImageSet },
    private readonly crops: CropStream | null,
  ) {
    this.train = toSplit(data.train, data.shape);
    this.test = toSplit(data.test, data.shape);
    this.cifar = isCifarShaped(data.shape);
    this.framed = crops
      ? tf.tidy(() => {
          const [h, w, c] = data.shape;
          const pad = crops.frame.padding;
          const raw = tf.tensor4d(data.train.images, [data.train.count, h, w, c]);
          const framed =
            pad === 0
              ? raw
              : tf.pad(raw, [
                  [0, 0],
                  [pad, pad],
                  [pad, pad],
                  [0, 0],
                ]);
          return framed.reshape([-1]) as tf.Tensor1D;
        })
      : null;
  }

  /** The shape of one model input. */
  get shape(): InputShape {
    return this.train.images.shape.slice(1) as InputShape;
  }

  /** The training images and labels of these examples, augmented as configured. */
  batch(exampleIds: Int32Array): { x: tf.Tensor4D; y: tf.Tensor1D } {
    return tf.tidy(() => {
      const indices = tf.tensor1d(exampleIds, "int32");
      const y = tf.gather(this.train.labels, indices);
      return { x: this.framed ? this.augmented(exampleIds) : tf.gather(this.train.images, indices), y };
    });
  }

  private augmented(exampleIds: Int32Array): tf.Tensor4D {
    const [fh, fw, c] = this.crops!.frame.frame;
    const [h, w] = this.shape;
    const imageSize = fh * fw * c;
    const draws = this.crops!.draw(exampleIds.length);
    const flat = new Int32Array(exampleIds.length * h * w * c);
    let k = 0;
    exampleIds.forEach((example, n) => {
      const [top, left, mirror] = [draws[3 * n]!, draws[3 * n + 1]!, draws[3 * n + 2] === 1];
      for (let i = 0; i < h; i++) {
        const row = example * imageSize + (top + i) * fw * c;
        for (let j = 0; j < w; j++) {
          const column = left + (mirror ? w - 1 - j : j);
          for (let ch = 0; ch < c; ch++) flat[k++] = row + column * c + ch;
        }
      }
    });
    return tf.tidy(() => {
      const pixels = tf
        .gather(this.framed!, tf.tensor1d(flat, "int32"))
        .reshape([exampleIds.length, h, w, c]) as tf.Tensor4D;
      return this.cifar ? standardizePerImage(pixels) : pixels;
    });
  }

  dispose(): void {
    tf.dispose([this.train.images, this.train.labels, this.test.images, this.test.labels]);
    this.framed?.dispose();
  }
}
