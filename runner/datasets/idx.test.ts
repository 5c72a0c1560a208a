// The IDX parsers and loader on generated files in the real format, plain and gzipped.
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { InputError } from "../errors.js";
import {
  type IdxFile,
  type IdxSource,
  loadIdxDataset,
  parseIdxImages,
  parseIdxLabels,
  verifyIdxDataset,
} from "./idx.js";
import { resolveLoadOptions } from "./load-options.js";

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** An IDX images file: magic 0x803, count, rows, columns (big-endian), then the pixel bytes. */
function idxImages(count: number, rows: number, columns: number, pixel: (i: number) => number): Buffer {
  const header = Buffer.alloc(16);
  header.writeUInt32BE(0x803, 0);
  header.writeUInt32BE(count, 4);
  header.writeUInt32BE(rows, 8);
  header.writeUInt32BE(columns, 12);
  return Buffer.concat([header, Buffer.from(Array.from({ length: count * rows * columns }, (_, i) => pixel(i)))]);
}

/** An IDX labels file: magic 0x801, count, then one byte per label. */
function idxLabels(labels: number[]): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(0x801, 0);
  header.writeUInt32BE(labels.length, 4);
  return Buffer.concat([header, Buffer.from(labels)]);
}

/** A generated three-class dataset of 3×2 images and an IdxSource that pins its files' digests. */
function generatedIdx() {
  const trainLabels = Array.from({ length: 30 }, (_, i) => i % 3);
  const testLabels = Array.from({ length: 9 }, (_, i) => (i * 2) % 3);
  const contents = {
    "train-images-idx3-ubyte": idxImages(30, 3, 2, (i) => (i * 7) % 256),
    "train-labels-idx1-ubyte": idxLabels(trainLabels),
    "t10k-images-idx3-ubyte": idxImages(9, 3, 2, (i) => (i * 11) % 256),
    "t10k-labels-idx1-ubyte": idxLabels(testLabels),
  };
  const file = (name: keyof typeof contents): IdxFile => {
    const gz = gzipSync(contents[name]);
    return { name, sha256: sha256(contents[name]), gz: { sha256: sha256(gz), bytes: gz.length } };
  };
  const source: IdxSource = {
    id: "mnist",
    title: "Generated IDX",
    classes: 3,
    trainImages: file("train-images-idx3-ubyte"),
    trainLabels: file("train-labels-idx1-ubyte"),
    testImages: file("t10k-images-idx3-ubyte"),
    testLabels: file("t10k-labels-idx1-ubyte"),
    url: "http://127.0.0.1:9/unreachable/",
    systemDirs: [],
    packageHint: "install the generated-idx package",
  };
  return { contents, source, trainLabels, testLabels };
}

function writeFiles(dir: string, files: Record<string, Buffer>, gzip: boolean): void {
  for (const [name, content] of Object.entries(files))
    writeFileSync(join(dir, gzip ? `${name}.gz` : name), gzip ? gzipSync(content) : content);
}

describe("parseIdxImages / parseIdxLabels", () => {
  it("reads the header and the bytes", () => {
    const images = parseIdxImages(
      idxImages(2, 3, 2, (i) => i),
      "x",
    );
    expect([images.count, images.rows, images.columns]).toEqual([2, 3, 2]);
    expect([...images.pixels]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect([...parseIdxLabels(idxLabels([2, 0, 1]), "y", 3)]).toEqual([2, 0, 1]);
  });

  it("rejects a wrong magic number, a truncated body and out-of-range labels", () => {
    expect(() => parseIdxImages(idxLabels([1, 2]), "labels-as-images")).toThrow(
      /labels-as-images is not a valid IDX file: .*0x00000803/,
    );
    expect(() => parseIdxImages(idxImages(2, 3, 2, (i) => i).subarray(0, 20), "short")).toThrow(
      /says 2 images of 3×2 but the file holds 4 pixel bytes/,
    );
    expect(() => parseIdxLabels(idxLabels([0, 3]), "bad", 3)).toThrow(/label 3 at index 1 is not below 3/);
    expect(() => parseIdxLabels(new Uint8Array(3), "tiny", 3)).toThrow(InputError);
  });
});

describe("loadIdxDataset from a folder", () => {
  const { contents, source, trainLabels, testLabels } = generatedIdx();

  it.each([
    ["gzipped", true],
    ["plain", false],
  ])("reads %s files from --data-dir and records the uncompressed digests", async (_, gzip) => {
    const dir = mkdtempSync(join(tmpdir(), "rb-idx-"));
    writeFiles(dir, contents, gzip);
    const cache = mkdtempSync(join(tmpdir(), "rb-cache-"));
    const raw = await loadIdxDataset(source, resolveLoadOptions({ dataDir: dir, cacheDir: cache }));
    expect(raw.shape).toEqual([3, 2, 1]);
    expect([raw.train.count, raw.test.count]).toEqual([30, 9]);
    expect([...raw.train.labels]).toEqual(trainLabels);
    expect([...raw.test.labels]).toEqual(testLabels);
    expect([...raw.test.pixels.subarray(0, 4)]).toEqual([0, 11, 22, 33]);
    expect(raw.files.map((f) => f.sha256)).toEqual(Object.values(contents).map(sha256));
    expect(readdirSync(cache)).toEqual([]); // nothing downloaded
  });

  it("refuses a file whose content differs from the pinned digest, saying how to get the real one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rb-idx-"));
    const tampered = { ...contents, "train-labels-idx1-ubyte": idxLabels(trainLabels.map((l) => (l + 1) % 3)) };
    writeFiles(dir, tampered, true);
    const error = await loadIdxDataset(source, resolveLoadOptions({ dataDir: dir, cacheDir: dir })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(
      new RegExp(
        /train-labels-idx1-ubyte.gz is not the canonical train-labels-idx1-ubyte: /.source +
          /its content has SHA-256 [0-9a-f]{64}, expected/.source,
      ),
    );
    expect((error as Error).message).toMatch(/install the generated-idx package/);
  });

  it("refuses a truncated .gz with a clear error", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rb-idx-"));
    writeFiles(dir, contents, true);
    const gz = gzipSync(contents["train-images-idx3-ubyte"]);
    writeFileSync(join(dir, "train-images-idx3-ubyte.gz"), gz.subarray(0, gz.length - 20));
    await expect(loadIdxDataset(source, resolveLoadOptions({ dataDir: dir, cacheDir: dir }))).rejects.toThrow(
      /cannot read .*train-images-idx3-ubyte.gz/,
    );
  });

  it("looks only in --data-dir when given, and otherwise says downloads are off when they are", async () => {
    const empty = mkdtempSync(join(tmpdir(), "rb-idx-"));
    await expect(loadIdxDataset(source, resolveLoadOptions({ dataDir: empty, cacheDir: empty }))).rejects.toThrow(
      new RegExp(
        `Generated IDX is not available: ` +
          `there is no train-images-idx3-ubyte or train-images-idx3-ubyte.gz in ${empty}\\.`,
      ),
    );
    await expect(loadIdxDataset(source, resolveLoadOptions({ cacheDir: empty, download: false }))).rejects.toThrow(
      /allow downloads \(they are turned off\)/,
    );
  });

  it("verifies the files without parsing them, refusing what loading refuses with the same message", async () => {
    const good = mkdtempSync(join(tmpdir(), "rb-idx-"));
    writeFiles(good, contents, true);
    await expect(
      verifyIdxDataset(source, resolveLoadOptions({ dataDir: good, cacheDir: good })),
    ).resolves.toBeUndefined();
    const tampered = mkdtempSync(join(tmpdir(), "rb-idx-"));
    writeFiles(
      tampered,
      { ...contents, "t10k-labels-idx1-ubyte": idxLabels(testLabels.map((l) => (l + 1) % 3)) },
      false,
    );
    const empty = mkdtempSync(join(tmpdir(), "rb-idx-"));
    for (const options of [
      { dataDir: tampered, cacheDir: tampered },
      { dataDir: empty, cacheDir: empty },
      { cacheDir: empty, download: false },
    ]) {
      const loading = await loadIdxDataset(source, resolveLoadOptions(options)).catch((e: unknown) => e);
      const verifying = await verifyIdxDataset(source, resolveLoadOptions(options)).catch((e: unknown) => e);
      expect(verifying).toBeInstanceOf(InputError);
      expect((verifying as Error).message).toBe((loading as Error).message);
    }
  });

  it("finds a copy in a system folder before the cache", async () => {
    const system = mkdtempSync(join(tmpdir(), "rb-system-"));
    writeFiles(system, contents, true);
    const cache = mkdtempSync(join(tmpdir(), "rb-cache-"));
    const messages: string[] = [];
    const raw = await loadIdxDataset(
      { ...source, systemDirs: [system] },
      resolveLoadOptions({ cacheDir: cache, download: false, onProgress: (m) => messages.push(m) }),
    );
    expect(raw.train.count).toBe(30);
    expect(messages).toContain(`mnist: reading ${join(system, "train-images-idx3-ubyte.gz")}`);
  });
});
