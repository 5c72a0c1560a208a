// The ranking (docs/api.md, "Ranking") in one SQL query: per architecture within a suite version and
// dataset, quartiles of steps to fit random labels and of the true-label generalization
// gap over every visible run, ranked with rank() and paged. Non-neural baselines (kernels)
// are left out of the ranking and listed on their own.
import { and, asc, eq, inArray, notInArray, type SQL, sql } from "drizzle-orm";
import {
  architectures,
  BASELINE_KINDS,
  type BaselineRow,
  type Environment,
  Leaderboard,
  type LeaderboardRow,
  type RankMetric,
  runs,
  submissions,
} from "../../../schema/index.js";
import { encodeCursor } from "../../cursor.js";
import type { Database } from "../client.js";
import { finiteOrNull, medianOf, spreadColumns, spreadOf } from "./spread.js";

export interface LeaderboardQuery {
  suiteId: string;
  suiteVersion: number;
  dataset: string;
  rank: RankMetric;
  backend?: Environment["backend"];
  limit: number;
  offset: number;
}

/** Random labels without explicit regularization: the memorization metric's runs. */
const RANDOM_LABELS = and(eq(runs.status, "ok"), eq(runs.corruptionKind, "random"), eq(runs.regularizer, "none"))!;
/** True labels without explicit regularization: the generalization-gap metric's runs. */
const TRUE_LABELS = and(eq(runs.status, "ok"), eq(runs.corruptionKind, "true"), eq(runs.regularizer, "none"))!;

/** An ArchitectureSummary, selected as one nested object. */
const ARCHITECTURE_SUMMARY = {
  fingerprint: architectures.fingerprint,
  id: architectures.slug,
  name: architectures.name,
  kind: architectures.kind,
  inputShape: architectures.inputShape,
  parameterCount: architectures.parameterCount,
};

/** How many submissions and distinct submitters an architecture's runs come from. */
const SUBMISSION_COUNTS = {
  submissionCount: sql<number>`count(distinct ${runs.submissionId})::int`.as("submission_count"),
  submitterCount: sql<number>`count(distinct ${runs.submitterKeyid})::int`.as("submitter_count"),
};

/** Most baselines a board lists (one per kernel variant, e.g. per γ). */
const MAX_BASELINES = 50;

type BoardQuery = Pick<LeaderboardQuery, "suiteId" | "suiteVersion" | "dataset" | "backend">;

/** The visible runs of one board, optionally of one backend. */
function boardRuns(query: BoardQuery): SQL {
  return and(
    eq(runs.visible, true),
    eq(runs.suiteId, query.suiteId),
    eq(runs.suiteVersion, query.suiteVersion),
    eq(runs.datasetId, query.dataset),
    query.backend === undefined ? undefined : eq(runs.backend, query.backend),
  )!;
}

/** Architectures that are ranked: everything but the baseline kinds. */
const RANKED = notInArray(architectures.kind, [...BASELINE_KINDS]);
/** Non-neural baselines: never ranked, listed beside the ranking. */
const BASELINE = inArray(architectures.kind, [...BASELINE_KINDS]);

/** rank() over the architectures of a board by `key`, smallest first, no key last. */
function rankBy(key: SQL) {
  return sql<number>`(rank() over (order by ${key} asc nulls last))::int`;
}

/**
 * The ranked architectures of a board, one row each: the figures of its LeaderboardRow, the
 * hardware of its fastest fit, its rank by each metric and how many there are. Baselines are
 * left out before rank() and count() over () see the rows, so they take no rank; `rows` may be
 * paged or filtered to one architecture without changing either.
 */
function rankedBoard(db: Database, board: BoardQuery) {
  const fastestFirst = sql`array_agg(${runs.submissionId} order by ${runs.wallSecondsToFit}, ${runs.submissionId})`;
  const fittedRandomLabels = sql`${RANDOM_LABELS} and ${runs.wallSecondsToFit} is not null`;
  const perArchitecture = db
    .select({
      architecture: ARCHITECTURE_SUMMARY,
      stats: {
        ...spreadColumns("steps", runs.stepsToFit, RANDOM_LABELS),
        ...spreadColumns("epochs", runs.epochsToFit, RANDOM_LABELS),
        ...spreadColumns("gap", runs.genGap, TRUE_LABELS),
        slowdown: medianOf(runs.slowdown, RANDOM_LABELS).as("slowdown"),
        testAccuracy: medianOf(runs.finalTestAcc, TRUE_LABELS).as("test_accuracy"),
        ...SUBMISSION_COUNTS,
        // The fastest fit of random labels and the submission it came from (ties: the lower id).
        fastestWallSeconds: sql<number | null>`min(${runs.wallSecondsToFit}) filter (where ${RANDOM_LABELS})`.as(
          "fastest_wall_seconds",
        ),
        fastestSubmissionId: sql<string | null>`(${fastestFirst} filter (where ${fittedRandomLabels}))[1]`.as(
          "fastest_submission_id",
        ),
      },
    })
    .from(runs)
    .innerJoin(architectures, eq(architectures.fingerprint, runs.architectureFingerprint))
    .where(and(boardRuns(board), RANKED))
    .groupBy(architectures.fingerprint)
    .as("per_architecture");

  // Censored medians are +∞ or NaN (between two +∞); least() makes them tie, after every
  // finite median and before architectures with no runs of the metric at all (null; least()
  // would turn that into +∞ too, hence the case).
  const { stats } = perArchitecture;
  const stepsMedian = sql`least((${stats.stepsQuartiles})[2], 'Infinity'::float8)`;
  const stepsKey = sql`case when ${stats.stepsQuartiles} is null then null else ${stepsMedian} end`;
  const ranked = db
    .select({
      architecture: perArchitecture.architecture,
      stats,
      fastest: {
        backend: submissions.backend,
        backendDetail: submissions.backendDetail,
        hardware: submissions.hardware,
      },
      memorizationRank: rankBy(stepsKey).as("memorization_rank"),
      gapRank: rankBy(sql`(${stats.gapQuartiles})[2]`).as("gap_rank"),
      total: sql<number>`(count(*) over ())::int`.as("total"),
    })
    .from(perArchitecture)
    .leftJoin(submissions, eq(submissions.id, stats.fastestSubmissionId))
    .as("ranked");
  return { ranked, rows: db.select().from(ranked).$dynamic() };
}

type RankedRow = Awaited<ReturnType<typeof rankedBoard>["rows"]>[number];

/** A ranked row as the board shows it when ranked by `metric`. */
function toLeaderboardRow(row: RankedRow, metric: RankMetric): LeaderboardRow {
  const { stats: s, fastest: f } = row;
  const stepsToFit = spreadOf(s, "steps");
  const genGap = spreadOf(s, "gap");
  return {
    rank: metric === "memorization" ? row.memorizationRank : row.gapRank,
    architecture: row.architecture,
    stepsToFit,
    epochsToFit: spreadOf(s, "epochs"),
    genGap,
    slowdown: finiteOrNull(s.slowdown),
    testAccuracy: finiteOrNull(s.testAccuracy),
    submissions: s.submissionCount,
    submitters: s.submitterCount,
    bestWallTime:
      s.fastestWallSeconds !== null &&
      s.fastestSubmissionId !== null &&
      f.backend !== null &&
      f.backendDetail !== null &&
      f.hardware !== null
        ? {
            wallSecondsToFit: s.fastestWallSeconds,
            submissionId: s.fastestSubmissionId,
            backend: f.backend,
            backendDetail: f.backendDetail,
            hardware: f.hardware,
          }
        : null,
    provisional: (metric === "memorization" ? stepsToFit : genGap).provisional,
  };
}

/** One page of the board and the number of ranked architectures on it. */
export async function queryLeaderboard(
  db: Database,
  query: LeaderboardQuery,
): Promise<{ rows: LeaderboardRow[]; total: number }> {
  const { ranked, rows } = rankedBoard(db, query);
  const page = await rows
    .orderBy(
      asc(query.rank === "memorization" ? ranked.memorizationRank : ranked.gapRank),
      asc(ranked.architecture.fingerprint),
    )
    .limit(query.limit)
    .offset(query.offset);
  const total = page[0]?.total ?? (query.offset === 0 ? 0 : await countArchitectures(db, boardRuns(query)));
  return { total, rows: page.map((row) => toLeaderboardRow(row, query.rank)) };
}

/** Where one architecture ranks on a board by each metric, of how many; null ranks when it is not ranked there. */
interface Standing {
  memorization: LeaderboardRow | null;
  gap: LeaderboardRow | null;
  total: number;
}

/** One architecture's standing on a board: its row as each ranking shows it. */
export async function queryStanding(db: Database, fingerprint: string, board: BoardQuery): Promise<Standing> {
  const { ranked, rows } = rankedBoard(db, board);
  const [row] = await rows.where(eq(ranked.architecture.fingerprint, fingerprint));
  if (!row) return { memorization: null, gap: null, total: 0 };
  return { memorization: toLeaderboardRow(row, "memorization"), gap: toLeaderboardRow(row, "gap"), total: row.total };
}

async function countArchitectures(db: Database, board: SQL): Promise<number> {
  const [row] = await db
    .select({ count: sql<number>`count(distinct ${runs.architectureFingerprint})::int` })
    .from(runs)
    .innerJoin(architectures, eq(architectures.fingerprint, runs.architectureFingerprint))
    .where(and(board, RANKED));
  return row?.count ?? 0;
}

/**
 * The board's non-neural baselines (architectures of a baseline kind), smallest median
 * generalization gap on true labels first: the figures that apply to a closed-form solve.
 */
export async function queryBaselines(db: Database, query: BoardQuery): Promise<BaselineRow[]> {
  const perBaseline = db
    .select({
      architecture: ARCHITECTURE_SUMMARY,
      stats: {
        ...spreadColumns("gap", runs.genGap, TRUE_LABELS),
        trainAccuracy: medianOf(runs.finalTrainAcc, TRUE_LABELS).as("train_accuracy"),
        testAccuracy: medianOf(runs.finalTestAcc, TRUE_LABELS).as("test_accuracy"),
        ...SUBMISSION_COUNTS,
      },
    })
    .from(runs)
    // Only the baselines' runs are aggregated: the architectures table is small, the runs are not.
    .innerJoin(architectures, eq(architectures.fingerprint, runs.architectureFingerprint))
    .where(and(boardRuns(query), BASELINE))
    .groupBy(architectures.fingerprint)
    .as("per_baseline");
  const rows = await db
    .select()
    .from(perBaseline)
    .orderBy(sql`(${perBaseline.stats.gapQuartiles})[2] asc nulls last`, asc(perBaseline.architecture.fingerprint))
    .limit(MAX_BASELINES);
  return rows.map(({ architecture, stats: s }) => ({
    architecture,
    genGap: spreadOf(s, "gap"),
    trainAccuracy: finiteOrNull(s.trainAccuracy),
    testAccuracy: finiteOrNull(s.testAccuracy),
    submissions: s.submissionCount,
    submitters: s.submitterCount,
  }));
}

/**
 * One page of a board as the API answers it: the ranked rows from `offset`, the baselines on
 * the first page only, and the cursor of the next page (null on the last).
 */
export async function loadBoard(db: Database, query: LeaderboardQuery): Promise<Leaderboard> {
  const [page, baselines] = await Promise.all([
    queryLeaderboard(db, query),
    query.offset === 0 ? queryBaselines(db, query) : [],
  ]);
  const next = query.offset + page.rows.length;
  return Leaderboard.parse({
    suite: { id: query.suiteId, version: query.suiteVersion },
    dataset: query.dataset,
    rank: query.rank,
    backend: query.backend ?? null,
    total: page.total,
    rows: page.rows,
    baselines,
    nextCursor: next < page.total ? encodeCursor({ offset: next }) : null,
  });
}
