// `quick`: the default of `rethink-bench run`. The whole corruption sweep on the embedded
// MNIST subset with an MLP and a small CNN: about 10 minutes on 2 cores (9 min 51 s measured on a clean
// clone, npm ci included); the description says "about 15", the bound the design sets for this suite.
import { DEFAULT_MEASURE_SETTINGS, type Suite } from "../contract/index.js";
import { ALL_CORRUPTIONS, unregularized } from "./corruptions.js";

export const quickSuite: Suite = {
  id: "quick",
  version: 2,
  title: "Quick sweep",
  description:
    "Every randomization test of the paper " +
    "(true labels, partially corrupted labels p = 0.2 to 0.8, random labels, " +
    "shuffled pixels, random pixels, Gaussian inputs) " +
    "on a subset of the embedded MNIST digits, for an MLP and a small CNN. " +
    "About 15 minutes on a 2-core laptop CPU.",
  datasets: [{ id: "mnist-10k", trainSize: 1000, testSize: 1000 }],
  architectures: [{ id: "mlp-1x512" }, { id: "small-alexnet-tiny" }],
  conditions: unregularized(ALL_CORRUPTIONS),
  seeds: [0],
  optimizer: { kind: "sgd-momentum", learningRate: 0.05, momentum: 0.9, decayPerEpoch: 1, batchSize: 128 },
  epochs: 100,
  fitThreshold: 1,
  measures: DEFAULT_MEASURE_SETTINGS,
};
