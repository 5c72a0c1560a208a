// `cifar10`: Krizhevsky's 50,000 + 10,000 colour images, 32×32×3, 10 classes, the binary version.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, mkdtemp, rename, rm } from "node:fs/promises";
import { basename, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { extract } from "tar";
import { type DatasetFile, type DatasetId, PINNED_DATASET_FILES } from "../../schema/index.js";
import { InputError } from "../errors.js";
import { downloadFile } from "./download.js";
import { findFile, readVerified } from "./files.js";
import { downloadAdvice, type ResolvedLoadOptions } from "./load-options.js";
import type { RawDataset, RawSplit } from "./raw.js";

const SIDE = 32;
const CHANNELS = 3;
const PIXELS = SIDE * SIDE;
/** One record of a batch file: a label byte, then 1024 red, 1024 green and 1024 blue bytes. */
const RECORD_BYTES = 1 + CHANNELS * PIXELS;

/** Where CIFAR-10 comes from: the batch files, each with its pinned digest, and the archive holding them. */
export interface CifarSource {
  id: DatasetId;
  title: string;
  classes: number;
  trainFiles: DatasetFile[];
  testFiles: DatasetFile[];
  archive: { name: string; url: string; sha256: string; bytes: number };
  /** The folder the archive keeps the batch files in. */
  folder: string;
}

/**
 * The batch files' digests are schema's pins (the bundle records them); the archive's is as
 * TensorFlow Datasets pins it (url_checksums/cifar10.txt; its MD5 is the
 * c32a1d4ab5d03f1284b67883e8d87530 the dataset's page publishes).
 */
export const CIFAR10_SOURCE: CifarSource = {
  id: "cifar10",
  title: "CIFAR-10",
  classes: 10,
  trainFiles: PINNED_DATASET_FILES.cifar10.filter((f) => f.name.startsWith("data_batch_")),
  testFiles: PINNED_DATASET_FILES.cifar10.filter((f) => f.name === "test_batch.bin"),
  archive: {
    name: "cifar-10-binary.tar.gz",
    url: "https://www.cs.toronto.edu/~kriz/",
    sha256: "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd",
    bytes: 170052171,
  },
  folder: "cifar-10-batches-bin",
};

/**
 * Parses CIFAR-10 binary batches (concatenated records of a label byte and 3×1024 pixel
 * planes) into NHWC pixels: the planes are interleaved so each pixel's red, green and blue
 * bytes sit together, like every other dataset here.
 */
export function parseCifarBatch(bytes: Uint8Array, name: string, classes: number): RawSplit {
  if (bytes.byteLength === 0 || bytes.byteLength % RECORD_BYTES !== 0) {
    throw new InputError(
      `${name} is not a CIFAR-10 binary batch: its ${bytes.byteLength} bytes ` +
        `are not a whole number of ${RECORD_BYTES}-byte records`,
    );
  }
  const count = bytes.byteLength / RECORD_BYTES;
  const pixels = new Uint8Array(count * PIXELS * CHANNELS);
  const labels = new Uint8Array(count);
  for (let r = 0; r < count; r++) {
    const record = r * RECORD_BYTES;
    const label = bytes[record]!;
    if (label >= classes)
      throw new InputError(
        `${name} is not a CIFAR-10 binary batch: record ${r} has label ${label}, not below ${classes}`,
      );
    labels[r] = label;
    const out = r * PIXELS * CHANNELS;
    for (let c = 0; c < CHANNELS; c++) {
      const plane = record + 1 + c * PIXELS;
      for (let p = 0; p < PIXELS; p++) pixels[out + p * CHANNELS + c] = bytes[plane + p]!;
    }
  }
  return { pixels, labels, count };
}

function concatSplits(splits: RawSplit[]): RawSplit {
  const concat = (parts: Uint8Array[]) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const part of parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  };
  return {
    pixels: concat(splits.map((s) => s.pixels)),
    labels: concat(splits.map((s) => s.labels)),
    count: splits.reduce((n, s) => n + s.count, 0),
  };
}

async function fileSha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(path), hash);
  return hash.digest("hex");
}

/**
 * Extracts the batch files from the archive into `cache`: into a temp folder first, then
 * each file, once its digest is the pinned one, renamed into place. A damaged archive or a
 * wrong file leaves nothing behind.
 */
async function extractBatches(
  source: CifarSource,
  archive: string,
  cache: string,
  wanted: DatasetFile[],
  advice: string,
  pinnedAlso: (name: string) => string | undefined,
): Promise<void> {
  await mkdir(cache, { recursive: true });
  const temp = await mkdtemp(join(cache, ".extract-"));
  try {
    const names = new Set(wanted.map((f) => f.name));
    const found = new Map<string, string>();
    try {
      await extract({
        file: archive,
        cwd: temp,
        strict: true,
        filter: (path, entry) => {
          const keep = names.has(basename(path)) && "type" in entry && entry.type === "File";
          if (keep) found.set(basename(path), join(temp, path));
          return keep;
        },
      });
    } catch (error) {
      throw new InputError(
        `${archive} is not a readable ${source.archive.name} (${(error as Error).message}). ${advice}`,
        { cause: error },
      );
    }
    for (const file of wanted) {
      const path = found.get(file.name);
      if (!path) throw new InputError(`${archive} does not hold ${file.name}. ${advice}`);
      const digest = await fileSha256(path);
      if (digest !== file.sha256 && digest !== pinnedAlso(file.name)) {
        throw new InputError(`${file.name} in ${archive} has SHA-256 ${digest}, expected ${file.sha256}. ${advice}`);
      }
    }
    for (const file of wanted) await rename(found.get(file.name)!, join(cache, file.name));
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

function batchFiles(source: CifarSource): DatasetFile[] {
  return [...source.trainFiles, ...source.testFiles];
}

function advice(source: CifarSource, options: ResolvedLoadOptions): string {
  const url = `${options.mirror ?? source.archive.url}${source.archive.name}`;
  const download = `${downloadAdvice(options)} from ${url} into ${options.cacheDir(source.id)}`;
  const names = batchFiles(source)
    .map((f) => f.name)
    .join(", ");
  return (
    `To get ${source.title}: ${download}; or pass --data-dir FOLDER, ` +
    `a folder holding ${source.archive.name} or ${names} (directly or in ${source.folder}/).`
  );
}

/**
 * A reader of CIFAR-10's batch files that returns a file's content only if it is the pinned
 * one. Looks in --data-dir only, when given (the batch files, or the archive, which is then
 * extracted into the cache); otherwise in the cache, downloading and extracting the archive
 * when the batch files are not there. The downloaded archive is deleted once its batch files
 * are extracted and verified.
 */
async function batchReader(
  source: CifarSource,
  options: ResolvedLoadOptions,
): Promise<(file: DatasetFile) => Promise<{ content: Buffer; file: DatasetFile }>> {
  const cache = options.cacheDir(source.id);
  const dirs = options.dataDir ? [options.dataDir, join(options.dataDir, source.folder), cache] : [cache];
  const files = batchFiles(source);
  const help = advice(source, options);
  const paths = new Map<string, string>();
  for (const file of files) {
    const path = await findFile(dirs, [file.name]);
    if (path) paths.set(file.name, path);
  }
  const missing = files.filter((file) => !paths.has(file.name));
  if (missing.length > 0) {
    let archive = await findFile(options.dataDir ? [options.dataDir] : [cache], [source.archive.name]);
    const downloaded = !archive && !options.dataDir && options.download;
    if (downloaded) {
      archive = join(cache, source.archive.name);
      try {
        await downloadFile(
          { ...source.archive, url: `${options.mirror ?? source.archive.url}${source.archive.name}`, path: archive },
          options.onProgress,
        );
      } catch (error) {
        if (error instanceof InputError)
          throw new InputError(`${source.title}: ${error.message}. ${help}`, { cause: error });
        throw error;
      }
    }
    if (!archive) {
      const where = options.dataDir ? `in ${options.dataDir}` : `in ${cache}`;
      throw new InputError(
        `${source.title} is not available: ${missing.map((f) => f.name).join(", ")} not found ${where}. ${help}`,
      );
    }
    options.onProgress?.(`${source.id}: extracting ${archive}`);
    await extractBatches(source, archive, cache, missing, help, (name) => options.pinnedAlso(source.id, name));
    if (downloaded) await rm(archive, { force: true });
    for (const file of missing) paths.set(file.name, join(cache, file.name));
  }
  return (file) => {
    options.onProgress?.(`${source.id}: reading ${paths.get(file.name)}`);
    return readVerified(paths.get(file.name)!, file, help, options.pinnedAlso(source.id, file.name));
  };
}

/**
 * Finds (downloading and extracting if needed) each batch file of CIFAR-10 and checks it against
 * its pinned digest, without parsing it.
 */
export async function verifyCifarDataset(source: CifarSource, options: ResolvedLoadOptions): Promise<void> {
  const read = await batchReader(source, options);
  for (const file of batchFiles(source)) await read(file);
}

/** Every example of CIFAR-10, each batch file checked against its pinned digest. */
export async function loadCifarDataset(source: CifarSource, options: ResolvedLoadOptions): Promise<RawDataset> {
  const read = await batchReader(source, options);
  // The digests read: the published ones unless a pins file added others.
  const files: DatasetFile[] = [];
  const split = async (list: DatasetFile[]) => {
    const splits: RawSplit[] = [];
    for (const wanted of list) {
      const { content, file } = await read(wanted);
      files.push(file);
      splits.push(parseCifarBatch(content, file.name, source.classes));
    }
    return concatSplits(splits);
  };
  const train = await split(source.trainFiles);
  const test = await split(source.testFiles);
  return { id: source.id, shape: [SIDE, SIDE, CHANNELS], classes: source.classes, train, test, files };
}
