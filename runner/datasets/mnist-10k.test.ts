// mnist-10k: the mnist package's 10,000 digits, recovered exactly, split and cut the same way every time.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultDatasetRegistry } from "../../schema/index.js";
import { loadDataset } from "./index.js";
import { loadMnist10k, MNIST_10K_FILES, splitMnist10k, TEST_PER_CLASS } from "./mnist-10k.js";

const digitsDir = join(dirname(createRequire(import.meta.url).resolve("mnist/package.json")), "src", "digits");
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
function classCounts(labels: Uint8Array): number[] {
  const counts = new Array<number>(10).fill(0);
  for (const label of labels) counts[label]!++;
  return counts;
}

describe("mnist-10k", () => {
  it("pins the package's files and recovers every pixel byte exactly from the three-decimal JSON values", async () => {
    const raw = await loadMnist10k();
    const values = Array.from(
      { length: 10 },
      (_, digit) => (JSON.parse(readFileSync(join(digitsDir, `${digit}.json`), "utf8")) as { data: number[] }).data,
    );
    expect(MNIST_10K_FILES.map((f) => f.sha256)).toEqual(
      values.map((_, digit) => sha256(readFileSync(join(digitsDir, `${digit}.json`)))),
    );
    // The class sizes of the first 10,000 images of MNIST's training set.
    expect(values.map((v) => v.length / 784)).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    const roundTrips = values.every((v) => v.every((x) => Math.round((Math.round(x * 255) / 255) * 1000) / 1000 === x));
    expect(roundTrips).toBe(true);
    expect(raw.train.count + raw.test.count).toBe(10_000);
  });

  it("splits into 8,000 training and 2,000 test digits (200 per class), disjoint, the same every time", async () => {
    const raw = await loadMnist10k();
    const labels = Uint8Array.from({ length: 10_000 }, (_, i) => (i < 5000 ? i % 10 : (i * 3) % 10));
    const split = splitMnist10k(labels);
    expect(splitMnist10k(labels)).toEqual(split);
    expect([split.train.length, split.test.length]).toEqual([8000, 2000]);
    expect(new Set([...split.train, ...split.test]).size).toBe(10_000);
    expect(classCounts(Uint8Array.from(split.test, (i) => labels[i]!))).toEqual(new Array(10).fill(TEST_PER_CLASS));
    expect(classCounts(raw.test.labels)).toEqual(new Array(10).fill(TEST_PER_CLASS));
    expect(classCounts(raw.train.labels)).toEqual([801, 927, 791, 832, 780, 663, 814, 870, 744, 778]);
    // No test image is also a training image.
    const image = (pixels: Uint8Array, i: number) => sha256(pixels.subarray(i * 784, (i + 1) * 784));
    const trainImages = new Set(Array.from({ length: raw.train.count }, (_, i) => image(raw.train.pixels, i)));
    expect(
      Array.from({ length: raw.test.count }, (_, i) => image(raw.test.pixels, i)).filter((h) => trainImages.has(h)),
    ).toEqual([]);
  });

  it("is what the server's shipped labels hold: both pools' labels in split order, from the pinned files", async () => {
    const raw = await loadMnist10k();
    const known = defaultDatasetRegistry().get("mnist-10k")!;
    expect(known.labels).toEqual({ classes: 10, train: raw.train.labels, test: raw.test.labels });
    expect(known.files).toEqual(raw.files);
  });

  it("parses once per process", async () => {
    expect(await loadMnist10k()).toBe(await loadMnist10k());
  });

  it("gives the smoke suite 25 digits of each class in each split, identical on every load", async () => {
    const spec = { id: "mnist-10k", trainSize: 250, testSize: 250 } as const;
    const a = await loadDataset(spec, { cacheDir: "/nonexistent" });
    const b = await loadDataset(spec, { cacheDir: "/nonexistent" });
    expect(classCounts(a.train.labels)).toEqual(new Array(10).fill(25));
    expect(classCounts(a.test.labels)).toEqual(new Array(10).fill(25));
    expect(a.shape).toEqual([28, 28, 1]);
    expect(sha256(new Uint8Array(a.train.images.buffer))).toBe(sha256(new Uint8Array(b.train.images.buffer)));
    expect(a.train.labels).toEqual(b.train.labels);
    expect(a.train.images.reduce((max, v) => Math.max(max, v), 0)).toBe(1);
    expect(a.train.images.reduce((min, v) => Math.min(min, v), 1)).toBe(0);
  });
});
