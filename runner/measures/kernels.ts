// The norm measures of a network's kernels (docs/measures.md), in float64 in JS so every backend
// gives the same figures from the same weights: Frobenius norms, distance from initialization,
// and spectral norms by power iteration.
import type * as tf from "@tensorflow/tfjs";

/**
 * A kernel as a matrix: the weight tensor of rank ≥ 2 in TF layout, its last axis the columns
 * (dense [in, out]; convolution [kh, kw, cin, cout] → (kh·kw·cin) × cout, "the documented
 * reshaping"; depthwise [kh, kw, cin, mult] → (kh·kw·cin) × mult). Row-major values.
 */
export interface KernelMatrix {
  rows: number;
  cols: number;
  values: Float32Array;
}

/** The trainable weight tensors that are kernels (rank ≥ 2), in the model's trainable-weights order. */
export function kernelVariables(model: tf.LayersModel): tf.LayerVariable[] {
  return model.trainableWeights.filter((w) => w.shape.length >= 2);
}

/**
 * The model's kernels, copied to JS: what a run keeps of its initial weights right after the
 * build, and what the measures read of its final ones.
 *
 * @example
 * const initial = readKernels(model); // before the first training step
 */
export function readKernels(model: tf.LayersModel): KernelMatrix[] {
  return kernelVariables(model).map((w) => {
    const shape = w.shape as number[];
    const cols = shape.at(-1)!;
    const values = w.read().dataSync() as Float32Array;
    // dataSync may hand out the backend's own buffer: copy, so later training cannot change it.
    return { rows: values.length / cols, cols, values: Float32Array.from(values) };
  });
}

/** Σᵢ ‖Wᵢ‖²_F. */
export function frobeniusSquared(kernels: readonly KernelMatrix[]): number {
  let sum = 0;
  for (const { values } of kernels) for (const v of values) sum += v * v;
  return sum;
}

/** (Σᵢ ‖Wᵢ − Wᵢ⁰‖²_F)^½; the two lists must describe the same network. */
export function distanceFromInit(kernels: readonly KernelMatrix[], initial: readonly KernelMatrix[]): number {
  if (kernels.length !== initial.length)
    throw new Error(`${kernels.length} kernels now but ${initial.length} at initialization: not the same network`);
  let sum = 0;
  kernels.forEach(({ values }, i) => {
    const start = initial[i]!.values;
    if (start.length !== values.length)
      throw new Error(`kernel ${i} has ${values.length} values now but ${start.length} at initialization`);
    for (let k = 0; k < values.length; k++) {
      const d = values[k]! - start[k]!;
      sum += d * d;
    }
  });
  return Math.sqrt(sum);
}

/** Σₖ x[a + k]·y[b + k] for k < n, in four running sums (they pipeline; a single sum waits on each add). */
function dot(x: Float64Array, a: number, y: Float64Array, b: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < n; k += 4) {
    s0 += x[a + k]! * y[b + k]!;
    s1 += x[a + k + 1]! * y[b + k + 1]!;
    s2 += x[a + k + 2]! * y[b + k + 2]!;
    s3 += x[a + k + 3]! * y[b + k + 3]!;
  }
  for (; k < n; k++) s0 += x[a + k]! * y[b + k]!;
  return s0 + s1 + (s2 + s3);
}

/** Power iteration stops when the estimate of σ² changes by less than this, relative. */
const POWER_TOLERANCE = 1e-10;
const POWER_MAX_ITERATIONS = 1000;

/**
 * The largest singular value σ_max(W) by power iteration in float64: v starts as the normalized
 * all-ones vector, v ← WᵀW v / ‖WᵀW v‖ until ‖WᵀW v‖ (→ σ²) changes by < 1e-10 relative, at most
 * 1000 times. A tall matrix (rows ≥ cols) first forms G = WᵀW (cols × cols, float64): the same
 * iteration, with each step costing cols² instead of 2·rows·cols. 0 for an all-zero matrix.
 *
 * @example
 * spectralNorm({ rows: 2, cols: 2, values: Float32Array.of(3, 0, 0, 1) }) // 3
 */
export function spectralNorm(kernel: KernelMatrix): number {
  const { rows, cols, values } = kernel;
  const w = Float64Array.from(values);
  let gram: Float64Array | null = null;
  if (rows >= cols) {
    // Columns made contiguous, so that each entry of G is one dot product of two runs of memory.
    const columns = new Float64Array(rows * cols);
    for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) columns[j * rows + r] = w[r * cols + j]!;
    gram = new Float64Array(cols * cols);
    for (let i = 0; i < cols; i++) {
      for (let j = i; j < cols; j++) {
        const d = dot(columns, i * rows, columns, j * rows, rows);
        gram[i * cols + j] = d;
        gram[j * cols + i] = d;
      }
    }
  }
  let v = new Float64Array(cols).fill(1 / Math.sqrt(cols));
  const u = new Float64Array(rows);
  let next = new Float64Array(cols);
  let estimate = 0;
  for (let iteration = 0; iteration < POWER_MAX_ITERATIONS; iteration++) {
    if (gram) {
      for (let i = 0; i < cols; i++) next[i] = dot(gram, i * cols, v, 0, cols);
    } else {
      next.fill(0);
      for (let r = 0; r < rows; r++) u[r] = dot(w, r * cols, v, 0, cols);
      for (let r = 0; r < rows; r++) {
        const ur = u[r]!;
        const base = r * cols;
        for (let j = 0; j < cols; j++) next[j]! += w[base + j]! * ur;
      }
    }
    let norm = 0;
    for (const x of next) norm += x * x;
    norm = Math.sqrt(norm);
    if (norm === 0) return 0;
    for (let j = 0; j < cols; j++) next[j]! /= norm;
    [v, next] = [next, v];
    const converged = Math.abs(norm - estimate) < POWER_TOLERANCE * norm;
    estimate = norm;
    if (converged) break;
  }
  return Math.sqrt(estimate);
}

/** Σᵢ ln σ_max(Wᵢ): the log of the product of spectral norms; null when some kernel is all zeros. */
export function logSpectralProduct(kernels: readonly KernelMatrix[]): number | null {
  let sum = 0;
  for (const kernel of kernels) {
    const sigma = spectralNorm(kernel);
    if (!(sigma > 0)) return null;
    sum += Math.log(sigma);
  }
  return sum;
}
