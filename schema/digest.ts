// SHA-256 through WebCrypto, so the same digests come out of Node, Workers and browsers.

import { type Bytes, toHex, utf8 } from "./bytes.js";
import { canonicalJson } from "./canonical.js";

/**
 * Lowercase hex SHA-256 of bytes or of a string's UTF-8.
 *
 * @example
 * await sha256Hex("abc") // "ba7816bf…15ad"
 */
export async function sha256Hex(data: Bytes | string): Promise<string> {
  const bytes = typeof data === "string" ? utf8.encode(data) : data;
  return toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)));
}

/**
 * SHA-256 of a value's canonical JSON: the identity of a suite definition or of an
 * architecture topology.
 *
 * @example
 * await canonicalDigest({ b: 1, a: 2 }) === await canonicalDigest({ a: 2, b: 1 }) // true
 */
export function canonicalDigest(value: unknown): Promise<string> {
  return sha256Hex(canonicalJson(value));
}
