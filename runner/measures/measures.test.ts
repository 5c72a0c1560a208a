// Each complexity measure against values worked out by hand on tiny networks whose weights are
// written out here, and the invariance of the scale-free measures under ReLU rescaling.
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_MEASURE_SETTINGS, type MeasureSettings } from "../../schema/index.js";
import { initBackend } from "../train/index.js";
import type { Split } from "../train/inputs.js";
import { crossEntropy } from "../train/loop.js";
import { computeMeasures, type KernelMatrix, type MeasureData, spectralNorm } from "./index.js";
import { adversarialSharpness, flatnessSigma, seededNormal } from "./sharpness.js";

beforeAll(async () => {
  await initBackend("cpu");
});

/** A split of images [n, h, w, 1] given as flat pixel rows, and class ids. */
function split(images: number[][], shape: [number, number], labels: number[]): Split {
  return {
    images: tf.tensor4d(images.flat(), [images.length, shape[0], shape[1], 1]),
    labels: tf.tensor1d(labels, "int32"),
    count: labels.length,
  };
}

function measureData(train: Split, classes: number): MeasureData {
  return { train, classes, crossEntropy: (outputs, labels) => crossEntropy(outputs, labels, classes, false) };
}

const zeroKernels = (...sizes: [number, number][]): KernelMatrix[] =>
  sizes.map(([rows, cols]) => ({ rows, cols, values: new Float32Array(rows * cols) }));

/**
 * x (2 pixels) → dense 2, ReLU → dense 2 logits, with W1 = [[1, 2], [0, −1]], b1 = [0.5, 0],
 * W2 = [[1, −1], [2, 1]], b2 = [0, 0.25] (rows: inputs, columns: units, as TF stores them).
 */
function mlp(c = 1): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [1, 2, 1] }),
      tf.layers.dense({ units: 2, activation: "relu" }),
      tf.layers.dense({ units: 2 }),
    ],
  });
  model.setWeights([
    tf.tensor2d([
      [c * 1, c * 2],
      [0, c * -1],
    ]),
    tf.tensor1d([c * 0.5, 0]),
    tf.tensor2d([
      [1 / c, -1 / c],
      [2 / c, 1 / c],
    ]),
    tf.tensor1d([0, 0.25]),
  ]);
  return model;
}

// logits(x) = relu(x·W1 + b1)·W2 + b2; every example has label 0:
// (1, 1) → h = (1.5, 1) → (3.5, −0.25), margin 3.75;  (2, 0) → h = (2.5, 4) → (10.5, 1.75), margin 8.75;
// (0, 1) → h = (0.5, 0) → (0.5, −0.25), margin 0.75;  (1, 0) → h = (1.5, 2) → (5.5, 0.75), margin 4.75.
const MLP_IMAGES = [
  [1, 1],
  [2, 0],
  [0, 1],
  [1, 0],
];
// Sorted margins 0.75, 3.75, 4.75, 8.75; the 0.1 quantile (type 7) sits at position 0.3.
const MLP_MARGIN = 0.75 + 0.3 * (3.75 - 0.75);

describe("computeMeasures on a 2-layer MLP", () => {
  it("gives the hand-computed norms, spectral product, path norm and margin", () => {
    const model = mlp();
    const train = split(MLP_IMAGES, [1, 2], [0, 0, 0, 0]);
    // Initial kernels W1⁰ = I, W2⁰ = 0: W1 − W1⁰ = [[0, 2], [0, −2]] (8), W2 − 0 (1 + 1 + 4 + 1 = 7).
    const initial: KernelMatrix[] = [{ rows: 2, cols: 2, values: Float32Array.of(1, 0, 0, 1) }, ...zeroKernels([2, 2])];
    const m = computeMeasures(model, initial, measureData(train, 2), DEFAULT_MEASURE_SETTINGS, false);
    expect(m.parameterCount).toBe(12); // 2·2 + 2 + 2·2 + 2
    expect(m.frobeniusSquared).toBeCloseTo(1 + 4 + 0 + 1 + (1 + 1 + 4 + 1), 12);
    expect(m.distanceFromInit).toBeCloseTo(Math.sqrt(8 + 7), 12);
    // W1ᵀW1 = [[1, 2], [2, 5]]: σ² = 3 + 2√2, σ = 1 + √2. W2ᵀW2 = [[5, 1], [1, 2]]: σ² = (7 + √13)/2.
    const logSpectral = Math.log(1 + Math.SQRT2) + 0.5 * Math.log((7 + Math.sqrt(13)) / 2);
    expect(m.logSpectralProduct).toBeCloseTo(logSpectral, 9);
    expect(m.margin).toBeCloseTo(MLP_MARGIN, 5);
    expect(m.logSpectralOverMargin).toBeCloseTo(2 * logSpectral - 2 * Math.log(MLP_MARGIN), 5);
    // Squared kernels, no biases, input (1, 1): h = (1, 0 + 4 + 1) = (1, 5); out = (1 + 20, 1 + 5) → 27.
    expect(m.logPathL2).toBeCloseTo(0.5 * Math.log(27), 6);
    expect(m.seconds).toBeGreaterThan(0);
    // The weights are as they were.
    expect(Array.from(model.getWeights()[0]!.dataSync())).toEqual([1, 2, 0, -1]);
    expect(Array.from(model.getWeights()[3]!.dataSync())).toEqual([0, 0.25]);
  });

  it("keeps margin, spectral-over-margin and flatness when one ReLU layer is scaled by c and the next by 1/c", () => {
    const train = split(MLP_IMAGES, [1, 2], [0, 0, 0, 1]);
    const initial = zeroKernels([2, 2], [2, 2]);
    const settings: MeasureSettings = { ...DEFAULT_MEASURE_SETTINGS, marginQuantile: 0.5 };
    const plain = computeMeasures(mlp(), initial, measureData(train, 2), settings, false);
    const c = 4;
    const scaled = computeMeasures(mlp(c), initial, measureData(train, 2), settings, false);
    expect(scaled.margin).toBeCloseTo(plain.margin!, 4);
    expect(scaled.logSpectralProduct).toBeCloseTo(plain.logSpectralProduct!, 6);
    expect(scaled.logSpectralOverMargin).toBeCloseTo(plain.logSpectralOverMargin!, 4);
    // The bisection's last interval is (ln σmax − ln σmin)/2^steps wide.
    const step = Math.log(settings.flatnessSigmaMax / settings.flatnessSigmaMin) / 2 ** settings.flatnessSteps;
    expect(Math.abs(Math.log(scaled.flatnessSigma / plain.flatnessSigma))).toBeLessThanOrEqual(step + 1e-12);
    expect(scaled.adversarialSharpness).toBeCloseTo(plain.adversarialSharpness, 4);
    // ‖cW1‖² + ‖W2/c‖² = c²·6 + 7/c².
    expect(scaled.frobeniusSquared).toBeCloseTo(c * c * 6 + 7 / (c * c), 4);
    expect(plain.frobeniusSquared).toBeCloseTo(13, 9);
  });
});

describe("computeMeasures on a 1-conv network", () => {
  /**
   * 3×3 image → conv 2×2 (valid, ReLU), filters a = [[1, 0], [0, 1]] and b = [[0, 2], [−2, 0]], no
   * bias → flatten → dense 2 logits summing channel a (logit 0) and channel b (logit 1).
   */
  function convNet(): tf.Sequential {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [3, 3, 1], filters: 2, kernelSize: 2, activation: "relu" }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 2 }),
      ],
    });
    // Kernel [kh, kw, cin, cout]: at (i, j) the pair (a_ij, b_ij).
    const kernel = tf.tensor4d([1, 0, 0, 2, 0, -2, 1, 0], [2, 2, 1, 2]);
    // Flattened [2, 2, 2] is (row, column, channel): channel a at even indices, b at odd ones.
    const dense = tf.tensor2d(Array.from({ length: 8 }, (_, k) => (k % 2 === 0 ? [1, 0] : [0, 1])));
    model.setWeights([kernel, tf.zeros([2]), dense, tf.zeros([2])]);
    return model;
  }

  it("gives the hand-computed norms, spectral product, path norm and margin", () => {
    const images = [
      [1, 0, 0, 0, 1, 0, 0, 0, 1], // a: 2, 0, 0, 2 → 4; b: 0, −2, 2, 0 → relu 2. label 0: margin 2
      [0, 1, 0, 0, 0, 1, 0, 0, 0], // a: 0, 2, 0, 0 → 2; b: 2, 0, 0, 2 → 4. label 1: margin 2
      [1, 1, 1, 1, 1, 1, 1, 1, 1], // a: 2 each → 8; b: 0 each → 0. label 1: margin −8
    ];
    const train = split(images, [3, 3], [0, 1, 1]);
    const m = computeMeasures(
      convNet(),
      zeroKernels([4, 2], [8, 2]),
      measureData(train, 2),
      DEFAULT_MEASURE_SETTINGS,
      false,
    );
    expect(m.parameterCount).toBe(8 + 2 + 16 + 2);
    // Conv as a 4 × 2 matrix: columns a = (1, 0, 0, 1), b = (0, 2, −2, 0); dense: 8 ones.
    expect(m.frobeniusSquared).toBeCloseTo(2 + 8 + 8, 12);
    expect(m.distanceFromInit).toBeCloseTo(Math.sqrt(18), 12);
    // Orthogonal columns of norms √2 and 2√2: σ = 2√2. Dense: DᵀD = 4·I, σ = 2.
    expect(m.logSpectralProduct).toBeCloseTo(Math.log(2 * Math.SQRT2) + Math.log(2), 9);
    // Sorted margins −8, 2, 2: the 0.1 quantile sits at position 0.2.
    expect(m.margin).toBeCloseTo(-8 + 0.2 * 10, 5);
    expect(m.logSpectralOverMargin).toBeNull();
    // Squared network on ones: channel a = 1 + 1 = 2 and b = 4 + 4 = 8 at each of 4 positions → 8 + 32.
    expect(m.logPathL2).toBeCloseTo(0.5 * Math.log(40), 6);
  });
});

describe("spectralNorm", () => {
  it("finds σ_max of a wide matrix by iterating WᵀW directly", () => {
    // [[3, 0, 4]] has one singular value, 5; and [[2, 0, 0], [0, 0, 1]] has 2 and 1.
    expect(spectralNorm({ rows: 1, cols: 3, values: Float32Array.of(3, 0, 4) })).toBeCloseTo(5, 9);
    expect(spectralNorm({ rows: 2, cols: 3, values: Float32Array.of(2, 0, 0, 0, 0, 1) })).toBeCloseTo(2, 9);
    expect(spectralNorm({ rows: 2, cols: 2, values: new Float32Array(4) })).toBe(0);
  });

  it("finds σ_max when the top singular vector is orthogonal to the all-ones vector", () => {
    // [[1, −1], [1, −1]]: WᵀW = [[2, −2], [−2, 2]], eigenvalues 4 (along (1, −1)) and 0 (along (1, 1)).
    expect(spectralNorm({ rows: 2, cols: 2, values: Float32Array.of(1, -1, 1, -1) })).toBeCloseTo(2, 12);
    // [[2, −1], [−1, 2]] is symmetric with eigenvalues 3 (along (1, −1)) and 1 (along (1, 1)).
    expect(spectralNorm({ rows: 2, cols: 2, values: Float32Array.of(2, -1, -1, 2) })).toBeCloseTo(3, 12);
    // Orthogonal rows (1, −1, 0) and (0, 0, 0.5): singular values √2 and 0.5.
    const rows = Float32Array.of(1, -1, 0, 0, 0, 0, 0, 0, 0.5);
    expect(spectralNorm({ rows: 3, cols: 3, values: rows })).toBeCloseTo(Math.SQRT2, 12);
  });
});

describe("flatnessSigma", () => {
  // One pixel of value 1, labelled 0; logits (a·w0, b·w1) from a bias-free dense kernel [[a, b]].
  function linear(a: number, b: number): tf.Sequential {
    const model = tf.sequential({
      layers: [tf.layers.flatten({ inputShape: [1, 1, 1] }), tf.layers.dense({ units: 2, useBias: false })],
    });
    model.setWeights([tf.tensor2d([[a, b]])]);
    return model;
  }

  /**
   * With noise z_s (seed 1000003·s + 0, the only tensor) the example stays right iff
   * a(1 + σ·z_s0) > b(1 + σ·z_s1), i.e. σ·(b·z_s1 − a·z_s0) < a − b. With 2 draws and an allowed
   * drop of 0.1 both must stay right: σ* = min over the draws with b·z1 > a·z0 of (a − b)/(b·z1 − a·z0).
   */
  function threshold(a: number, b: number, draws: number): number {
    let sigma = Number.POSITIVE_INFINITY;
    for (let s = 0; s < draws; s++) {
      // TF.js's generator for a seed is alea over its decimal digits (seed 0 too, which tf.randomNormal
      // itself would take for "unseeded").
      const [z0, z1] = seededNormal([1, 2], 1000003 * s).dataSync();
      const rate = b * z1! - a * z0!;
      if (rate > 0) sigma = Math.min(sigma, (a - b) / rate);
    }
    return sigma;
  }

  const sample = () => split([[1]], [1, 1], [0]);
  const scorer = (model: tf.LayersModel) => ({
    model,
    classes: 2,
    crossEntropy: (o: tf.Tensor, y: tf.Tensor1D) => crossEntropy(o, y, 2, false),
  });

  it("bisects to the noise level at which the example flips, within one step", () => {
    const [a, b] = [1, 0.9];
    const expected = threshold(a, b, DEFAULT_MEASURE_SETTINGS.flatnessSamples);
    // The seeded draws put the threshold inside the search range, or this case tests nothing.
    expect(expected).toBeGreaterThan(DEFAULT_MEASURE_SETTINGS.flatnessSigmaMin);
    expect(expected).toBeLessThan(DEFAULT_MEASURE_SETTINGS.flatnessSigmaMax);
    const sigma = flatnessSigma(scorer(linear(a, b)), sample(), DEFAULT_MEASURE_SETTINGS);
    const { flatnessSigmaMax: hi, flatnessSigmaMin: lo, flatnessSteps } = DEFAULT_MEASURE_SETTINGS;
    const step = Math.log(hi / lo) / 2 ** flatnessSteps;
    expect(sigma).toBeLessThanOrEqual(expected);
    expect(Math.log(expected / sigma)).toBeLessThanOrEqual(step);
  });

  it("answers the range's ends when the threshold lies outside it", () => {
    const [a, b] = [1, 0.9];
    const expected = threshold(a, b, DEFAULT_MEASURE_SETTINGS.flatnessSamples);
    const below = { ...DEFAULT_MEASURE_SETTINGS, flatnessSigmaMin: expected / 10, flatnessSigmaMax: expected / 2 };
    const above = { ...DEFAULT_MEASURE_SETTINGS, flatnessSigmaMin: expected * 2, flatnessSigmaMax: expected * 10 };
    expect(flatnessSigma(scorer(linear(a, b)), sample(), below)).toBe(expected / 2);
    expect(flatnessSigma(scorer(linear(a, b)), sample(), above)).toBe(expected * 2);
  });
});

describe("adversarialSharpness", () => {
  it("takes one sign-gradient step to the edge of the box with sharpnessSteps 1", () => {
    // Linear softmax model: 2 pixels → 3 logits, W (2 × 3) and b, two examples.
    const W = [
      [0.5, -0.2, 0.1],
      [0.3, 0.4, -0.6],
    ];
    const bias = [0.1, -0.3, 0.2];
    const xs = [
      [1, 2],
      [-1, 0.5],
    ];
    const ys = [2, 0];
    const model = tf.sequential({
      layers: [tf.layers.flatten({ inputShape: [1, 2, 1] }), tf.layers.dense({ units: 3 })],
    });
    model.setWeights([tf.tensor2d(W), tf.tensor1d(bias)]);

    // The loss and its gradient in float64: ∂L/∂W = Σₙ xₙᵀ(pₙ − onehotₙ)/N, ∂L/∂b = Σₙ (pₙ − onehotₙ)/N.
    const loss = (w: number[][], b: number[]) => {
      let total = 0;
      const gw = w.map((row) => row.map(() => 0));
      const gb = b.map(() => 0);
      xs.forEach((x, n) => {
        const z = b.map((bk, k) => bk + x[0]! * w[0]![k]! + x[1]! * w[1]![k]!);
        const top = Math.max(...z);
        const sum = z.reduce((s, v) => s + Math.exp(v - top), 0);
        const p = z.map((v) => Math.exp(v - top) / sum);
        total -= Math.log(p[ys[n]!]!);
        p.forEach((pk, k) => {
          const d = (pk - (k === ys[n] ? 1 : 0)) / xs.length;
          gb[k]! += d;
          gw[0]![k]! += x[0]! * d;
          gw[1]![k]! += x[1]! * d;
        });
      });
      return { value: total / xs.length, gw, gb };
    };
    const alpha = 0.05;
    const start = loss(W, bias);
    // One step of 2α|w|·sign(g), clipped to α|w|: w + α|w|·sign(g).
    const moved = loss(
      W.map((row, i) => row.map((w, k) => w + alpha * Math.abs(w) * Math.sign(start.gw[i]![k]!))),
      bias.map((b, k) => b + alpha * Math.abs(b) * Math.sign(start.gb[k]!)),
    );
    const settings = { ...DEFAULT_MEASURE_SETTINGS, sharpnessBox: alpha, sharpnessSteps: 1 };
    const sample = split(xs, [1, 2], ys);
    const sharpness = adversarialSharpness(
      { model, classes: 3, crossEntropy: (o, y) => crossEntropy(o, y, 3, false) },
      sample,
      settings,
    );
    expect(moved.value - start.value).toBeGreaterThan(0.01);
    expect(sharpness).toBeCloseTo(moved.value - start.value, 5);
    // The weights are restored.
    expect(Array.from(model.getWeights()[0]!.dataSync())).toEqual(Array.from(Float32Array.from(W.flat())));
  });
});
