// Past 350 lines on purpose: storing a submission and reading it back share its row shapes.
// Storing a verified bundle (one transaction, idempotent by content address) and reading
// submissions back: one, a page of them, or the moderation trail of one. Moderating a
// submission is in moderation.ts.
import { and, asc, desc, eq, sql } from "drizzle-orm";
import {
  architectures,
  deriveArchitecture,
  deriveRuns,
  type Envelope,
  moderationActions,
  outcomeDigest,
  reproductions,
  runs,
  type Statement,
  type SubmissionDetail,
  type SubmissionStatus,
  type SubmissionSummary,
  slotKey,
  submissions,
  submitters,
  wallSecondsToFit,
} from "../../../schema/index.js";
import type { Database } from "../client.js";
import { countSubmissionOnBoards, refreshBoardRows } from "./board-rows.js";
import { toModerationAction } from "./moderation.js";
import { classifySlots, lockSlots } from "./slots.js";
import { verificationOf } from "./spread.js";

/** Hex digits of the payload's SHA-256 that make a submission id. */
const ID_HEX_DIGITS = 32;
/** Rows per INSERT statement: well under Postgres's 65,535 bind parameters. */
const RUNS_PER_INSERT = 500;

/** `sub_` and a prefix of the payload digest: the same bundle always gets the same id. */
function submissionIdOf(payloadSha256: string): string {
  return `sub_${payloadSha256.slice(0, ID_HEX_DIGITS)}`;
}

export interface VerifiedBundle {
  envelope: Envelope;
  statement: Statement;
  payloadSha256: string;
  keyid: string;
}

export interface StoredSubmission {
  id: string;
  created: boolean;
  status: SubmissionStatus;
}

/**
 * Stores submitter (registered on first use), architectures, submission and runs in one
 * transaction. An identical bundle, stored before or concurrently, yields the existing row:
 * the unique payload digest makes the second insert wait for the first and then do nothing.
 */
export async function storeSubmission(db: Database, bundle: VerifiedBundle): Promise<StoredSubmission> {
  const id = submissionIdOf(bundle.payloadSha256);
  const existing = await findStatus(db, id);
  if (existing) return { id, created: false, status: existing };

  const { predicate } = bundle.statement;
  const derived = deriveRuns(predicate.runs);
  const outcomes = await Promise.all(predicate.runs.map(outcomeDigest));
  const slots = predicate.runs.map((run) => slotKey(run.architectureFingerprint, run.task));
  return db.transaction(async (tx) => {
    await tx
      .insert(submitters)
      .values({
        keyid: bundle.keyid,
        publicKey: predicate.submitter.publicKey,
        displayName: predicate.submitter.name ?? null,
      })
      .onConflictDoUpdate({
        target: submitters.keyid,
        set: { displayName: sql`coalesce(excluded.display_name, ${submitters.displayName})` },
      });
    // Sorted, so two transactions that add the same new architectures lock them in the same order.
    const sorted = [...predicate.architectures].sort((a, b) => a.fingerprint.localeCompare(b.fingerprint));
    await tx
      .insert(architectures)
      .values(
        sorted.map((a) => {
          // Kind, parameter count and a built-in's display name are what the server derives from
          // the topology, never what the bundle claims; a user architecture keeps its own name.
          const derivation = deriveArchitecture(a);
          if (!derivation.ok) {
            throw new Error(
              `storeSubmission takes architectures that passed checkArchitectures; ${a.id}: ` +
                `${derivation.errors[0]!.field} ${derivation.errors[0]!.message}`,
            );
          }
          return {
            fingerprint: a.fingerprint,
            slug: a.id,
            name: derivation.derived.name,
            kind: derivation.derived.kind,
            inputShape: a.inputShape,
            parameterCount: derivation.derived.parameterCount,
            topology: a.topology,
          };
        }),
      )
      .onConflictDoNothing();
    const inserted = await tx
      .insert(submissions)
      .values({
        id,
        payloadSha256: bundle.payloadSha256,
        submitterKeyid: bundle.keyid,
        suiteId: predicate.suite.id,
        suiteVersion: predicate.suite.version,
        suiteDigest: predicate.suiteDigest,
        runnerVersion: predicate.environment.runnerVersion,
        tfjsVersion: predicate.environment.tfjsVersion,
        backend: predicate.environment.backend,
        backendDetail: predicate.environment.backendDetail,
        hardware: predicate.environment.hardware,
        engine: predicate.environment.engine ?? null,
        architectures: predicate.architectures.map((a) => a.fingerprint),
        runCount: predicate.runs.length,
        createdAt: new Date(predicate.createdAt),
        envelope: bundle.envelope,
      })
      .onConflictDoNothing({ target: submissions.payloadSha256 })
      .returning({ id: submissions.id });
    if (inserted.length === 0) {
      // A concurrent request stored the same bundle first and has committed.
      return { id, created: false, status: (await findStatus(tx, id)) ?? "visible" };
    }
    const rows = predicate.runs.map((run, position) => {
      const metrics = derived[position]!;
      return {
        submissionId: id,
        submitterKeyid: bundle.keyid,
        backend: predicate.environment.backend,
        position,
        architectureFingerprint: run.architectureFingerprint,
        suiteId: run.task.suite.id,
        suiteVersion: run.task.suite.version,
        datasetId: run.task.dataset.id,
        corruptionKind: run.task.corruption.kind,
        corruptionP: run.task.corruption.kind === "partial" ? run.task.corruption.p : null,
        regularizer: run.task.regularizer.name,
        seed: run.task.seed,
        status: run.status,
        failure: run.failure,
        ...metrics,
        wallSecondsToFit: wallSecondsToFit(run.curve, metrics.epochsToFit),
        task: run.task,
        curve: run.curve,
        measures: run.measures ?? null,
        slot: slots[position]!,
        outcomeSha256: outcomes[position]!,
      };
    });
    // Runs are numbered (acceptance order within a slot) only once their slots are locked: a
    // concurrent submission of the same slot waits here, then sees these runs and stands behind them.
    await lockSlots(tx, slots);
    for (let i = 0; i < rows.length; i += RUNS_PER_INSERT)
      await tx.insert(runs).values(rows.slice(i, i + RUNS_PER_INSERT));
    await classifySlots(tx, slots);
    // The stored board: the rows of the architectures these runs belong to, and this submission's boards.
    await refreshBoardRows(tx, slots);
    await countSubmissionOnBoards(tx, id, 1);
    return { id, created: true, status: "visible" as const };
  });
}

async function findStatus(db: Pick<Database, "select">, id: string): Promise<SubmissionStatus | undefined> {
  const [row] = await db.select({ status: submissions.status }).from(submissions).where(eq(submissions.id, id));
  return row?.status;
}

const summaryColumns = {
  id: submissions.id,
  payloadSha256: submissions.payloadSha256,
  keyid: submissions.submitterKeyid,
  name: submitters.displayName,
  suiteId: submissions.suiteId,
  suiteVersion: submissions.suiteVersion,
  runnerVersion: submissions.runnerVersion,
  tfjsVersion: submissions.tfjsVersion,
  backend: submissions.backend,
  backendDetail: submissions.backendDetail,
  hardware: submissions.hardware,
  engine: submissions.engine,
  architectures: submissions.architectures,
  runCount: submissions.runCount,
  createdAt: submissions.createdAt,
  receivedAt: submissions.receivedAt,
  status: submissions.status,
};

function selectSummaries(db: Database) {
  return db
    .select(summaryColumns)
    .from(submissions)
    .innerJoin(submitters, eq(submitters.keyid, submissions.submitterKeyid))
    .$dynamic();
}
type SummaryRow = Awaited<ReturnType<typeof selectSummaries>>[number];

function toSummary(row: SummaryRow): SubmissionSummary {
  return {
    id: row.id,
    payloadSha256: row.payloadSha256,
    submitter: { keyid: row.keyid, name: row.name },
    suite: { id: row.suiteId, version: row.suiteVersion },
    runnerVersion: row.runnerVersion,
    tfjsVersion: row.tfjsVersion,
    backend: row.backend,
    backendDetail: row.backendDetail,
    hardware: row.hardware,
    engine: row.engine ?? null,
    architectures: row.architectures,
    runs: row.runCount,
    createdAt: row.createdAt.toISOString(),
    receivedAt: row.receivedAt.toISOString(),
    status: row.status,
  };
}

/** A submission as SubmissionDetail has it, without the envelope. */
export type SubmissionRecord = Omit<SubmissionDetail, "envelope">;

/**
 * Everything about one submission, hidden or not (the caller decides what to show). The
 * envelope (up to 16 MiB) is read only when `envelope` asks for it.
 */
export async function findSubmission(db: Database, id: string): Promise<SubmissionRecord | undefined>;
export async function findSubmission(
  db: Database,
  id: string,
  options: { envelope: true },
): Promise<SubmissionDetail | undefined>;
export async function findSubmission(
  db: Database,
  id: string,
  options?: { envelope: true },
): Promise<SubmissionRecord | SubmissionDetail | undefined> {
  const [row] = await db
    .select({
      ...summaryColumns,
      publicKey: submitters.publicKey,
      envelope: options?.envelope ? submissions.envelope : sql<null>`null`,
    })
    .from(submissions)
    .innerJoin(submitters, eq(submitters.keyid, submissions.submitterKeyid))
    .where(eq(submissions.id, id));
  if (!row) return undefined;
  const [moderation, reproduced] = await Promise.all([
    db
      .select()
      .from(moderationActions)
      .where(eq(moderationActions.submissionId, id))
      .orderBy(asc(moderationActions.id)),
    reproductionStateOf(db, id),
  ]);
  const envelope = row.envelope === null ? {} : { envelope: row.envelope };
  return {
    ...toSummary(row),
    publicKey: row.publicKey,
    ...envelope,
    moderation: moderation.map(toModerationAction),
    ...reproduced,
  };
}

/**
 * A submission's stored reproductions and its verification: over its standing results, or over
 * all its runs when none stands (hidden, or every run behind an earlier one).
 */
async function reproductionStateOf(
  db: Database,
  id: string,
): Promise<Pick<SubmissionDetail, "verification" | "reproductions">> {
  const standing = sql`${runs.slotRole} = 'standing'`;
  const [counts] = await db
    .select({
      standing: sql<number>`(count(*) filter (where ${standing}))::int`,
      verifiedStanding: sql<number>`(count(*) filter (where ${standing} and ${runs.verified}))::int`,
      all: sql<number>`count(*)::int`,
      verifiedAll: sql<number>`(count(*) filter (where ${runs.verified}))::int`,
      reproductions: sql<number>`(select count(*) from ${reproductions} where ${reproductions.submissionId} = ${id})::int`,
    })
    .from(runs)
    .where(eq(runs.submissionId, id));
  const c = counts ?? { standing: 0, verifiedStanding: 0, all: 0, verifiedAll: 0, reproductions: 0 };
  const verification =
    c.standing > 0
      ? verificationOf({ standing: c.standing, verified: c.verifiedStanding })
      : verificationOf({ standing: c.all, verified: c.verifiedAll });
  return { verification, reproductions: c.reproductions };
}

export interface SubmissionFilter {
  suite?: string;
  version?: number;
  architecture?: string;
  submitter?: string;
}

/**
 * Where a page of newest-first submissions continues: after this submission. Its stored
 * (received_at, id) is compared in SQL, since received_at keeps microseconds that a JSON
 * timestamp (milliseconds) would lose.
 */
export interface SubmissionCursor {
  id: string;
}

/** Visible submissions, newest first, `limit` per page. */
export async function listSubmissions(
  db: Database,
  filter: SubmissionFilter,
  page: { limit: number; after?: SubmissionCursor },
): Promise<{ submissions: SubmissionSummary[]; next: SubmissionCursor | null }> {
  const cursorRow = page.after
    ? sql`(select s.received_at, s.id from ${submissions} s where s.id = ${page.after.id})`
    : undefined;
  const after = cursorRow ? sql`(${submissions.receivedAt}, ${submissions.id}) < ${cursorRow}` : undefined;
  const rows = await selectSummaries(db)
    .where(
      and(
        eq(submissions.status, "visible"),
        filter.suite === undefined ? undefined : eq(submissions.suiteId, filter.suite),
        filter.version === undefined ? undefined : eq(submissions.suiteVersion, filter.version),
        filter.submitter === undefined ? undefined : eq(submissions.submitterKeyid, filter.submitter),
        filter.architecture === undefined
          ? undefined
          : sql`${submissions.architectures} @> ${JSON.stringify([filter.architecture])}::jsonb`,
        after,
      ),
    )
    .orderBy(desc(submissions.receivedAt), desc(submissions.id))
    .limit(page.limit + 1);
  const summaries = rows.slice(0, page.limit).map(toSummary);
  const last = summaries.at(-1);
  return { submissions: summaries, next: rows.length > page.limit && last ? { id: last.id } : null };
}

/** Visible submissions per suite id and version. */
export async function countSubmissionsBySuite(db: Database): Promise<Map<string, number>> {
  const rows = await db
    .select({ suiteId: submissions.suiteId, suiteVersion: submissions.suiteVersion, count: sql<number>`count(*)::int` })
    .from(submissions)
    .where(eq(submissions.status, "visible"))
    .groupBy(submissions.suiteId, submissions.suiteVersion);
  return new Map(rows.map((r) => [`${r.suiteId}@${r.suiteVersion}`, r.count]));
}
