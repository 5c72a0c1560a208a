// Every check a submitted envelope must pass before it is stored, in one function that POST
// /submissions and `npm run db:recheck` both call: cheap checks (size, JSON, envelope shape,
// payload type, base64, signature) before the expensive ones (canonical form, strict schema,
// consistency, suite, storable text). Pure computation on the body: no database, no Hono,
// no Node built-ins, so it runs in the Worker, in Node's event loop or in a worker thread.
import {
  auditResult,
  type DatasetRegistry,
  findUnstorableText,
  openEnvelope,
  type PathError,
  utf8,
} from "../schema/index.js";
import type { VerifiedBundle } from "./db/queries/submissions.js";
import { type KnownSuite, knownSuites } from "./known-suites.js";
import { MAX_BODY_BYTES } from "./limits.js";
import type { ProblemCode } from "./problem.js";

/** Why a body was refused: a problem code of the API's catalog, a sentence, and the failing paths. */
export interface VerificationProblem {
  code: ProblemCode;
  detail: string;
  errors: PathError[];
}

/** A verdict, before it is timed. */
type Verdict = { ok: true; bundle: VerifiedBundle } | { ok: false; problem: VerificationProblem };

/** The verdict and `workMs`, the time the checks took (what the per-address verification budget charges). */
export type VerificationResult = Verdict & { workMs: number };

/** What a verification checks against: plain data, so that it can be posted to a worker thread. */
export interface VerificationContext {
  /** The suites this server ranks with their digests; default: the suites of schema/. */
  knownSuites?: readonly KnownSuite[];
  /** Largest body, in bytes; default MAX_BODY_BYTES. */
  maxBodyBytes?: number;
  /** The datasets whose pinned files and labels runs are checked against; default: schema's registry. */
  datasets?: DatasetRegistry;
}

/**
 * Verifies a body: in process (the default) or on a worker thread (api/verify-pool.ts). The
 * app takes one as an option so that the Worker bundle never imports node:worker_threads.
 */
export type Verifier = (body: Uint8Array | string, context?: VerificationContext) => Promise<VerificationResult>;

function refused(code: ProblemCode, detail: string, errors: PathError[] = []): Verdict {
  return { ok: false, problem: { code, detail, errors } };
}

/** A refusal whose detail is the first error, with every error listed. */
function refusedWith(code: ProblemCode, errors: PathError[]): Verdict {
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : "";
  return refused(code, `${errors[0]!.path}: ${errors[0]!.message}${more}`, errors);
}

function suiteName(suite: { id: string; version: number }): string {
  return `${suite.id} v${suite.version}`;
}

async function verifyUntimed(body: Uint8Array | string, context: VerificationContext): Promise<Verdict> {
  const maxBodyBytes = context.maxBodyBytes ?? MAX_BODY_BYTES;
  const bytes = typeof body === "string" ? utf8.encode(body) : body;
  if (bytes.length > maxBodyBytes)
    return refused("payload-too-large", `a bundle may be at most ${maxBodyBytes} bytes; this one has ${bytes.length}`);

  let value: unknown;
  try {
    value = JSON.parse(typeof body === "string" ? body : utf8.decode(bytes));
  } catch (error) {
    return refused("bad-json", `the request body is not valid JSON: ${(error as Error).message}`);
  }

  // Shape, payload type, base64, signature by the key the payload names; then canonical form,
  // strict schema and consistency (schema/bundle.ts, in that order).
  const opened = await openEnvelope(value);
  if (!opened.ok) {
    const first = opened.errors[0];
    const detail =
      opened.code === "bad-envelope" && first ? `${opened.detail}: ${first.path}: ${first.message}` : opened.detail;
    return refused(opened.code, detail, opened.errors);
  }

  const { predicate } = opened.statement;
  const suites = context.knownSuites ?? (await knownSuites());
  const known = suites.find((k) => k.suite.id === predicate.suite.id && k.suite.version === predicate.suite.version);
  if (!known) {
    const names = suites.map((k) => suiteName(k.suite)).join(", ");
    return refused(
      "unknown-suite",
      `suite ${suiteName(predicate.suite)} is not one this server ranks (it knows ${names})`,
      [{ path: "predicate.suite", message: "unknown suite id and version" }],
    );
  }
  if (known.digest !== predicate.suiteDigest) {
    return refused(
      "unknown-suite",
      `the bundle's suite ${suiteName(predicate.suite)} differs from this server's definition (digest ${known.digest})`,
      [{ path: "predicate.suiteDigest", message: `must be ${known.digest}` }],
    );
  }

  const unstorable = findUnstorableText(opened.statement);
  if (unstorable.length > 0)
    return refused("unstorable-text", `${unstorable[0]!.path}: ${unstorable[0]!.message}`, unstorable);

  // What the server works out itself rather than believing the bundle (DESIGN.md, section 5).
  const failure = auditResult(predicate, known.suite, context.datasets);
  if (failure) return refusedWith(failure.code, failure.errors);

  const { envelope, statement, payloadSha256, keyid } = opened;
  return { ok: true, bundle: { envelope, statement, payloadSha256, keyid } };
}

/**
 * Runs every check a submitted envelope must pass, cheapest first, and says which failed.
 * `workMs` is the time the checks took (what the per-address verification budget charges).
 *
 * @example
 * const result = await verifySubmission(bodyText)
 * if (!result.ok) console.error(result.problem.code, result.problem.detail)
 */
export const verifySubmission: Verifier = async (body, context = {}) => {
  const started = performance.now();
  const result = await verifyUntimed(body, context);
  return { ...result, workMs: performance.now() - started };
};
