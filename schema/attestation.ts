// Reproduction attestations: sign a reproduction predicate into a DSSE envelope, and open one
// with the same checks as a result bundle (signature, canonical form, strict schema) plus its
// own consistency (schema/reproduction.ts). Checking it against its original is
// `auditReproduction`'s work, for whoever holds the original.
import { utf8 } from "./bytes.js";
import { canonicalJson } from "./canonical.js";
import {
  type Envelope,
  PAYLOAD_TYPE,
  REPRODUCTION_PREDICATE_TYPE,
  type ReproductionPredicate,
  ReproductionStatement,
  STATEMENT_TYPE,
} from "./contract/index.js";
import { type Signer, signEnvelope } from "./dsse.js";
import { findBadName, findHostileStructure } from "./payload-guard.js";
import { checkReproductionConsistency, reproductionSubject } from "./reproduction.js";
import { fail, openSigned, type Refused, schemaFailure } from "./signed-statement.js";

export type OpenedReproduction =
  | {
      ok: true;
      envelope: Envelope;
      statement: ReproductionStatement;
      /** Lowercase hex SHA-256 of the signed payload bytes: the attestation's content address. */
      payloadSha256: string;
      keyid: string;
    }
  | Refused;

/**
 * Wraps a reproduction predicate in an in-toto statement about the original payload and signs
 * it. Throws if the predicate is not self-consistent: the runner never signs what
 * `openReproduction` would refuse.
 *
 * @example
 * const envelope = await signReproduction(predicate, signer)
 */
export async function signReproduction(predicate: ReproductionPredicate, signer: Signer): Promise<Envelope> {
  if (predicate.reproducer.keyid !== signer.keyid || predicate.reproducer.publicKey !== signer.publicKey) {
    throw new Error("the predicate's reproducer is not the signing key");
  }
  const guarded = findHostileStructure({ predicate }) ?? findBadName({ predicate });
  if (guarded) throw new Error(`cannot sign this reproduction: ${guarded.path} ${guarded.message}`);
  const statement = ReproductionStatement.parse({
    _type: STATEMENT_TYPE,
    subject: reproductionSubject(predicate),
    predicateType: REPRODUCTION_PREDICATE_TYPE,
    predicate,
  });
  const problems = await checkReproductionConsistency(statement);
  if (problems.length > 0)
    throw new Error(`inconsistent reproduction: ${problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`);
  return signEnvelope(PAYLOAD_TYPE, utf8.encode(canonicalJson(statement)), signer);
}

/**
 * Verifies a parsed DSSE envelope carrying a reproduction attestation.
 *
 * @example
 * const opened = await openReproduction(body); if (opened.ok) opened.statement.predicate.runs[0]?.verdict
 */
export async function openReproduction(value: unknown): Promise<OpenedReproduction> {
  const signed = await openSigned(value, REPRODUCTION_PREDICATE_TYPE);
  if (!signed.ok) return signed;
  const statement = ReproductionStatement.safeParse(signed.parsed);
  if (!statement.success) return schemaFailure(statement.error);
  const problems = await checkReproductionConsistency(statement.data);
  if (problems.length > 0) return fail("inconsistent", `${problems[0]!.path}: ${problems[0]!.message}`, problems);
  return {
    ok: true,
    envelope: signed.envelope,
    statement: statement.data,
    payloadSha256: signed.payloadSha256,
    keyid: signed.keyid,
  };
}
