// The random-crop augmentation of the `crop` regularizers: how far a crop may shift an image and which
// seeded stream draws the shifts. The training loop crops by these and the protocol page states them.

/**
 * Zero pixels added on each side of a 28×28 image before a 28×28 window is cropped from it, so a
 * crop shifts the image by up to this many pixels each way. CIFAR-10's 32×32 images are cropped
 * to 28×28 (`CIFAR_CROP`) without padding, which gives the same ±2 pixels. Changing it changes the
 * training of every suite with crops: bump those suites' versions.
 *
 * @example
 * CROP_PADDING // 2
 */
export const CROP_PADDING = 2;

/**
 * The stream, beside the task seed, that draws each augmented example's window (top, then left,
 * each uniform over the placements, then the mirror coin of crop-flip) in the order the examples
 * are trained: the same seed gives the same crops, step for step, on every machine.
 *
 * @example
 * Rng.create(task.seed, AUGMENTATION_STREAM)
 */
export const AUGMENTATION_STREAM = "train/augmentation";
