// Fashion-MNIST on the real files of Debian's dataset-fashion-mnist package, which
// scripts/setup-system.sh installs before the suite runs: a missing directory fails the test.
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { DEBIAN_FASHION_MNIST_DIR, FASHION_MNIST_SOURCE } from "../../runner/datasets/fashion-mnist.js";
import { datasetRecord, loadDataset } from "../../runner/datasets/index.js";
import { DatasetRecord } from "../../schema/index.js";

function classCounts(labels: Uint8Array): number[] {
  const counts = new Array<number>(10).fill(0);
  for (const label of labels) counts[label]!++;
  return counts;
}

describe(`fashion-mnist from ${DEBIAN_FASHION_MNIST_DIR}`, () => {
  it("finds the Debian copy without downloading, and its content matches the pinned digests", async () => {
    const files = [
      FASHION_MNIST_SOURCE.trainImages,
      FASHION_MNIST_SOURCE.trainLabels,
      FASHION_MNIST_SOURCE.testImages,
      FASHION_MNIST_SOURCE.testLabels,
    ];
    for (const file of files) {
      const content = gunzipSync(readFileSync(join(DEBIAN_FASHION_MNIST_DIR, `${file.name}.gz`)));
      expect(createHash("sha256").update(content).digest("hex"), file.name).toBe(file.sha256);
    }
    const cache = mkdtempSync(join(tmpdir(), "rb-cache-"));
    const data = await loadDataset(
      { id: "fashion-mnist", trainSize: 1000, testSize: 500 },
      { cacheDir: cache, download: false },
    );
    expect(data.shape).toEqual([28, 28, 1]);
    expect(classCounts(data.train.labels)).toEqual(new Array(10).fill(100));
    expect(classCounts(data.test.labels)).toEqual(new Array(10).fill(50));
    const record = DatasetRecord.parse(datasetRecord(data));
    expect(record.files).toEqual(files.map(({ name, sha256 }) => ({ name, sha256 })));
    expect([record.trainSize, record.testSize, record.classes]).toEqual([1000, 500, 10]);
  });

  it("reads the same data through --data-dir", async () => {
    const spec = { id: "fashion-mnist", trainSize: 60_000, testSize: 10_000 } as const;
    const data = await loadDataset(spec, {
      cacheDir: mkdtempSync(join(tmpdir(), "rb-cache-")),
      dataDir: DEBIAN_FASHION_MNIST_DIR,
      download: false,
    });
    // Fashion-MNIST has exactly 6,000 training and 1,000 test images of each class.
    expect(classCounts(data.train.labels)).toEqual(new Array(10).fill(6000));
    expect(classCounts(data.test.labels)).toEqual(new Array(10).fill(1000));
  });
});
