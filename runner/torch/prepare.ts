// The torch engine's task preparation, shared by `run --engine torch` and `tasks export`: the data
// exactly as the TF.js loop sees it (corrupted, split, ordered, crops drawn) and the network to build.
import type * as tf from "@tensorflow/tfjs";
import type { InputShape, MeasureSettings, Task } from "../../schema/index.js";
import { corruptDataset } from "../corruptions.js";
import type { Dataset } from "../datasets/dataset.js";
import type { ArchitectureBuilder } from "../models/index.js";
import { isCifarShaped, modelInputShape } from "../models/input-shape.js";
import { canonicalTopology } from "../models/topology.js";
import { RunSchedule } from "../train/schedule.js";
import type { TorchModelSource, TorchTaskInput } from "./task-files.js";

/**
 * A task's input for the torch worker: the dataset corrupted as `run` corrupts it, and the
 * schedule of all `task.epochs` epochs drawn up front from the same seeded streams as the TF.js
 * loop draws them epoch by epoch (runner/train/schedule.ts): the order of every epoch's
 * examples, their crop draws (with augmentation) and the early-stopping split. A run that stops
 * early simply leaves the tail unused, as the TF.js loop leaves it undrawn. `measures`: the suite's
 * measure settings, with which the worker measures the final weights of an ok run (null: it does not).
 *
 * @example
 * const input = torchTaskInput(task, await loadDataset(task.dataset, options), source, suite.measures ?? null);
 * input.schedule.order.length // task.epochs × input.schedule.count
 */
export function torchTaskInput(
  task: Task,
  dataset: Dataset,
  model: TorchModelSource,
  measures: MeasureSettings | null = null,
): TorchTaskInput {
  const corrupted = corruptDataset(dataset, task.corruption, task.seed);
  const schedule = new RunSchedule(task, corrupted.train.labels, corrupted.shape);
  const { count } = schedule;
  const order = new Uint32Array(task.epochs * count);
  const crops = schedule.crops ? new Uint8Array(task.epochs * count * 3) : null;
  for (let epoch = 0; epoch < task.epochs; epoch++) {
    order.set(schedule.nextEpoch(), epoch * count);
    // The TF.js loop draws each batch's crops as it trains it, in this order: one epoch at once is the same.
    if (crops) crops.set(schedule.cropDraws(count)!, epoch * count * 3);
  }
  return {
    task,
    model,
    inputShape: modelInputShape(corrupted.shape),
    classes: corrupted.classes,
    preprocess: isCifarShaped(corrupted.shape) ? "cifar" : "none",
    framePadding: schedule.crops?.frame.padding ?? 0,
    train: corrupted.train,
    test: corrupted.test,
    schedule: { count, order, crops, validation: schedule.validation },
    measures,
  };
}

/**
 * The network the torch worker builds for a task, from a TF.js architecture: its canonical
 * topology built WITH the task's regularizer (its dropout and batch-norm layers present, as the
 * TF.js loop trains it), seeds nulled; the worker draws the weights from the task seed itself.
 * `shape` is the dataset's image shape or the model's input shape (CIFAR's 32×32 becomes 28×28).
 * Throws what `builder.build` throws, RegularizerNotApplicable included (the run then fails as
 * it does on TF.js).
 *
 * @example
 * torchModelSource(await loadArchitecture({ kind: "builtin", id: "mlp-1x512" }), task, [28, 28, 1], 10).kind
 * // "topology"
 */
export function torchModelSource(
  builder: ArchitectureBuilder,
  task: Task,
  shape: InputShape,
  classes: number,
): TorchModelSource {
  let model: tf.LayersModel | null = null;
  try {
    model = builder.build({
      inputShape: modelInputShape(shape),
      classes,
      regularizer: task.regularizer,
      seed: task.seed,
    });
    return { kind: "topology", topology: canonicalTopology(model) };
  } finally {
    model?.dispose();
  }
}
