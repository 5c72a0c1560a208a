// `smoke`: seconds on one CPU core. An over-parameterized MLP memorizes a few hundred real
// digits with random labels; used by the tests and CI.
import { DEFAULT_MEASURE_SETTINGS, type Suite } from "../contract/index.js";
import { unregularized } from "./corruptions.js";

export const smokeSuite: Suite = {
  id: "smoke",
  version: 3,
  title: "Smoke test",
  description:
    "An MLP with one hidden layer of 512 units on 250 real MNIST digits (25 per class), " +
    "trained on true and on fully random labels until every training label is fitted, with three seeds. " +
    "Seconds on one CPU core; checks that the whole pipeline works.",
  datasets: [{ id: "mnist-10k", trainSize: 250, testSize: 250 }],
  architectures: [{ id: "mlp-1x512" }],
  conditions: unregularized([{ kind: "true" }, { kind: "random" }]),
  // Three seeds, so that a board of smoke results has medians over seeds (tests and CI use it);
  // `run --suite smoke --seed 0` trains two runs.
  seeds: [0, 1, 2],
  optimizer: { kind: "sgd-momentum", learningRate: 0.05, momentum: 0.9, decayPerEpoch: 1, batchSize: 128 },
  epochs: 100,
  fitThreshold: 1,
  // Lighter sharpness than the other suites: a smoke run trains for about a second, and the two
  // sharpness measures cost a fixed number of passes whatever the run's length (bench:measures).
  measures: { ...DEFAULT_MEASURE_SETTINGS, sharpnessExamples: 128, sharpnessSteps: 2 },
};
