// The ranking (docs/api.md, "Ranking") in one SQL query: per architecture within a suite version and
// dataset, quartiles of steps to fit random labels and of the true-label generalization
// gap over every visible run, ranked with rank() and paged. Non-neural baselines (kernels)
// are left out of the ranking and listed on their own.
import { and, asc, eq, inArray, isNotNull, notInArray, sql, type SQL } from "drizzle-orm";
import { BASELINE_KINDS, architectures, runs, submissions, type BaselineRow, type Environment, type LeaderboardRow, type RankMetric } from "../../../schema/index.js";
import type { Database } from "../client.js";
import { finiteOrNull, medianOf, spreadColumns, toSpread } from "./spread.js";

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
export const MAX_BASELINES = 50;

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

/** One page of the board and the number of ranked architectures on it. */
export async function queryLeaderboard(db: Database, query: LeaderboardQuery): Promise<{ rows: LeaderboardRow[]; total: number }> {
  const board = boardRuns(query);

  const perArchitecture = db
    .select({
      fingerprint: runs.architectureFingerprint,
      ...spreadColumns("steps", runs.stepsToFit, RANDOM_LABELS),
      ...spreadColumns("epochs", runs.epochsToFit, RANDOM_LABELS),
      ...spreadColumns("gap", runs.genGap, TRUE_LABELS),
      slowdown: medianOf(runs.slowdown, and(RANDOM_LABELS, isNotNull(runs.slowdown))!).as("slowdown"),
      testAccuracy: medianOf(runs.finalTestAcc, TRUE_LABELS).as("test_accuracy"),
      ...SUBMISSION_COUNTS,
      // The fastest fit of random labels and the submission it came from (ties: the lower id).
      fastestWallSeconds: sql<number | null>`min(${runs.wallSecondsToFit}) filter (where ${RANDOM_LABELS})`.as("fastest_wall_seconds"),
      fastestSubmissionId: sql<string | null>`(array_agg(${runs.submissionId} order by ${runs.wallSecondsToFit}, ${runs.submissionId}) filter (where ${RANDOM_LABELS} and ${runs.wallSecondsToFit} is not null))[1]`.as("fastest_submission_id"),
    })
    .from(runs)
    .where(board)
    .groupBy(runs.architectureFingerprint)
    .as("per_architecture");

  // Censored medians are +∞ or NaN (between two +∞); least() makes them tie, after every
  // finite median and before architectures with no runs of the metric at all (null; least()
  // would turn that into +∞ too, hence the case).
  const steps = perArchitecture.stepsQuartiles;
  const rankKey: SQL =
    query.rank === "memorization"
      ? sql`case when ${steps} is null then null else least((${steps})[2], 'Infinity'::float8) end`
      : sql`(${perArchitecture.gapQuartiles})[2]`;

  const rows = await db
    .select({
      rank: sql<number>`(rank() over (order by ${rankKey} asc nulls last))::int`,
      total: sql<number>`(count(*) over ())::int`,
      architecture: ARCHITECTURE_SUMMARY,
      stats: {
        stepsQuartiles: perArchitecture.stepsQuartiles,
        stepsRuns: perArchitecture.stepsRuns,
        stepsCensored: perArchitecture.stepsCensored,
        stepsSeeds: perArchitecture.stepsSeeds,
        epochsQuartiles: perArchitecture.epochsQuartiles,
        epochsRuns: perArchitecture.epochsRuns,
        epochsCensored: perArchitecture.epochsCensored,
        epochsSeeds: perArchitecture.epochsSeeds,
        gapQuartiles: perArchitecture.gapQuartiles,
        gapRuns: perArchitecture.gapRuns,
        gapCensored: perArchitecture.gapCensored,
        gapSeeds: perArchitecture.gapSeeds,
        slowdown: perArchitecture.slowdown,
        testAccuracy: perArchitecture.testAccuracy,
        submissionCount: perArchitecture.submissionCount,
        submitterCount: perArchitecture.submitterCount,
      },
      fastest: {
        wallSecondsToFit: perArchitecture.fastestWallSeconds,
        submissionId: perArchitecture.fastestSubmissionId,
        backend: submissions.backend,
        backendDetail: submissions.backendDetail,
        hardware: submissions.hardware,
      },
    })
    .from(perArchitecture)
    .innerJoin(architectures, eq(architectures.fingerprint, perArchitecture.fingerprint))
    .leftJoin(submissions, eq(submissions.id, perArchitecture.fastestSubmissionId))
    // rank() and count() over () see only the rows this keeps: baselines take no rank.
    .where(RANKED)
    .orderBy(sql`${rankKey} asc nulls last`, asc(perArchitecture.fingerprint))
    .limit(query.limit)
    .offset(query.offset);

  const total = rows[0]?.total ?? (query.offset === 0 ? 0 : await countArchitectures(db, board));
  return {
    total,
    rows: rows.map(({ rank, architecture, stats: s, fastest: f }) => {
      const stepsToFit = toSpread(s.stepsQuartiles, s.stepsRuns, s.stepsCensored, s.stepsSeeds);
      const genGap = toSpread(s.gapQuartiles, s.gapRuns, s.gapCensored, s.gapSeeds);
      return {
        rank,
        architecture,
        stepsToFit,
        epochsToFit: toSpread(s.epochsQuartiles, s.epochsRuns, s.epochsCensored, s.epochsSeeds),
        genGap,
        slowdown: finiteOrNull(s.slowdown),
        testAccuracy: finiteOrNull(s.testAccuracy),
        submissions: s.submissionCount,
        submitters: s.submitterCount,
        bestWallTime:
          f && f.wallSecondsToFit !== null && f.submissionId !== null && f.backend !== null && f.backendDetail !== null && f.hardware !== null
            ? { wallSecondsToFit: f.wallSecondsToFit, submissionId: f.submissionId, backend: f.backend, backendDetail: f.backendDetail, hardware: f.hardware }
            : null,
        provisional: (query.rank === "memorization" ? stepsToFit : genGap).provisional,
      };
    }),
  };
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
  const perArchitecture = db
    .select({
      fingerprint: runs.architectureFingerprint,
      ...spreadColumns("gap", runs.genGap, TRUE_LABELS),
      trainAccuracy: medianOf(runs.finalTrainAcc, TRUE_LABELS).as("train_accuracy"),
      testAccuracy: medianOf(runs.finalTestAcc, TRUE_LABELS).as("test_accuracy"),
      ...SUBMISSION_COUNTS,
    })
    .from(runs)
    // Only the baselines' runs are aggregated: the architectures table is small, the runs are not.
    .where(and(boardRuns(query), inArray(runs.architectureFingerprint, db.select({ fingerprint: architectures.fingerprint }).from(architectures).where(BASELINE))))
    .groupBy(runs.architectureFingerprint)
    .as("per_baseline");
  const rows = await db
    .select({
      architecture: ARCHITECTURE_SUMMARY,
      gapQuartiles: perArchitecture.gapQuartiles,
      gapRuns: perArchitecture.gapRuns,
      gapCensored: perArchitecture.gapCensored,
      gapSeeds: perArchitecture.gapSeeds,
      trainAccuracy: perArchitecture.trainAccuracy,
      testAccuracy: perArchitecture.testAccuracy,
      submissionCount: perArchitecture.submissionCount,
      submitterCount: perArchitecture.submitterCount,
    })
    .from(perArchitecture)
    .innerJoin(architectures, eq(architectures.fingerprint, perArchitecture.fingerprint))
    .orderBy(sql`(${perArchitecture.gapQuartiles})[2] asc nulls last`, asc(perArchitecture.fingerprint))
    .limit(MAX_BASELINES);
  return rows.map((r) => ({
    architecture: r.architecture,
    genGap: toSpread(r.gapQuartiles, r.gapRuns, r.gapCensored, r.gapSeeds),
    trainAccuracy: finiteOrNull(r.trainAccuracy),
    testAccuracy: finiteOrNull(r.testAccuracy),
    submissions: r.submissionCount,
    submitters: r.submitterCount,
  }));
}
