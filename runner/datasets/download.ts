// Fetches one dataset file into the cache: size- and SHA-256-checked, renamed into place only when good.
import { createHash, randomBytes } from "node:crypto";
import { mkdir, open, rename, unlink } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { InputError } from "../errors.js";

/** A file to fetch, with the size and digest its publisher's copy has. */
export interface DownloadTarget {
  url: string;
  /** Where the verified file ends up. */
  path: string;
  sha256: string;
  bytes: number;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/**
 * Downloads `target.url` to `target.path`. The body streams into a temp file beside the
 * destination while it is hashed; only a body of exactly the expected size and SHA-256 is
 * renamed into place, so the destination is never half-written or wrong. Anything else
 * (network error, HTTP error, a larger or different body) removes the temp file and throws
 * an InputError that starts with `could not download`; the caller adds how else to get the data.
 */
export async function downloadFile(target: DownloadTarget, onProgress?: (message: string) => void): Promise<void> {
  await mkdir(dirname(target.path), { recursive: true });
  const temp = `${target.path}.${randomBytes(6).toString("hex")}.part`;
  const name = basename(target.path);
  const fail = (reason: string, cause?: unknown) =>
    new InputError(`could not download ${target.url}: ${reason}`, cause === undefined ? undefined : { cause });

  let response: Response;
  try {
    response = await fetch(target.url, { redirect: "follow" });
  } catch (error) {
    const cause = (error as Error & { cause?: Error }).cause;
    throw fail(cause?.message ?? (error as Error).message, error);
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw fail(`the server answered HTTP ${response.status} ${response.statusText}`.trim());
  }

  onProgress?.(`downloading ${name} (${megabytes(target.bytes)}) from ${target.url}`);
  const hash = createHash("sha256");
  const reader = response.body.getReader();
  const file = await open(temp, "wx");
  let received = 0;
  let reported = 0;
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        throw fail(`the transfer broke off after ${received} bytes (${(error as Error).message})`, error);
      }
      if (chunk.done) break;
      received += chunk.value.byteLength;
      // A body larger than the publisher's file is wrong whatever follows: stop reading it.
      if (received > target.bytes) throw fail(`the server sent more than the expected ${target.bytes} bytes`);
      hash.update(chunk.value);
      await file.write(chunk.value);
      const tenths = Math.floor((received / target.bytes) * 10);
      if (tenths > reported && tenths < 10) {
        reported = tenths;
        onProgress?.(`${name}: ${tenths * 10}% of ${megabytes(target.bytes)}`);
      }
    }
    if (received !== target.bytes) throw fail(`received ${received} bytes, expected ${target.bytes}`);
    const digest = hash.digest("hex");
    if (digest !== target.sha256) {
      throw fail(
        `its SHA-256 is ${digest}, expected ${target.sha256}; ` +
          `the file was discarded (a damaged transfer or a changed file on the server)`,
      );
    }
    await file.sync();
    await file.close();
    await rename(temp, target.path);
    onProgress?.(`${name}: downloaded and verified`);
  } catch (error) {
    // Best-effort clean-up; the error that got us here is what the caller needs to see.
    await reader.cancel().catch(() => undefined);
    await file.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}
