// How a dataset is looked for and fetched: the options every loader takes.
import { join } from "node:path";
import type { DatasetId } from "../../schema/index.js";
import type { DatasetPins } from "./pins.js";

export interface LoadOptions {
  /** --data-dir: a folder holding the dataset's canonical files; when given, the only place looked in. */
  dataDir?: string;
  /** rethink-bench's cache folder (runner/paths.ts cacheDir()); downloads land in `<cacheDir>/datasets/<id>/`. */
  cacheDir: string;
  /** Fetch missing canonical files (checksum-verified). Default true. */
  download?: boolean;
  /** A base URL that replaces the canonical download URL (a mirror, or a test's local server). */
  mirror?: string;
  /** Digests accepted beside the published ones (`readDatasetPins`); none by default. */
  pins?: DatasetPins;
  onProgress?: (message: string) => void;
}

/** LoadOptions with defaults applied, as the loaders use them. */
export interface ResolvedLoadOptions {
  dataDir?: string;
  /** The folder a dataset's downloads go to. */
  cacheDir: (id: string) => string;
  download: boolean;
  /** Always ends with `/`, so file names append to it. */
  mirror?: string;
  /** The digest a pins file adds for one of a dataset's files, if any. */
  pinnedAlso: (id: DatasetId, name: string) => string | undefined;
  onProgress?: (message: string) => void;
}

export function resolveLoadOptions(options: LoadOptions): ResolvedLoadOptions {
  return {
    dataDir: options.dataDir,
    cacheDir: (id) => join(options.cacheDir, "datasets", id),
    download: options.download ?? true,
    mirror:
      options.mirror === undefined ? undefined : options.mirror.endsWith("/") ? options.mirror : `${options.mirror}/`,
    pinnedAlso: (id, name) => options.pins?.[id]?.find((f) => f.name === name)?.sha256,
    onProgress: options.onProgress,
  };
}

/** The start of the advice to download a dataset, fitting how it was looked for. */
export function downloadAdvice(options: ResolvedLoadOptions): string {
  if (options.dataDir) return "run without --data-dir to let rethink-bench download it";
  if (!options.download) return "allow downloads (they are turned off) so rethink-bench downloads it";
  return "run again with network access to let rethink-bench download it";
}
