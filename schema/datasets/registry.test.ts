// The shipped label data: its packing, its generated modules, and the registry the server scores with.
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { labelDataName, packLabelData, renderLabelModule, unpackLabelData } from "./label-data.js";
import { PINNED_DATASET_FILES, pinnedFile } from "./pinned.js";
import { defaultDatasetRegistry, knownDatasetFrom } from "./registry.js";

const FILES = [{ name: "a.bin", sha256: "ab".repeat(32) }];

function classCounts(labels: Uint8Array, classes = 10): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const label of labels) counts[label]!++;
  return counts;
}

describe("label data", () => {
  it("packs two labels a byte, high nibble first, as base64 lines of 100 characters", () => {
    // 2, 0 → 0x20 and 1 → 0x10: bytes 0x20 0x10 are "IBA=" in base64.
    const small = packLabelData("x", { classes: 3, train: Uint8Array.of(2, 0, 1), test: Uint8Array.of() }, FILES);
    expect(small.train).toEqual({ count: 3, base64: ["IBA="] });
    // 250 labels → 125 bytes → 168 base64 characters: one full line and one of 68.
    const labels = Uint8Array.from({ length: 250 }, (_, i) => (i * 7) % 10);
    const packed = packLabelData("x", { classes: 10, train: labels, test: labels.subarray(0, 5) }, FILES);
    expect(packed.train.base64.map((line) => line.length)).toEqual([100, 68]);
    expect(unpackLabelData(packed)).toEqual({ classes: 10, train: labels, test: labels.subarray(0, 5) });
  });

  it("refuses damaged data", () => {
    const packed = packLabelData("x", { classes: 3, train: Uint8Array.of(2, 0, 1), test: Uint8Array.of(1) }, FILES);
    expect(() => unpackLabelData({ ...packed, train: { count: 5, base64: ["IBA="] } })).toThrow(
      /the shipped train labels of x do not decode to 5 classes/,
    );
  });

  it("renders a module that names its source digests and imports back to the same labels", async () => {
    const pools = { classes: 10, train: Uint8Array.from({ length: 333 }, (_, i) => i % 10), test: Uint8Array.of(9) };
    const data = packLabelData("cifar10", pools, FILES);
    const source = renderLabelModule(data, "npm run labels:build -- --dataset cifar10");
    expect(source).toContain(`// ${"ab".repeat(32)}  a.bin\n`);
    expect(source).toContain("export const cifar10Labels: LabelData = {");
    expect(source.split("\n").every((line) => line.length <= 120)).toBe(true);
    const path = join(mkdtempSync(join(tmpdir(), "rb-labels-")), "cifar10.ts");
    writeFileSync(path, source);
    const imported = (await import(path)).cifar10Labels;
    expect(knownDatasetFrom(imported)).toEqual({ id: "cifar10", classes: 10, files: FILES, labels: pools });
  });

  it("names modules after their dataset", () => {
    expect(["mnist-10k", "fashion-mnist", "cifar10"].map(labelDataName)).toEqual([
      "mnist10kLabels",
      "fashionMnistLabels",
      "cifar10Labels",
    ]);
  });
});

describe("defaultDatasetRegistry", () => {
  const registry = defaultDatasetRegistry();

  it("pins every file dataset, and holds labels for mnist-10k and fashion-mnist only", () => {
    expect([...registry.keys()].sort()).toEqual(["cifar10", "fashion-mnist", "mnist", "mnist-10k"]);
    for (const [id, known] of registry) expect(known.files).toEqual(PINNED_DATASET_FILES[id as "mnist"]);
    expect(registry.get("mnist")?.labels).toBeNull();
    expect(registry.get("cifar10")?.labels).toBeNull();
    expect(registry.get("synthetic")).toBeUndefined();
  });

  it("ships mnist-10k's split: 8,000 training and 2,000 test digits, 200 of each class", () => {
    const labels = registry.get("mnist-10k")!.labels!;
    expect([labels.train.length, labels.test.length]).toEqual([8000, 2000]);
    expect(classCounts(labels.test)).toEqual(new Array(10).fill(200));
  });

  it("ships Fashion-MNIST's labels: 6,000 training and 1,000 test images of each class", () => {
    const labels = registry.get("fashion-mnist")!.labels!;
    expect(classCounts(labels.train)).toEqual(new Array(10).fill(6000));
    expect(classCounts(labels.test)).toEqual(new Array(10).fill(1000));
  });

  const debian = "/usr/share/datasets/fashion-mnist";
  // Debian's dataset-fashion-mnist is a system package the unit tests do not require.
  it.skipIf(!existsSync(join(debian, "train-labels-idx1-ubyte.gz")))(
    "ships exactly the label bytes of Fashion-MNIST's IDX files, whose digests it names",
    () => {
      const labels = registry.get("fashion-mnist")!.labels!;
      for (const [name, shipped] of [
        ["train-labels-idx1-ubyte", labels.train],
        ["t10k-labels-idx1-ubyte", labels.test],
      ] as const) {
        const content = gunzipSync(readFileSync(join(debian, `${name}.gz`)));
        expect(createHash("sha256").update(content).digest("hex")).toBe(pinnedFile("fashion-mnist", name).sha256);
        // An IDX labels file: 8 header bytes, then one byte per label.
        expect(shipped).toEqual(new Uint8Array(content.subarray(8)));
      }
    },
  );
});
