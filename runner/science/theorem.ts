// The paper's Theorem 1 (§4, proof in Appendix C), built and checked in float64: a depth-two
// ReLU network c(x) = Σ_j w_j·max(⟨a, x⟩ − b_j, 0) with 2n + d weights that takes any given
// real value at each of n distinct points in d dimensions.
import { Rng } from "../random.js";

/** n points of dimension d, one per row of a row-major n × d array. */
export interface PointSet {
  values: Float64Array;
  count: number;
  dimension: number;
}

/** The network of Theorem 1: a projection a (d weights), n biases b and n output weights w. */
export interface DepthTwoNetwork {
  direction: Float64Array;
  biases: Float64Array;
  outputWeights: Float64Array;
}

export type Construction =
  | {
      ok: true;
      network: DepthTwoNetwork;
      /** Directions a drawn until every projection was distinct and separable by a bias. */
      directionDraws: number;
      /** The sorted projections z_1 < … < z_n: row i of A is max(z_i − b_j, 0). */
      projections: Float64Array;
    }
  | { ok: false; reason: "duplicate-points" | "tied-projections"; message: string };

/** Directions tried before giving up: for distinct points one Gaussian a separates them with probability 1. */
export const MAX_DIRECTION_DRAWS = 8;

/** Unit roundoff of float64. */
const UNIT_ROUNDOFF = 2 ** -53;

/** ⟨a, x_i⟩, summed left to right: construction and evaluation share it, so both see the same bits. */
function project(direction: Float64Array, points: PointSet, i: number): number {
  const { values, dimension } = points;
  let z = 0;
  for (let k = 0; k < dimension; k++) z += direction[k]! * values[i * dimension + k]!;
  return z;
}

/** A Gaussian direction from a seeded stream: distinct points get distinct projections with probability 1. */
export function gaussianDirections(seed: number): (dimension: number) => Float64Array {
  const rng = Rng.create(seed, "theorem/direction");
  return (dimension) => Float64Array.from({ length: dimension }, () => rng.normal());
}

/**
 * The first pair of identical points, if any. No network can interpolate a pair with
 * different labels; one with equal labels is still outside the theorem's "n distinct points".
 */
function findDuplicatePoints(points: PointSet): [number, number] | null {
  const { values, count, dimension } = points;
  const seen = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const row = values.subarray(i * dimension, (i + 1) * dimension);
    const key = Buffer.from(row.buffer, row.byteOffset, row.byteLength).toString("base64");
    const first = seen.get(key);
    if (first !== undefined) return [first, i];
    seen.set(key, i);
  }
  return null;
}

/** Where each bias sits in its gap: b_j = z_{j−1} + (z_j − z_{j−1})·BIAS_FRACTION. */
const BIAS_FRACTION = 1 / 16;

/**
 * Biases interleaved with the sorted projections, b_1 < z_1 < b_2 < z_2 < … < b_n < z_n.
 * Any interleaving proves the theorem; this one is chosen for rounding. The slope of c
 * between b_j and b_{j+1} follows s_j = (Δy_j/Δz_j − f·s_{j−1})/(1 − f) for f = BIAS_FRACTION,
 * so an error in one slope shrinks 15× per piece; with midpoints (f = ½) slopes alternate
 * in sign and every error echoes to the end (measured on 5000 Gaussian points, d = 10 and
 * 784: 500–700× larger interpolation errors and 20–45× larger κ∞). b_1 sits one projection
 * range below z_1, so the first slope y_1/(z_1 − b_1) is gentle. Null when two projections
 * are equal or adjacent doubles, so that no double fits strictly between them.
 */
function interleavedBiases(z: Float64Array): Float64Array | null {
  const n = z.length;
  const biases = new Float64Array(n);
  biases[0] = z[0]! - (n > 1 ? z[n - 1]! - z[0]! : 1);
  for (let j = 1; j < n; j++) biases[j] = z[j - 1]! + (z[j]! - z[j - 1]!) * BIAS_FRACTION;
  for (let j = 0; j < n; j++) {
    if (!(biases[j]! < z[j]! && (j === 0 || z[j - 1]! < biases[j]!))) return null;
  }
  return biases;
}

/**
 * Solves A w = y for the lower-triangular A_ij = z_i − b_j (j ≤ i) by forward substitution.
 * Written out rather than handed to ml-matrix's LU or Cholesky: those are O(n³) time and
 * O(n²) memory on a dense copy of A, while substitution is O(n²) time, never stores A
 * (each entry is one subtraction), and fixes the order of operations that the error bound
 * of `checkInterpolation` relies on.
 */
function forwardSubstitute(z: Float64Array, biases: Float64Array, labels: Float64Array): Float64Array {
  const n = z.length;
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < i; j++) sum += (z[i]! - biases[j]!) * w[j]!;
    w[i] = (labels[i]! - sum) / (z[i]! - biases[i]!);
  }
  return w;
}

/**
 * Builds the network of Theorem 1 for `points` and real `labels` (one per point). Draws a
 * direction a (re-drawn, up to MAX_DIRECTION_DRAWS times, if two projections coincide),
 * sorts the projections z_i = ⟨a, x_i⟩, interleaves the biases, and solves the
 * lower-triangular system with positive diagonal A w = y. Identical points are refused.
 *
 * @example
 * const built = buildNetwork(points, labels, gaussianDirections(0));
 * if (built.ok) weightCount(built.network) // 2n + d
 */
export function buildNetwork(
  points: PointSet,
  labels: Float64Array,
  drawDirection: (dimension: number) => Float64Array,
): Construction {
  const { count: n, dimension: d } = points;
  if (labels.length !== n) throw new Error(`buildNetwork: ${labels.length} labels for ${n} points`);
  const duplicate = findDuplicatePoints(points);
  if (duplicate) {
    const [i, j] = duplicate;
    const message =
      labels[i] === labels[j]
        ? `points ${i} and ${j} are identical: Theorem 1 is about n distinct points; remove the duplicate`
        : `points ${i} and ${j} are identical but labeled ${labels[i]} and ${labels[j]}: ` +
          `no function, network or otherwise, can take two values at one point`;
    return { ok: false, reason: "duplicate-points", message };
  }
  for (let draw = 1; draw <= MAX_DIRECTION_DRAWS; draw++) {
    const direction = drawDirection(d);
    const unsorted = Float64Array.from({ length: n }, (_, i) => project(direction, points, i));
    const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => unsorted[i]! - unsorted[j]!);
    const z = Float64Array.from(order, (i) => unsorted[i]!);
    const biases = interleavedBiases(z);
    if (!biases) continue;
    const outputWeights = forwardSubstitute(
      z,
      biases,
      Float64Array.from(order, (i) => labels[i]!),
    );
    return { ok: true, network: { direction, biases, outputWeights }, directionDraws: draw, projections: z };
  }
  return {
    ok: false,
    reason: "tied-projections",
    message:
      `${MAX_DIRECTION_DRAWS} random directions all gave two points the same projection (to double precision); ` +
      `the points are distinct but too close together to separate`,
  };
}

/** 2n + d: the projection, the biases and the output weights. */
export function weightCount(network: DepthTwoNetwork): number {
  return network.direction.length + network.biases.length + network.outputWeights.length;
}

/** c(x_i) for every point: Σ_j w_j·max(⟨a, x_i⟩ − b_j, 0), summed in the order of the biases. */
export function evaluateNetwork(network: DepthTwoNetwork, points: PointSet): Float64Array {
  const { direction, biases, outputWeights } = network;
  return Float64Array.from({ length: points.count }, (_, i) => {
    const z = project(direction, points, i);
    let sum = 0;
    for (let j = 0; j < biases.length; j++) sum += outputWeights[j]! * Math.max(z - biases[j]!, 0);
    return sum;
  });
}

/** γ_k = k·u / (1 − k·u), the constant of k roundings (Higham, Accuracy and Stability, §3.1). */
export function gamma(k: number): number {
  return (k * UNIT_ROUNDOFF) / (1 - k * UNIT_ROUNDOFF);
}

export interface InterpolationCheck {
  /** max_i |c(x_i) − y_i|, with c evaluated from the inputs x_i. */
  maxAbsError: number;
  /** max_i of the per-point rounding bound γ_5·(|y_i| + |w_last·(z_i − b_last)|); see `checkInterpolation`. */
  errorBound: number;
}

/**
 * Evaluates the network on every point and compares with the labels. The bound: at the
 * point of rank i, `evaluateNetwork` forms the same partial sum S over the units j < i as
 * the substitution did (same operands, same order, so the same double), adds the last
 * active unit's term p = w_i·(z_i − b_i), and only exact zeros after it. With
 * w_i = fl(fl(y_i − S)/A_ii), four roundings give |c(x_i) − y_i| ≤ γ_5·(|y_i| + |p|).
 */
export function checkInterpolation(
  network: DepthTwoNetwork,
  points: PointSet,
  labels: Float64Array,
): InterpolationCheck {
  const outputs = evaluateNetwork(network, points);
  const { direction, biases, outputWeights } = network;
  let maxAbsError = 0;
  let errorBound = 0;
  for (let i = 0; i < points.count; i++) {
    const z = project(direction, points, i);
    let last = -1;
    while (last + 1 < biases.length && biases[last + 1]! < z) last++;
    const lastTerm = last < 0 ? 0 : outputWeights[last]! * (z - biases[last]!);
    maxAbsError = Math.max(maxAbsError, Math.abs(outputs[i]! - labels[i]!));
    errorBound = Math.max(errorBound, gamma(5) * (Math.abs(labels[i]!) + Math.abs(lastTerm)));
  }
  return { maxAbsError, errorBound };
}

/**
 * κ∞(A) = ‖A‖∞·‖A⁻¹‖∞ of the triangular system, exactly and in O(n²) time and O(n) memory.
 * Row n has the largest entries, so ‖A‖∞ = Σ_j (z_n − b_j). For A⁻¹: the slope of c on
 * (b_i, b_{i+1}) is s_i = Σ_{j≤i} w_j, and
 * c(z_i) − c(z_{i−1}) = s_{i−1}(b_i − z_{i−1}) + s_i(z_i − b_i),
 * so the rows of the map y ↦ s follow the recurrence
 * S_i = (e_i − e_{i−1} − (b_i − z_{i−1})·S_{i−1}) / (z_i − b_i),
 * and row i of A⁻¹ is S_i − S_{i−1}.
 */
export function conditionNumber(projections: Float64Array, biases: Float64Array): number {
  const n = projections.length;
  let normA = 0;
  for (let j = 0; j < n; j++) normA += projections[n - 1]! - biases[j]!;
  let previous = new Float64Array(n);
  let current = new Float64Array(n);
  let normInverse = 0;
  for (let i = 0; i < n; i++) {
    const diagonal = projections[i]! - biases[i]!;
    if (i === 0) {
      current[0] = 1 / diagonal;
    } else {
      const carry = biases[i]! - projections[i - 1]!;
      for (let j = 0; j < i; j++) current[j] = -(carry * previous[j]!) / diagonal;
      current[i - 1]! -= 1 / diagonal;
      current[i] = 1 / diagonal;
    }
    let rowSum = 0;
    for (let j = 0; j <= i; j++) rowSum += Math.abs(current[j]! - previous[j]!);
    normInverse = Math.max(normInverse, rowSum);
    [previous, current] = [current, previous];
  }
  return normA * normInverse;
}
