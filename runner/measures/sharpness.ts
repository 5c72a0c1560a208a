// The two sharpness measures (docs/measures.md): PAC-Bayes flatness (the largest relative σ of
// Gaussian weight noise the training accuracy survives) and worst-case sharpness in a relative box.
import * as tf from "@tensorflow/tfjs";
import type { MeasureSettings } from "../../schema/index.js";
import type { Split } from "../train/inputs.js";

/** Examples per forward pass: large batches amortize per-kernel overheads (as the loop's evaluation). */
export const MEASURE_BATCH = 500;

/** A model's forward pass in inference mode and its loss as training computes it. */
export interface Scorer {
  model: tf.LayersModel;
  classes: number;
  /** Per-example cross-entropy of the model's outputs against class ids (the training loop's). */
  crossEntropy: (outputs: tf.Tensor, labels: tf.Tensor1D) => tf.Tensor1D;
}

/** Calls `each` on consecutive slices of at most MEASURE_BATCH examples of a split. */
function forBatches(split: Split, each: (x: tf.Tensor4D, y: tf.Tensor1D) => void): void {
  for (let start = 0; start < split.count; start += MEASURE_BATCH) {
    const size = Math.min(MEASURE_BATCH, split.count - start);
    tf.tidy(() => {
      const x = tf.slice(split.images, [start, 0, 0, 0], [size, -1, -1, -1]);
      const y = tf.slice(split.labels, [start], [size]);
      each(x, y);
    });
  }
}

/** Accuracy on the split in inference mode: correct predictions (an exact count) over the examples. */
export function accuracy(scorer: Scorer, split: Split): number {
  let correct: tf.Tensor = tf.scalar(0);
  forBatches(split, (x, y) => {
    const outputs = scorer.model.apply(x, { training: false }) as tf.Tensor;
    const hits = tf.sum(tf.cast(tf.equal(tf.argMax(outputs, -1), y), "int32"));
    const next = tf.keep(tf.add(correct, hits));
    correct.dispose();
    correct = next;
  });
  const count = correct.dataSync()[0]!;
  correct.dispose();
  return count / split.count;
}

/**
 * N(0, 1) draws from TF.js's seeded generator (alea over the seed's decimal digits). TF.js reads a
 * seed of 0 as "no seed" and draws from Math.random instead, so the seed goes in as its string:
 * the same generator for every seed, 0 included.
 */
export function seededNormal(shape: number[], seed: number): tf.Tensor {
  return tf.randomNormal(shape, 0, 1, "float32", String(seed) as unknown as number);
}

/** The trainable parameter tensors in the model's trainable-weights order (the seed index j). */
function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/**
 * Runs `measure` with the trainable weights free to change and puts the original values back after,
 * whatever happens; `saved` are copies of the originals, in trainable-weights order.
 */
function withRestoredWeights<T>(model: tf.LayersModel, measure: (weights: tf.Variable[], saved: tf.Tensor[]) => T): T {
  const weights = trainableVariables(model);
  const saved = weights.map((w) => tf.clone(w));
  try {
    return measure(weights, saved);
  } finally {
    for (const [j, w] of weights.entries()) w.assign(saved[j]!);
    tf.dispose(saved);
  }
}

/**
 * PAC-Bayes flatness, magnitude-aware (Jiang et al. 2020, with their ε = 0): the largest σ for
 * which weights w + σ·|w|·z (z ~ N(0, 1) seeded `1000003·s + j` for draw s and parameter tensor j)
 * lose at most `flatnessAccuracyDrop` of the accuracy on `sample`, averaged over the draws; found
 * by bisection on ln σ between the settings' bounds. The weights are restored after.
 *
 * @example
 * flatnessSigma(scorer, firstExamples, DEFAULT_MEASURE_SETTINGS) // 0.0631
 */
export function flatnessSigma(scorer: Scorer, sample: Split, settings: MeasureSettings): number {
  return withRestoredWeights(scorer.model, (weights, saved) => {
    const before = accuracy(scorer, sample);
    // σ·|w|·z for every σ comes from one |w|·z per draw and tensor: the draws do not depend on σ.
    const noise = tf.tidy(() =>
      Array.from({ length: settings.flatnessSamples }, (_, s) =>
        saved.map((w, j) => tf.mul(tf.abs(w), seededNormal(w.shape, 1000003 * s + j))),
      ),
    );
    try {
      const draws = noise.length;
      const passes = (sigma: number): boolean => {
        let total = 0;
        for (const [s, draw] of noise.entries()) {
          tf.tidy(() =>
            weights.forEach((w, j) => {
              w.assign(tf.add(saved[j]!, tf.mul(draw[j]!, sigma)));
            }),
          );
          total += accuracy(scorer, sample);
          // The answer is settled once the draws left could not change it even at accuracy 1 or 0:
          // skipping them gives the same answer for less.
          const left = draws - 1 - s;
          if (before - (total + left) / draws > settings.flatnessAccuracyDrop) return false;
          if (before - total / draws <= settings.flatnessAccuracyDrop) return true;
        }
        return before - total / draws <= settings.flatnessAccuracyDrop;
      };
      if (passes(settings.flatnessSigmaMax)) return settings.flatnessSigmaMax;
      if (!passes(settings.flatnessSigmaMin)) return settings.flatnessSigmaMin;
      let lo = Math.log(settings.flatnessSigmaMin);
      let hi = Math.log(settings.flatnessSigmaMax);
      for (let step = 0; step < settings.flatnessSteps; step++) {
        const mid = (lo + hi) / 2;
        if (passes(Math.exp(mid))) lo = mid;
        else hi = mid;
      }
      return Math.exp(lo);
    } finally {
      tf.dispose(noise.flat());
    }
  });
}

/**
 * Worst-case sharpness in the relative box |u| ≤ α·|w| (Keskar et al. 2017, with Jiang et al.'s
 * magnitude-aware box): `sharpnessSteps` steps of u ← clip(u + (2α/steps)·|w|·sign(∇L(w + u)))
 * from u = 0, then L(w + u) − L(w), L the mean training cross-entropy on `sample` in inference
 * mode. The weights are restored after.
 *
 * @example
 * adversarialSharpness(scorer, firstExamples, DEFAULT_MEASURE_SETTINGS) // 0.042
 */
export function adversarialSharpness(scorer: Scorer, sample: Split, settings: MeasureSettings): number {
  return withRestoredWeights(scorer.model, (weights, saved) => {
    const alpha = settings.sharpnessBox;
    const stepSize = (2 * alpha) / settings.sharpnessSteps;
    let shift = saved.map((w) => tf.zerosLike(w));
    const bounds = tf.tidy(() => saved.map((w) => tf.mul(tf.abs(w), alpha)));
    const place = () =>
      tf.tidy(() =>
        weights.forEach((w, j) => {
          w.assign(tf.add(saved[j]!, shift[j]!));
        }),
      );
    try {
      // L(w) is the loss of the first step's gradient pass (u = 0 there), and L(w + u) is summed the same way.
      let before = 0;
      for (let step = 0; step < settings.sharpnessSteps; step++) {
        place();
        const { loss, grads } = lossAndGradients(scorer, sample, weights);
        if (step === 0) before = loss;
        const next = tf.tidy(() =>
          shift.map((u, j) => {
            const bound = bounds[j]!;
            const moved = tf.add(u, tf.mul(tf.mul(tf.abs(saved[j]!), stepSize), tf.sign(grads[j]!)));
            return tf.minimum(tf.maximum(moved, tf.neg(bound)), bound);
          }),
        );
        tf.dispose([...shift, ...grads]);
        shift = next;
      }
      place();
      return lossAndGradients(scorer, sample, null).loss - before;
    } finally {
      tf.dispose([...shift, ...bounds]);
    }
  });
}

/**
 * The mean cross-entropy over the sample in inference mode, as Σ over batches of (Σ loss)/N, and
 * with `weights` its gradient with respect to them (zeros for a tensor the loss does not reach).
 */
function lossAndGradients(
  scorer: Scorer,
  sample: Split,
  weights: tf.Variable[] | null,
): { loss: number; grads: tf.Tensor[] } {
  let total: tf.Tensor = tf.scalar(0);
  let grads: tf.Tensor[] = weights ? weights.map((w) => tf.zerosLike(w)) : [];
  forBatches(sample, (x, y) => {
    const loss = () =>
      tf.div(
        tf.sum(scorer.crossEntropy(scorer.model.apply(x, { training: false }) as tf.Tensor, y)),
        sample.count,
      ) as tf.Scalar;
    let value: tf.Scalar;
    if (weights) {
      const result = tf.variableGrads(loss, weights);
      value = result.value;
      const summed = grads.map((g, j) => {
        const batch = result.grads[weights[j]!.name];
        return tf.keep(batch ? tf.add(g, batch) : g);
      });
      tf.dispose(grads.filter((g, j) => summed[j] !== g));
      grads = summed;
    } else {
      value = loss();
    }
    const next = tf.keep(tf.add(total, value));
    total.dispose();
    total = next;
  });
  const loss = total.dataSync()[0]!;
  total.dispose();
  return { loss, grads };
}
