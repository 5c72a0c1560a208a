// Runs as the web pages need them: every run of one submission with its architecture's name
// (the submission page), the boards an architecture has visible runs on (its page's tabs),
// and the totals of every board (the board switcher, from the totals the writes keep).
import { and, asc, desc, eq, gt, sql } from "drizzle-orm";
import {
  architectures,
  boards,
  boardTotals,
  type DatasetId,
  runs,
  type SubmissionRun,
  type SuiteRef,
} from "../../../schema/index.js";
import type { Database } from "../client.js";
import { DERIVED_COLUMNS, REPRODUCTION_COLUMNS, taskFields } from "./run-fields.js";

/**
 * The runs of a submission in bundle order, whatever its moderation status (the caller
 * decides what to show).
 *
 * @example
 * const rows = await listSubmissionRuns(db, "sub_0123…"); rows[0]?.architecture.name
 */
export async function listSubmissionRuns(db: Database, submissionId: string): Promise<SubmissionRun[]> {
  const rows = await db
    .select({
      position: runs.position,
      fingerprint: runs.architectureFingerprint,
      slug: architectures.slug,
      name: architectures.name,
      kind: architectures.kind,
      task: runs.task,
      status: runs.status,
      failure: runs.failure,
      slotRole: runs.slotRole,
      reproductions: REPRODUCTION_COLUMNS,
      derived: DERIVED_COLUMNS,
    })
    .from(runs)
    .innerJoin(architectures, eq(architectures.fingerprint, runs.architectureFingerprint))
    .where(eq(runs.submissionId, submissionId))
    .orderBy(asc(runs.position));
  return rows.map((r) => ({
    position: r.position,
    architecture: { fingerprint: r.fingerprint, id: r.slug, name: r.name, kind: r.kind },
    ...taskFields(r.task),
    status: r.status,
    failure: r.failure,
    slotRole: r.slotRole,
    reproductions: r.reproductions,
    derived: r.derived,
  }));
}

/** A suite version and dataset on which an architecture has visible runs. */
export interface ArchitectureBoard {
  suite: SuiteRef;
  dataset: DatasetId;
  runs: number;
  submissions: number;
}

/** The boards an architecture has visible runs on, the one with the most runs first. */
export async function listArchitectureBoards(db: Database, fingerprint: string): Promise<ArchitectureBoard[]> {
  const runCount = sql<number>`count(*)::int`;
  const rows = await db
    .select({
      suiteId: runs.suiteId,
      suiteVersion: runs.suiteVersion,
      datasetId: runs.datasetId,
      runs: runCount,
      submissions: sql<number>`count(distinct ${runs.submissionId})::int`,
    })
    .from(runs)
    .where(and(eq(runs.architectureFingerprint, fingerprint), eq(runs.visible, true)))
    .groupBy(runs.suiteId, runs.suiteVersion, runs.datasetId)
    .orderBy(desc(runCount), asc(runs.suiteId), desc(runs.suiteVersion), asc(runs.datasetId));
  return rows.map((r) => ({
    suite: { id: r.suiteId, version: r.suiteVersion },
    dataset: r.datasetId as DatasetId,
    runs: r.runs,
    submissions: r.submissions,
  }));
}

/** A board with results: how many architectures, submissions and submitters it has. */
export interface BoardTotals {
  suite: SuiteRef;
  dataset: DatasetId;
  architectures: number;
  submissions: number;
}

/**
 * Every board that has visible runs, with its totals: one row per board, kept by the writes
 * (boards: visible submissions; board_totals of the board over every backend and every visible
 * run: architectures), so the board picker costs the number of boards, not of runs.
 */
export async function countBoards(db: Database): Promise<BoardTotals[]> {
  const rows = await db
    .select({
      suiteId: boards.suiteId,
      suiteVersion: boards.suiteVersion,
      datasetId: boards.datasetId,
      architectures: boardTotals.architectures,
      submissions: boards.submissions,
    })
    .from(boards)
    .innerJoin(
      boardTotals,
      and(
        eq(boardTotals.suiteId, boards.suiteId),
        eq(boardTotals.suiteVersion, boards.suiteVersion),
        eq(boardTotals.datasetId, boards.datasetId),
        eq(boardTotals.backend, ""),
        eq(boardTotals.verifiedOnly, false),
      ),
    )
    // A board whose every run was hidden keeps no rows: it is not listed, as before.
    .where(gt(boardTotals.architectures, 0));
  return rows.map((r) => ({
    suite: { id: r.suiteId, version: r.suiteVersion },
    dataset: r.datasetId as DatasetId,
    architectures: r.architectures,
    submissions: r.submissions,
  }));
}
