// The server's operator reproducer keys (`REPRODUCER_KEYS`): whose exact reproductions make a
// result verified and whose "not reproduced" takes it off the board. Each entry is a keyid (hex
// SHA-256 of the raw public key, as `rethink-bench keys` prints it) or the raw Ed25519 public key
// in base64url; both become keyids. Entries are separated by commas or white space.
import { fromBase64Url, keyidOf } from "../schema/index.js";
import type { AppContext, ResolvedOptions } from "./env.js";

export interface ReproducerKeys {
  /** The keyids, lowercase hex. */
  keys: ReadonlySet<string>;
  /** One sentence per entry that is neither a keyid nor a public key (left out of `keys`). */
  errors: string[];
}

const KEYID = /^[0-9a-fA-F]{64}$/;

/**
 * The keyids a `REPRODUCER_KEYS` value names.
 *
 * @example
 * await parseReproducerKeys("3f2a…64 hex…, MCowBQ…43 base64url…") // { keys: Set { "3f2a…", "9c1e…" }, errors: [] }
 */
export async function parseReproducerKeys(text: string | undefined): Promise<ReproducerKeys> {
  const keys = new Set<string>();
  const errors: string[] = [];
  for (const entry of (text ?? "").split(/[\s,]+/).filter(Boolean)) {
    if (KEYID.test(entry)) {
      keys.add(entry.toLowerCase());
      continue;
    }
    const raw = fromBase64Url(entry);
    if (raw?.length === 32) keys.add(await keyidOf(raw));
    else
      errors.push(
        `REPRODUCER_KEYS entry "${entry.slice(0, 80)}" is neither a keyid (64 hex digits) ` +
          "nor an Ed25519 public key (32 bytes in base64url)",
      );
  }
  return { keys, errors };
}

const NONE: ReadonlySet<string> = new Set();

/** The operator reproducer keys of this request's server (none unless the entry configures them). */
export async function operatorKeysOf(options: ResolvedOptions, c: AppContext): Promise<ReadonlySet<string>> {
  return (await options.reproducerKeys?.(c)) ?? NONE;
}
