// The regularizer sets the suites combine (paper Table 1 and Appendix E).
import { NO_REGULARIZER, type Regularizer } from "../contract/index.js";

/** Weight decay coefficient: the paper does not state it; 5e-4 is the usual CIFAR-10 value. */
const WEIGHT_DECAY = 5e-4;

export const REGULARIZERS = {
  none: NO_REGULARIZER,
  weightDecay: { ...NO_REGULARIZER, name: "wd", weightDecay: WEIGHT_DECAY },
  crop: { ...NO_REGULARIZER, name: "crop", augmentation: "crop" },
  cropWeightDecay: { ...NO_REGULARIZER, name: "crop+wd", augmentation: "crop", weightDecay: WEIGHT_DECAY },
  dropout: { ...NO_REGULARIZER, name: "dropout", dropout: 0.5 },
  noBatchNorm: { ...NO_REGULARIZER, name: "no-bn", batchNorm: "off" },
  /** Batch norm between every hidden layer (convolution or dense) and its ReLU, for builders without it by default. */
  batchNorm: { ...NO_REGULARIZER, name: "bn", batchNorm: "on" },
  earlyStopping: { ...NO_REGULARIZER, name: "early-stop", earlyStoppingPatience: 5 },
} satisfies Record<string, Regularizer>;
