// The one source of every run's data order, on both engines: the early-stopping split, each epoch's
// batch order and the augmentation draws, each from its own seeded stream of the task seed.
import {
  AUGMENTATION_STREAM,
  CIFAR_CROP,
  CROP_PADDING,
  type InputShape,
  isCifarShaped,
  type Regularizer,
  type Task,
  validationSplit,
} from "../../schema/index.js";
import { Rng } from "../random.js";

/** The stream, beside the task seed, that draws each epoch's permutation of the examples trained on. */
export const BATCH_ORDER_STREAM = "train/batch-order";

/**
 * Where augmentation crops come from: a `window`-sized crop (the model's input) is cut from a
 * `frame`-sized image. 28×28 images are framed by `padding` (CROP_PADDING) zero pixels on each
 * side; CIFAR-shaped 32×32 images are their own frame (padding 0), cropped to 28×28.
 */
export interface CropFrame {
  padding: number;
  frame: InputShape;
  window: InputShape;
}

/**
 * The crop frame of a dataset's images.
 *
 * @example
 * cropFrame([28, 28, 1]) // { padding: 2, frame: [32, 32, 1], window: [28, 28, 1] }
 */
export function cropFrame(shape: InputShape): CropFrame {
  const [h, w, c] = shape;
  if (isCifarShaped(shape)) return { padding: 0, frame: shape, window: [CIFAR_CROP, CIFAR_CROP, c] };
  return { padding: CROP_PADDING, frame: [h + 2 * CROP_PADDING, w + 2 * CROP_PADDING, c], window: shape };
}

/**
 * The augmentation draws, example after example in training order: for each, the window's top
 * row, then its left column (each uniform over the placements in the frame), then for crop-flip
 * a coin for the mirror. Batches draw one after the other from the same stream, so drawing a
 * whole epoch at once gives the same numbers as drawing it batch by batch.
 */
export class CropStream {
  private readonly rows: number;
  private readonly columns: number;

  constructor(
    private readonly rng: Rng,
    readonly frame: CropFrame,
    private readonly flip: boolean,
  ) {
    this.rows = frame.frame[0] - frame.window[0] + 1;
    this.columns = frame.frame[1] - frame.window[1] + 1;
    // The torch engine's task files store each draw as one byte.
    if (this.rows > 256 || this.columns > 256) throw new Error(`a crop frame of ${frame.frame} is too large`);
  }

  /** The draws of the next `size` examples: `size` × (top, left, mirror 0/1). */
  draw(size: number): Uint8Array {
    const out = new Uint8Array(size * 3);
    for (let k = 0; k < size; k++) {
      out[3 * k] = this.rng.int(this.rows);
      out[3 * k + 1] = this.rng.int(this.columns);
      // Only crop-flip draws the coin: plain crops must not consume it.
      out[3 * k + 2] = this.flip && this.rng.int(2) === 1 ? 1 : 0;
    }
    return out;
  }
}

/** The crop stream of a task's augmentation, or null when it trains without augmentation. */
export function cropStream(
  seed: number,
  augmentation: Regularizer["augmentation"],
  datasetShape: InputShape,
): CropStream | null {
  if (augmentation === "none") return null;
  return new CropStream(Rng.create(seed, AUGMENTATION_STREAM), cropFrame(datasetShape), augmentation === "crop-flip");
}

/**
 * One run's data order: which examples train (all, or those outside early stopping's validation
 * split), the order of each epoch's batches, and the augmentation draws, as TF.js's training loop
 * consumes them and as the torch engine's task files carry them.
 *
 * @example
 * const schedule = new RunSchedule(task, corrupted.train.labels, corrupted.shape);
 * const first = schedule.nextEpoch(); // the ids of epoch 1, in batch order
 */
export class RunSchedule {
  /** Examples trained on per epoch. */
  readonly count: number;
  /** Example ids early stopping validates on (never trained on); null without early stopping. */
  readonly validation: Uint32Array | null;
  /** Example ids trained on when there is a validation split; null when every example trains. */
  readonly training: Uint32Array | null;
  /** The augmentation draws; null without augmentation. */
  readonly crops: CropStream | null;
  private readonly order: Rng;

  constructor(task: Task, trainLabels: ArrayLike<number>, datasetShape: InputShape) {
    const { regularizer, seed } = task;
    // Without early stopping every example trains, drawn in exactly the order it was before
    // validation splits existed.
    const split = regularizer.earlyStoppingPatience === null ? null : validationSplit(trainLabels, seed);
    this.validation = split?.validation ?? null;
    this.training = split?.training ?? null;
    this.count = split ? split.training.length : trainLabels.length;
    this.order = Rng.create(seed, BATCH_ORDER_STREAM);
    this.crops = cropStream(seed, regularizer.augmentation, datasetShape);
  }

  /** The next epoch's example ids in batch order: a fresh permutation, mapped through the split. */
  nextEpoch(): Uint32Array {
    const drawn = this.order.permutation(this.count);
    const training = this.training;
    return training ? drawn.map((i) => training[i]!) : drawn;
  }

  /** The augmentation draws of the next `size` examples trained (see CropStream.draw); null without augmentation. */
  cropDraws(size: number): Uint8Array | null {
    return this.crops?.draw(size) ?? null;
  }
}
