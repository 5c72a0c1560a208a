// The image shape an architecture is built at, given a dataset's: the paper's CIFAR-10 crop.
import type { Architecture, InputShape } from "../contract/index.js";

/** The paper crops CIFAR-10's 32×32 images to 28×28 (Appendix A). */
export const CIFAR_CROP = 28;

/**
 * Whether a dataset of this shape gets the paper's CIFAR-10 preprocessing (crop and standardization).
 *
 * @example
 * isCifarShaped([32, 32, 3]) // true
 */
export function isCifarShaped([height, width, channels]: readonly number[]): boolean {
  return height === 32 && width === 32 && channels === 3;
}

/**
 * The shape of the images a network sees for a dataset of this shape: CIFAR-shaped 32×32×3
 * images are center-cropped to 28×28×3; every other shape is unchanged. Idempotent.
 *
 * @example
 * modelInputShape([32, 32, 3]) // [28, 28, 3]
 */
export function modelInputShape(shape: InputShape): InputShape {
  return isCifarShaped(shape) ? [CIFAR_CROP, CIFAR_CROP, shape[2]] : shape;
}

/**
 * The input shape that identifies an architecture of this kind trained on a dataset of this
 * shape: the shape it is built at. Networks see the CIFAR crop; the kernel baseline compares
 * whole images, uncropped.
 *
 * @example
 * architectureInputShape("builtin", [32, 32, 3]) // [28, 28, 3]
 * architectureInputShape("kernel", [32, 32, 3]) // [32, 32, 3]
 */
export function architectureInputShape(kind: Architecture["kind"], datasetShape: InputShape): InputShape {
  return kind === "kernel" ? datasetShape : modelInputShape(datasetShape);
}
