// Re-runs today's checks on every visible stored submission and hides, with an audit row,
// each one that no longer passes: checks grow stricter, and a board must not keep ranking what
// the server would now refuse. Idempotent: a hidden submission is not looked at again.
import { and, asc, eq, gt } from "drizzle-orm";
import { submissions } from "../schema/index.js";
import type { Database } from "./db/client.js";
import { moderateSubmission } from "./db/queries/moderation.js";
import { type VerificationContext, type Verifier, verifySubmission } from "./verify-submission.js";

/** Envelopes read per query: a paper-suite envelope is ~14 MB, so a few at a time. */
const PAGE_SIZE = 8;
/** Longest detail kept in a moderation reason (the contract allows longer; a reason should be read). */
const MAX_DETAIL_CHARS = 300;

export interface RecheckFailure {
  id: string;
  code: string;
  detail: string;
  /** The moderation reason recorded (or, in a dry run, that would be). */
  reason: string;
}

export interface RecheckSummary {
  checked: number;
  passed: number;
  /** The submissions that fail a check now: hidden, or in a dry run listed only. */
  failed: RecheckFailure[];
  dryRun: boolean;
}

export interface RecheckOptions {
  /** List what fails without hiding anything. */
  dryRun?: boolean;
  /** The verifier (default verifySubmission in this thread; a pool from api/verify-pool.ts also fits). */
  verify?: Verifier;
  context?: VerificationContext;
  /** Called after each submission, for progress output. */
  onChecked?(id: string, failure: RecheckFailure | undefined): void;
}

/** The moderation reason for a failed recheck: the check's code and its detail, shortened. */
function reasonOf(code: string, detail: string): string {
  const short = detail.length > MAX_DETAIL_CHARS ? `${detail.slice(0, MAX_DETAIL_CHARS - 1)}…` : detail;
  return `db:recheck: fails the ${code} check: ${short}`;
}

/**
 * Verifies every visible submission's stored envelope again and hides each one that fails.
 *
 * @example
 * const summary = await recheckSubmissions(db, { dryRun: true })
 * for (const f of summary.failed) console.log(f.id, f.code)
 */
export async function recheckSubmissions(db: Database, options: RecheckOptions = {}): Promise<RecheckSummary> {
  const verify = options.verify ?? verifySubmission;
  const summary: RecheckSummary = { checked: 0, passed: 0, failed: [], dryRun: options.dryRun ?? false };
  let after = "";
  for (;;) {
    const page = await db
      .select({ id: submissions.id, envelope: submissions.envelope })
      .from(submissions)
      .where(and(eq(submissions.status, "visible"), gt(submissions.id, after)))
      .orderBy(asc(submissions.id))
      .limit(PAGE_SIZE);
    if (page.length === 0) break;
    for (const { id, envelope } of page) {
      // jsonb keeps the envelope's values, not its key order or spacing; the signature covers
      // the base64 payload inside it, so the serialized envelope verifies exactly as posted.
      const result = await verify(JSON.stringify(envelope), options.context);
      summary.checked += 1;
      let failure: RecheckFailure | undefined;
      if (result.ok) summary.passed += 1;
      else {
        const { code, detail } = result.problem;
        failure = { id, code, detail, reason: reasonOf(code, detail) };
        summary.failed.push(failure);
        if (!summary.dryRun) await moderateSubmission(db, id, "hide", failure.reason);
      }
      options.onChecked?.(id, failure);
    }
    after = page.at(-1)!.id;
  }
  return summary;
}
