// The CIFAR-10 binary parser and loader on generated batch files and a generated cifar-10-binary.tar.gz.
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "tar";
import { describe, expect, it } from "vitest";
import { InputError } from "../errors.js";
import { CIFAR10_SOURCE, type CifarSource, loadCifarDataset, parseCifarBatch, verifyCifarDataset } from "./cifar10.js";
import { resolveLoadOptions } from "./load-options.js";

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/**
 * A batch file: per record a label byte, then the red, green and blue 32×32 planes. Plane c of
 * record r holds (r + 10·c + p) mod 256.
 */
function batch(labels: number[], offset: number): Buffer {
  return Buffer.concat(
    labels.map((label, r) =>
      Buffer.from([
        label,
        ...Array.from({ length: 3072 }, (_, i) => (offset + r + 10 * Math.floor(i / 1024) + (i % 1024)) % 256),
      ]),
    ),
  );
}

/** Two small training batches and a test batch, the source pinning them, and a folder with the archive. */
async function generatedCifar() {
  const contents: Record<string, Buffer> = {
    "data_batch_1.bin": batch([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 0),
    "data_batch_2.bin": batch([9, 8, 7, 6, 5, 4, 3, 2, 1, 0], 50),
    "test_batch.bin": batch([3, 1, 4, 1, 5], 100),
  };
  const dir = mkdtempSync(join(tmpdir(), "rb-cifar-"));
  mkdirSync(join(dir, "cifar-10-batches-bin"));
  for (const [name, content] of Object.entries(contents))
    writeFileSync(join(dir, "cifar-10-batches-bin", name), content);
  writeFileSync(join(dir, "cifar-10-batches-bin", "batches.meta.txt"), "airplane\n");
  const archiveDir = mkdtempSync(join(tmpdir(), "rb-cifar-archive-"));
  await create({ gzip: true, cwd: dir, file: join(archiveDir, "cifar-10-binary.tar.gz") }, ["cifar-10-batches-bin"]);
  const archive = readFileSync(join(archiveDir, "cifar-10-binary.tar.gz"));
  const source: CifarSource = {
    ...CIFAR10_SOURCE,
    title: "Generated CIFAR",
    trainFiles: ["data_batch_1.bin", "data_batch_2.bin"].map((name) => ({ name, sha256: sha256(contents[name]!) })),
    testFiles: [{ name: "test_batch.bin", sha256: sha256(contents["test_batch.bin"]!) }],
    archive: {
      name: "cifar-10-binary.tar.gz",
      url: "http://127.0.0.1:9/unreachable/",
      sha256: sha256(archive),
      bytes: archive.length,
    },
  };
  return { contents, source, dir, archiveDir, archive };
}

describe("parseCifarBatch", () => {
  it("interleaves the three colour planes into NHWC pixels", () => {
    const split = parseCifarBatch(batch([7, 2], 0), "b", 10);
    expect([...split.labels]).toEqual([7, 2]);
    expect(split.count).toBe(2);
    // Record 1, pixel 5: red = 1 + 5, green = 1 + 10 + 5, blue = 1 + 20 + 5.
    const at = (1 * 1024 + 5) * 3;
    expect([...split.pixels.subarray(at, at + 3)]).toEqual([6, 16, 26]);
  });

  it("rejects a partial record and an out-of-range label", () => {
    expect(() => parseCifarBatch(batch([1], 0).subarray(0, 3000), "short.bin", 10)).toThrow(
      /short.bin is not a CIFAR-10 binary batch: its 3000 bytes/,
    );
    expect(() => parseCifarBatch(batch([1, 12], 0), "bad.bin", 10)).toThrow(/record 1 has label 12/);
  });
});

describe("loadCifarDataset", () => {
  it("reads the batch files from --data-dir (in cifar-10-batches-bin/), training batches concatenated", async () => {
    const { source, dir, contents } = await generatedCifar();
    const raw = await loadCifarDataset(
      source,
      resolveLoadOptions({ dataDir: dir, cacheDir: mkdtempSync(join(tmpdir(), "rb-cache-")) }),
    );
    expect(raw.shape).toEqual([32, 32, 3]);
    expect([raw.train.count, raw.test.count]).toEqual([20, 5]);
    expect([...raw.train.labels]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    expect(raw.files).toEqual([
      { name: "data_batch_1.bin", sha256: sha256(contents["data_batch_1.bin"]!) },
      { name: "data_batch_2.bin", sha256: sha256(contents["data_batch_2.bin"]!) },
      { name: "test_batch.bin", sha256: sha256(contents["test_batch.bin"]!) },
    ]);
  });

  it("extracts the archive from --data-dir into the cache, verified, and leaves the user's archive alone", async () => {
    const { source, archiveDir } = await generatedCifar();
    const cache = mkdtempSync(join(tmpdir(), "rb-cache-"));
    const raw = await loadCifarDataset(source, resolveLoadOptions({ dataDir: archiveDir, cacheDir: cache }));
    expect([raw.train.count, raw.test.count]).toEqual([20, 5]);
    expect(readdirSync(join(cache, "datasets", "cifar10")).sort()).toEqual([
      "data_batch_1.bin",
      "data_batch_2.bin",
      "test_batch.bin",
    ]);
    expect(readdirSync(archiveDir)).toEqual(["cifar-10-binary.tar.gz"]);
  });

  it("refuses a damaged archive and leaves nothing in the cache", async () => {
    const { source, archive } = await generatedCifar();
    const dir = mkdtempSync(join(tmpdir(), "rb-cifar-bad-"));
    writeFileSync(join(dir, "cifar-10-binary.tar.gz"), archive.subarray(0, Math.floor(archive.length / 2)));
    const cache = mkdtempSync(join(tmpdir(), "rb-cache-"));
    const error = await loadCifarDataset(source, resolveLoadOptions({ dataDir: dir, cacheDir: cache })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(/cifar-10-binary.tar.gz is not a readable cifar-10-binary.tar.gz/);
    expect(readdirSync(join(cache, "datasets", "cifar10"))).toEqual([]);
  });

  it("refuses an archive whose batch file differs from the pinned digest", async () => {
    const { source, archiveDir } = await generatedCifar();
    const wrong = { ...source, testFiles: [{ name: "test_batch.bin", sha256: "0".repeat(64) }] };
    const cache = mkdtempSync(join(tmpdir(), "rb-cache-"));
    await expect(loadCifarDataset(wrong, resolveLoadOptions({ dataDir: archiveDir, cacheDir: cache }))).rejects.toThrow(
      /test_batch.bin in .* has SHA-256 [0-9a-f]{64}, expected 0{64}/,
    );
    expect(readdirSync(join(cache, "datasets", "cifar10"))).toEqual([]);
  });

  it("verifies the batch files without parsing them, refusing what loading refuses with the same message", async () => {
    const { source, dir, archiveDir } = await generatedCifar();
    await expect(
      verifyCifarDataset(
        source,
        resolveLoadOptions({ dataDir: dir, cacheDir: mkdtempSync(join(tmpdir(), "rb-cache-")) }),
      ),
    ).resolves.toBeUndefined();
    const wrong = { ...source, testFiles: [{ name: "test_batch.bin", sha256: "0".repeat(64) }] };
    for (const [tried, options] of [
      [wrong, { dataDir: dir }],
      [wrong, { dataDir: archiveDir }],
      [CIFAR10_SOURCE, { download: false }],
    ] as const) {
      const loading = await loadCifarDataset(
        tried,
        resolveLoadOptions({ ...options, cacheDir: mkdtempSync(join(tmpdir(), "rb-cache-")) }),
      ).catch((e: unknown) => e);
      const verifying = await verifyCifarDataset(
        tried,
        resolveLoadOptions({ ...options, cacheDir: mkdtempSync(join(tmpdir(), "rb-cache-")) }),
      ).catch((e: unknown) => e);
      expect(verifying).toBeInstanceOf(InputError);
      // Messages name the cache folder, which differs between the two attempts.
      const message = (error: unknown) => (error as Error).message.replaceAll(/rb-cache-\w+/g, "rb-cache-X");
      expect(message(verifying)).toBe(message(loading));
    }
  });

  it("says how to get CIFAR-10 when it is nowhere and downloads are off", async () => {
    const cache = mkdtempSync(join(tmpdir(), "rb-cache-"));
    await expect(
      loadCifarDataset(CIFAR10_SOURCE, resolveLoadOptions({ cacheDir: cache, download: false })),
    ).rejects.toThrow(
      new RegExp(
        /CIFAR-10 is not available: data_batch_1.bin, .*test_batch.bin not found in .*/.source +
          /allow downloads \(they are turned off\) so rethink-bench downloads it from /.source +
          /https:\/\/www.cs.toronto.edu\/~kriz\/cifar-10-binary.tar.gz.*--data-dir FOLDER/.source,
      ),
    );
  });
});
