// Over 350 lines on purpose: the refresh on write and the rebuild share the delete, insert and
// totals code (one code path, which the equality tests rely on); split, the two would drift.
// The board as stored (docs/api.md, "How the board is stored"): the writes that change runs
// refresh the board_rows of the architectures they touched, board_totals and boards by delta;
// a rebuild recomputes all of them from the runs through the same computation and insert.
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { aggregateBuilds, boardRows, boards, boardTotals, type JsonObject, runs } from "../../../schema/index.js";
import type { Database } from "../client.js";
import { type Board, type BoardRow, computeBoardRows, type Executor } from "./board-rows-sql.js";
import { chunks, textArray } from "./slots.js";

export {
  type BaselineFigures,
  type Board,
  type BoardRow,
  type BoardRowFigures,
  type BoardScope,
  computeBoardRows,
  type RankedFigures,
} from "./board-rows-sql.js";

/**
 * The version of the row computation. Bump it whenever computeBoardRows changes what it stores:
 * the next open (or `npm run db:migrate`) then rebuilds every row.
 */
export const BOARD_ROWS_VERSION = 1;
/** aggregate_builds' name for board_rows, board_totals and boards. */
const AGGREGATE = "board_rows";

/** Slots (or fingerprints) per statement: a bound parameter each, far below Postgres's 65,535. */
const KEYS_PER_STATEMENT = 1000;
/** Architectures per grouped pass of a rebuild: big enough to amortize a statement, small enough to stay in memory. */
const REBUILD_BATCH = 200;
/** Rows per INSERT statement (a dozen parameters each). */
const ROWS_PER_INSERT = 400;

/** A board as a string: one key per board for maps. */
function boardKey(board: Board): string {
  return JSON.stringify([board.suiteId, board.suiteVersion, board.dataset]);
}

/** What one board_rows row adds to its scope's board_totals. */
interface TotalsDelta {
  suiteId: string;
  suiteVersion: number;
  datasetId: string;
  backend: string;
  verifiedOnly: boolean;
  architectures: number;
  ranked: number;
  fitted: number;
}

type CountedRow = Pick<
  BoardRow,
  "suiteId" | "suiteVersion" | "datasetId" | "backend" | "verifiedOnly" | "baseline" | "fitsTrueLabels"
>;

/** Adds each row's counts, times `sign`, to its scope's delta. */
function addDeltas(deltas: Map<string, TotalsDelta>, rows: readonly CountedRow[], sign: 1 | -1): void {
  for (const row of rows) {
    const key = JSON.stringify([row.suiteId, row.suiteVersion, row.datasetId, row.backend, row.verifiedOnly]);
    let delta = deltas.get(key);
    if (!delta) {
      const { suiteId, suiteVersion, datasetId, backend, verifiedOnly } = row;
      delta = { suiteId, suiteVersion, datasetId, backend, verifiedOnly, architectures: 0, ranked: 0, fitted: 0 };
      deltas.set(key, delta);
    }
    delta.architectures += sign;
    if (!row.baseline) delta.ranked += sign;
    if (!row.baseline && row.fitsTrueLabels) delta.fitted += sign;
  }
}

/**
 * Adds the deltas to board_totals, in one upsert in key order (so two writers of one board take
 * its totals' row locks in the same order), and drops the scopes left without rows.
 */
async function applyDeltas(tx: Executor, deltas: Map<string, TotalsDelta>): Promise<void> {
  const changed = [...deltas.entries()]
    .filter(([, d]) => d.architectures !== 0 || d.ranked !== 0 || d.fitted !== 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, d]) => d);
  if (changed.length === 0) return;
  await tx
    .insert(boardTotals)
    .values(changed)
    .onConflictDoUpdate({
      target: [
        boardTotals.suiteId,
        boardTotals.suiteVersion,
        boardTotals.datasetId,
        boardTotals.backend,
        boardTotals.verifiedOnly,
      ],
      set: {
        architectures: sql`${boardTotals.architectures} + excluded.architectures`,
        ranked: sql`${boardTotals.ranked} + excluded.ranked`,
        fitted: sql`${boardTotals.fitted} + excluded.fitted`,
      },
    });
  const emptied = changed.filter((d) => d.architectures < 0);
  if (emptied.length > 0)
    await tx.execute(sql`delete from ${boardTotals} t using (values ${sql.join(
      emptied.map(
        (d) => sql`(${d.suiteId}, ${d.suiteVersion}::int, ${d.datasetId}, ${d.backend}, ${d.verifiedOnly}::boolean)`,
      ),
      sql`, `,
    )}) as e(suite_id, suite_version, dataset_id, backend, verified_only)
      where t.suite_id = e.suite_id and t.suite_version = e.suite_version and t.dataset_id = e.dataset_id
        and t.backend = e.backend and t.verified_only = e.verified_only and t.architectures = 0`);
}

/** Inserts computed rows, adding their counts to `deltas`. */
async function insertRows(tx: Executor, rows: readonly BoardRow[], deltas: Map<string, TotalsDelta>): Promise<void> {
  for (const part of chunks(rows, ROWS_PER_INSERT))
    await tx.insert(boardRows).values(
      part.map((row) => ({
        ...row,
        // As text: 'NaN' and 'Infinity' reach Postgres the same way through every driver.
        memorizationKey: sql`${String(row.memorizationKey)}::float8`,
        gapKey: sql`${String(row.gapKey)}::float8`,
        figures: row.figures as unknown as JsonObject,
      })),
    );
  addDeltas(deltas, rows, 1);
}

/**
 * Computes the rows of these architectures on a board again and replaces theirs, adding the
 * difference to `deltas`. The caller holds their advisory locks (or the rebuild's table locks).
 */
async function replaceRows(
  tx: Executor,
  board: Board,
  fingerprints: readonly string[],
  deltas: Map<string, TotalsDelta>,
): Promise<void> {
  const removed = await tx
    .delete(boardRows)
    .where(
      and(
        eq(boardRows.suiteId, board.suiteId),
        eq(boardRows.suiteVersion, board.suiteVersion),
        eq(boardRows.datasetId, board.dataset),
        inArray(boardRows.architectureFingerprint, [...fingerprints]),
      ),
    )
    .returning({
      suiteId: boardRows.suiteId,
      suiteVersion: boardRows.suiteVersion,
      datasetId: boardRows.datasetId,
      backend: boardRows.backend,
      verifiedOnly: boardRows.verifiedOnly,
      baseline: boardRows.baseline,
      fitsTrueLabels: boardRows.fitsTrueLabels,
    });
  addDeltas(deltas, removed, -1);
  await insertRows(tx, await computeBoardRows(tx, board, fingerprints), deltas);
}

/** A board and one of its architectures: what a board_rows refresh recomputes. */
interface Target extends Board {
  fingerprint: string;
}

/** The (board, architecture) of each of these slots' runs, locked, in one global order. */
async function lockTargets(tx: Executor, slots: readonly string[]): Promise<Target[]> {
  const targets = new Map<string, Target>();
  for (const part of chunks([...new Set(slots)], KEYS_PER_STATEMENT)) {
    const rows = await tx
      .selectDistinct({
        suiteId: runs.suiteId,
        suiteVersion: runs.suiteVersion,
        dataset: runs.datasetId,
        fingerprint: runs.architectureFingerprint,
      })
      .from(runs)
      .where(sql`${runs.slot} = any(${textArray(part)})`);
    for (const row of rows) targets.set(JSON.stringify(row), row);
  }
  const all = [...targets.values()];
  if (all.length === 0) return all;
  // After the slot locks, like them by hash in one statement: two writers of one architecture
  // (on different slots) serialize here, and never wait on each other crosswise.
  const names = all.map((t) => `board-row:${t.suiteId}@${t.suiteVersion}/${t.dataset}/${t.fingerprint}`);
  await tx.execute(
    sql`select pg_advisory_xact_lock(h) from (
          select distinct hashtextextended(k, 0) as h from unnest(${textArray(names)}) as k order by h
        ) as ordered_locks`,
  );
  return all;
}

/**
 * Brings board_rows and board_totals in step with the runs of these slots: every scope's row of
 * each (board, architecture) they belong to is computed again from that architecture's runs.
 * Call it in the transaction that changed the runs, after classifySlots (the slots locked).
 */
export async function refreshBoardRows(tx: Executor, slots: readonly string[]): Promise<void> {
  const targets = await lockTargets(tx, slots);
  const byBoard = new Map<string, { board: Board; fingerprints: string[] }>();
  for (const { fingerprint, ...board } of targets) {
    const key = boardKey(board);
    const entry = byBoard.get(key) ?? { board, fingerprints: [] };
    entry.fingerprints.push(fingerprint);
    byBoard.set(key, entry);
  }
  const deltas = new Map<string, TotalsDelta>();
  for (const { board, fingerprints } of [...byBoard.values()].sort((a, b) =>
    boardKey(a.board) < boardKey(b.board) ? -1 : 1,
  ))
    for (const part of chunks(fingerprints.sort(), KEYS_PER_STATEMENT)) await replaceRows(tx, board, part, deltas);
  await applyDeltas(tx, deltas);
}

/**
 * Adds `delta` to the submission count of every board the submission has runs on: +1 when it is
 * stored, -1 when it is hidden, +1 when it is shown again (only when its status really changes).
 */
export async function countSubmissionOnBoards(tx: Executor, submissionId: string, delta: 1 | -1): Promise<void> {
  const rows = await tx
    .selectDistinct({ suiteId: runs.suiteId, suiteVersion: runs.suiteVersion, datasetId: runs.datasetId })
    .from(runs)
    .where(eq(runs.submissionId, submissionId))
    .orderBy(asc(runs.suiteId), asc(runs.suiteVersion), asc(runs.datasetId));
  if (rows.length === 0) return;
  await tx
    .insert(boards)
    .values(rows.map((r) => ({ ...r, submissions: delta })))
    .onConflictDoUpdate({
      target: [boards.suiteId, boards.suiteVersion, boards.datasetId],
      set: { submissions: sql`${boards.submissions} + excluded.submissions` },
    });
  if (delta < 0)
    await tx.execute(sql`delete from ${boards} b using (values ${sql.join(
      rows.map((r) => sql`(${r.suiteId}, ${r.suiteVersion}::int, ${r.datasetId})`),
      sql`, `,
    )}) as e(suite_id, suite_version, dataset_id)
      where b.suite_id = e.suite_id and b.suite_version = e.suite_version and b.dataset_id = e.dataset_id
        and b.submissions <= 0`);
}

/** Told a line per batch of a rebuild: which board, how far. */
export type RebuildProgress = (line: string) => void;

/** The rebuild inside a transaction: see rebuildBoardRows. */
async function rebuildIn(tx: Executor, onProgress?: RebuildProgress): Promise<void> {
  // Readers keep reading the rows as they were until commit (delete, not truncate); writers wait
  // at their first statement on these tables and then refresh against the rebuilt rows.
  await tx.execute(sql`lock table ${boardRows}, ${boardTotals}, ${boards} in share row exclusive mode`);
  // A batch's grouped pass is estimated costly enough for JIT compilation, which then takes longer
  // (about 160 ms a batch) than the pass itself.
  await tx.execute(sql`set local jit = off`);
  await tx.delete(boardRows);
  await tx.delete(boardTotals);
  await tx.delete(boards);
  const counted = await tx
    .insert(boards)
    .select(
      tx
        .select({
          suiteId: runs.suiteId,
          suiteVersion: runs.suiteVersion,
          datasetId: runs.datasetId,
          submissions: sql<number>`count(distinct ${runs.submissionId})::int`.as("submissions"),
        })
        .from(runs)
        .where(eq(runs.visible, true))
        .groupBy(runs.suiteId, runs.suiteVersion, runs.datasetId),
    )
    .returning({ suiteId: boards.suiteId, suiteVersion: boards.suiteVersion, dataset: boards.datasetId });
  const all = counted.sort((a, b) => (boardKey(a) < boardKey(b) ? -1 : 1));
  for (const [index, board] of all.entries()) {
    const fingerprints = (
      await tx
        .selectDistinct({ fingerprint: runs.architectureFingerprint })
        .from(runs)
        .where(
          and(
            eq(runs.visible, true),
            eq(runs.suiteId, board.suiteId),
            eq(runs.suiteVersion, board.suiteVersion),
            eq(runs.datasetId, board.dataset),
          ),
        )
        .orderBy(asc(runs.architectureFingerprint))
    ).map((r) => r.fingerprint);
    let done = 0;
    for (const part of chunks(fingerprints, REBUILD_BATCH)) {
      const deltas = new Map<string, TotalsDelta>();
      await replaceRows(tx, board, part, deltas);
      await applyDeltas(tx, deltas);
      done += part.length;
      onProgress?.(
        `board ${index + 1} of ${all.length} (${board.suiteId}@${board.suiteVersion} ${board.dataset}): ` +
          `${done} of ${fingerprints.length} architectures`,
      );
    }
  }
  await tx
    .insert(aggregateBuilds)
    .values({ name: AGGREGATE, version: BOARD_ROWS_VERSION, builtAt: new Date() })
    .onConflictDoUpdate({ target: aggregateBuilds.name, set: { version: BOARD_ROWS_VERSION, builtAt: new Date() } });
}

/** A transaction-scoped lock that one builder of the aggregates holds at a time. */
const BUILD_LOCK = sql`select pg_advisory_xact_lock(hashtextextended('aggregate-build:board_rows', 0))`;

/**
 * Rebuilds board_rows, board_totals and boards from the visible runs, in one transaction, a
 * batch of architectures per grouped pass, through the same computation and insert as the
 * writes; records which version built them.
 *
 * @example
 * await rebuildBoardRows(db, (line) => console.log(line));
 */
export async function rebuildBoardRows(db: Database, onProgress?: RebuildProgress): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(BUILD_LOCK);
    await rebuildIn(tx, onProgress);
  });
}

/**
 * Rebuilds the board's aggregates when the stored ones were built by another version of the
 * computation (or never: a database migrated to 0004 with runs in it). Returns whether it rebuilt.
 * Two processes opening one database at once: the second waits, then finds them current.
 */
export async function ensureBoardRows(db: Database, onProgress?: RebuildProgress): Promise<boolean> {
  return db.transaction(async (tx) => {
    await tx.execute(BUILD_LOCK);
    const [built] = await tx
      .select({ version: aggregateBuilds.version })
      .from(aggregateBuilds)
      .where(eq(aggregateBuilds.name, AGGREGATE));
    if (built?.version === BOARD_ROWS_VERSION) return false;
    await rebuildIn(tx, onProgress);
    return true;
  });
}

/** The three tables' rows in one canonical order, figures parsed: what two builds compare by. */
export interface BoardTables {
  rows: BoardRow[];
  totals: (typeof boardTotals.$inferSelect)[];
  boards: (typeof boards.$inferSelect)[];
}

/**
 * Every row of board_rows (by primary key), board_totals and boards (by key): a maintained
 * state and a rebuild of it must read the same.
 */
export async function readBoardTables(db: Pick<Database, "select">): Promise<BoardTables> {
  // The primary key's order: board, architecture, scope.
  const keyOrder = [
    asc(boardRows.suiteId),
    asc(boardRows.suiteVersion),
    asc(boardRows.datasetId),
    asc(boardRows.architectureFingerprint),
    asc(boardRows.backend),
    asc(boardRows.verifiedOnly),
  ];
  const [rows, totals, boardList] = await Promise.all([
    db
      .select({
        suiteId: boardRows.suiteId,
        suiteVersion: boardRows.suiteVersion,
        datasetId: boardRows.datasetId,
        backend: boardRows.backend,
        verifiedOnly: boardRows.verifiedOnly,
        architectureFingerprint: boardRows.architectureFingerprint,
        baseline: boardRows.baseline,
        memorizationKey: sql<string>`${boardRows.memorizationKey}::text`,
        fitsTrueLabels: boardRows.fitsTrueLabels,
        gapKey: sql<string>`${boardRows.gapKey}::text`,
        figures: boardRows.figures,
      })
      .from(boardRows)
      .orderBy(...keyOrder),
    db
      .select()
      .from(boardTotals)
      .orderBy(
        asc(boardTotals.suiteId),
        asc(boardTotals.suiteVersion),
        asc(boardTotals.datasetId),
        asc(boardTotals.backend),
        asc(boardTotals.verifiedOnly),
      ),
    db.select().from(boards).orderBy(asc(boards.suiteId), asc(boards.suiteVersion), asc(boards.datasetId)),
  ]);
  return {
    rows: rows.map((r) => ({
      ...r,
      memorizationKey: Number(r.memorizationKey),
      gapKey: Number(r.gapKey),
      figures: r.figures as unknown as BoardRow["figures"],
    })),
    totals,
    boards: boardList,
  };
}
