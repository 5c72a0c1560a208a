// Over 350 lines on purpose: the one ranking query and the row mapping that reads its columns
// change together (a column added to one is read in the other); split, they would drift.
// The ranking (docs/api.md, "Ranking") in one SQL query: per architecture within a suite version and
// dataset, quartiles over the standing results (one per slot, so one per seed) of steps to fit
// random labels (censored and failed runs as +∞) and of the true-label generalization gap, ranked
// with rank() and paged. The gap ranks only architectures that fitted true labels; the others are
// listed unranked. Non-neural baselines (kernels) are left out of the ranking and listed on their own.
import { and, asc, eq, inArray, isNotNull, notInArray, or, type SQL, sql } from "drizzle-orm";
import {
  ablatedRegularizers,
  architectures,
  BASELINE_KINDS,
  type BaselineRow,
  type ContestEvidence,
  type Environment,
  findSuite,
  Leaderboard,
  type LeaderboardRow,
  type RankMetric,
  type RegularizerEffect,
  runs,
  submissions,
  type TrueLabelFit,
  type UnrankedRow,
} from "../../../schema/index.js";
import { encodeCursor } from "../../cursor.js";
import type { Database } from "../client.js";
import { SIBLING_JOIN, slowdownSql, trueLabelSibling } from "./slowdown.js";
import {
  finiteOrNull,
  medianOf,
  STANDING,
  slotCountColumns,
  slotCountsOf,
  spreadColumns,
  spreadOf,
  suiteSeedCount,
  verificationOf,
} from "./spread.js";

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

/** Random labels without explicit regularization: the memorization metric's runs (failed ones too). */
const RANDOM_LABELS = and(eq(runs.corruptionKind, "random"), eq(runs.regularizer, "none"))!;
/** True labels without explicit regularization: the generalization-gap metric's runs (failed ones too). */
const TRUE_LABELS = and(eq(runs.corruptionKind, "true"), eq(runs.regularizer, "none"))!;
/** The conditions a row's figures and counts come from. */
const RANKED_CONDITIONS = or(RANDOM_LABELS, TRUE_LABELS)!;

/** True labels with one regularizer set on: a Δ gap's runs. */
function trueLabelsWith(regularizer: string): SQL {
  return and(eq(runs.corruptionKind, "true"), eq(runs.regularizer, regularizer))!;
}

/**
 * Per regularizer set in `names`, the median gap on true labels with it on and the seeds behind
 * that median, as two arrays in the order of `names`: aggregates of the same grouped pass over a
 * board's runs that the row's spreads come from (one filtered median each, so no second pass).
 * The names are the suite's, bound as parameters.
 */
function regularizerGapColumns(names: readonly string[]) {
  if (names.length === 0)
    return {
      regularizerGaps: sql<(number | null)[]>`'{}'::float8[]`.as("regularizer_gaps"),
      regularizerSeeds: sql<number[]>`'{}'::int[]`.as("regularizer_seeds"),
    };
  const medians = names.map((name) => medianOf(runs.genGap, trueLabelsWith(name)));
  const seeds = names.map(
    (name) =>
      sql`count(distinct ${runs.seed}) filter (where ${and(STANDING, eq(runs.status, "ok"), trueLabelsWith(name))})`,
  );
  return {
    regularizerGaps: sql<(number | null)[]>`array[${sql.join(medians, sql`, `)}]::float8[]`.as("regularizer_gaps"),
    regularizerSeeds: sql<number[]>`array[${sql.join(seeds, sql`, `)}]::int[]`.as("regularizer_seeds"),
  };
}

/** What a board's suite says about its rows: how many seeds it lists, which regularizer sets it ablates. */
interface BoardSuite {
  seeds: number;
  regularizers: readonly string[];
}

function boardSuite(board: Pick<LeaderboardQuery, "suiteId" | "suiteVersion">): BoardSuite {
  const suite = findSuite(board.suiteId, board.suiteVersion);
  return {
    seeds: suiteSeedCount({ id: board.suiteId, version: board.suiteVersion }),
    // A suite this build no longer knows: no ablations to show (its results are not stored anyway).
    regularizers: suite ? ablatedRegularizers(suite) : [],
  };
}

/** An ArchitectureSummary, selected as one nested object. */
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

type BoardQuery = Pick<LeaderboardQuery, "suiteId" | "suiteVersion" | "dataset" | "backend" | "verifiedOnly">;

/** The visible runs of one board, optionally of one backend, optionally its verified standing results only. */
function boardRuns(query: BoardQuery): SQL {
  return and(
    eq(runs.visible, true),
    eq(runs.suiteId, query.suiteId),
    eq(runs.suiteVersion, query.suiteVersion),
    eq(runs.datasetId, query.dataset),
    query.backend === undefined ? undefined : eq(runs.backend, query.backend),
    query.verifiedOnly ? and(STANDING, eq(runs.verified, true)) : undefined,
  )!;
}

/** The true-label sibling a slowdown divides by: verified too when the board reads verified results only. */
function siblingJoin(query: BoardQuery): SQL {
  return query.verifiedOnly ? and(SIBLING_JOIN, eq(trueLabelSibling.verified, true))! : SIBLING_JOIN;
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
  const { regularizers } = boardSuite(board);
  const fastestFirst = sql`array_agg(${runs.submissionId} order by ${runs.wallSecondsToFit}, ${runs.submissionId})`;
  const fittedRandomLabels = sql`${RANDOM_LABELS} and ${runs.wallSecondsToFit} is not null`;
  const perArchitecture = db
    .select({
      architecture: ARCHITECTURE_SUMMARY,
      stats: {
        ...spreadColumns("steps", runs.stepsToFit, RANDOM_LABELS, "censored"),
        ...spreadColumns("epochs", runs.epochsToFit, RANDOM_LABELS, "censored"),
        ...spreadColumns("gap", runs.genGap, TRUE_LABELS, "excluded"),
        // Whether true labels were fitted: failed and censored runs count as never fitted.
        ...spreadColumns("trueSteps", runs.stepsToFit, TRUE_LABELS, "censored"),
        slowdownQuartiles: slowdownSql(RANDOM_LABELS).as("slowdown_quartiles"),
        testAccuracy: medianOf(runs.finalTestAcc, TRUE_LABELS).as("test_accuracy"),
        ...regularizerGapColumns(regularizers),
        ...slotCountColumns(RANKED_CONDITIONS),
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
    .leftJoin(trueLabelSibling, siblingJoin(board))
    .where(and(boardRuns(board), RANKED))
    .groupBy(architectures.fingerprint)
    .as("per_architecture");

  // Censored medians are +∞ or NaN (between two +∞); least() makes them tie, after every
  // finite median and before architectures with no runs of the metric at all (null; least()
  // would turn that into +∞ too, hence the case).
  const { stats } = perArchitecture;
  const stepsMedian = sql`least((${stats.stepsQuartiles})[2], 'Infinity'::float8)`;
  const stepsKey = sql`case when ${stats.stepsQuartiles} is null then null else ${stepsMedian} end`;
  // Fitted true labels: a finite censored median (NaN, between two +∞, is not below +∞ either).
  const fits = sql`coalesce((${stats.trueStepsQuartiles})[2] < 'Infinity'::float8, false)`;
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
      fitsTrueLabels: sql<boolean>`${fits}`.as("fits_true_labels"),
      // Ranked among the architectures that fitted only; the others get no gap rank.
      gapRank: sql<number | null>`case when ${fits} then (rank() over (
          partition by ${fits} order by (${stats.gapQuartiles})[2] asc nulls last))::int end`.as("gap_rank"),
      total: sql<number>`(count(*) over ())::int`.as("total"),
      fittedTotal: sql<number>`(count(*) filter (where ${fits}) over ())::int`.as("fitted_total"),
    })
    .from(perArchitecture)
    .leftJoin(submissions, eq(submissions.id, stats.fastestSubmissionId))
    .as("ranked");
  return { ranked, rows: db.select().from(ranked).$dynamic() };
}

type RankedRow = Awaited<ReturnType<typeof rankedBoard>["rows"]>[number];

/** The TrueLabelFit of a row. */
function trueLabelFit(row: RankedRow): TrueLabelFit {
  if (row.stats.trueStepsRuns === 0) return "no-runs";
  return row.fitsTrueLabels ? "fitted" : "not-fitted";
}

/** The contested standing results of a board's rows, by architecture fingerprint. */
type Contested = ReadonlyMap<string, ContestEvidence>;

/**
 * Each ablated regularizer set's change of the median gap: its median minus the median with every
 * regularizer off (the row's gap), null where either is missing or censored.
 */
function regularizerEffectsOf(row: RankedRow, regularizers: readonly string[]): RegularizerEffect[] {
  const { stats: s } = row;
  const without = finiteOrNull(s.gapQuartiles?.[1]);
  return regularizers.map((regularizer, i) => {
    const withIt = finiteOrNull(s.regularizerGaps?.[i]);
    return {
      regularizer,
      gapDelta: withIt === null || without === null ? null : withIt - without,
      seeds: s.regularizerSeeds?.[i] ?? 0,
    };
  });
}

/**
 * A row's figures as the board shows them when ranked by `metric`, without its rank; `contested`
 * holds the evidence against its standing results (queryContested).
 */
function toUnrankedRow(row: RankedRow, metric: RankMetric, suite: BoardSuite, contested: Contested): UnrankedRow {
  const suiteSeeds = suite.seeds;
  const { stats: s, fastest: f } = row;
  const stepsToFit = spreadOf(s, "steps", suiteSeeds);
  const genGap = spreadOf(s, "gap", suiteSeeds);
  const counts = slotCountsOf(s);
  return {
    architecture: row.architecture,
    stepsToFit,
    epochsToFit: spreadOf(s, "epochs", suiteSeeds),
    genGap,
    slowdown: finiteOrNull(s.slowdownQuartiles?.[1]),
    testAccuracy: finiteOrNull(s.testAccuracy),
    trueLabels: trueLabelFit(row),
    counts,
    verification: verificationOf(counts),
    contested: contested.get(row.architecture.fingerprint) ?? null,
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
    regularizerEffects: regularizerEffectsOf(row, suite.regularizers),
  };
}

/** A ranked row as the board shows it when ranked by `metric`; null when that metric leaves it unranked. */
function toLeaderboardRow(
  row: RankedRow,
  metric: RankMetric,
  suite: BoardSuite,
  contested: Contested,
): LeaderboardRow | null {
  const rank = metric === "memorization" ? row.memorizationRank : row.gapRank;
  return rank === null ? null : { rank, ...toUnrankedRow(row, metric, suite, contested) };
}

/**
 * Where the evidence is against the contested standing results of these architectures on a
 * board (ranked conditions only, as the rows' counts): per architecture, how many of its
 * standing results are contested, and for the first accepted of them its submission, the first
 * reproduction by another key that did not reproduce it, and the first later submission of the
 * same backend that differs from it. One query for a page of rows, over that board's standing
 * runs; each slot is looked up through its index.
 */
async function queryContested(db: Database, board: BoardQuery, fingerprints: readonly string[]): Promise<Contested> {
  if (fingerprints.length === 0) return new Map();
  // Written out: drizzle leaves a column unqualified in a select list, which inside this
  // subquery would name the contesting run's own column.
  const firstContesting = sql<string | null>`(select contest.submission_id from runs as contest
    where contest.slot = runs.slot and contest.slot_role = 'contest' order by contest.id limit 1)`;
  const rows = await db
    .select({
      fingerprint: runs.architectureFingerprint,
      submissionId: runs.submissionId,
      reproductionId: runs.contestReproductionId,
      contestingSubmissionId: firstContesting,
    })
    .from(runs)
    .where(
      and(
        boardRuns(board),
        STANDING,
        RANKED_CONDITIONS,
        inArray(runs.architectureFingerprint, [...fingerprints]),
        or(isNotNull(runs.contestReproductionId), sql`${firstContesting} is not null`),
      ),
    )
    .orderBy(asc(runs.architectureFingerprint), asc(runs.id));
  const contested = new Map<string, ContestEvidence>();
  for (const row of rows) {
    const seen = contested.get(row.fingerprint);
    if (seen) seen.slots += 1;
    else
      contested.set(row.fingerprint, {
        slots: 1,
        submissionId: row.submissionId,
        reproductionId: row.reproductionId,
        contestingSubmissionId: row.contestingSubmissionId,
      });
  }
  return contested;
}

/**
 * One page of the board and the number of ranked architectures on it. Ranked by gap, only the
 * architectures that fitted true labels are ranked (and counted in `total`).
 */
export async function queryLeaderboard(
  db: Database,
  query: LeaderboardQuery,
): Promise<{ rows: LeaderboardRow[]; total: number }> {
  const { ranked, rows } = rankedBoard(db, query);
  const suite = boardSuite(query);
  const byGap = query.rank === "gap";
  const page = await rows
    .where(byGap ? sql`${ranked.fitsTrueLabels}` : undefined)
    .orderBy(asc(byGap ? ranked.gapRank : ranked.memorizationRank), asc(ranked.architecture.fingerprint))
    .limit(query.limit)
    .offset(query.offset);
  const first = page[0];
  let total = 0;
  if (first) total = byGap ? first.fittedTotal : first.total;
  else if (query.offset > 0) total = await countRanked(db, query);
  const contested = await queryContested(
    db,
    query,
    page.map((row) => row.architecture.fingerprint),
  );
  return { total, rows: page.flatMap((row) => toLeaderboardRow(row, query.rank, suite, contested) ?? []) };
}

/**
 * The architectures the gap ranking leaves out (did not fit true labels, or have no true-label
 * runs), smallest median gap first: listed with their figures, without a rank.
 */
async function queryDidNotFit(db: Database, query: BoardQuery): Promise<UnrankedRow[]> {
  const { ranked, rows } = rankedBoard(db, query);
  const suite = boardSuite(query);
  const page = await rows
    .where(sql`not ${ranked.fitsTrueLabels}`)
    .orderBy(sql`(${ranked.stats.gapQuartiles})[2] asc nulls last`, asc(ranked.architecture.fingerprint))
    .limit(MAX_UNRANKED);
  const contested = await queryContested(
    db,
    query,
    page.map((row) => row.architecture.fingerprint),
  );
  return page.map((row) => toUnrankedRow(row, "gap", suite, contested));
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

/** One architecture's standing on a board: its row as each ranking shows it. */
export async function queryStanding(db: Database, fingerprint: string, board: BoardQuery): Promise<Standing> {
  const { ranked, rows } = rankedBoard(db, board);
  const [row] = await rows.where(eq(ranked.architecture.fingerprint, fingerprint));
  if (!row) return { memorization: null, gap: null, unrankedByGap: null, total: 0, fittedTotal: 0 };
  const suite = boardSuite(board);
  const contested = await queryContested(db, board, [fingerprint]);
  const gap = toLeaderboardRow(row, "gap", suite, contested);
  return {
    memorization: toLeaderboardRow(row, "memorization", suite, contested),
    gap,
    unrankedByGap: gap === null ? toUnrankedRow(row, "gap", suite, contested) : null,
    total: row.total,
    fittedTotal: row.fittedTotal,
  };
}

/** How many architectures `query`'s ranking ranks (for a page past the end). */
async function countRanked(db: Database, query: LeaderboardQuery): Promise<number> {
  const { ranked } = rankedBoard(db, query);
  const [row] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(ranked)
    .where(query.rank === "gap" ? sql`${ranked.fitsTrueLabels}` : undefined);
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
        ...spreadColumns("gap", runs.genGap, TRUE_LABELS, "excluded"),
        trainAccuracy: medianOf(runs.finalTrainAcc, TRUE_LABELS).as("train_accuracy"),
        testAccuracy: medianOf(runs.finalTestAcc, TRUE_LABELS).as("test_accuracy"),
        ...slotCountColumns(RANKED_CONDITIONS),
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
  const suiteSeeds = suiteSeedCount({ id: query.suiteId, version: query.suiteVersion });
  return rows.map(({ architecture, stats: s }) => ({
    architecture,
    genGap: spreadOf(s, "gap", suiteSeeds),
    trainAccuracy: finiteOrNull(s.trainAccuracy),
    testAccuracy: finiteOrNull(s.testAccuracy),
    counts: slotCountsOf(s),
  }));
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
