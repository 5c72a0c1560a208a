// The submitter's Ed25519 key pair: created on first use, stored owner-only, never overwritten.
import { randomBytes } from "node:crypto";
import { link, mkdir, readFile, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { exportPublicKey, generateKeyPair, type Signer, signerFromJwk } from "../schema/index.js";
import { InputError } from "./errors.js";

export const KEY_FILE = "signing-key.jwk";

export interface LoadedKey {
  signer: Signer;
  path: string;
  created: boolean;
}

/**
 * The signing key in `dir`, created if there is none. Creation writes a private temp file
 * and hard-links it into place, so a key is never half-written and an existing key (or one
 * a concurrent process just created) is never replaced.
 */
export async function loadOrCreateKey(dir: string): Promise<LoadedKey> {
  const path = join(dir, KEY_FILE);
  const existing = await readKey(path);
  if (existing) return { signer: existing, path, created: false };

  await mkdir(dir, { recursive: true, mode: 0o700 });
  const pair = await generateKeyPair();
  const jwk = await crypto.subtle.exportKey("jwk", pair.privateKey);
  const publicKey = await exportPublicKey(pair.publicKey);
  const stored = { kty: "OKP", crv: "Ed25519", x: publicKey, d: jwk.d };
  const temp = join(dir, `.${KEY_FILE}.${randomBytes(6).toString("hex")}.tmp`);
  await writeFile(temp, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600, flag: "wx" });
  try {
    await link(temp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    // Another process created the key first: use theirs.
  } finally {
    await unlink(temp);
  }
  const signer = await readKey(path);
  if (!signer) throw new Error(`the key file ${path} vanished right after it was created`);
  return { signer, path, created: signer.publicKey === publicKey };
}

async function readKey(path: string): Promise<Signer | null> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new InputError(`cannot read the signing key ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return await signerFromJwk(JSON.parse(text) as JsonWebKey);
  } catch (error) {
    throw new InputError(
      `the signing key ${path} is damaged (${(error as Error).message}); move it away to create a new one`,
      { cause: error },
    );
  }
}
