// DSSE v1 envelopes signed with Ed25519 through WebCrypto (Node, Workers and browsers alike).
import { type Bytes, fromBase64Url, toBase64, toBase64Url, utf8 } from "./bytes.js";
import type { Envelope } from "./contract/index.js";
import { sha256Hex } from "./digest.js";

const ED25519 = { name: "Ed25519" } as const;

/** A private key ready to sign, with the identity verifiers will see. */
export interface Signer {
  /** Lowercase hex SHA-256 of the raw public key. */
  keyid: string;
  /** The raw 32-byte public key, base64url. */
  publicKey: string;
  privateKey: CryptoKey;
}

/**
 * DSSE's pre-authentication encoding: "DSSEv1" SP len(type) SP type SP len(body) SP body,
 * lengths in bytes as ASCII decimals. This is what is signed, never the payload alone.
 *
 * @example
 * utf8.decode(preAuthEncoding("t", utf8.encode("hi"))) // "DSSEv1 1 t 2 hi"
 */
export function preAuthEncoding(payloadType: string, payload: Uint8Array): Bytes {
  const type = utf8.encode(payloadType);
  const head = utf8.encode(`DSSEv1 ${type.length} ${payloadType} ${payload.length} `);
  const out = new Uint8Array(head.length + payload.length);
  out.set(head);
  out.set(payload, head.length);
  return out;
}

/** keyid of a raw Ed25519 public key: lowercase hex SHA-256 of its 32 bytes. */
export function keyidOf(publicKeyRaw: Bytes): Promise<string> {
  return sha256Hex(publicKeyRaw);
}

/** A new extractable Ed25519 key pair. */
export async function generateKeyPair(): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey(ED25519, true, ["sign", "verify"])) as CryptoKeyPair;
}

/**
 * A signer from a private JWK (`{kty: "OKP", crv: "Ed25519", d, x}`), the form keys are
 * stored in on disk.
 */
export async function signerFromJwk(jwk: JsonWebKey): Promise<Signer> {
  if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519" || typeof jwk.d !== "string" || typeof jwk.x !== "string") {
    throw new TypeError("not an Ed25519 private key in JWK form (kty OKP, crv Ed25519, d, x)");
  }
  const raw = fromBase64Url(jwk.x);
  if (raw?.length !== 32) throw new TypeError("the JWK's public part x is not 32 bytes of base64url");
  const privateKey = await crypto.subtle.importKey(
    "jwk",
    { kty: "OKP", crv: "Ed25519", d: jwk.d, x: jwk.x },
    ED25519,
    false,
    ["sign"],
  );
  return { keyid: await keyidOf(raw), publicKey: jwk.x, privateKey };
}

/**
 * Signs a payload into a DSSE v1 envelope with one signature.
 *
 * @example
 * const envelope = await signEnvelope(PAYLOAD_TYPE, utf8.encode(canonicalJson(statement)), signer)
 */
export async function signEnvelope(payloadType: string, payload: Uint8Array, signer: Signer): Promise<Envelope> {
  const sig = new Uint8Array(
    await crypto.subtle.sign(ED25519, signer.privateKey, preAuthEncoding(payloadType, payload)),
  );
  return { payloadType, payload: toBase64(payload), signatures: [{ keyid: signer.keyid, sig: toBase64(sig) }] };
}

/** True when `sig` is a valid Ed25519 signature by `publicKeyRaw` over the envelope's PAE. */
export async function verifySignature(
  payloadType: string,
  payload: Uint8Array,
  sig: Bytes,
  publicKeyRaw: Bytes,
): Promise<boolean> {
  if (publicKeyRaw.length !== 32 || sig.length !== 64) return false;
  try {
    const key = await crypto.subtle.importKey("raw", publicKeyRaw, ED25519, false, ["verify"]);
    return await crypto.subtle.verify(ED25519, key, sig, preAuthEncoding(payloadType, payload));
  } catch {
    // A point that is not on the curve cannot verify anything: that is a failed check, not a bug.
    return false;
  }
}

/** The public half of a key pair as raw base64url, the form bundles carry. */
export async function exportPublicKey(publicKey: CryptoKey): Promise<string> {
  return toBase64Url(new Uint8Array(await crypto.subtle.exportKey("raw", publicKey)));
}
