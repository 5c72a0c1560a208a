// Minimum-norm kernel interpolation on real MNIST digits: it fits true and random labels
// exactly, generalizes only on true labels, and its kernel, norm and failure mode are right.
import { Matrix, solve } from "ml-matrix";
import { beforeAll, describe, expect, it } from "vitest";
import { corruptDataset } from "../corruptions.js";
import { type Dataset, loadDataset } from "../datasets/index.js";
import { DEFAULT_GAMMA, interpolate, type KernelSystem, prepareKernel } from "./kernel.js";

let data: Dataset;
let system: KernelSystem;

beforeAll(async () => {
  data = await loadDataset(
    { id: "mnist-10k", trainSize: 300, testSize: 300 },
    { cacheDir: "/nonexistent", download: false },
  );
  const prepared = prepareKernel(data.train, data.test, DEFAULT_GAMMA);
  if (!prepared.ok) throw new Error(prepared.message);
  system = prepared.system;
});

function image(set: Dataset["train"], i: number): Float32Array {
  return set.images.subarray(i * 784, (i + 1) * 784);
}

describe("kernel interpolation", () => {
  it("builds exp(−γ‖x − x′‖²) between training images and between test and training images", () => {
    const direct = (x: Float32Array, y: Float32Array) =>
      Math.exp(-DEFAULT_GAMMA * x.reduce((sum, v, k) => sum + (v - y[k]!) ** 2, 0));
    for (const [i, j] of [
      [0, 0],
      [3, 17],
      [299, 5],
    ] as const) {
      expect(system.trainKernel.get(i, j)).toBeCloseTo(direct(image(data.train, i), image(data.train, j)), 12);
      expect(system.testKernel.get(i, j)).toBeCloseTo(direct(image(data.test, i), image(data.train, j)), 12);
    }
    expect(system.trainKernel.isSymmetric()).toBe(true);
  });

  it("fits true labels exactly and generalizes: test error far below chance (0.9)", () => {
    const outcome = interpolate(system, data.train.labels, data.test.labels, 10);
    expect(outcome.trainError).toBe(0);
    expect(outcome.maxTrainResidual).toBeLessThan(1e-9);
    expect(outcome.testError).toBeLessThan(0.25);
    expect(Array.from(outcome.predictions.train)).toEqual(Array.from(data.train.labels));
  });

  it("fits random labels exactly too, with chance-level test error and a larger norm (the paper's §5 point)", () => {
    const random = corruptDataset(data, { kind: "random" }, 0);
    const fitted = interpolate(system, random.train.labels, random.test.labels, 10);
    const truth = interpolate(system, data.train.labels, data.test.labels, 10);
    expect(fitted.trainError).toBe(0);
    expect(fitted.testError).toBeGreaterThan(0.75);
    expect(fitted.norm).toBeGreaterThan(truth.norm);
  });

  it("reports the RKHS norm sqrt(tr(αᵀKα)) of the minimum-norm solution, as an LU solve gives it", () => {
    const n = data.train.count;
    const Y = new Matrix(n, 10);
    data.train.labels.forEach((label, i) => {
      Y.set(i, label, 1);
    });
    const alpha = solve(system.trainKernel, Y); // LU, independent of the Cholesky path
    let squared = 0;
    // tr(αᵀKα) = tr(αᵀY)
    for (let i = 0; i < n; i++) for (let c = 0; c < 10; c++) squared += alpha.get(i, c) * Y.get(i, c);
    const outcome = interpolate(system, data.train.labels, data.test.labels, 10);
    expect(Math.abs(outcome.norm - Math.sqrt(squared)) / outcome.norm).toBeLessThan(1e-8);
  });

  it("refuses a training set with identical images: its kernel matrix is singular", () => {
    const images = Float32Array.from(data.train.images.subarray(0, 3 * 784));
    images.copyWithin(2 * 784, 0, 784); // image 2 := image 0
    const train = { images, labels: Uint8Array.from([1, 2, 3]), count: 3 };
    const prepared = prepareKernel(train, data.test, DEFAULT_GAMMA);
    expect(prepared).toMatchObject({ ok: false });
    if (!prepared.ok) expect(prepared.message).toMatch(/not positive definite.*identical/);
  });
});
