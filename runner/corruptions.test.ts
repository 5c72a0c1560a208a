// The randomization tests: the statistics each corruption must have, purity, and same seed → same bytes.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ALL_CORRUPTIONS } from "../schema/index.js";
import { channelStats, corruptDataset } from "./corruptions.js";
import { type Dataset, loadDataset } from "./datasets/index.js";
import { Rng } from "./random.js";

/** SHA-256 over every buffer of a dataset: the identity of its bytes. */
function digest(data: Dataset): string {
  const hash = createHash("sha256");
  for (const array of [data.train.images, data.train.labels, data.test.images, data.test.labels]) {
    hash.update(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
  }
  return hash.digest("hex");
}

/**
 * A dataset whose every float is unique and exact: image i, position j, channel c holds
 * (i·positions + j)·channels + c (test images continue the count), so any rearrangement
 * of pixels can be read back from the values.
 */
function numbered(shape: [number, number, number], trainCount: number, testCount: number, classes = 10): Dataset {
  const size = shape[0] * shape[1] * shape[2];
  const set = (count: number, first: number) => ({
    images: Float32Array.from({ length: count * size }, (_, i) => first * size + i),
    labels: Uint8Array.from({ length: count }, (_, i) => i % classes),
    count,
  });
  return {
    id: "synthetic",
    shape,
    classes,
    train: set(trainCount, 0),
    test: set(testCount, trainCount),
    files: [{ name: "n", sha256: "0".repeat(64) }],
  };
}

/** The permutation of pixel positions that turned image i of `before` into image i of `after`. */
function recoverPermutation(
  before: Float32Array,
  after: Float32Array,
  i: number,
  positions: number,
  channels: number,
): number[] {
  const size = positions * channels;
  return Array.from({ length: positions }, (_, j) => {
    const pixel = (after[i * size + j * channels]! - before[i * size]!) / channels;
    for (let c = 1; c < channels; c++)
      expect(after[i * size + j * channels + c]).toBe(before[i * size]! + pixel * channels + c);
    return pixel;
  });
}

describe("label corruptions", () => {
  const K = 10;
  const data = numbered([1, 1, 1], 20_000, 100, K);

  it.each([0.2, 0.4, 0.6, 0.8])(
    "partial(%s) changes a fraction of training labels within binomial tolerance of p·(1−1/K)",
    (p) => {
      const corrupted = corruptDataset(data, { kind: "partial", p }, 7);
      const changed =
        corrupted.train.labels.filter((label, i) => label !== data.train.labels[i]).length / data.train.count;
      const expected = p * (1 - 1 / K);
      const sd = Math.sqrt((expected * (1 - expected)) / data.train.count);
      expect(Math.abs(changed - expected)).toBeLessThan(4 * sd);
      expect(corrupted.test).toBe(data.test);
      expect(corrupted.train.images).toBe(data.train.images);
    },
  );

  it("random replaces every label by a uniform class: 90% change, every class about equally often", () => {
    const corrupted = corruptDataset(data, { kind: "random" }, 7);
    const changed =
      corrupted.train.labels.filter((label, i) => label !== data.train.labels[i]).length / data.train.count;
    expect(Math.abs(changed - 0.9)).toBeLessThan(4 * Math.sqrt((0.9 * 0.1) / data.train.count));
    const counts = new Array<number>(K).fill(0);
    for (const label of corrupted.train.labels) counts[label]!++;
    const sd = Math.sqrt(data.train.count * (1 / K) * (1 - 1 / K));
    for (const count of counts) expect(Math.abs(count - data.train.count / K)).toBeLessThan(4 * sd);
  });

  it("nests: for one seed, a label changed at a lower p changes identically at every higher p and under random", () => {
    const levels = [0.2, 0.4, 0.6, 0.8].map((p) => corruptDataset(data, { kind: "partial", p }, 3).train.labels);
    levels.push(corruptDataset(data, { kind: "random" }, 3).train.labels);
    const broken: string[] = [];
    for (let k = 0; k + 1 < levels.length; k++) {
      levels[k]!.forEach((label, i) => {
        if (label !== data.train.labels[i] && levels[k + 1]![i] !== label) broken.push(`level ${k}, example ${i}`);
      });
    }
    expect(broken).toEqual([]);
  });
});

describe("input corruptions", () => {
  const shape: [number, number, number] = [4, 4, 3];
  const positions = 16;
  const data = numbered(shape, 40, 10);

  it("shuffled-pixels moves whole pixels by one permutation, the same for every training and test image", () => {
    const corrupted = corruptDataset(data, { kind: "shuffled-pixels" }, 1);
    const perm = recoverPermutation(data.train.images, corrupted.train.images, 0, positions, 3);
    expect([...perm].sort((a, b) => a - b)).toEqual([...Array(positions).keys()]);
    expect(perm).not.toEqual([...Array(positions).keys()]);
    for (let i = 0; i < data.train.count; i++)
      expect(recoverPermutation(data.train.images, corrupted.train.images, i, positions, 3)).toEqual(perm);
    for (let i = 0; i < data.test.count; i++)
      expect(recoverPermutation(data.test.images, corrupted.test.images, i, positions, 3)).toEqual(perm);
    expect(corrupted.train.labels).toBe(data.train.labels);
    expect(corrupted.test.labels).toBe(data.test.labels);
  });

  it("random-pixels gives every training and test image its own permutation of whole pixels", () => {
    const corrupted = corruptDataset(data, { kind: "random-pixels" }, 1);
    const perms = [
      ...Array.from({ length: data.train.count }, (_, i) =>
        recoverPermutation(data.train.images, corrupted.train.images, i, positions, 3),
      ),
      ...Array.from({ length: data.test.count }, (_, i) =>
        recoverPermutation(data.test.images, corrupted.test.images, i, positions, 3),
      ),
    ];
    for (const perm of perms) expect([...perm].sort((a, b) => a - b)).toEqual([...Array(positions).keys()]);
    // 16! permutations: 50 independent draws repeat one with probability ~1e-10.
    expect(new Set(perms.map((perm) => perm.join(","))).size).toBe(perms.length);
    expect(corrupted.test.labels).toBe(data.test.labels);
  });

  it("gaussian replaces train and test images with noise of the train images' per-channel mean and variance", () => {
    // Three channels with different statistics: c-th channel uniform in [0.3c, 0.3c + 0.1 + 0.2c].
    const rng = Rng.create(0, "test/gaussian");
    const colour = numbered([8, 8, 3], 300, 200);
    colour.train.images = colour.train.images.map((_, i) => 0.3 * (i % 3) + (0.1 + 0.2 * (i % 3)) * rng.float());
    const want = channelStats(colour.train, 3);
    const corrupted = corruptDataset(colour, { kind: "gaussian" }, 5);
    for (const [set, count] of [
      [corrupted.train, 300],
      [corrupted.test, 200],
    ] as const) {
      const got = channelStats(set, 3);
      const n = count * 64;
      for (let c = 0; c < 3; c++) {
        const sd = Math.sqrt(want.variance[c]!);
        expect(Math.abs(got.mean[c]! - want.mean[c]!)).toBeLessThan((5 * sd) / Math.sqrt(n));
        expect(Math.abs(got.variance[c]! / want.variance[c]! - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
        // Gaussian, not just the right moments: about 68.3% of values lie within one sd of the mean.
        let within = 0;
        for (let i = c; i < set.images.length; i += 3) if (Math.abs(set.images[i]! - want.mean[c]!) < sd) within++;
        expect(Math.abs(within / n - 0.6827)).toBeLessThan(5 * Math.sqrt((0.6827 * 0.3173) / n));
      }
    }
    expect(corrupted.train.labels).toBe(colour.train.labels);
    expect(corrupted.test.labels).toBe(colour.test.labels);
  });
});

describe("corruptDataset", () => {
  it.each(ALL_CORRUPTIONS)(
    "$kind $p: never modifies its input; same seed gives the same bytes, another seed other bytes",
    (corruption) => {
      const data = numbered([4, 4, 3], 50, 20);
      const before = digest(data);
      const a = corruptDataset(data, corruption, 11);
      const b = corruptDataset(data, corruption, 11);
      const c = corruptDataset(data, corruption, 12);
      expect(digest(data)).toBe(before);
      expect(digest(a)).toBe(digest(b));
      if (corruption.kind === "true") expect(digest(c)).toBe(before);
      else expect(digest(c)).not.toBe(digest(a));
      expect(a.train.images).toBeInstanceOf(Float32Array);
      expect(a.files).toBe(data.files);
    },
  );

  it("pins the bytes: these digests must never change, on any machine, or results stop being comparable", async () => {
    const data = await loadDataset({ id: "synthetic", trainSize: 200, testSize: 50 }, { cacheDir: "/nonexistent" });
    const digests = Object.fromEntries(
      ALL_CORRUPTIONS.map((corruption) => [
        corruption.kind === "partial" ? `partial-${corruption.p}` : corruption.kind,
        digest(corruptDataset(data, corruption, 0)),
      ]),
    );
    expect(digests).toMatchInlineSnapshot(`
      {
        "gaussian": "55067dfa2ab1beb2711ea008b0b526480b80cfd7b18b7c9c4aba1c2a94da80a5",
        "partial-0.2": "5afc5382105e8400bd61ef35086552ac418052c0f98977ee767424ee6e3baadf",
        "partial-0.4": "d3317192d8c462de57a25e365ca84edca07b17ee5717788818960f3f40426e9a",
        "partial-0.6": "ba8b45a5c46bf6ea18714b478c8cb82cf208bbd56200830ddf4f37fe17a57596",
        "partial-0.8": "b8de3047a108507babb5c6caab3e41cab645294d8cb1c28e5c23e023f1c36b3c",
        "random": "04987bbbb45277639b9afe8076e0832a27e5dab17a4967d43d2eab00402f4686",
        "random-pixels": "e9add6eba32495f35283396a525cdb18d7021f444194d4cfb79200684c4cdb01",
        "shuffled-pixels": "c8870b6867065e91506f781f9c9227dfc7db939609eed46651be6601f796e427",
        "true": "41f2a949619477c75a04d5bb77a7d84ba50ef3d52eeefa12b51f02baebc0517b",
      }
    `);
  });
});
