// The training loop of one run: SGD with momentum on backend-resident data, a full
// evaluation of the training and test sets after every epoch, and the stopping rules.
import * as tf from "@tensorflow/tfjs";
import {
  type EpochPoint,
  type InputShape,
  type MeasureSettings,
  type RunMeasures,
  stopAfter,
  type Task,
} from "../../schema/index.js";
import type { ImageSet } from "../datasets/dataset.js";
import { computeMeasures, type KernelMatrix, readKernels } from "../measures/index.js";
import { type ArchitectureBuilder, RegularizerNotApplicable } from "../models/index.js";
import { modelInputShape } from "../models/input-shape.js";
import { RunInputs, type Split, selectExamples } from "./inputs.js";
import { RunSchedule } from "./schedule.js";

/** A run's data, already corrupted; the test labels are the true labels. */
export interface TrainData {
  shape: InputShape;
  classes: number;
  train: ImageSet;
  test: ImageSet;
}

/**
 * How a run ended: its curve (the epochs it finished) and, unless it failed, its final predictions
 * and the complexity measures of its final weights (null when it failed or its suite has none).
 */
export interface RunOutcome {
  status: "ok" | "failed";
  failure: string | null;
  curve: EpochPoint[];
  predictions: { train: Uint8Array; test: Uint8Array } | null;
  measures: RunMeasures | null;
}

export interface TrainHooks {
  /** Called after each epoch's evaluation. */
  onEpoch?: (point: EpochPoint) => void;
  /** Aborting rejects `trainRun` with the signal's reason, between two steps. */
  signal?: AbortSignal;
}

/** Examples per forward pass when evaluating; large batches amortize per-kernel overheads. */
const EVAL_BATCH = 500;

/**
 * Messages of allocation failures: emscripten's (wasm: "Aborted(OOM)", "Cannot enlarge
 * memory"), V8's (cpu: "Array buffer allocation failed") and TensorFlow's ("OOM when
 * allocating tensor").
 */
const OUT_OF_MEMORY = /out of memory|\bOOM\b|Cannot enlarge memory|Array buffer allocation failed/i;

/** A run that cannot go on (NaN loss, out of memory): recorded as failed, never thrown. */
class RunFailure extends Error {}

/**
 * Whether the model ends in a softmax (its outputs are probabilities) rather than in logits: its
 * output layer is a Softmax layer, or has activation "softmax" (an Activation layer or any layer
 * with that activation). A model used as the last layer (a Sequential head) is looked into.
 */
export function outputsProbabilities(model: tf.LayersModel): boolean {
  // A Sequential model has no output layers of its own; its last layer is its output.
  const last = model.outputLayers[0] ?? model.layers.at(-1);
  if (last instanceof tf.LayersModel) return outputsProbabilities(last);
  const config = last?.getConfig() as { activation?: string } | undefined;
  return last?.getClassName() === "Softmax" || config?.activation === "softmax";
}

/** Per-example cross-entropy of outputs (logits or probabilities) against class ids. */
export function crossEntropy(
  outputs: tf.Tensor,
  labels: tf.Tensor1D,
  classes: number,
  probabilities: boolean,
): tf.Tensor1D {
  return tf.tidy(() => {
    const oneHot = tf.oneHot(labels, classes);
    if (probabilities) {
      // Keras' categorical cross-entropy on probabilities clips them away from 0 and 1.
      const clipped = tf.clipByValue(outputs, 1e-7, 1 - 1e-7);
      return tf.neg(tf.sum(tf.mul(oneHot, tf.log(clipped)), -1)) as tf.Tensor1D;
    }
    return tf.losses.softmaxCrossEntropy(oneHot, outputs, undefined, undefined, tf.Reduction.NONE) as tf.Tensor1D;
  });
}

interface Evaluation {
  loss: number;
  acc: number;
  /** The class each example is predicted as: the very argmax that `acc` counts. */
  predictions: Uint8Array;
}

/**
 * Loss, accuracy and predicted classes over a whole split, in inference mode, from one forward
 * pass; sums and class ids stay on the backend until the end. `acc` is the float32 sum of the
 * correct predictions (exact integers) over the count, so scoring `predictions` against the same
 * labels in JS gives exactly `acc`, which is how the server checks a run's final accuracies.
 */
async function evaluate(
  model: tf.LayersModel,
  split: Split,
  classes: number,
  probabilities: boolean,
): Promise<Evaluation> {
  let totals = tf.zeros([2]);
  const batchIds: tf.Tensor[] = [];
  for (let start = 0; start < split.count; start += EVAL_BATCH) {
    const size = Math.min(EVAL_BATCH, split.count - start);
    const { next, ids } = tf.tidy(() => {
      const x = tf.slice(split.images, [start, 0, 0, 0], [size, -1, -1, -1]);
      const y = tf.slice(split.labels, [start], [size]);
      const outputs = model.apply(x, { training: false }) as tf.Tensor;
      const loss = tf.sum(crossEntropy(outputs, y, classes, probabilities));
      const ids = tf.argMax(outputs, -1);
      const correct = tf.sum(tf.cast(tf.equal(ids, y), "float32"));
      return { next: tf.add(totals, tf.stack([loss, correct])), ids };
    });
    totals.dispose();
    totals = next;
    batchIds.push(ids);
  }
  const allIds = tf.concat(batchIds);
  tf.dispose(batchIds);
  const [sums, ids] = await Promise.all([totals.data(), allIds.data()]);
  tf.dispose([totals, allIds]);
  return { loss: sums[0]! / split.count, acc: sums[1]! / split.count, predictions: Uint8Array.from(ids) };
}

/**
 * SGD with momentum as TensorFlow's MomentumOptimizer (the paper's): v ← μ·v + g,
 * w ← w − η·v. Weight decay λ adds λ·w to the gradient of every kernel (weights of rank ≥ 2;
 * not biases or batch-norm parameters), i.e. the penalty (λ/2)·Σ‖w‖².
 */
class MomentumSgd {
  private readonly velocities: tf.Variable[];

  constructor(
    private readonly weights: tf.Variable[],
    private readonly momentum: number,
    private readonly weightDecay: number,
  ) {
    this.velocities = tf.tidy(() => weights.map((w) => tf.variable(tf.zerosLike(w), false)));
  }

  step(grads: tf.NamedTensorMap, learningRate: number): void {
    tf.tidy(() => {
      this.weights.forEach((w, i) => {
        let g = grads[w.name]!;
        if (this.weightDecay > 0 && w.rank >= 2) g = tf.add(g, tf.mul(w, this.weightDecay));
        const v = tf.add(tf.mul(this.velocities[i]!, this.momentum), g);
        this.velocities[i]!.assign(v);
        w.assign(tf.sub(w, tf.mul(v, learningRate)));
      });
    });
  }

  dispose(): void {
    tf.dispose(this.velocities);
  }
}

const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));

function failureReason(error: unknown, epoch: number): string | null {
  if (error instanceof RunFailure) return error.message;
  const message = error instanceof Error ? error.message : String(error);
  return OUT_OF_MEMORY.test(message)
    ? `out of memory in epoch ${epoch}: ${message.split("\n")[0]!.slice(0, 300)}`
    : null;
}

/**
 * Trains one run and evaluates it after every epoch (docs/training.md). Deterministic for a task
 * seed and backend. A NaN or infinite loss or an out-of-memory error ends the run as
 * `failed` with its reason and the epochs it finished; any other error is a bug and throws.
 * With the suite's `measures` settings, an ok run also records the complexity measures of its
 * final weights (runner/measures), against the kernels it had right after the build.
 *
 * @example
 * const outcome = await trainRun(task, await loadArchitecture({ kind: "builtin", id: "mlp-1x512" }), data);
 * outcome.curve.at(-1)?.trainAcc // 1
 */
export async function trainRun(
  task: Task,
  architecture: ArchitectureBuilder,
  data: TrainData,
  hooks: TrainHooks = {},
  measures: MeasureSettings | null = null,
): Promise<RunOutcome> {
  const { optimizer, regularizer } = task;
  // The split, the batch order and the crops come from the schedule the torch engine also trains by.
  const schedule = new RunSchedule(task, data.train.labels, data.shape);
  const inputs = new RunInputs(data, schedule.crops);
  // Early stopping holds out a validation split and never trains on it.
  const validation = schedule.validation && selectExamples(inputs.train, schedule.validation);
  const curve: EpochPoint[] = [];
  let model: tf.LayersModel | null = null;
  let sgd: MomentumSgd | null = null;
  let learningRate = optimizer.learningRate;
  try {
    try {
      model = architecture.build({
        inputShape: modelInputShape(data.shape),
        classes: data.classes,
        regularizer,
        seed: task.seed,
      });
    } catch (error) {
      if (error instanceof RegularizerNotApplicable)
        return { status: "failed", failure: error.message, curve, predictions: null, measures: null };
      throw error;
    }
    const probabilities = outputsProbabilities(model);
    // Distance from initialization needs the weights as built, before the first step changes them.
    const initialKernels: KernelMatrix[] | null = measures && readKernels(model);
    const weights = model.trainableWeights.map((w) => w.read() as tf.Variable);
    sgd = new MomentumSgd(weights, optimizer.momentum, regularizer.weightDecay);
    const count = schedule.count;
    let trainSeconds = 0;
    let last: { train: Uint8Array; test: Uint8Array } | null = null;
    for (let epoch = 1; epoch <= task.epochs; epoch++) {
      try {
        const permutation = schedule.nextEpoch();
        const started = performance.now();
        for (let start = 0; start < count; start += optimizer.batchSize) {
          hooks.signal?.throwIfAborted();
          const ids = Int32Array.from(permutation.subarray(start, Math.min(start + optimizer.batchSize, count)));
          tf.tidy(() => {
            const { x, y } = inputs.batch(ids);
            const { grads } = tf.variableGrads(
              () =>
                tf.mean(
                  crossEntropy(model!.apply(x, { training: true }) as tf.Tensor, y, data.classes, probabilities),
                ) as tf.Scalar,
              weights,
            );
            sgd!.step(grads, learningRate);
          });
          await nextTick(); // lets a worker thread see an abort message between steps
        }
        await weights[0]!.data(); // a backend that queues work finishes it before the clock stops
        trainSeconds += (performance.now() - started) / 1000;

        const train = await evaluate(model, inputs.train, data.classes, probabilities);
        const test = await evaluate(model, inputs.test, data.classes, probabilities);
        // The run's final predictions are those of its last evaluated epoch, the curve's last point.
        last = { train: train.predictions, test: test.predictions };
        const valAcc = validation && (await evaluate(model, validation, data.classes, probabilities)).acc;
        const broken = [train.loss, test.loss].find((loss) => !Number.isFinite(loss));
        if (broken !== undefined) {
          throw new RunFailure(
            `the loss became ${Number.isNaN(broken) ? "NaN" : "infinite"} in epoch ${epoch} ` +
              `(training loss ${train.loss}, test loss ${test.loss}); ` +
              `the learning rate may be too high`,
          );
        }
        const point: EpochPoint = {
          epoch,
          trainLoss: train.loss,
          trainAcc: train.acc,
          testLoss: test.loss,
          testAcc: test.acc,
          ...(valAcc !== null && { valAcc }),
          wallSeconds: trainSeconds,
        };
        curve.push(point);
        hooks.onEpoch?.(point);

        learningRate *= optimizer.decayPerEpoch;
        // The rule the server replays on the curve (schema/stopping-rule.ts): fitted, patience, budget.
        if (stopAfter(curve, task) !== null) break;
      } catch (error) {
        const reason = failureReason(error, epoch);
        if (reason === null) throw error;
        return { status: "failed", failure: reason, curve, predictions: null, measures: null };
      }
    }
    // Every task has at least one epoch, and an epoch that does not end in an evaluation throws.
    if (!last) throw new Error(`${task.epochs} epochs ended without an evaluation`);
    // The weights now are those of the last evaluated epoch, the ones the predictions came from.
    let measured: RunMeasures | null = null;
    if (measures && initialKernels) {
      try {
        measured = computeMeasures(
          model,
          initialKernels,
          {
            train: inputs.train,
            classes: data.classes,
            crossEntropy: (outputs, labels) => crossEntropy(outputs, labels, data.classes, probabilities),
          },
          measures,
          probabilities,
        );
      } catch (error) {
        const reason = failureReason(error, curve.length);
        if (reason === null) throw error;
        return {
          status: "failed",
          failure: `measuring the final weights: ${reason}`,
          curve,
          predictions: null,
          measures: null,
        };
      }
    }
    return { status: "ok", failure: null, curve, predictions: last, measures: measured };
  } finally {
    model?.dispose();
    sgd?.dispose();
    inputs.dispose();
    if (validation) tf.dispose([validation.images, validation.labels]);
  }
}
