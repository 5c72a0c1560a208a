// The randomization tests of the paper's §2.1 as pure, seeded functions of (dataset, seed).
//
// What each corruption does to the test split (the paper is explicit only for shuffled pixels;
// the rest is our protocol, docs/datasets.md): test labels always stay true. Label corruptions
// (partial, random) leave the test split untouched. Input corruptions turn the test images into
// the same kind of input the model trained on, so test accuracy measures generalization within
// that input distribution: shuffled-pixels applies its one permutation to test images too,
// random-pixels gives each test image its own permutation, and gaussian replaces test images
// with fresh noise drawn with the training images' per-channel mean and variance.
import { type Corruption, trainingLabels } from "../schema/index.js";
import type { Dataset, ImageSet } from "./datasets/index.js";
import { Rng } from "./random.js";

/** Moves pixel `perm[j]` (all its channels) to position j, for every image of the set. */
function permuteImages(set: ImageSet, channels: number, nextPermutation: () => Uint32Array): ImageSet {
  const imageSize = set.images.length / set.count; // positions × channels
  const images = new Float32Array(set.images.length);
  for (let i = 0; i < set.count; i++) {
    const perm = nextPermutation();
    const base = i * imageSize;
    for (let j = 0; j < perm.length; j++) {
      const from = base + perm[j]! * channels;
      const to = base + j * channels;
      for (let c = 0; c < channels; c++) images[to + c] = set.images[from + c]!;
    }
  }
  return { images, labels: set.labels, count: set.count };
}

/** Per-channel mean and (population) variance over every pixel of every image, in float64. */
export function channelStats(set: ImageSet, channels: number): { mean: number[]; variance: number[] } {
  const pixels = set.images.length / channels;
  const mean = new Array<number>(channels).fill(0);
  const variance = new Array<number>(channels).fill(0);
  for (let i = 0; i < set.images.length; i++) mean[i % channels]! += set.images[i]!;
  for (let c = 0; c < channels; c++) mean[c]! /= pixels;
  for (let i = 0; i < set.images.length; i++) variance[i % channels]! += (set.images[i]! - mean[i % channels]!) ** 2;
  for (let c = 0; c < channels; c++) variance[c]! /= pixels;
  return { mean, variance };
}

/** Images of Gaussian noise with the given per-channel mean and variance (not clipped). */
function gaussianImages(
  set: ImageSet,
  channels: number,
  stats: { mean: number[]; variance: number[] },
  stream: string,
  seed: number,
): ImageSet {
  const rng = Rng.create(seed, stream);
  const std = stats.variance.map(Math.sqrt);
  const images = new Float32Array(set.images.length);
  for (let i = 0; i < images.length; i++) images[i] = stats.mean[i % channels]! + std[i % channels]! * rng.normal();
  return { images, labels: set.labels, count: set.count };
}

/**
 * The dataset under one corruption, as a pure function of (dataset, corruption, seed): the
 * same arguments give the same bytes on every machine. The input is never modified; the result
 * shares the buffers a corruption leaves unchanged. Pixel values stay float32; gaussian noise
 * is not clipped, so it can leave [0, 1].
 *
 * @example
 * const noisy = corruptDataset(data, { kind: "partial", p: 0.4 }, 0); // ~36% of 10-class training labels change
 */
export function corruptDataset(dataset: Dataset, corruption: Corruption, seed: number): Dataset {
  const [height, width, channels] = dataset.shape;
  const positions = height * width;
  switch (corruption.kind) {
    case "true":
      return { ...dataset };
    case "partial":
    case "random": {
      // schema's function, so that the server derives the very labels the run trained on.
      const labels = trainingLabels(dataset.train.labels, dataset.classes, corruption, seed);
      return { ...dataset, train: { ...dataset.train, labels } };
    }
    case "shuffled-pixels": {
      const perm = Rng.create(seed, "corruption/shuffled-pixels").permutation(positions);
      return {
        ...dataset,
        train: permuteImages(dataset.train, channels, () => perm),
        test: permuteImages(dataset.test, channels, () => perm),
      };
    }
    case "random-pixels": {
      const permutationsFrom = (stream: string) => {
        const rng = Rng.create(seed, stream);
        const perm = new Uint32Array(positions);
        return () => {
          for (let j = 0; j < positions; j++) perm[j] = j;
          return rng.shuffle(perm);
        };
      };
      return {
        ...dataset,
        train: permuteImages(dataset.train, channels, permutationsFrom("corruption/random-pixels/train")),
        test: permuteImages(dataset.test, channels, permutationsFrom("corruption/random-pixels/test")),
      };
    }
    case "gaussian": {
      // Both splits get noise with the training images' statistics: the test split must not
      // tell the model anything the training split did not.
      const stats = channelStats(dataset.train, channels);
      return {
        ...dataset,
        train: gaussianImages(dataset.train, channels, stats, "corruption/gaussian/train", seed),
        test: gaussianImages(dataset.test, channels, stats, "corruption/gaussian/test", seed),
      };
    }
  }
}
