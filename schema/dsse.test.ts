// Signing and verification of result bundles: round trip, every tampering, and
// interoperability with independent Ed25519 and DSSE implementations (the openssl command
// line's check is an integration test: tests/integration/dsse-openssl.test.ts).
import { createHash, createPublicKey, generateKeyPairSync, sign as nodeSign, verify as nodeVerify } from "node:crypto";
import canonicalize from "canonicalize";
import { beforeAll, describe, expect, it } from "vitest";
import { ED25519_SPKI_PREFIX, makePredicate, newSigner } from "../tests/fixtures/bundles.js";
import {
  canonicalJson,
  type Envelope,
  fromBase64,
  fromBase64Url,
  openEnvelope,
  PAYLOAD_TYPE,
  PREDICATE_TYPE,
  preAuthEncoding,
  type ResultPredicate,
  type Signer,
  STATEMENT_TYPE,
  signEnvelope,
  signResult,
  subjectsOf,
  toBase64,
  toBase64Url,
  utf8,
} from "./index.js";

let signer: Signer;
let other: Signer;
let predicate: ResultPredicate;
let envelope: Envelope;

beforeAll(async () => {
  signer = await newSigner();
  other = await newSigner();
  predicate = await makePredicate(signer, { submitterName: "Ada" });
  envelope = await signResult(predicate, signer);
});

function withPayload(env: Envelope, mutate: (bytes: Uint8Array) => void): Envelope {
  const bytes = fromBase64(env.payload)!;
  mutate(bytes);
  return { ...env, payload: toBase64(bytes) };
}

describe("sign → verify", () => {
  it("round-trips: the signed statement comes back intact with its keyid", async () => {
    const opened = await openEnvelope(envelope);
    expect(opened.ok).toBe(true);
    if (!opened.ok) return;
    expect(opened.keyid).toBe(signer.keyid);
    expect(opened.statement.predicate).toEqual(predicate);
    expect(opened.statement.subject).toEqual(subjectsOf(predicate));
    expect(opened.payloadSha256).toBe(createHash("sha256").update(fromBase64(envelope.payload)!).digest("hex"));
    expect(envelope.signatures[0]!.keyid).toBe(
      createHash("sha256").update(fromBase64Url(signer.publicKey)!).digest("hex"),
    );
  });

  it("builds the PAE exactly as DSSE v1 defines it", () => {
    expect(utf8.decode(preAuthEncoding("t", utf8.encode("hi")))).toBe("DSSEv1 1 t 2 hi");
    // Lengths count bytes, not characters.
    expect(utf8.decode(preAuthEncoding("é", utf8.encode("€")))).toBe("DSSEv1 2 é 3 €");
  });

  it("fails every single-byte flip of the payload, as a bad signature wherever the key is still readable", async () => {
    const length = fromBase64(envelope.payload)!.length;
    const positions = Array.from({ length: 60 }, (_, i) => Math.floor((i * length) / 60));
    let badSignatures = 0;
    for (const position of positions) {
      const tampered = withPayload(envelope, (bytes) => {
        bytes[position]! ^= 0x01;
      });
      const opened = await openEnvelope(tampered);
      expect(opened.ok, `flip at byte ${position}`).toBe(false);
      if (opened.ok) continue;
      const text = utf8.decode(fromBase64(tampered.payload)!);
      let submitterIntact: boolean;
      try {
        const parsed = JSON.parse(text) as {
          predicate?: { submitter?: { publicKey?: unknown; keyid?: unknown } };
          _type?: unknown;
          predicateType?: unknown;
        };
        submitterIntact =
          parsed.predicate?.submitter?.publicKey === signer.publicKey &&
          parsed.predicate?.submitter?.keyid === signer.keyid &&
          parsed._type === STATEMENT_TYPE &&
          parsed.predicateType === PREDICATE_TYPE;
      } catch {
        submitterIntact = false;
      }
      if (submitterIntact) {
        expect(opened.code, `flip at byte ${position}`).toBe("bad-signature");
        badSignatures++;
      } else
        expect([
          "bad-payload",
          "keyid-mismatch",
          "bad-predicate",
          "wrong-statement-type",
          "wrong-predicate-type",
        ]).toContain(opened.code);
    }
    // Most flips land in the runs' numbers and leave the key readable: those must be caught by the signature.
    expect(badSignatures).toBeGreaterThan(positions.length / 2);
  });

  it("reports a changed number in the predicate as a bad signature", async () => {
    const text = utf8
      .decode(fromBase64(envelope.payload)!)
      .replace('"parameterCount":407050', '"parameterCount":407051');
    const opened = await openEnvelope({ ...envelope, payload: toBase64(utf8.encode(text)) });
    expect(opened).toMatchObject({ ok: false, code: "bad-signature" });
  });

  it("rejects a changed payloadType, and a signature made for another payloadType", async () => {
    expect(await openEnvelope({ ...envelope, payloadType: "application/json" })).toMatchObject({
      ok: false,
      code: "wrong-payload-type",
    });
    const signedAsOther = await signEnvelope("application/json", fromBase64(envelope.payload)!, signer);
    expect(await openEnvelope({ ...signedAsOther, payloadType: PAYLOAD_TYPE })).toMatchObject({
      ok: false,
      code: "bad-signature",
    });
  });

  it("rejects another key's signature swapped in", async () => {
    const byOther = await signEnvelope(PAYLOAD_TYPE, fromBase64(envelope.payload)!, other);
    // With the other key's keyid: the keyid is not the submitter's.
    expect(await openEnvelope(byOther)).toMatchObject({ ok: false, code: "keyid-mismatch" });
    // Claiming the submitter's keyid: the signature itself fails.
    const swapped = { ...envelope, signatures: [{ keyid: signer.keyid, sig: byOther.signatures[0]!.sig }] };
    expect(await openEnvelope(swapped)).toMatchObject({ ok: false, code: "bad-signature" });
  });

  it("rejects a submitter keyid that is not the SHA-256 of the submitter's key", async () => {
    const lying = { ...predicate, submitter: { ...predicate.submitter, keyid: other.keyid } };
    const statement = {
      _type: STATEMENT_TYPE,
      subject: subjectsOf(lying),
      predicateType: PREDICATE_TYPE,
      predicate: lying,
    };
    const env = await signEnvelope(PAYLOAD_TYPE, utf8.encode(canonicalJson(statement)), signer);
    const opened = await openEnvelope(env);
    expect(opened).toMatchObject({ ok: false, code: "keyid-mismatch" });
    if (!opened.ok) expect(opened.detail).toContain("not the SHA-256 of its public key");
  });

  it("names the precise reason for malformed envelopes", async () => {
    expect(await openEnvelope("not an object")).toMatchObject({ ok: false, code: "bad-envelope" });
    expect(await openEnvelope({ ...envelope, extra: 1 })).toMatchObject({ ok: false, code: "bad-envelope" });
    expect(await openEnvelope({ ...envelope, signatures: [] })).toMatchObject({ ok: false, code: "bad-envelope" });
    expect(await openEnvelope({ ...envelope, payload: envelope.payload.slice(1) })).toMatchObject({ ok: false });
    expect(await openEnvelope({ ...envelope, payload: toBase64(utf8.encode("{not json")) })).toMatchObject({
      ok: false,
      code: "bad-payload",
    });
    const otherType = {
      _type: "https://example.com/Statement",
      predicateType: PREDICATE_TYPE,
      predicate: { submitter: predicate.submitter },
    };
    const env = await signEnvelope(PAYLOAD_TYPE, utf8.encode(canonicalJson(otherType)), signer);
    expect(await openEnvelope(env)).toMatchObject({ ok: false, code: "wrong-statement-type" });
    const otherPredicate = { ...otherType, _type: STATEMENT_TYPE, predicateType: "https://slsa.dev/provenance/v1" };
    const env2 = await signEnvelope(PAYLOAD_TYPE, utf8.encode(canonicalJson(otherPredicate)), signer);
    expect(await openEnvelope(env2)).toMatchObject({ ok: false, code: "wrong-predicate-type" });
  });

  it("rejects a validly signed payload that is not canonical JSON", async () => {
    const statement = {
      _type: STATEMENT_TYPE,
      subject: subjectsOf(predicate),
      predicateType: PREDICATE_TYPE,
      predicate,
    };
    const env = await signEnvelope(PAYLOAD_TYPE, utf8.encode(JSON.stringify(statement, null, 1)), signer);
    expect(await openEnvelope(env)).toMatchObject({ ok: false, code: "non-canonical" });
  });
});

describe("interoperability", () => {
  it("our signature verifies with node:crypto, using a KeyObject built from the raw key", () => {
    const raw = Buffer.from(fromBase64Url(signer.publicKey)!);
    const key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: "der", type: "spki" });
    const pae = preAuthEncoding(envelope.payloadType, fromBase64(envelope.payload)!);
    expect(nodeVerify(null, pae, key, fromBase64(envelope.signatures[0]!.sig)!)).toBe(true);
    pae[pae.length - 2]! ^= 1;
    expect(nodeVerify(null, pae, key, fromBase64(envelope.signatures[0]!.sig)!)).toBe(false);
  });

  it("verifies a DSSE envelope produced by an independent implementation (node:crypto + hand-built PAE)", async () => {
    const { publicKey, privateKey } = generateKeyPairSync("ed25519");
    const raw = publicKey.export({ format: "der", type: "spki" }).subarray(ED25519_SPKI_PREFIX.length);
    const keyid = createHash("sha256").update(raw).digest("hex");
    const submitter = { publicKey: raw.toString("base64url"), keyid };
    const foreign = { ...predicate, submitter };
    const statement = {
      _type: STATEMENT_TYPE,
      subject: subjectsOf(foreign),
      predicateType: PREDICATE_TYPE,
      predicate: foreign,
    };
    const body = Buffer.from(canonicalize(statement)!, "utf8");
    const type = "application/vnd.in-toto+json";
    const pae = Buffer.concat([Buffer.from(`DSSEv1 ${Buffer.byteLength(type)} ${type} ${body.length} `), body]);
    const sig = nodeSign(null, pae, privateKey).toString("base64");
    const opened = await openEnvelope({
      payloadType: type,
      payload: body.toString("base64"),
      signatures: [{ keyid, sig }],
    });
    expect(opened).toMatchObject({ ok: true, keyid });
    expect(toBase64Url(new Uint8Array(raw))).toBe(submitter.publicKey);
  });
});
