// `regularizers`: the paper's Table 1 on a laptop. Every regularizer ablation of the paper, each on
// true and on random labels, on the embedded MNIST subset with the quick suite's two models, so
// its second finding (explicit regularization helps a little and is not what makes networks
// generalize: random labels are still memorized with every regularizer on) can be seen in minutes.
import type { Suite } from "../contract/index.js";
import { ablations } from "./corruptions.js";
import { REGULARIZERS } from "./regularizers.js";

export const regularizersSuite: Suite = {
  id: "regularizers",
  version: 1,
  title: "Regularizers (Table 1)",
  description:
    "The regularizer ablations of the paper's Table 1 on true and on random labels " +
    "(none, weight decay, random crops, crops with weight decay, dropout, early stopping on a " +
    "validation split, and batch norm) on a subset of the embedded MNIST digits, for an MLP and a " +
    "small CNN. One seed. About 20 minutes on a 2-core laptop CPU.",
  datasets: [{ id: "mnist-10k", trainSize: 1000, testSize: 1000 }],
  architectures: [{ id: "mlp-1x512" }, { id: "small-alexnet-tiny" }],
  conditions: [
    ...ablations([
      REGULARIZERS.none,
      REGULARIZERS.weightDecay,
      REGULARIZERS.crop,
      REGULARIZERS.cropWeightDecay,
      REGULARIZERS.dropout,
      REGULARIZERS.earlyStopping,
    ]),
    ...ablations([REGULARIZERS.batchNorm], ["small-alexnet-tiny"]),
  ],
  seeds: [0],
  optimizer: { kind: "sgd-momentum", learningRate: 0.05, momentum: 0.9, decayPerEpoch: 1, batchSize: 128 },
  epochs: 100,
  fitThreshold: 1,
};
