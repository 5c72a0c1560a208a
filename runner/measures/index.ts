// Complexity measures of a trained TF.js network (docs/measures.md): norms, spectral product,
// path norm, output margin and sharpness, from its final and initial weights on its training set.
import * as tf from "@tensorflow/tfjs";
import { type MeasureSettings, quantile, type RunMeasures } from "../../schema/index.js";
import type { Split } from "../train/inputs.js";
import { distanceFromInit, frobeniusSquared, type KernelMatrix, logSpectralProduct, readKernels } from "./kernels.js";
import { logPathL2 } from "./path-l2.js";
import { adversarialSharpness, flatnessSigma, MEASURE_BATCH, type Scorer } from "./sharpness.js";

export { type KernelMatrix, readKernels, spectralNorm } from "./kernels.js";
export { logPathL2 } from "./path-l2.js";

/** The run's training set as the model sees it (labels as trained on), and how to score it. */
export interface MeasureData {
  train: Split;
  classes: number;
  /** Per-example cross-entropy exactly as training computes it. */
  crossEntropy: Scorer["crossEntropy"];
}

/**
 * Per-example margins f_y − max_{j≠y} f_j over the split in inference mode, f the logits, or
 * ln p for a model that outputs probabilities p (softmax is shift-invariant, so log-probability
 * differences are logit differences).
 */
export function margins(model: tf.LayersModel, split: Split, classes: number, probabilities: boolean): Float32Array {
  const parts: tf.Tensor[] = [];
  for (let start = 0; start < split.count; start += MEASURE_BATCH) {
    const size = Math.min(MEASURE_BATCH, split.count - start);
    parts.push(
      tf.tidy(() => {
        const x = tf.slice(split.images, [start, 0, 0, 0], [size, -1, -1, -1]);
        const y = tf.slice(split.labels, [start], [size]);
        const outputs = model.apply(x, { training: false }) as tf.Tensor2D;
        const f = probabilities ? tf.log(outputs) : outputs;
        const isTrue = tf.cast(tf.oneHot(y, classes), "bool");
        const trueScore = tf.sum(tf.where(isTrue, f, tf.zerosLike(f)), -1);
        const otherScore = tf.max(tf.where(isTrue, tf.fill(f.shape, Number.NEGATIVE_INFINITY), f), -1);
        return tf.sub(trueScore, otherScore);
      }),
    );
  }
  const all = tf.concat(parts);
  const values = all.dataSync() as Float32Array;
  tf.dispose([...parts, all]);
  return Float32Array.from(values);
}

/** γ: the type-7 quantile of the margins; null when it is not finite (or a margin is NaN). */
export function marginQuantile(values: Float32Array, q: number): number | null {
  if (values.some(Number.isNaN)) return null;
  const sorted = Array.from(values).sort((a, b) => a - b);
  const gamma = quantile(sorted, q);
  return Number.isFinite(gamma) ? gamma : null;
}

/**
 * Every measure of a trained network (docs/measures.md) from its current (final) weights and the
 * kernels it had right after the build, on its training set with the labels it trained on, in
 * inference mode. Deterministic for a backend; the model's weights are unchanged afterwards.
 * `parameterCount` is the model's own count: the run's record takes its architecture's.
 *
 * @example
 * const initial = readKernels(model);
 * // … training …
 * const measures = computeMeasures(model, initial, { train, classes: 10, crossEntropy }, suite.measures, false);
 */
export function computeMeasures(
  model: tf.LayersModel,
  initialKernels: readonly KernelMatrix[],
  data: MeasureData,
  settings: MeasureSettings,
  probabilities: boolean,
): RunMeasures {
  const started = performance.now();
  const kernels = readKernels(model);
  const spectral = logSpectralProduct(kernels);
  const gamma = marginQuantile(margins(model, data.train, data.classes, probabilities), settings.marginQuantile);
  const scorer: Scorer = { model, classes: data.classes, crossEntropy: data.crossEntropy };
  const count = Math.min(settings.sharpnessExamples, data.train.count);
  const sample: Split = tf.tidy(() => ({
    images: tf.slice(data.train.images, [0, 0, 0, 0], [count, -1, -1, -1]),
    labels: tf.slice(data.train.labels, [0], [count]),
    count,
  }));
  try {
    return {
      parameterCount: model.countParams(),
      frobeniusSquared: frobeniusSquared(kernels),
      distanceFromInit: distanceFromInit(kernels, initialKernels),
      logSpectralProduct: spectral,
      logSpectralOverMargin:
        gamma !== null && gamma > 0 && spectral !== null ? 2 * spectral - 2 * Math.log(gamma) : null,
      logPathL2: logPathL2(model, probabilities),
      margin: gamma,
      flatnessSigma: flatnessSigma(scorer, sample, settings),
      adversarialSharpness: adversarialSharpness(scorer, sample, settings),
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    tf.dispose([sample.images, sample.labels]);
  }
}
