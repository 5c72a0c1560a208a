// `standard`: Fashion-MNIST and CIFAR-10 subsets with the regularizer ablations of the
// paper's Table 1. Needs the datasets on disk (downloaded or from a local copy).
import type { Suite } from "../contract/index.js";
import { ALL_CORRUPTIONS } from "./corruptions.js";
import { REGULARIZERS } from "./regularizers.js";

export const standardSuite: Suite = {
  id: "standard",
  version: 1,
  title: "Standard",
  description:
    "Fashion-MNIST and CIFAR-10 subsets of 10,000 training images: the full corruption sweep without regularization, plus the ablations of the paper's Table 1 (weight decay, random crops, dropout, batch norm, early stopping) on true and random labels. Three seeds. Hours on a CPU, minutes on a GPU.",
  datasets: [
    { id: "fashion-mnist", trainSize: 10000, testSize: 2000 },
    { id: "cifar10", trainSize: 10000, testSize: 2000 },
  ],
  architectures: [{ id: "mlp-1x512" }, { id: "mlp-3x512" }, { id: "small-alexnet" }, { id: "small-inception", learningRate: 0.1 }],
  conditions: [
    ...ALL_CORRUPTIONS.map((corruption) => ({ corruption, regularizer: REGULARIZERS.none })),
    ...[REGULARIZERS.weightDecay, REGULARIZERS.crop, REGULARIZERS.cropWeightDecay, REGULARIZERS.dropout, REGULARIZERS.earlyStopping].flatMap((regularizer) => [
      { corruption: { kind: "true" as const }, regularizer },
      { corruption: { kind: "random" as const }, regularizer },
    ]),
    { corruption: { kind: "true" }, regularizer: REGULARIZERS.noBatchNorm, architectures: ["small-inception"] },
    { corruption: { kind: "random" }, regularizer: REGULARIZERS.noBatchNorm, architectures: ["small-inception"] },
  ],
  seeds: [0, 1, 2],
  optimizer: { kind: "sgd-momentum", learningRate: 0.01, momentum: 0.9, decayPerEpoch: 0.95, batchSize: 128 },
  epochs: 100,
  fitThreshold: 1,
};
