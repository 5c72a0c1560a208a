// Option values several commands share: whole numbers, and where datasets are looked for.
import { resolve } from "node:path";
import { type LoadOptions, readDatasetPins } from "../datasets/index.js";
import { UsageError } from "../errors.js";
import { cacheDir } from "../paths.js";

/**
 * A whole-number option from `min` to `max` (no upper bound when omitted); anything else is a
 * usage error naming the option and the range.
 *
 * @example
 * parseWholeNumber("4", "--workers", 1) // 4
 */
export function parseWholeNumber(value: string, option: string, min: number, max?: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || (max !== undefined && n > max)) {
    throw new UsageError(
      `${option} must be a whole number ${max === undefined ? `of at least ${min}` : `from ${min} to ${max}`}` +
        `, got "${value}"`,
    );
  }
  return n;
}

/**
 * Where a command finds datasets (--data-dir, else the cache, downloading unless --no-download),
 * which digests it accepts beside the published ones ($RETHINK_BENCH_DATASET_PINS, for tests and
 * private datasets), with progress on stderr.
 */
export function datasetLoadOptions(options: { dataDir?: string; download: boolean }): LoadOptions {
  return {
    cacheDir: cacheDir(),
    download: options.download,
    pins: readDatasetPins(),
    ...(options.dataDir ? { dataDir: resolve(options.dataDir) } : {}),
    onProgress: (message) => process.stderr.write(`${message}\n`),
  };
}
