// Opening a signed in-toto statement: the DSSE envelope, its payload, the signature by the key
// the predicate names, and canonical form, with a precise reason for every way it can be wrong.
// Result bundles (bundle.ts) and reproduction attestations (attestation.ts) both open this way,
// then check their own predicate.
import { z } from "zod";
import { fromBase64, fromBase64Url, utf8 } from "./bytes.js";
import { canonicalJson } from "./canonical.js";
import {
  Envelope,
  PAYLOAD_TYPE,
  PREDICATE_TYPE,
  REPRODUCTION_PREDICATE_TYPE,
  STATEMENT_TYPE,
} from "./contract/index.js";
import { sha256Hex } from "./digest.js";
import { keyidOf, type Signer, signEnvelope, verifySignature } from "./dsse.js";
import { findBadName, findHostileStructure } from "./payload-guard.js";

/** Why a bundle or attestation was refused, one stable code per kind of failure. */
export type BundleErrorCode =
  | "bad-json"
  | "bad-envelope"
  | "wrong-payload-type"
  | "bad-base64"
  | "bad-payload"
  | "hostile-structure"
  | "bad-name"
  | "wrong-statement-type"
  | "wrong-predicate-type"
  | "keyid-mismatch"
  | "bad-signature"
  | "non-canonical"
  | "bad-predicate"
  | "inconsistent";

/** One failing location, as `predicate.runs[3].curve[0].trainAcc`. */
export interface PathError {
  path: string;
  message: string;
}

/** A refusal: its code, a sentence, and each failing location. */
export interface Refused {
  ok: false;
  code: BundleErrorCode;
  detail: string;
  errors: PathError[];
}

export function fail(code: BundleErrorCode, detail: string, errors: PathError[] = []): Refused {
  return { ok: false, code, detail, errors };
}

/**
 * A zod issue path in the notation people read: `predicate.runs[3].curve`.
 *
 * @example
 * formatPath(["runs", 3, "curve"]) // "runs[3].curve"
 */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, key) => (typeof key === "number" ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)),
    "",
  );
}

export function issuesOf(error: z.ZodError, prefix: readonly PropertyKey[] = []): PathError[] {
  return error.issues.map((issue) => ({
    path: formatPath([...prefix, ...issue.path]) || "(root)",
    message: issue.message,
  }));
}

/** A statement that failed its strict schema, reported at its first failing path. */
export function schemaFailure(error: z.ZodError): Refused {
  const errors = issuesOf(error);
  return fail(
    "bad-predicate",
    `the statement does not match the schema at ${errors[0]!.path}: ${errors[0]!.message}`,
    errors,
  );
}

/** Where each predicate type we sign names its signing key, and what a person calls it. */
const SIGNED_TYPES = {
  [PREDICATE_TYPE]: { keyField: "submitter", what: "a rethink-bench result" },
  [REPRODUCTION_PREDICATE_TYPE]: { keyField: "reproducer", what: "a rethink-bench reproduction attestation" },
} as const;

export type SignedPredicateType = keyof typeof SIGNED_TYPES;

/** What `openSigned` hands on: the signature checked, the statement parsed but not yet validated. */
export interface Signed {
  ok: true;
  envelope: Envelope;
  /** The payload's JSON, canonical and free of hostile structure, not yet checked against a schema. */
  parsed: unknown;
  /** Lowercase hex SHA-256 of the signed payload bytes: the content address. */
  payloadSha256: string;
  keyid: string;
}

// Just enough of the statement to find the signing key, so that a tampered payload is
// reported as a bad signature rather than as whatever schema rule the tampering broke.
const StatementHead = z.object({
  _type: z.unknown(),
  predicateType: z.unknown(),
  predicate: z.record(z.string(), z.unknown()),
});
const KeyRef = z.object({ publicKey: z.string(), keyid: z.string() });

/**
 * Verifies a parsed DSSE envelope up to its schema: shape, payload type, base64, JSON without
 * hostile structure, statement and predicate type (`expected`), the signature by the key the
 * predicate names (keyid = SHA-256 of that key), and canonical form.
 */
export async function openSigned(value: unknown, expected: SignedPredicateType): Promise<Signed | Refused> {
  const envelope = Envelope.safeParse(value);
  if (!envelope.success)
    return fail("bad-envelope", "not a DSSE envelope with one signature", issuesOf(envelope.error));
  const { payloadType, payload, signatures } = envelope.data;
  if (payloadType !== PAYLOAD_TYPE)
    return fail("wrong-payload-type", `payloadType is "${payloadType}", expected "${PAYLOAD_TYPE}"`);

  const payloadBytes = fromBase64(payload);
  const sig = fromBase64(signatures[0]!.sig);
  if (!payloadBytes)
    return fail("bad-base64", "payload is not standard base64", [
      { path: "payload", message: "not standard padded base64" },
    ]);
  if (!sig)
    return fail("bad-base64", "signature is not standard base64", [
      { path: "signatures[0].sig", message: "not standard padded base64" },
    ]);

  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8.decode(payloadBytes));
  } catch (error) {
    return fail("bad-payload", `the payload is not UTF-8 JSON: ${(error as Error).message}`);
  }
  // Before anything else reads the payload: the walks below (canonical form, schema, digests)
  // recurse, and the schema would silently drop a `__proto__` key from what gets fingerprinted.
  const hostile = findHostileStructure(parsed) ?? findBadName(parsed);
  if (hostile) return fail(hostile.code, `${hostile.path} ${hostile.message}`, [hostile]);
  const { keyField, what } = SIGNED_TYPES[expected];
  const head = StatementHead.safeParse(parsed);
  if (!head.success)
    return fail("bad-payload", `the payload is not a statement with predicate.${keyField}`, issuesOf(head.error));
  if (head.data._type !== STATEMENT_TYPE)
    return fail("wrong-statement-type", `_type is ${JSON.stringify(head.data._type)}, expected "${STATEMENT_TYPE}"`);
  if (head.data.predicateType !== expected) {
    const known = SIGNED_TYPES[head.data.predicateType as SignedPredicateType];
    return fail(
      "wrong-predicate-type",
      `predicateType is ${JSON.stringify(head.data.predicateType)}${known ? ` (${known.what})` : ""}, ` +
        `expected "${expected}" (${what})`,
    );
  }
  const key = KeyRef.safeParse(head.data.predicate[keyField]);
  if (!key.success)
    return fail(
      "bad-payload",
      `the payload is not a statement with predicate.${keyField}`,
      issuesOf(key.error, ["predicate", keyField]),
    );

  const { publicKey, keyid: claimedKeyid } = key.data;
  const publicKeyRaw = fromBase64Url(publicKey);
  if (publicKeyRaw?.length !== 32) {
    return fail("bad-predicate", `predicate.${keyField}.publicKey is not a raw 32-byte Ed25519 key in base64url`, [
      { path: `predicate.${keyField}.publicKey`, message: "must be 32 bytes, base64url" },
    ]);
  }
  const keyid = await keyidOf(publicKeyRaw);
  if (claimedKeyid !== keyid) {
    return fail(
      "keyid-mismatch",
      `predicate.${keyField}.keyid ${claimedKeyid} is not the SHA-256 of its public key (${keyid})`,
    );
  }
  if (signatures[0]!.keyid !== keyid) {
    return fail(
      "keyid-mismatch",
      `the signature's keyid ${signatures[0]!.keyid} is not the ${keyField}'s key ${keyid}`,
    );
  }
  if (!(await verifySignature(payloadType, payloadBytes, sig, publicKeyRaw))) {
    return fail(
      "bad-signature",
      `the signature does not verify with the ${keyField}'s key ${keyid}: the payload was ` +
        `changed or signed by another key`,
    );
  }

  let canonical: string;
  try {
    canonical = canonicalJson(parsed);
  } catch (error) {
    // RFC 8785 has no form for a number beyond a double (1e400 parses to Infinity) or a lone
    // surrogate ("\ud800"): such a payload is bad input, not a bug.
    return fail("non-canonical", `the payload has no RFC 8785 canonical form: ${(error as Error).message}`);
  }
  if (canonical !== utf8.decode(payloadBytes)) {
    return fail("non-canonical", "the payload is not RFC 8785 canonical JSON");
  }
  return { ok: true, envelope: envelope.data, parsed, payloadSha256: await sha256Hex(payloadBytes), keyid };
}

/**
 * Signs a statement into a DSSE envelope, refusing whatever its opener would refuse: a predicate
 * whose key (`predicate[keyField]`) is not the signer's, hostile structure or names (checked on
 * the predicate as given: parsing drops `__proto__`), a statement its schema rejects (`parse`
 * throws), or one that `check` finds inconsistent. The runner never writes what a server refuses.
 */
export async function signStatement<S extends { predicate: unknown }>(input: {
  /** What is signed, for the errors: "result", "reproduction". */
  what: string;
  keyField: string;
  key: { keyid: string; publicKey: string };
  predicate: unknown;
  signer: Signer;
  parse: () => S;
  check: (statement: S) => Promise<PathError[]>;
}): Promise<Envelope> {
  const { signer, what, predicate } = input;
  if (input.key.keyid !== signer.keyid || input.key.publicKey !== signer.publicKey)
    throw new Error(`the predicate's ${input.keyField} is not the signing key`);
  const guarded = findHostileStructure({ predicate }) ?? findBadName({ predicate });
  if (guarded) throw new Error(`cannot sign this ${what}: ${guarded.path} ${guarded.message}`);
  const statement = input.parse();
  const problems = await input.check(statement);
  if (problems.length > 0)
    throw new Error(`inconsistent ${what}: ${problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`);
  return signEnvelope(PAYLOAD_TYPE, utf8.encode(canonicalJson(statement)), signer);
}

/**
 * The predicate type of an envelope's payload, read without verifying anything: which opener
 * a file needs. Null when the envelope or payload does not get that far.
 */
export function peekPredicateType(value: unknown): string | null {
  const envelope = Envelope.safeParse(value);
  if (!envelope.success) return null;
  const bytes = fromBase64(envelope.data.payload);
  if (!bytes) return null;
  try {
    const type = (JSON.parse(utf8.decode(bytes)) as { predicateType?: unknown }).predicateType;
    return typeof type === "string" ? type : null;
  } catch {
    return null;
  }
}
