// Cutting a dataset to a suite's sizes (schema/datasets/subset.ts chooses the examples), scaled to [0, 1].
import { describe, expect, it } from "vitest";
import { UsageError } from "../errors.js";
import { cutDataset, type RawDataset } from "./raw.js";

function rawDataset(trainLabels: number[], testLabels: number[]): RawDataset {
  const split = (labels: number[]) => ({
    // Each 2×2 image's pixels are its index (mod 256), so a chosen image can be recognized.
    pixels: Uint8Array.from({ length: labels.length * 4 }, (_, i) => Math.floor(i / 4) % 256),
    labels: Uint8Array.from(labels),
    count: labels.length,
  });
  return {
    id: "synthetic",
    shape: [2, 2, 1],
    classes: 3,
    train: split(trainLabels),
    test: split(testLabels),
    files: [{ name: "x", sha256: "0".repeat(64) }],
  };
}

describe("cutDataset", () => {
  it("cuts both splits to size and scales bytes by 1/255 into float32", () => {
    const raw = rawDataset(
      Array.from({ length: 90 }, (_, i) => i % 3),
      Array.from({ length: 30 }, (_, i) => i % 3),
    );
    const data = cutDataset(raw, { id: "synthetic", trainSize: 12, testSize: 6 });
    expect([data.train.count, data.test.count, data.train.images.length, data.test.labels.length]).toEqual([
      12, 6, 48, 6,
    ]);
    expect(data.train.images).toBeInstanceOf(Float32Array);
    // Every image is constant (its index): a kept image's label must be that index mod 3.
    for (let i = 0; i < data.train.count; i++) {
      const index = Math.round(data.train.images[i * 4]! * 255);
      expect(data.train.images[i * 4]).toBe(Math.fround(index / 255));
      expect(data.train.labels[i]).toBe(index % 3);
    }
  });

  it("refuses sizes larger than a split, naming what there is", () => {
    const raw = rawDataset([0, 1, 2], [0, 1, 2]);
    expect(() => cutDataset(raw, { id: "synthetic", trainSize: 4, testSize: 1 })).toThrow(UsageError);
    expect(() => cutDataset(raw, { id: "synthetic", trainSize: 3, testSize: 5 })).toThrow(
      /has 3 training and 3 test examples; the suite asks for 5 test examples/,
    );
  });
});
