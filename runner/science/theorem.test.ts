// Theorem 1's network: exact interpolation of arbitrary real labels, 2n + d weights, the
// theorem's structure, its condition number, and the inputs no network can interpolate.
import { inverse, Matrix } from "ml-matrix";
import { describe, expect, it } from "vitest";
import { loadDataset } from "../datasets/index.js";
import { Rng } from "../random.js";
import {
  buildNetwork,
  conditionNumber,
  type DepthTwoNetwork,
  evaluateNetwork,
  gamma,
  gaussianDirections,
  MAX_DIRECTION_DRAWS,
  type PointSet,
  weightCount,
} from "./theorem.js";

function randomPoints(n: number, d: number, seed: number): { points: PointSet; labels: Float64Array } {
  const rng = Rng.create(seed, "test/points");
  return {
    points: { values: Float64Array.from({ length: n * d }, () => rng.normal()), count: n, dimension: d },
    labels: Float64Array.from({ length: n }, () => rng.normal()),
  };
}

function projection(network: DepthTwoNetwork, points: PointSet, i: number): number {
  let z = 0;
  for (let k = 0; k < points.dimension; k++) z += network.direction[k]! * points.values[i * points.dimension + k]!;
  return z;
}

/**
 * Asserts c(x_i) = y_i up to rounding, point by point. The tolerance is the rounding bound
 * for this construction, derived here from the weights (not taken from the code under test):
 * at a point whose largest active bias is b_L, c(x) = S + w_L·(x·a − b_L), where the partial
 * sum S over the lower units is the very double the forward substitution formed when it set
 * w_L = fl(fl(y − S)/A_LL). Four roundings separate c(x) from y:
 * |c(x) − y| ≤ γ_5·(|y| + |w_L·(x·a − b_L)|). It is not a loose worst case: it scales with
 * the size of the last term, which is what a tiny gap between projections inflates.
 */
function expectExactInterpolation(network: DepthTwoNetwork, points: PointSet, labels: Float64Array): number {
  const outputs = evaluateNetwork(network, points);
  let maxError = 0;
  for (let i = 0; i < points.count; i++) {
    const z = projection(network, points, i);
    const active = network.biases.reduce((last, b, j) => (b < z ? j : last), -1);
    expect(active).toBeGreaterThanOrEqual(0); // every point activates at least the unit of b_1 < z_1
    const tolerance =
      gamma(5) * (Math.abs(labels[i]!) + Math.abs(network.outputWeights[active]! * (z - network.biases[active]!)));
    const error = Math.abs(outputs[i]! - labels[i]!);
    if (error > tolerance) expect.fail(`point ${i}: |c(x) − y| = ${error} exceeds its rounding bound ${tolerance}`);
    maxError = Math.max(maxError, error);
  }
  return maxError;
}

describe("Theorem 1 network", () => {
  it("interpolates 3000 random points with random real labels exactly, with 2n + d weights", () => {
    const n = 3000;
    const d = 20;
    const { points, labels } = randomPoints(n, d, 1);
    const built = buildNetwork(points, labels, gaussianDirections(0));
    if (!built.ok) return expect.fail(built.message);
    expect(built.network.direction).toHaveLength(d);
    expect(built.network.biases).toHaveLength(n);
    expect(built.network.outputWeights).toHaveLength(n);
    expect(weightCount(built.network)).toBe(2 * n + d);
    const maxError = expectExactInterpolation(built.network, points, labels);
    // Labels are O(1): an error this small is exact interpolation to about 12 digits.
    expect(maxError).toBeLessThan(1e-10);
  });

  it("has the theorem's structure: biases interleave the sorted projections, b_1 < z_1 < b_2 < … < b_n < z_n", () => {
    const { points, labels } = randomPoints(500, 5, 2);
    const built = buildNetwork(points, labels, gaussianDirections(3));
    if (!built.ok) return expect.fail(built.message);
    const z = Array.from({ length: points.count }, (_, i) => projection(built.network, points, i)).sort(
      (a, b) => a - b,
    );
    expect(Array.from(built.projections)).toEqual(z);
    built.network.biases.forEach((b, j) => {
      expect(b).toBeLessThan(z[j]!);
      if (j > 0) expect(b).toBeGreaterThan(z[j - 1]!);
    });
  });

  it("interpolates real MNIST digits (d = 784) with labels of any scale", async () => {
    const data = await loadDataset(
      { id: "mnist-10k", trainSize: 1000, testSize: 1 },
      { cacheDir: "/nonexistent", download: false },
    );
    const points: PointSet = { values: Float64Array.from(data.train.images), count: 1000, dimension: 784 };
    const rng = Rng.create(0, "test/labels");
    const labels = Float64Array.from({ length: 1000 }, () => (rng.float() - 0.5) * 1e6);
    const built = buildNetwork(points, labels, gaussianDirections(0));
    if (!built.ok) return expect.fail(built.message);
    expect(weightCount(built.network)).toBe(2 * 1000 + 784);
    expect(expectExactInterpolation(built.network, points, labels)).toBeLessThan(1e-10 * 1e6);
  });

  it("computes κ∞(A) exactly: the same as ‖A‖∞·‖A⁻¹‖∞ from a dense inverse", () => {
    const { points, labels } = randomPoints(60, 4, 4);
    const built = buildNetwork(points, labels, gaussianDirections(0));
    if (!built.ok) return expect.fail(built.message);
    const z = built.projections;
    const b = built.network.biases;
    const A = new Matrix(60, 60);
    for (let i = 0; i < 60; i++) for (let j = 0; j < 60; j++) A.set(i, j, Math.max(z[i]! - b[j]!, 0));
    const normInf = (m: Matrix) =>
      Math.max(...m.to2DArray().map((row) => row.reduce((sum, v) => sum + Math.abs(v), 0)));
    const dense = normInf(A) * normInf(inverse(A));
    expect(dense).toBeGreaterThan(10); // a non-trivial system
    expect(Math.abs(conditionNumber(z, b) - dense) / dense).toBeLessThan(1e-6);
  });

  it("refuses identical points, saying why no function can fit them when their labels differ", () => {
    const points: PointSet = { values: Float64Array.from([0, 1, 2, 3, 0, 1]), count: 3, dimension: 2 };
    const conflicting = buildNetwork(points, Float64Array.from([1, 2, 3]), gaussianDirections(0));
    expect(conflicting).toMatchObject({ ok: false, reason: "duplicate-points" });
    if (!conflicting.ok)
      expect(conflicting.message).toMatch(/points 0 and 2 are identical but labeled 1 and 3: no function/);
    const agreeing = buildNetwork(points, Float64Array.from([1, 2, 1]), gaussianDirections(0));
    if (agreeing.ok) return expect.fail("identical points were accepted");
    expect(agreeing.message).toMatch(/points 0 and 2 are identical: Theorem 1 is about n distinct points/);
  });

  it("re-draws a direction that gives distinct points the same projection, and gives up after a few", () => {
    // (1, 0) and (0, 1) project alike on a = (1, 1), not on a = (1, 2).
    const points: PointSet = { values: Float64Array.from([1, 0, 0, 1, 2, 2]), count: 3, dimension: 2 };
    const labels = Float64Array.from([5, -1, 2]);
    const directions = [Float64Array.from([1, 1]), Float64Array.from([1, 2])];
    const built = buildNetwork(points, labels, () => directions.shift()!);
    if (!built.ok) return expect.fail(built.message);
    expect(built.directionDraws).toBe(2);
    expectExactInterpolation(built.network, points, labels);

    let draws = 0;
    const stuck = buildNetwork(points, labels, () => {
      draws++;
      return Float64Array.from([1, 1]);
    });
    expect(stuck).toMatchObject({ ok: false, reason: "tied-projections" });
    expect(draws).toBe(MAX_DIRECTION_DRAWS);
  });
});
