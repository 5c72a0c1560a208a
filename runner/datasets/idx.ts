// The IDX format of MNIST and Fashion-MNIST, and the loader both datasets share.
import { join } from "node:path";
import type { DatasetFile, DatasetId } from "../../schema/index.js";
import { InputError } from "../errors.js";
import { downloadFile } from "./download.js";
import { findFile, readVerified } from "./files.js";
import { downloadAdvice, type ResolvedLoadOptions } from "./load-options.js";
import type { RawDataset, RawSplit } from "./raw.js";

/** Magic numbers of IDX files (big-endian): unsigned bytes, with 1 dimension (labels) or 3 (images). */
const LABELS_MAGIC = 0x00000801;
const IMAGES_MAGIC = 0x00000803;

/** One IDX file: its canonical name, the SHA-256 of its uncompressed content, and the published .gz. */
export interface IdxFile extends DatasetFile {
  gz: { sha256: string; bytes: number };
}

/** Where an IDX dataset comes from and how to check it. */
export interface IdxSource {
  id: DatasetId;
  title: string;
  classes: number;
  trainImages: IdxFile;
  trainLabels: IdxFile;
  testImages: IdxFile;
  testLabels: IdxFile;
  /** Base URL of the published `<name>.gz` files. */
  url: string;
  /** Folders a system package installs the files into, looked in before the cache. */
  systemDirs: string[];
  /** An extra way to get the files, such as a Debian package, for error messages. */
  packageHint?: string;
}

function fail(name: string, reason: string): InputError {
  return new InputError(`${name} is not a valid IDX file: ${reason}`);
}

/** Parses an IDX labels file (magic 0x801): one class byte per example, each below `classes`. */
export function parseIdxLabels(bytes: Uint8Array, name: string, classes: number): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 8 || view.getUint32(0) !== LABELS_MAGIC)
    throw fail(name, "it does not start with the labels magic number 0x00000801");
  const count = view.getUint32(4);
  if (bytes.byteLength !== 8 + count)
    throw fail(name, `the header says ${count} labels but the file holds ${bytes.byteLength - 8}`);
  const labels = bytes.slice(8);
  const bad = labels.findIndex((label) => label >= classes);
  if (bad >= 0) throw fail(name, `label ${labels[bad]} at index ${bad} is not below ${classes}`);
  return labels;
}

/** Parses an IDX images file (magic 0x803): `count` × rows × columns unsigned bytes. */
export function parseIdxImages(
  bytes: Uint8Array,
  name: string,
): { pixels: Uint8Array; count: number; rows: number; columns: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 16 || view.getUint32(0) !== IMAGES_MAGIC)
    throw fail(name, "it does not start with the images magic number 0x00000803");
  const [count, rows, columns] = [view.getUint32(4), view.getUint32(8), view.getUint32(12)];
  if (bytes.byteLength !== 16 + count * rows * columns) {
    throw fail(
      name,
      `the header says ${count} images of ${rows}×${columns} but the file holds ${bytes.byteLength - 16} pixel bytes`,
    );
  }
  return { pixels: bytes.slice(16), count, rows, columns };
}

function filesOf(source: IdxSource): IdxFile[] {
  return [source.trainImages, source.trainLabels, source.testImages, source.testLabels];
}

/** How to get an IDX dataset, for the end of every error message about it. */
function advice(source: IdxSource, options: ResolvedLoadOptions): string {
  const names = filesOf(source)
    .map((f) => f.name)
    .join(", ");
  const ways = [
    `${downloadAdvice(options)} from ${options.mirror ?? source.url} into ${options.cacheDir(source.id)}`,
    ...(source.packageHint ? [source.packageHint] : []),
    `put ${names} (each may be gzipped) in a folder and pass --data-dir FOLDER`,
  ];
  return `To get ${source.title}: ${ways.join("; or ")}.`;
}

/**
 * Reads one IDX file: from --data-dir only, when given; otherwise from the system folders,
 * then the cache, downloading the published .gz into the cache when it is nowhere. Returns the
 * content with the file as the bundle records it.
 */
async function readIdxFile(
  source: IdxSource,
  file: IdxFile,
  options: ResolvedLoadOptions,
): Promise<{ content: Buffer; file: DatasetFile }> {
  const names = [file.name, `${file.name}.gz`];
  const cache = options.cacheDir(source.id);
  const dirs = options.dataDir ? [options.dataDir] : [...source.systemDirs, cache];
  let path = await findFile(dirs, names);
  if (!path && !options.dataDir && options.download) {
    path = join(cache, `${file.name}.gz`);
    try {
      await downloadFile(
        { url: `${options.mirror ?? source.url}${file.name}.gz`, path, ...file.gz },
        options.onProgress,
      );
    } catch (error) {
      if (error instanceof InputError)
        throw new InputError(`${source.title}: ${error.message}. ${advice(source, options)}`, { cause: error });
      throw error;
    }
  }
  if (!path) {
    throw new InputError(
      `${source.title} is not available: there is no ${file.name} or ${file.name}.gz ` +
        `in ${dirs.join(" or ")}. ${advice(source, options)}`,
    );
  }
  options.onProgress?.(`${source.id}: reading ${path}`);
  return readVerified(path, file, advice(source, options), options.pinnedAlso(source.id, file.name));
}

async function readSplit(
  source: IdxSource,
  images: IdxFile,
  labels: IdxFile,
  options: ResolvedLoadOptions,
): Promise<{ split: RawSplit; rows: number; columns: number; files: DatasetFile[] }> {
  const imagesFile = await readIdxFile(source, images, options);
  const labelsFile = await readIdxFile(source, labels, options);
  const parsedImages = parseIdxImages(imagesFile.content, images.name);
  const parsedLabels = parseIdxLabels(labelsFile.content, labels.name, source.classes);
  if (parsedLabels.length !== parsedImages.count) {
    throw new InputError(
      `${images.name} holds ${parsedImages.count} images but ${labels.name} holds ${parsedLabels.length} labels`,
    );
  }
  const { pixels, count, rows, columns } = parsedImages;
  return { split: { pixels, labels: parsedLabels, count }, rows, columns, files: [imagesFile.file, labelsFile.file] };
}

/**
 * Finds (downloading if needed) each file of an IDX dataset and checks it against its pinned
 * digest, without parsing it.
 */
export async function verifyIdxDataset(source: IdxSource, options: ResolvedLoadOptions): Promise<void> {
  for (const file of filesOf(source)) await readIdxFile(source, file, options);
}

/** Every example of an IDX dataset, each file checked against its pinned digest. */
export async function loadIdxDataset(source: IdxSource, options: ResolvedLoadOptions): Promise<RawDataset> {
  const train = await readSplit(source, source.trainImages, source.trainLabels, options);
  const test = await readSplit(source, source.testImages, source.testLabels, options);
  if (train.rows !== test.rows || train.columns !== test.columns) {
    const size = (split: { rows: number; columns: number }) => `${split.rows}×${split.columns}`;
    throw new InputError(`${source.title}: training images are ${size(train)} but test images are ${size(test)}`);
  }
  // The digests read, in the order of filesOf: the published ones unless a pins file added others.
  const files = [...train.files, ...test.files];
  return {
    id: source.id,
    shape: [train.rows, train.columns, 1],
    classes: source.classes,
    train: train.split,
    test: test.split,
    files,
  };
}
