// `paper`: full CIFAR-10 with the paper's four models and hyper-parameters (Appendix A).
// GPU scale.
import { DEFAULT_MEASURE_SETTINGS, type Suite } from "../contract/index.js";
import { ALL_CORRUPTIONS, ablations, unregularized } from "./corruptions.js";
import { REGULARIZERS } from "./regularizers.js";

export const paperSuite: Suite = {
  id: "paper",
  version: 2,
  title: "Paper (CIFAR-10)",
  description:
    "The paper's set-up: all 50,000 CIFAR-10 training images, " +
    "small Inception (learning rate 0.1), small AlexNet and the two MLPs (0.01), " +
    "SGD with momentum 0.9, learning rate ×0.95 per epoch, batch 128; " +
    "the full corruption sweep and the Table 1 ablations on true and random labels. Needs a GPU.",
  datasets: [{ id: "cifar10", trainSize: 50000, testSize: 10000 }],
  architectures: [
    { id: "small-inception", learningRate: 0.1 },
    { id: "small-alexnet" },
    { id: "mlp-1x512" },
    { id: "mlp-3x512" },
  ],
  conditions: [
    ...unregularized(ALL_CORRUPTIONS),
    ...ablations([REGULARIZERS.weightDecay, REGULARIZERS.crop, REGULARIZERS.cropWeightDecay]),
    ...ablations([REGULARIZERS.noBatchNorm], ["small-inception"]),
  ],
  seeds: [0, 1, 2],
  optimizer: { kind: "sgd-momentum", learningRate: 0.01, momentum: 0.9, decayPerEpoch: 0.95, batchSize: 128 },
  epochs: 100,
  fitThreshold: 1,
  measures: DEFAULT_MEASURE_SETTINGS,
};
