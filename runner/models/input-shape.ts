// The image shape a model is built for, given a dataset's: the paper's CIFAR-10 crop.
import type { InputShape } from "../../schema/index.js";

/** The paper crops CIFAR-10's 32×32 images to 28×28 (Appendix A). */
export const CIFAR_CROP = 28;

/** Whether a dataset of this shape gets the paper's CIFAR-10 preprocessing (crop and standardization). */
export function isCifarShaped([height, width, channels]: InputShape): boolean {
  return height === 32 && width === 32 && channels === 3;
}

/**
 * The shape of the images a model sees for a dataset of this shape: CIFAR-shaped 32×32×3
 * images are center-cropped to 28×28×3; every other shape is unchanged. Idempotent.
 *
 * @example
 * modelInputShape([32, 32, 3]) // [28, 28, 3]
 */
export function modelInputShape(shape: InputShape): InputShape {
  return isCifarShaped(shape) ? [CIFAR_CROP, CIFAR_CROP, shape[2]] : shape;
}
