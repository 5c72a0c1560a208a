// `standard`: Fashion-MNIST and CIFAR-10 subsets with the regularizer ablations of the
// paper's Table 1. Needs the datasets on disk (downloaded or from a local copy).
//
// Version 2: early stopping holds out a validation split of the training subset and stops on
// validation accuracy (v1 stopped on test accuracy, selecting on the test set). Version 1 is not
// kept: a server that knew it would go on accepting that selection, and no published result or
// test fixture uses it.
import { DEFAULT_MEASURE_SETTINGS, type Suite } from "../contract/index.js";
import { ALL_CORRUPTIONS, ablations, unregularized } from "./corruptions.js";
import { REGULARIZERS } from "./regularizers.js";

export const standardSuite: Suite = {
  id: "standard",
  version: 3,
  title: "Standard",
  description:
    "Fashion-MNIST and CIFAR-10 subsets of 10,000 training images: " +
    "the full corruption sweep without regularization, plus the ablations of the paper's Table 1 " +
    "(weight decay, random crops, dropout, batch norm, early stopping) on true and random labels; " +
    "early stopping holds out 10% of the training subset and stops on its accuracy. " +
    "Three seeds. Hours on a CPU, minutes on a GPU.",
  datasets: [
    { id: "fashion-mnist", trainSize: 10000, testSize: 2000 },
    { id: "cifar10", trainSize: 10000, testSize: 2000 },
  ],
  architectures: [
    { id: "mlp-1x512" },
    { id: "mlp-3x512" },
    { id: "small-alexnet" },
    { id: "small-inception", learningRate: 0.1 },
  ],
  conditions: [
    ...unregularized(ALL_CORRUPTIONS),
    ...ablations([
      REGULARIZERS.weightDecay,
      REGULARIZERS.crop,
      REGULARIZERS.cropWeightDecay,
      REGULARIZERS.dropout,
      REGULARIZERS.earlyStopping,
    ]),
    ...ablations([REGULARIZERS.noBatchNorm], ["small-inception"]),
  ],
  seeds: [0, 1, 2],
  optimizer: { kind: "sgd-momentum", learningRate: 0.01, momentum: 0.9, decayPerEpoch: 0.95, batchSize: 128 },
  epochs: 100,
  fitThreshold: 1,
  measures: DEFAULT_MEASURE_SETTINGS,
};
