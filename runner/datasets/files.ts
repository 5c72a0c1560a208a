// Finding a dataset's files on disk and reading them only if their content is the pinned one.
import { createHash } from "node:crypto";
import { access, readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import type { DatasetFile } from "../../schema/index.js";
import { InputError } from "../errors.js";

const gunzipAsync = promisify(gunzip);

/** The first of `names` that exists in the first directory holding any of them; null if none. */
export async function findFile(dirs: readonly string[], names: readonly string[]): Promise<string | null> {
  for (const dir of dirs) {
    for (const name of names) {
      const path = join(dir, name);
      try {
        await access(path);
        return path;
      } catch {
        // Not here: try the next candidate.
      }
    }
  }
  return null;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * The content of `path`, gunzipped when it is gzip (recognized by its magic bytes, not its
 * name), provided its SHA-256 is `expected.sha256` or `also` (a digest a pins file adds), with
 * the file as a bundle records it (the digest that matched). The digest is of the uncompressed
 * content, so a publisher's .gz, a repackaged .gz (Debian recompresses) and a gunzipped copy
 * are all accepted and all record the same digest. `advice` ends the error message.
 */
export async function readVerified(
  path: string,
  expected: DatasetFile,
  advice: string,
  also?: string,
): Promise<{ content: Buffer; file: DatasetFile }> {
  let content: Buffer;
  try {
    content = await readFile(path);
    if (content[0] === 0x1f && content[1] === 0x8b) content = await gunzipAsync(content);
  } catch (error) {
    throw new InputError(`cannot read ${path} (${(error as Error).message}). ${advice}`, { cause: error });
  }
  const digest = sha256Hex(content);
  if (digest !== expected.sha256 && digest !== also) {
    throw new InputError(
      `${path} is not the canonical ${expected.name}: ` +
        `its content has SHA-256 ${digest}, expected ${expected.sha256}` +
        `${also ? ` (or ${also}, pinned by $RETHINK_BENCH_DATASET_PINS)` : ""}. ` +
        `Remove or replace it; ` +
        `rethink-bench never uses a file that differs from the published one. ${advice}`,
    );
  }
  return { content, file: { name: expected.name, sha256: digest } };
}
