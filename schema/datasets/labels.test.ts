// Run labels: the corruption's draws, the subsets, and agreement with what the runner trained on.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { type Corruption, expandSuite, type Task } from "../contract/index.js";
import { Rng } from "../random.js";
import { findSuite } from "../suites/index.js";
import { corruptLabels, runLabels, subsetLabels, trainingLabels } from "./labels.js";
import { defaultDatasetRegistry } from "./registry.js";

function task(id: Task["dataset"]["id"], trainSize: number, testSize: number, corruption: Corruption, seed: number) {
  return { ...expandSuite(findSuite("smoke")!)[0]!, dataset: { id, trainSize, testSize }, corruption, seed };
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

describe("corruptLabels", () => {
  const labels = Uint8Array.from({ length: 200 }, (_, i) => i % 4);

  it("replaces each label with probability p by the class drawn after its u, from stream corruption/labels", () => {
    const rng = Rng.create(5, "corruption/labels");
    const expected = Array.from(labels, (label) => {
      const u = rng.float();
      const replacement = rng.int(4);
      return u < 0.3 ? replacement : label;
    });
    expect(Array.from(corruptLabels(labels, 4, 0.3, 5))).toEqual(expected);
  });

  it("nests: the labels a lower p replaces are replaced at a higher p by the same classes; p = 1 is random", () => {
    const low = corruptLabels(labels, 4, 0.2, 1);
    const high = corruptLabels(labels, 4, 0.8, 1);
    const all = corruptLabels(labels, 4, 1, 1);
    const changedLow = [...low.keys()].filter((i) => low[i] !== labels[i]);
    expect(changedLow.length).toBeGreaterThan(10);
    for (const i of changedLow) expect([high[i], all[i]]).toEqual([low[i], low[i]]);
    expect(trainingLabels(labels, 4, { kind: "random" }, 1)).toEqual(all);
    expect(trainingLabels(labels, 4, { kind: "partial", p: 0.2 }, 1)).toEqual(low);
  });

  it("keeps the labels of true labels and of the input corruptions", () => {
    for (const kind of ["true", "shuffled-pixels", "random-pixels", "gaussian"] as const)
      expect(trainingLabels(labels, 4, { kind }, 9)).toBe(labels);
  });
});

describe("runLabels", () => {
  // Hand-made pools of three classes; whole pools are taken in the order of their stream's permutation.
  const pools = { classes: 3, train: Uint8Array.of(0, 1, 2, 2, 1, 0, 0, 1, 2), test: Uint8Array.of(2, 1, 0) };

  it("takes the subsets in permutation order, corrupts training labels under the seed, and keeps test labels", () => {
    const trainOrder = Rng.create(0, "cifar10/train").permutation(9);
    const testOrder = Rng.create(0, "cifar10/test").permutation(3);
    const trueTrain = Uint8Array.from(trainOrder, (i) => pools.train[i]!);
    const labels = runLabels(task("cifar10", 9, 3, { kind: "random" }, 4), pools);
    expect(labels.test).toEqual(Uint8Array.from(testOrder, (i) => pools.test[i]!));
    expect(labels.train).toEqual(corruptLabels(trueTrain, 3, 1, 4));
    expect(runLabels(task("cifar10", 9, 3, { kind: "true" }, 4), pools).train).toEqual(trueTrain);
  });

  it("refuses sizes beyond a pool", () => {
    expect(() => subsetLabels("cifar10", pools, 10, 3)).toThrow(/cifar10 has 9 train examples, not 10/);
  });

  // Digests of the labels the runner trained on before its label code moved into schema/ (commit
  // 849b0fa: loadDataset, then corruptDataset, on the mnist package's files and Debian's Fashion-MNIST).
  it.each([
    ["mnist-10k", 250, 250, { kind: "random" }, 0, "05500bee86a3b1d0", "060663b015db8531"],
    ["mnist-10k", 1000, 500, { kind: "partial", p: 0.4 }, 3, "d04b9fd760220553", "69b721da2bf8cd33"],
    ["mnist-10k", 1000, 500, { kind: "shuffled-pixels" }, 1, "a71943b03cd4c061", "69b721da2bf8cd33"],
    ["fashion-mnist", 2000, 1000, { kind: "partial", p: 0.8 }, 2, "57cbde286e96f016", "41af401e759119d4"],
  ] as const)("derives from the shipped %s labels (%i/%i, %o, seed %i) what the runner trained on", (...row) => {
    const [id, trainSize, testSize, corruption, seed, train, test] = row;
    const labels = runLabels(
      task(id, trainSize, testSize, corruption, seed),
      defaultDatasetRegistry().get(id)!.labels!,
    );
    expect([sha256(labels.train).slice(0, 16), sha256(labels.test).slice(0, 16)]).toEqual([train, test]);
  });
});
