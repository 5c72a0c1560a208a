// Our DSSE signatures verify with the openssl command line (a system package): an Ed25519
// implementation that shares no code with ours.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type Envelope,
  fromBase64,
  fromBase64Url,
  preAuthEncoding,
  type Signer,
  signResult,
} from "../../schema/index.js";
import { ED25519_SPKI_PREFIX, makePredicate, newSigner } from "../fixtures/bundles.js";

let signer: Signer;
let envelope: Envelope;

beforeAll(async () => {
  signer = await newSigner();
  envelope = await signResult(await makePredicate(signer, { submitterName: "Ada" }), signer);
});

describe("interoperability with openssl", () => {
  it("our signature verifies with the openssl command line", () => {
    const dir = mkdtempSync(join(tmpdir(), "rb-openssl-"));
    const raw = Buffer.from(fromBase64Url(signer.publicKey)!);
    const spki = Buffer.concat([ED25519_SPKI_PREFIX, raw]).toString("base64");
    const pem = `-----BEGIN PUBLIC KEY-----\n${spki}\n-----END PUBLIC KEY-----\n`;
    writeFileSync(join(dir, "pub.pem"), pem);
    writeFileSync(join(dir, "pae.bin"), preAuthEncoding(envelope.payloadType, fromBase64(envelope.payload)!));
    writeFileSync(join(dir, "sig.bin"), fromBase64(envelope.signatures[0]!.sig)!);
    const args = [
      "pkeyutl",
      "-verify",
      "-pubin",
      "-inkey",
      join(dir, "pub.pem"),
      "-rawin",
      "-in",
      join(dir, "pae.bin"),
      "-sigfile",
      join(dir, "sig.bin"),
    ];
    expect(execFileSync("openssl", args, { encoding: "utf8" })).toContain("Signature Verified Successfully");
    writeFileSync(join(dir, "pae.bin"), "DSSEv1 tampered");
    expect(() => execFileSync("openssl", args, { stdio: "pipe" })).toThrow();
  });
});
