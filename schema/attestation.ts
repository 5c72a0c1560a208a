import {
  type Envelope,
  REPRODUCTION_PREDICATE_TYPE,
  type ReproductionPredicate,
  ReproductionStatement,
  STATEMENT_TYPE,
} from "./contract/index.js";
import type { Signer } from "./dsse.js";
import { checkReproductionConsistency, reproductionSubject } from "./reproduction.js";
import { fail, openSigned, type Refused, schemaFailure, signStatement } from "./signed-statement.js";

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
export function signReproduction(predicate: ReproductionPredicate, signer: Signer): Promise<Envelope> {
  return signStatement({
    what: "reproduction",
    keyField: "reproducer",
    key: predicate.reproducer,
    predicate,
    signer,
    parse: () =>
      ReproductionStatement.parse({
        _type: STATEMENT_TYPE,
        subject: reproductionSubject(predicate),
        predicateType: REPRODUCTION_PREDICATE_TYPE,
        predicate,
      }),
    check: checkReproductionConsistency,
  });
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
