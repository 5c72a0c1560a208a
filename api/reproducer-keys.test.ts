// REPRODUCER_KEYS: keyids and base64url public keys, separated by commas or white space, become
// lowercase keyids; anything else is reported, never silently taken as a key.
import { createHash, generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseReproducerKeys } from "./reproducer-keys.js";

/** A fresh Ed25519 public key as base64url of its raw 32 bytes, and its keyid worked out with node:crypto. */
function publicKeyAndKeyid(): { publicKey: string; keyid: string } {
  const { publicKey } = generateKeyPairSync("ed25519");
  // The raw key is the last 32 bytes of the SubjectPublicKeyInfo DER (RFC 8410).
  const raw = publicKey.export({ format: "der", type: "spki" }).subarray(-32);
  return { publicKey: raw.toString("base64url"), keyid: createHash("sha256").update(raw).digest("hex") };
}

describe("parseReproducerKeys", () => {
  it("reads keyids (any case) and public keys, separated by commas, spaces or new lines", async () => {
    const one = publicKeyAndKeyid();
    const hex = "AB".repeat(32);
    const parsed = await parseReproducerKeys(` ${hex},${one.publicKey}\n  ${hex.toLowerCase()} `);
    expect([...parsed.keys].sort()).toEqual([one.keyid, "ab".repeat(32)].sort());
    expect(parsed.errors).toEqual([]);
  });

  it("has no keys for an unset or empty value", async () => {
    expect(await parseReproducerKeys(undefined)).toEqual({ keys: new Set(), errors: [] });
    expect(await parseReproducerKeys(" , ")).toEqual({ keys: new Set(), errors: [] });
  });

  it("reports an entry that is neither a keyid nor a 32-byte key, and keeps the others", async () => {
    const one = publicKeyAndKeyid();
    const parsed = await parseReproducerKeys(`${one.publicKey} abc123 ${"f".repeat(63)}`);
    expect([...parsed.keys]).toEqual([one.keyid]);
    expect(parsed.errors).toEqual([
      'REPRODUCER_KEYS entry "abc123" is neither a keyid (64 hex digits) nor an Ed25519 public key (32 bytes in base64url)',
      `REPRODUCER_KEYS entry "${"f".repeat(63)}" is neither a keyid (64 hex digits) nor an Ed25519 public key (32 bytes in base64url)`,
    ]);
  });
});
