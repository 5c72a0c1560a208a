// A board as readers see it, read from the rows the writes keep (board_rows, board_totals;
// api/db/queries/board-rows.ts computes them): a page is an ordered index range of one board
// scope, joined with the architectures it names, so a read costs the page, not the stored runs.
// Ranks follow docs/api.md, "Ranking": competition ranking (SQL rank()), derived at read.
import { type AnyColumn, and, asc, eq, lt, type SQL, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import {
  architectures,
  type BaselineRow,
  boardRows,
  boardTotals,
  type Environment,
  Leaderboard,
  type LeaderboardRow,
  type RankMetric,
  type UnrankedRow,
} from "../../../schema/index.js";
import { encodeCursor } from "../../cursor.js";
import type { Database } from "../client.js";
import type { BaselineFigures, RankedFigures } from "./board-rows.js";

export interface LeaderboardQuery {
  suiteId: string;
  suiteVersion: number;
  dataset: string;
  rank: RankMetric;
  backend?: Environment["backend"];
  /**
   * Only standing results an operator reproducer reproduced exactly (`verified=only`): every
   * figure and count of a row then rests on those alone.
   */
  verifiedOnly?: boolean;
  limit: number;
  offset: number;
}

type BoardQuery = Pick<LeaderboardQuery, "suiteId" | "suiteVersion" | "dataset" | "backend" | "verifiedOnly">;

/** An ArchitectureSummary's columns: joined at read, never stored, so a rename needs no recompute. */
const ARCHITECTURE_SUMMARY = {
  fingerprint: architectures.fingerprint,
  id: architectures.slug,
  name: architectures.name,
  kind: architectures.kind,
  inputShape: architectures.inputShape,
  parameterCount: architectures.parameterCount,
};

/** Most baselines a board lists (one per kernel variant, e.g. per γ). */
const MAX_BASELINES = 50;
/** Most architectures the gap ranking lists as not fitting true labels. */
const MAX_UNRANKED = 100;

/** The scope columns board_rows and board_totals share (either table, or an alias of one). */
interface ScopeColumns {
  suiteId: AnyColumn;
  suiteVersion: AnyColumn;
  datasetId: AnyColumn;
  backend: AnyColumn;
  verifiedOnly: AnyColumn;
}
/** board_rows or an alias of it: the columns a ranking reads. */
interface RankingColumns extends ScopeColumns {
  baseline: AnyColumn;
  fitsTrueLabels: AnyColumn;
  memorizationKey: AnyColumn;
  gapKey: AnyColumn;
}

/**
 * The stored rows of `board`'s scope: `backend` '' holds the board over every backend, and
 * `verified_only` the board of verified standing results. Equalities on the leading columns of
 * both ranking indexes, so every read below is a range of one index.
 */
function scopeOf(table: ScopeColumns, board: BoardQuery): SQL {
  return and(
    eq(table.suiteId, board.suiteId),
    eq(table.suiteVersion, board.suiteVersion),
    eq(table.datasetId, board.dataset),
    eq(table.backend, board.backend ?? ""),
    eq(table.verifiedOnly, board.verifiedOnly ?? false),
  )!;
}

/**
 * The rows a ranking ranks and the key it orders them by: by memorization every non-baseline
 * row, by gap those that fitted true labels. Keys are +∞ for a censored median and NaN for no
 * runs of the metric, which Postgres orders after +∞ and holds equal to itself, so both tie
 * like rank() tied them (censored after every finite figure, no runs last).
 */
function rankingOf(table: RankingColumns, board: BoardQuery, metric: RankMetric) {
  const byGap = metric === "gap";
  return {
    where: and(scopeOf(table, board), eq(table.baseline, false), byGap ? eq(table.fitsTrueLabels, true) : undefined)!,
    key: byGap ? table.gapKey : table.memorizationKey,
  };
}

/** A stored row as `metric` shows it, without a rank: `provisional` is that metric's. */
function toUnrankedRow(architecture: UnrankedRow["architecture"], figures: RankedFigures, metric: RankMetric) {
  const provisional = (metric === "memorization" ? figures.stepsToFit : figures.genGap).provisional;
  return { architecture, ...figures, provisional } satisfies UnrankedRow;
}

/** How many architectures a ranking ranks: kept by the writes in board_totals (0 when the scope has no rows). */
function totalOf(metric: RankMetric) {
  return metric === "gap" ? boardTotals.fitted : boardTotals.ranked;
}

/**
 * The fingerprints and keys of the rows `where` selects in order of `key` (ties by fingerprint,
 * as before), from `offset`: a range of the index that ends in those columns, read index-only, so
 * the rows an offset skips cost an index entry each, not a heap row with its figures.
 */
function rowsInOrder(db: Database, where: SQL, key: AnyColumn, page: { limit: number; offset?: number }) {
  return db.$with("page").as(
    db
      .select({
        fingerprint: sql<string>`${boardRows.architectureFingerprint}`.as("page_fingerprint"),
        key: sql<number>`${key}`.as("page_key"),
      })
      .from(boardRows)
      .where(where)
      .orderBy(asc(key), asc(boardRows.architectureFingerprint))
      .limit(page.limit)
      .offset(page.offset ?? 0),
  );
}
type PageRows = ReturnType<typeof rowsInOrder>;

/**
 * The figures and ArchitectureSummary of each row of `page`, by primary keys. LATERAL … LIMIT 1
 * keeps them lookups per row: as plain joins the planner may hash the whole architectures table
 * for a page of 50, and that table grows with every architecture ever submitted.
 */
function storedRowOf(db: Database, page: PageRows, board: BoardQuery) {
  const stored = alias(boardRows, "stored");
  return db
    .select({ figures: stored.figures, ...ARCHITECTURE_SUMMARY })
    .from(stored)
    .innerJoin(architectures, eq(architectures.fingerprint, stored.architectureFingerprint))
    .where(and(scopeOf(stored, board), sql`${stored.architectureFingerprint} = ${page.fingerprint}`))
    .limit(1)
    .as("stored_row");
}

/** The row of `storedRowOf`: its figures and the ArchitectureSummary (null where a left join found none). */
function storedColumns(row: ReturnType<typeof storedRowOf>) {
  const { figures, fingerprint, id, name, kind, inputShape, parameterCount } = row;
  return { figures, architecture: { fingerprint, id, name, kind, inputShape, parameterCount } };
}

/**
 * One page of the board and the number of ranked architectures on it, in one round trip:
 * the page is the index range from `offset` in key order, and its ranks are competition ranks
 * without ranking the rows before it — a row that ties the page's first key shares its rank,
 * 1 + the rows of a smaller key (an index-only count, short where readers page: near the top);
 * any other row's rank is `offset` + its rank() within the page. Past the end the page is empty
 * and `total` still comes from board_totals.
 */
export async function queryLeaderboard(
  db: Database,
  query: LeaderboardQuery,
): Promise<{ rows: LeaderboardRow[]; total: number }> {
  const ranking = rankingOf(boardRows, query, query.rank);
  const page = rowsInOrder(db, ranking.where, ranking.key, query);
  const stored = storedRowOf(db, page, query);
  const before = alias(boardRows, "before");
  const beforeRanking = rankingOf(before, query, query.rank);
  // The rows of the ranking ahead of the page's first key: its rank is one more.
  const ahead = sql`(select count(*) from ${boardRows} as ${before}
    where ${beforeRanking.where} and ${beforeRanking.key} < (select min(${page.key}) from ${page}))`;
  const rank = sql<number>`(case when ${page.key} = min(${page.key}) over () then ${ahead} + 1
    else ${query.offset}::int + rank() over (order by ${page.key}) end)::int`;
  // From the scope's totals row (none: an empty scope), so an empty page still says how many there are.
  const rows = await db
    .with(page)
    .select({
      total: totalOf(query.rank),
      ...storedColumns(stored),
      rank: rank.as("rank"),
    })
    .from(boardTotals)
    .leftJoin(page, sql`true`)
    .leftJoinLateral(stored, sql`true`)
    .where(scopeOf(boardTotals, query))
    .orderBy(asc(page.key), asc(page.fingerprint));
  return {
    total: rows[0]?.total ?? 0,
    rows: rows.flatMap(({ architecture, figures, rank }) =>
      architecture === null || figures === null
        ? []
        : { rank, ...toUnrankedRow(architecture, figures as unknown as RankedFigures, query.rank) },
    ),
  };
}

/** The first `limit` rows `where` selects in order of `key`, each with its ArchitectureSummary. */
async function listRows(db: Database, board: BoardQuery, where: SQL, key: AnyColumn, limit: number) {
  const page = rowsInOrder(db, where, key, { limit });
  const stored = storedRowOf(db, page, board);
  return db
    .with(page)
    .select(storedColumns(stored))
    .from(page)
    .innerJoinLateral(stored, sql`true`)
    .orderBy(asc(page.key), asc(page.fingerprint));
}

/**
 * The architectures the gap ranking leaves out (did not fit true labels, or have no true-label
 * runs), smallest median gap first: listed with their figures, without a rank.
 */
async function queryDidNotFit(db: Database, query: BoardQuery): Promise<UnrankedRow[]> {
  const where = and(scopeOf(boardRows, query), eq(boardRows.baseline, false), eq(boardRows.fitsTrueLabels, false))!;
  const rows = await listRows(db, query, where, boardRows.gapKey, MAX_UNRANKED);
  return rows.map(({ architecture, figures }) =>
    toUnrankedRow(architecture, figures as unknown as RankedFigures, "gap"),
  );
}

/**
 * Where one architecture ranks on a board by each metric, of how many: `total` architectures by
 * memorization, `fittedTotal` by gap. `gap` is null (and `unrankedByGap` holds its figures)
 * when it did not fit true labels.
 */
interface Standing {
  memorization: LeaderboardRow | null;
  gap: LeaderboardRow | null;
  unrankedByGap: UnrankedRow | null;
  total: number;
  fittedTotal: number;
}

/**
 * One architecture's standing on a board: its row as each ranking shows it, read by primary key,
 * each rank 1 + the rows of that ranking with a smaller key (the count rule of queryLeaderboard).
 */
export async function queryStanding(db: Database, fingerprint: string, board: BoardQuery): Promise<Standing> {
  const other = alias(boardRows, "other");
  const aheadBy = (metric: RankMetric) => {
    const ranking = rankingOf(other, board, metric);
    const own = metric === "gap" ? boardRows.gapKey : boardRows.memorizationKey;
    return sql<number>`(select count(*) from ${boardRows} as ${other}
      where ${ranking.where} and ${lt(ranking.key, own)})::int + 1`;
  };
  const [row] = await db
    .select({
      architecture: ARCHITECTURE_SUMMARY,
      figures: boardRows.figures,
      memorizationRank: aheadBy("memorization"),
      gapRank: sql<number | null>`case when ${boardRows.fitsTrueLabels} then ${aheadBy("gap")} end`,
      total: boardTotals.ranked,
      fittedTotal: boardTotals.fitted,
    })
    .from(boardRows)
    .innerJoin(architectures, eq(architectures.fingerprint, boardRows.architectureFingerprint))
    .innerJoin(boardTotals, scopeOf(boardTotals, board))
    .where(
      and(
        scopeOf(boardRows, board),
        eq(boardRows.architectureFingerprint, fingerprint),
        // A baseline takes no rank: it has no standing (the page shows its baseline row).
        eq(boardRows.baseline, false),
      ),
    );
  if (!row) return { memorization: null, gap: null, unrankedByGap: null, total: 0, fittedTotal: 0 };
  const figures = row.figures as unknown as RankedFigures;
  const byGap = toUnrankedRow(row.architecture, figures, "gap");
  return {
    memorization: { rank: row.memorizationRank, ...toUnrankedRow(row.architecture, figures, "memorization") },
    gap: row.gapRank === null ? null : { rank: row.gapRank, ...byGap },
    unrankedByGap: row.gapRank === null ? byGap : null,
    total: row.total,
    fittedTotal: row.fittedTotal,
  };
}

/**
 * The board's non-neural baselines (architectures of a baseline kind), smallest median
 * generalization gap on true labels first: the figures that apply to a closed-form solve.
 */
export async function queryBaselines(db: Database, query: BoardQuery): Promise<BaselineRow[]> {
  // The gap index orders a scope's baselines within fits_true_labels, which their order ignores:
  // these few rows are sorted, not the scope.
  const rows = await listRows(
    db,
    query,
    and(scopeOf(boardRows, query), eq(boardRows.baseline, true))!,
    boardRows.gapKey,
    MAX_BASELINES,
  );
  return rows.map(({ architecture, figures }) => ({ architecture, ...(figures as unknown as BaselineFigures) }));
}

/**
 * One page of a board as the API answers it: the ranked rows from `offset`, the baselines and
 * (ranked by gap) the architectures that did not fit true labels on the first page only, and the
 * cursor of the next page (null on the last).
 */
export async function loadBoard(db: Database, query: LeaderboardQuery): Promise<Leaderboard> {
  const firstPage = query.offset === 0;
  const [page, baselines, didNotFit] = await Promise.all([
    queryLeaderboard(db, query),
    firstPage ? queryBaselines(db, query) : [],
    firstPage && query.rank === "gap" ? queryDidNotFit(db, query) : [],
  ]);
  const next = query.offset + page.rows.length;
  return Leaderboard.parse({
    suite: { id: query.suiteId, version: query.suiteVersion },
    dataset: query.dataset,
    rank: query.rank,
    backend: query.backend ?? null,
    verifiedOnly: query.verifiedOnly ?? false,
    total: page.total,
    rows: page.rows,
    didNotFit,
    baselines,
    nextCursor: next < page.total ? encodeCursor({ offset: next }) : null,
  });
}
