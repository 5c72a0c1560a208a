// Over 350 lines on purpose: storing an attestation and the queue read the same per-run
// counters and operator marks; one file keeps what one transaction writes beside what reads it.
// Reproductions: storing a verified attestation (one transaction, idempotent by content address)
// with its verdicts, the counters they add to the runs the board reads, and an operator's "not
// reproduced" hiding the submission; reading them back (one, a submission's list) and the queue
// of standing results no operator reproducer has judged yet.
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import {
  corruptionLabel,
  type Divergence,
  type Envelope,
  fromBase64,
  moderationActions,
  type QueueItem,
  type ReproductionQueue,
  type ReproductionStatement,
  type ReproductionSummary,
  reproductionIdOf,
  reproductionRuns,
  reproductions,
  runs,
  type Statement,
  submissions,
  submitters,
  utf8,
  type Verdict,
  type VerdictCounts,
} from "../../../schema/index.js";
import type { Database } from "../client.js";
import { refreshBoardRows } from "./board-rows.js";
import { applyModeration } from "./moderation.js";
import { lockSlots, slotsOfSubmission } from "./slots.js";

export interface VerifiedReproduction {
  envelope: Envelope;
  statement: ReproductionStatement;
  payloadSha256: string;
  keyid: string;
}

/** The stored submission an attestation names, with its statement decoded from the stored envelope. */
export interface Original {
  submissionId: string;
  payloadSha256: string;
  status: "visible" | "hidden";
  statement: Statement;
}

/**
 * The submission whose signed payload has this digest, or undefined. Its envelope was verified
 * when it was stored and has not changed since, so decoding the payload is enough.
 */
export async function findOriginal(db: Database, payloadSha256: string): Promise<Original | undefined> {
  const [row] = await db
    .select({ id: submissions.id, status: submissions.status, envelope: submissions.envelope })
    .from(submissions)
    .where(eq(submissions.payloadSha256, payloadSha256));
  if (!row) return undefined;
  const bytes = fromBase64(row.envelope.payload);
  if (!bytes) throw new Error(`the stored envelope of ${row.id} has a payload that is not base64`);
  const statement = JSON.parse(utf8.decode(bytes)) as Statement;
  return { submissionId: row.id, payloadSha256, status: row.status, statement };
}

/**
 * What storing an attestation did: its id, whether this call stored it, whether its key was an
 * operator's when it was stored, its verdicts, whether it hid the submission.
 */
export interface StoredReproduction {
  id: string;
  created: boolean;
  operator: boolean;
  verdicts: VerdictCounts;
  hidden: boolean;
}

/** A database or a transaction. */
type Executor = Pick<Database, "select" | "execute">;

function countVerdicts(verdicts: readonly Verdict[]): VerdictCounts {
  const count = (v: Verdict) => verdicts.filter((x) => x === v).length;
  return {
    exact: count("exact"),
    notReproduced: count("not-reproduced"),
    consistent: count("consistent"),
    inconsistent: count("inconsistent"),
  };
}

/** What a stored reproduction did, read back (the answer to the same attestation sent again). */
async function storedOutcome(db: Executor, id: string): Promise<StoredReproduction> {
  const [[stored], verdicts, hides] = await Promise.all([
    db.select({ operator: reproductions.operator }).from(reproductions).where(eq(reproductions.id, id)),
    db
      .select({ verdict: reproductionRuns.verdict })
      .from(reproductionRuns)
      .where(eq(reproductionRuns.reproductionId, id)),
    db
      .select({ id: moderationActions.id })
      .from(moderationActions)
      .where(eq(moderationActions.reproductionId, id))
      .limit(1),
  ]);
  return {
    id,
    created: false,
    operator: stored?.operator ?? false,
    verdicts: countVerdicts(verdicts.map((v) => v.verdict)),
    hidden: hides.length > 0,
  };
}

function bigintArray(values: readonly number[]) {
  return sql`array[${sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  )}]::bigint[]`;
}

/** The moderation reason an operator's "not reproduced" gives: which run, where and what differed. */
function hideReason(
  keyid: string,
  statement: Statement,
  position: number,
  divergence: Divergence | null,
  reproductionId: string,
): string {
  const task = statement.predicate.runs[position]?.task;
  const what = task
    ? `${task.architecture} · ${task.dataset.id} · ${corruptionLabel(task.corruption)} · ${task.regularizer.name} · seed ${task.seed}`
    : "";
  const where = divergence
    ? `${divergence.metric}${divergence.epoch === null ? "" : ` at epoch ${divergence.epoch}`}: original ` +
      `${String(divergence.original)}, reproduced ${String(divergence.reproduced)}`
    : "";
  return (
    `operator reproducer ${keyid.slice(0, 16)}… did not reproduce run ${position}` +
    `${what ? ` (${what})` : ""}${where ? `; first divergence ${where}` : ""} (reproduction ${reproductionId})`
  );
}

/**
 * Stores a verified, audited attestation in one transaction: registers the reproducer's key,
 * inserts the reproduction and one verdict per run (counted only when it is the key's first
 * verdict on that run), adds counted verdicts of keys other than the run's submitter to the run's
 * counters (an operator's exact one verifies it), marks runs an operator judged, and when an
 * operator key did not reproduce a run of a visible submission, hides it through moderation with
 * this reproduction as evidence. The same attestation again (stored before or concurrently)
 * stores nothing and answers what the first one did.
 */
export async function storeReproduction(
  db: Database,
  attestation: VerifiedReproduction,
  original: Original,
  operator: boolean,
): Promise<StoredReproduction> {
  const id = reproductionIdOf(attestation.payloadSha256);
  const [existing] = await db.select({ id: reproductions.id }).from(reproductions).where(eq(reproductions.id, id));
  if (existing) return storedOutcome(db, id);

  const { predicate } = attestation.statement;
  const { keyid } = attestation;
  return db.transaction(async (tx) => {
    await tx
      .insert(submitters)
      .values({ keyid, publicKey: predicate.reproducer.publicKey, displayName: predicate.reproducer.name ?? null })
      .onConflictDoUpdate({
        target: submitters.keyid,
        set: { displayName: sql`coalesce(excluded.display_name, ${submitters.displayName})` },
      });
    const inserted = await tx
      .insert(reproductions)
      .values({
        id,
        payloadSha256: attestation.payloadSha256,
        submissionId: original.submissionId,
        reproducerKeyid: keyid,
        operator,
        mode: predicate.mode,
        backend: predicate.environment.backend,
        backendDetail: predicate.environment.backendDetail,
        runnerVersion: predicate.environment.runnerVersion,
        tfjsVersion: predicate.environment.tfjsVersion,
        hardware: predicate.environment.hardware,
        engine: predicate.environment.engine ?? null,
        createdAt: new Date(predicate.createdAt),
        envelope: attestation.envelope,
      })
      .onConflictDoNothing({ target: reproductions.payloadSha256 })
      .returning({ id: reproductions.id });
    // A concurrent request stored the same attestation first and has committed.
    if (inserted.length === 0) return storedOutcome(tx, id);

    // The submission's slots first, in the order every writer takes them (slots.ts): every
    // reproduction of this submission takes them all, so reproductions of it run one after the
    // other and each sees which runs a key has already judged. Row locks below are "no key
    // update": a concurrent reproduction's inserts hold key-share locks on these rows (foreign
    // keys), which "for update" would wait on while that transaction waits for the slots.
    const slots = await slotsOfSubmission(tx, original.submissionId);
    await lockSlots(tx, slots);
    const positions = predicate.runs.map((r) => r.position);
    const stored = await tx
      .select({ id: runs.id, position: runs.position, submitterKeyid: runs.submitterKeyid })
      .from(runs)
      .where(and(eq(runs.submissionId, original.submissionId), inArray(runs.position, positions)))
      .orderBy(asc(runs.id))
      .for("no key update");
    const byPosition = new Map(stored.map((r) => [r.position, r]));
    const judged = new Set(
      (
        await tx
          .select({ runId: reproductionRuns.runId })
          .from(reproductionRuns)
          .where(
            and(
              eq(reproductionRuns.reproducerKeyid, keyid),
              eq(reproductionRuns.counted, true),
              inArray(
                reproductionRuns.runId,
                stored.map((r) => r.id),
              ),
            ),
          )
      ).map((r) => r.runId),
    );
    const verdictRows = predicate.runs.map((run) => {
      const target = byPosition.get(run.position);
      // auditReproduction checked each position against the stored statement, whose runs were all stored.
      if (!target) throw new Error(`storeReproduction: ${original.submissionId} has no stored run ${run.position}`);
      return {
        reproductionId: id,
        position: run.position,
        runId: target.id,
        reproducerKeyid: keyid,
        verdict: run.verdict,
        firstDivergence: run.firstDivergence,
        counted: !judged.has(target.id),
        independent: target.submitterKeyid !== keyid,
      };
    });
    await tx.insert(reproductionRuns).values(verdictRows.map(({ independent: _independent, ...row }) => row));

    // The board's counters: counted verdicts of other keys than the run's submitter.
    const counting = verdictRows.filter((r) => r.counted && r.independent);
    if (counting.length > 0) {
      const ids = bigintArray(counting.map((r) => r.runId));
      const verdicts = sql`array[${sql.join(
        counting.map((r) => sql`${r.verdict}`),
        sql`, `,
      )}]::text[]`;
      await tx.execute(sql`update ${runs} set
          reproduced_exact = reproduced_exact + (v.verdict = 'exact')::int,
          not_reproduced = not_reproduced + (v.verdict = 'not-reproduced')::int,
          reproduced_consistent = reproduced_consistent + (v.verdict = 'consistent')::int,
          reproduced_inconsistent = reproduced_inconsistent + (v.verdict = 'inconsistent')::int,
          verified = verified or (${operator} and v.verdict = 'exact'),
          contest_reproduction_id = case when v.verdict in ('not-reproduced', 'inconsistent')
            then coalesce(contest_reproduction_id, ${id}) else contest_reproduction_id end
        from unnest(${ids}, ${verdicts}) as v(id, verdict)
        where ${runs.id} = v.id`);
      // The rows read these counters, `verified` and the contest evidence.
      await refreshBoardRows(tx, slots);
    }
    // Whatever an operator key said about a run, it has been judged: it leaves the queue.
    if (operator)
      await tx
        .update(runs)
        .set({ operatorJudged: true })
        .where(
          inArray(
            runs.id,
            verdictRows.map((r) => r.runId),
          ),
        );

    const verdicts = countVerdicts(verdictRows.map((r) => r.verdict));
    const failed = verdictRows.find((r) => r.counted && r.verdict === "not-reproduced");
    if (!operator || !failed) return { id, created: true, operator, verdicts, hidden: false };
    const [submission] = await tx
      .select({ status: submissions.status })
      .from(submissions)
      .where(eq(submissions.id, original.submissionId))
      .for("no key update");
    // A submission a moderator hid already stays hidden; its audit trail keeps that reason.
    if (submission?.status !== "visible") return { id, created: true, operator, verdicts, hidden: false };
    const reason = hideReason(keyid, original.statement, failed.position, failed.firstDivergence ?? null, id);
    await applyModeration(tx, original.submissionId, "hide", reason, id);
    return { id, created: true, operator, verdicts, hidden: true };
  });
}

const SUMMARY_COLUMNS = {
  id: reproductions.id,
  payloadSha256: reproductions.payloadSha256,
  submissionId: reproductions.submissionId,
  keyid: reproductions.reproducerKeyid,
  name: submitters.displayName,
  operator: reproductions.operator,
  mode: reproductions.mode,
  backend: reproductions.backend,
  backendDetail: reproductions.backendDetail,
  runnerVersion: reproductions.runnerVersion,
  tfjsVersion: reproductions.tfjsVersion,
  hardware: reproductions.hardware,
  engine: reproductions.engine,
  createdAt: reproductions.createdAt,
  receivedAt: reproductions.receivedAt,
  envelope: reproductions.envelope,
};

/** Stored reproductions matching `where`, oldest first, as ReproductionSummary. */
async function selectSummaries(
  db: Database,
  where: ReturnType<typeof eq>,
  limit?: number,
): Promise<ReproductionSummary[]> {
  const query = db
    .select(SUMMARY_COLUMNS)
    .from(reproductions)
    .innerJoin(submitters, eq(submitters.keyid, reproductions.reproducerKeyid))
    .where(where)
    .orderBy(asc(reproductions.receivedAt), asc(reproductions.id))
    .$dynamic();
  const rows = await (limit === undefined ? query : query.limit(limit));
  if (rows.length === 0) return [];
  const verdictRows = await db
    .select({
      reproductionId: reproductionRuns.reproductionId,
      position: reproductionRuns.position,
      verdict: reproductionRuns.verdict,
      firstDivergence: reproductionRuns.firstDivergence,
      counted: reproductionRuns.counted,
    })
    .from(reproductionRuns)
    .where(
      inArray(
        reproductionRuns.reproductionId,
        rows.map((r) => r.id),
      ),
    )
    .orderBy(asc(reproductionRuns.reproductionId), asc(reproductionRuns.position));
  return rows.map((r) => {
    const own = verdictRows.filter((v) => v.reproductionId === r.id);
    return {
      id: r.id,
      payloadSha256: r.payloadSha256,
      submissionId: r.submissionId,
      reproducer: { keyid: r.keyid, name: r.name },
      operator: r.operator,
      mode: r.mode,
      backend: r.backend,
      backendDetail: r.backendDetail,
      runnerVersion: r.runnerVersion,
      tfjsVersion: r.tfjsVersion,
      hardware: r.hardware,
      engine: r.engine ?? null,
      verdicts: countVerdicts(own.map((v) => v.verdict)),
      runs: own.map((v) => ({
        position: v.position,
        verdict: v.verdict,
        firstDivergence: v.firstDivergence ?? null,
        counted: v.counted,
      })),
      createdAt: r.createdAt.toISOString(),
      receivedAt: r.receivedAt.toISOString(),
      envelope: r.envelope,
    };
  });
}

/** One stored reproduction, or undefined. */
export async function findReproduction(db: Database, id: string): Promise<ReproductionSummary | undefined> {
  const [found] = await selectSummaries(db, eq(reproductions.id, id));
  return found;
}

/** Most reproductions one submission's list returns: far more than anyone sends about one result. */
const MAX_LISTED = 500;

/** A submission's reproductions, oldest first. */
export function listReproductions(db: Database, submissionId: string): Promise<ReproductionSummary[]> {
  return selectSummaries(db, eq(reproductions.submissionId, submissionId), MAX_LISTED);
}

/**
 * The reproduction queue: visible submissions with standing results no operator key has judged
 * yet (their positions), oldest received first, `limit` of them; how many wait in all and since
 * when the oldest waits. Read through the partial index of unjudged standing runs.
 */
export async function queryReproductionQueue(
  db: Database,
  limit: number,
): Promise<Omit<ReproductionQueue, "operatorKeys">> {
  const waiting = db
    .select({
      submissionId: runs.submissionId,
      positions: sql<number[]>`array_agg(${runs.position} order by ${runs.position})`.as("positions"),
    })
    .from(runs)
    .where(and(eq(runs.slotRole, "standing"), eq(runs.operatorJudged, false)))
    .groupBy(runs.submissionId)
    .as("waiting");
  const base = db
    .select({
      submissionId: submissions.id,
      payloadSha256: submissions.payloadSha256,
      suiteId: submissions.suiteId,
      suiteVersion: submissions.suiteVersion,
      backend: submissions.backend,
      runnerVersion: submissions.runnerVersion,
      tfjsVersion: submissions.tfjsVersion,
      receivedAt: submissions.receivedAt,
      positions: waiting.positions,
      length: sql<number>`(count(*) over ())::int`,
      oldest: sql<Date>`min(${submissions.receivedAt}) over ()`.mapWith(submissions.receivedAt),
    })
    .from(waiting)
    .innerJoin(submissions, eq(submissions.id, waiting.submissionId))
    .where(eq(submissions.status, "visible"))
    .orderBy(asc(submissions.receivedAt), asc(submissions.id))
    .limit(limit);
  const rows = await base;
  const items: QueueItem[] = rows.map((r) => ({
    submissionId: r.submissionId,
    payloadSha256: r.payloadSha256,
    suite: { id: r.suiteId, version: r.suiteVersion },
    backend: r.backend,
    runnerVersion: r.runnerVersion,
    tfjsVersion: r.tfjsVersion,
    receivedAt: r.receivedAt.toISOString(),
    positions: r.positions,
  }));
  const first = rows[0];
  return {
    items,
    length: first?.length ?? 0,
    oldestReceivedAt: first ? first.oldest.toISOString() : null,
  };
}
