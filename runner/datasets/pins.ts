// Digests accepted beside the published ones, for tests and private datasets: a JSON file named by
// $RETHINK_BENCH_DATASET_PINS. The bundle records the digest of the file actually read, so a
// server pinning only the published files still refuses such results.
import { readFileSync } from "node:fs";
import { z } from "zod";
import { DatasetFile, DatasetId, PINNED_DATASET_FILES } from "../../schema/index.js";
import { UsageError } from "../errors.js";

/** The environment variable naming a pins file. */
export const DATASET_PINS_VARIABLE = "RETHINK_BENCH_DATASET_PINS";

/** Per dataset, the canonical file names with one more digest each may have. */
export type DatasetPins = Partial<Record<DatasetId, DatasetFile[]>>;

const PinsFile = z.partialRecord(DatasetId.exclude(["synthetic"]), z.array(DatasetFile).min(1));

/**
 * The pins file `$RETHINK_BENCH_DATASET_PINS` names, as `{"cifar10": [{"name": "data_batch_1.bin",
 * "sha256": "…"}, …]}`; no pins when the variable is unset. A file that cannot be read, is not of
 * that shape, or names a file the dataset does not have is a usage error. `mnist-10k` is read from
 * the installed `mnist` package and takes no pins.
 *
 * @example
 * readDatasetPins({ RETHINK_BENCH_DATASET_PINS: "/tmp/pins.json" }).cifar10?.[0]?.name // "data_batch_1.bin"
 */
export function readDatasetPins(env: Record<string, string | undefined> = process.env): DatasetPins {
  const path = env[DATASET_PINS_VARIABLE];
  if (!path) return {};
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new UsageError(`${DATASET_PINS_VARIABLE}: cannot read ${path} as JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
  const parsed = PinsFile.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(
      `${DATASET_PINS_VARIABLE}: ${path} is not {"<dataset>": [{"name", "sha256"}, …]} ` +
        `(at ${issue.path.join(".") || "the top"}: ${issue.message})`,
    );
  }
  for (const [id, files] of Object.entries(parsed.data) as [keyof typeof PINNED_DATASET_FILES, DatasetFile[]][]) {
    if (id === "mnist-10k") {
      throw new UsageError(`${DATASET_PINS_VARIABLE}: mnist-10k is read from the mnist package and takes no pins`);
    }
    const names = PINNED_DATASET_FILES[id].map((f) => f.name);
    const unknown = files.find((f) => !names.includes(f.name));
    if (unknown) {
      throw new UsageError(
        `${DATASET_PINS_VARIABLE}: ${path} pins ${unknown.name}, which is not a file of ${id} (${names.join(", ")})`,
      );
    }
  }
  return parsed.data;
}
