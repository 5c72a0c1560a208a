// $RETHINK_BENCH_DATASET_PINS and `npm run labels:build` on generated IDX and CIFAR-10 files:
// the files the published digests refuse, accepted once pinned, and their labels shipped.

import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { knownDatasetFrom } from "../../schema/index.js";
import { InputError, UsageError } from "../errors.js";
import { loadRawDataset, readDatasetPins } from "./index.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

const idxLabels = (labels: number[]) => {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(0x801, 0);
  header.writeUInt32BE(labels.length, 4);
  return Buffer.concat([header, Buffer.from(labels)]);
};
const idxImages = (count: number) => {
  const header = Buffer.alloc(16);
  header.writeUInt32BE(0x803, 0);
  header.writeUInt32BE(count, 4);
  header.writeUInt32BE(2, 8); // rows
  header.writeUInt32BE(2, 12); // columns
  return Buffer.concat([header, Buffer.from(Array.from({ length: count * 4 }, (_, i) => i % 256))]);
};
/** CIFAR-10 binary records: a label byte, then 3 × 1024 pixel bytes. */
const cifarBatch = (labels: number[]) =>
  Buffer.concat(labels.map((label, r) => Buffer.from([label, ...new Array(3072).fill(r % 256)])));

const MNIST_TRAIN = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8];
const MNIST_TEST = [2, 7, 1, 8];
const CIFAR_BATCHES = [
  [0, 1],
  [2, 3],
  [4, 5],
  [6, 7],
  [8, 9, 0],
];
const CIFAR_TEST = [9, 8, 7];

/** A folder of generated MNIST-format and CIFAR-10-format files, and a pins file naming their digests. */
function generated() {
  const dir = mkdtempSync(join(tmpdir(), "rb-pins-"));
  const mnist: Record<string, Buffer> = {
    "train-images-idx3-ubyte": idxImages(MNIST_TRAIN.length),
    "train-labels-idx1-ubyte": idxLabels(MNIST_TRAIN),
    "t10k-images-idx3-ubyte": idxImages(MNIST_TEST.length),
    "t10k-labels-idx1-ubyte": idxLabels(MNIST_TEST),
  };
  const cifar: Record<string, Buffer> = Object.fromEntries([
    ...CIFAR_BATCHES.map((labels, i) => [`data_batch_${i + 1}.bin`, cifarBatch(labels)]),
    ["test_batch.bin", cifarBatch(CIFAR_TEST)],
  ]);
  mkdirSync(join(dir, "mnist"));
  mkdirSync(join(dir, "cifar10"));
  for (const [name, content] of Object.entries(mnist)) writeFileSync(join(dir, "mnist", name), content);
  for (const [name, content] of Object.entries(cifar)) writeFileSync(join(dir, "cifar10", name), content);
  const pinsOf = (files: Record<string, Buffer>) =>
    Object.entries(files).map(([name, content]) => ({ name, sha256: sha256(content) }));
  const pins = { mnist: pinsOf(mnist), cifar10: pinsOf(cifar) };
  const pinsFile = join(dir, "pins.json");
  writeFileSync(pinsFile, JSON.stringify(pins));
  return { dir, pins, pinsFile };
}

describe("readDatasetPins", () => {
  it("reads the file $RETHINK_BENCH_DATASET_PINS names, and nothing without it", () => {
    const { pins, pinsFile } = generated();
    expect(readDatasetPins({ RETHINK_BENCH_DATASET_PINS: pinsFile })).toEqual(pins);
    expect(readDatasetPins({})).toEqual({});
  });

  it("refuses unreadable files, other shapes, unknown file names and mnist-10k", () => {
    const dir = mkdtempSync(join(tmpdir(), "rb-pins-"));
    const write = (value: unknown) => {
      const path = join(dir, `${Math.random()}.json`);
      writeFileSync(path, JSON.stringify(value));
      return { RETHINK_BENCH_DATASET_PINS: path };
    };
    expect(() => readDatasetPins({ RETHINK_BENCH_DATASET_PINS: join(dir, "missing.json") })).toThrow(UsageError);
    expect(() => readDatasetPins(write({ cifar10: [{ name: "x" }] }))).toThrow(/is not \{"<dataset>"/);
    expect(() => readDatasetPins(write({ cifar10: [{ name: "data_batch_9.bin", sha256: "a".repeat(64) }] }))).toThrow(
      /pins data_batch_9.bin, which is not a file of cifar10/,
    );
    expect(() => readDatasetPins(write({ "mnist-10k": [{ name: "x", sha256: "a".repeat(64) }] }))).toThrow(
      /mnist-10k is read from the mnist package and takes no pins/,
    );
  });
});

describe("loading pinned files", () => {
  it("refuses generated files without pins and records their digests with them", async () => {
    const { dir, pins } = generated();
    const options = { cacheDir: join(dir, "cache"), download: false, dataDir: join(dir, "cifar10") };
    await expect(loadRawDataset("cifar10", options)).rejects.toThrow(InputError);
    const raw = await loadRawDataset("cifar10", { ...options, pins });
    expect(raw.files).toEqual(pins.cifar10);
    expect([...raw.train.labels]).toEqual(CIFAR_BATCHES.flat());
    expect([...raw.test.labels]).toEqual(CIFAR_TEST);
    const idx = await loadRawDataset("mnist", { ...options, dataDir: join(dir, "mnist"), pins });
    expect(idx.files).toEqual(pins.mnist);
  });
});

describe("npm run labels:build", () => {
  const build = (dataset: string, dataDir: string, out: string, pinsFile: string) =>
    promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "scripts/build-labels.ts", "--dataset", dataset, "--data-dir", dataDir, "--out", out],
      { cwd: ROOT, env: { ...process.env, RETHINK_BENCH_DATASET_PINS: pinsFile } },
    );

  it.each([
    ["cifar10", CIFAR_BATCHES.flat(), CIFAR_TEST],
    ["mnist", MNIST_TRAIN, MNIST_TEST],
  ])("writes %s's labels module from its files, naming their digests", async (dataset, train, test) => {
    const { dir, pins, pinsFile } = generated();
    const out = join(dir, "labels");
    await build(dataset, join(dir, dataset), out, pinsFile);
    const module = await import(join(out, `${dataset}.ts`));
    const files = pins[dataset as keyof typeof pins];
    expect(knownDatasetFrom(Object.values(module)[0] as never)).toEqual({
      id: dataset,
      classes: 10,
      files,
      labels: { classes: 10, train: Uint8Array.from(train), test: Uint8Array.from(test) },
    });
  });

  it("fails with the loader's message when the files are not the pinned ones", async () => {
    const { dir } = generated();
    const noPins = join(dir, "none.json");
    writeFileSync(noPins, "{}");
    await expect(build("cifar10", join(dir, "cifar10"), join(dir, "labels"), noPins)).rejects.toMatchObject({
      stderr: expect.stringMatching(/labels:build: .*data_batch_1.bin is not the canonical data_batch_1.bin/),
    });
  });
});
