// Dataset downloads against a local HTTP server serving generated files: verified, atomic, and clear when they fail.
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { create } from "tar";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CIFAR10_SOURCE, type CifarSource, loadCifarDataset } from "../../runner/datasets/cifar10.js";
import { downloadFile } from "../../runner/datasets/download.js";
import { type IdxSource, loadIdxDataset } from "../../runner/datasets/idx.js";
import { resolveLoadOptions } from "../../runner/datasets/load-options.js";
import { MNIST_SOURCE } from "../../runner/datasets/mnist.js";
import { InputError } from "../../runner/errors.js";

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

/** What the server answers per path: a body, or a body it breaks off half-way. */
const routes = new Map<string, { body: Buffer; breakOff?: boolean }>();
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    const route = routes.get(request.url ?? "");
    if (!route) {
      response.writeHead(404).end("not found");
      return;
    }
    if (route.breakOff) {
      response.writeHead(200, { "content-length": route.body.length });
      response.write(route.body.subarray(0, route.body.length >> 1), () => response.destroy());
      return;
    }
    response.writeHead(200, { "content-length": route.body.length }).end(route.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** A port nothing listens on: one the OS just handed out and that was closed again. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe("downloadFile", () => {
  const body = Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 31) % 256));
  routes.set("/file.bin", { body });
  routes.set("/broken.bin", { body, breakOff: true });

  it("stores a body with the expected size and digest, reporting progress, with no temp file left", async () => {
    const dir = tempDir("rb-dl-");
    const messages: string[] = [];
    await downloadFile(
      { url: `${base}/file.bin`, path: join(dir, "sub", "file.bin"), sha256: sha256(body), bytes: body.length },
      (m) => messages.push(m),
    );
    expect(readFileSync(join(dir, "sub", "file.bin")).equals(body)).toBe(true);
    expect(readdirSync(join(dir, "sub"))).toEqual(["file.bin"]);
    expect(messages[0]).toMatch(/^downloading file.bin \(0.1 MB\) from http:/);
    expect(messages.at(-1)).toBe("file.bin: downloaded and verified");
  });

  it.each([
    [
      "a wrong digest",
      "/file.bin",
      { sha256: "ab".repeat(32), bytes: 100_000 },
      /its SHA-256 is [0-9a-f]{64}, expected (ab){32}; the file was discarded/,
    ],
    [
      "a body larger than expected",
      "/file.bin",
      { sha256: "ab".repeat(32), bytes: 1000 },
      /the server sent more than the expected 1000 bytes/,
    ],
    [
      "a body shorter than expected",
      "/file.bin",
      { sha256: "ab".repeat(32), bytes: 200_000 },
      /received 100000 bytes, expected 200000/,
    ],
    [
      "a transfer that breaks off",
      "/broken.bin",
      { sha256: "ab".repeat(32), bytes: 100_000 },
      /the transfer broke off after \d+ bytes/,
    ],
    ["an HTTP error", "/missing.bin", { sha256: "ab".repeat(32), bytes: 1 }, /the server answered HTTP 404 Not Found/],
  ])("refuses %s and leaves nothing behind", async (_, path, expected, message) => {
    const dir = tempDir("rb-dl-");
    const error = await downloadFile({ url: `${base}${path}`, path: join(dir, "file.bin"), ...expected }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(new RegExp(`^could not download ${base}${path}: `));
    expect((error as Error).message).toMatch(message);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("explains a server that is down", async () => {
    const dir = tempDir("rb-dl-");
    const url = `http://127.0.0.1:${await closedPort()}/file.bin`;
    await expect(
      downloadFile({ url, path: join(dir, "file.bin"), sha256: sha256(body), bytes: body.length }),
    ).rejects.toThrow(new RegExp(`^could not download ${url}: .*ECONNREFUSED`));
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe("an IDX dataset from a mirror", () => {
  /** Generated 2×2 images in three classes, served as .gz under /idx/, and a source that pins them. */
  const idx = (magic: number, dims: number[], data: number[]) => {
    const header = Buffer.alloc(4 + 4 * dims.length);
    header.writeUInt32BE(magic, 0);
    dims.forEach((d, i) => {
      header.writeUInt32BE(d, 4 + 4 * i);
    });
    return Buffer.concat([header, Buffer.from(data)]);
  };
  const files = {
    "train-images-idx3-ubyte": idx(
      0x803,
      [12, 2, 2],
      Array.from({ length: 48 }, (_, i) => i),
    ),
    "train-labels-idx1-ubyte": idx(
      0x801,
      [12],
      Array.from({ length: 12 }, (_, i) => i % 3),
    ),
    "t10k-images-idx3-ubyte": idx(
      0x803,
      [3, 2, 2],
      Array.from({ length: 12 }, (_, i) => 200 + i),
    ),
    "t10k-labels-idx1-ubyte": idx(0x801, [3], [2, 1, 0]),
  };
  const pin = (name: keyof typeof files) => {
    const gz = gzipSync(files[name]);
    routes.set(`/idx/${name}.gz`, { body: gz });
    return { name, sha256: sha256(files[name]), gz: { sha256: sha256(gz), bytes: gz.length } };
  };
  const source: IdxSource = {
    ...MNIST_SOURCE,
    classes: 3,
    trainImages: pin("train-images-idx3-ubyte"),
    trainLabels: pin("train-labels-idx1-ubyte"),
    testImages: pin("t10k-images-idx3-ubyte"),
    testLabels: pin("t10k-labels-idx1-ubyte"),
  };

  it("downloads each .gz into <cache>/datasets/<id>/, then loads from the cache without the network", async () => {
    const cache = tempDir("rb-cache-");
    const raw = await loadIdxDataset(source, resolveLoadOptions({ cacheDir: cache, mirror: `${base}/idx` }));
    expect([raw.train.count, raw.test.count, raw.test.pixels[0]]).toEqual([12, 3, 200]);
    expect(readdirSync(join(cache, "datasets", "mnist")).sort()).toEqual(
      Object.keys(files)
        .map((n) => `${n}.gz`)
        .sort(),
    );
    const again = await loadIdxDataset(
      source,
      resolveLoadOptions({ cacheDir: cache, mirror: `http://127.0.0.1:${await closedPort()}/` }),
    );
    expect(again.train.labels).toEqual(raw.train.labels);
  });

  it("refuses a served file with the wrong digest, says how else to get the data, and caches nothing", async () => {
    const cache = tempDir("rb-cache-");
    const wrong = {
      ...source,
      trainImages: { ...source.trainImages, gz: { ...source.trainImages.gz, sha256: "cd".repeat(32) } },
    };
    const error = await loadIdxDataset(wrong, resolveLoadOptions({ cacheDir: cache, mirror: `${base}/idx/` })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(
      /^MNIST: could not download .*train-images-idx3-ubyte.gz: its SHA-256 is .*--data-dir FOLDER\.$/,
    );
    expect(readdirSync(join(cache, "datasets", "mnist"))).toEqual([]);
  });

  it("reports a mirror that is down with the URL it tried", async () => {
    const cache = tempDir("rb-cache-");
    const mirror = `http://127.0.0.1:${await closedPort()}/`;
    await expect(loadIdxDataset(source, resolveLoadOptions({ cacheDir: cache, mirror }))).rejects.toThrow(
      new RegExp(
        `could not download ${mirror}train-images-idx3-ubyte.gz: .*ECONNREFUSED.*` +
          `To get MNIST: run again with network access to let rethink-bench download it from ${mirror}`,
      ),
    );
  });
});

describe("CIFAR-10 from a mirror", () => {
  it("downloads the archive, extracts the verified batch files into the cache and deletes the archive", async () => {
    const folder = tempDir("rb-cifar-src-");
    mkdirSync(join(folder, "cifar-10-batches-bin"));
    const record = (label: number) => Buffer.from([label, ...Array.from({ length: 3072 }, (_, i) => i % 256)]);
    const batches = { "data_batch_1.bin": Buffer.concat([record(1), record(2)]), "test_batch.bin": record(3) };
    for (const [name, content] of Object.entries(batches))
      writeFileSync(join(folder, "cifar-10-batches-bin", name), content);
    await create({ gzip: true, cwd: folder, file: join(folder, "archive.tar.gz") }, ["cifar-10-batches-bin"]);
    const archive = readFileSync(join(folder, "archive.tar.gz"));
    routes.set("/cifar/cifar-10-binary.tar.gz", { body: archive });
    const source: CifarSource = {
      ...CIFAR10_SOURCE,
      trainFiles: [{ name: "data_batch_1.bin", sha256: sha256(batches["data_batch_1.bin"]) }],
      testFiles: [{ name: "test_batch.bin", sha256: sha256(batches["test_batch.bin"]) }],
      archive: { ...CIFAR10_SOURCE.archive, sha256: sha256(archive), bytes: archive.length },
    };
    const cache = tempDir("rb-cache-");
    const raw = await loadCifarDataset(source, resolveLoadOptions({ cacheDir: cache, mirror: `${base}/cifar` }));
    expect([...raw.train.labels, ...raw.test.labels]).toEqual([1, 2, 3]);
    expect(readdirSync(join(cache, "datasets", "cifar10")).sort()).toEqual(["data_batch_1.bin", "test_batch.bin"]);
  });
});
