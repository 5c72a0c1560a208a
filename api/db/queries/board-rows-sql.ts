// Over 350 lines on purpose: the grouped query and the mapping that reads its columns change
// together (a column added to one is read in the other); split, they would drift.
// The one computation of a board row's figures (docs/api.md, "How the board is stored"): per
// architecture, every scope of a board at once — over every backend and per backend, over all
// visible runs and over verified standing results only — in one grouped pass over those
// architectures' runs, mapped to the figures board_rows stores. Writes and the rebuild both call it.
import { and, asc, eq, inArray, isNotNull, or, type SQL, sql } from "drizzle-orm";
import {
  ablatedRegularizers,
  architectures,
  BASELINE_KINDS,
  type BaselineRow,
  type ContestEvidence,
  findSuite,
  type RegularizerEffect,
  runs,
  submissions,
  type TrueLabelFit,
  type UnrankedRow,
} from "../../../schema/index.js";
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

/** A database or a transaction: the statements below run on either. */
export type Executor = Pick<Database, "select" | "selectDistinct" | "execute" | "insert" | "delete">;

/** A board: one suite version and dataset. */
export interface Board {
  suiteId: string;
  suiteVersion: number;
  dataset: string;
}

/** Which runs of a board a row rests on: one backend's or all ('' ), all visible or verified standing ones. */
export interface BoardScope {
  /** '' for every backend. */
  backend: string;
  verifiedOnly: boolean;
}

/** A ranked architecture's figures: its row without the summary (joined at read), rank and provisional. */
export type RankedFigures = Omit<UnrankedRow, "architecture" | "provisional">;
/** A baseline's figures: its row without the summary. */
export type BaselineFigures = Omit<BaselineRow, "architecture">;
/** What board_rows.figures holds: RankedFigures, or BaselineFigures when the row is a baseline. */
export type BoardRowFigures = RankedFigures | BaselineFigures;

/** One row of board_rows. */
export interface BoardRow extends BoardScope {
  suiteId: string;
  suiteVersion: number;
  datasetId: string;
  architectureFingerprint: string;
  baseline: boolean;
  /** least(median steps to fit random labels, +∞); NaN when there are no random-label runs. */
  memorizationKey: number;
  fitsTrueLabels: boolean;
  /** least(median generalization gap on true labels, +∞); NaN when there is no finished true-label run. */
  gapKey: number;
  figures: BoardRowFigures;
}

/** Random labels without explicit regularization: the memorization metric's runs (failed ones too). */
const RANDOM_LABELS = and(eq(runs.corruptionKind, "random"), eq(runs.regularizer, "none"))!;
/** True labels without explicit regularization: the generalization-gap metric's runs (failed ones too). */
const TRUE_LABELS = and(eq(runs.corruptionKind, "true"), eq(runs.regularizer, "none"))!;
/** The conditions a row's figures and counts come from. */
export const RANKED_CONDITIONS = or(RANDOM_LABELS, TRUE_LABELS)!;

/** The two readings of every board, as a relation to cross join: all visible runs, verified standing ones. */
const SCOPES = sql`(values (false), (true)) as scope(verified_only)`;
const VERIFIED_ONLY = sql`scope.verified_only`;

/** True labels with one regularizer set on: a Δ gap's runs. */
function trueLabelsWith(regularizer: string): SQL {
  return and(eq(runs.corruptionKind, "true"), eq(runs.regularizer, regularizer))!;
}

/**
 * Per regularizer set in `names`, the median gap on true labels with it on and the seeds behind
 * that median, as two arrays in the order of `names`: aggregates of the same grouped pass that
 * the row's spreads come from. The names are the suite's, bound as parameters.
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

function boardSuite(board: Board): BoardSuite {
  const suite = findSuite(board.suiteId, board.suiteVersion);
  return {
    seeds: suiteSeedCount({ id: board.suiteId, version: board.suiteVersion }),
    // A suite this build no longer knows: no ablations to show (its results are not stored anyway).
    regularizers: suite ? ablatedRegularizers(suite) : [],
  };
}

/** The visible runs of these architectures on a board (runs_board_idx covers the lookup). */
function boardRunsOf(board: Board, fingerprints: readonly string[]): SQL {
  return and(
    eq(runs.visible, true),
    eq(runs.suiteId, board.suiteId),
    eq(runs.suiteVersion, board.suiteVersion),
    eq(runs.datasetId, board.dataset),
    inArray(runs.architectureFingerprint, [...fingerprints]),
  )!;
}

/** Scope `verified_only` reads only the verified standing results; the other every visible run. */
const IN_SCOPE = sql`(not ${VERIFIED_ONLY} or (${STANDING} and ${runs.verified}))`;
/** The true-label sibling a slowdown divides by: verified too when the scope reads verified results only. */
const SIBLING_IN_SCOPE = and(SIBLING_JOIN, sql`(not ${VERIFIED_ONLY} or ${trueLabelSibling.verified})`)!;

/**
 * The grouped select: per architecture and scope (grouping sets with and without the backend),
 * the figures of today's board, the hardware of the fastest fit, and the sort keys. A group
 * exists only where the scope has runs, so a row exists only for a non-empty scope.
 */
function rowsQuery(db: Executor, board: Board, fingerprints: readonly string[], regularizers: readonly string[]) {
  const fastestFirst = sql`array_agg(${runs.submissionId} order by ${runs.wallSecondsToFit}, ${runs.submissionId})`;
  const fittedRandomLabels = sql`${RANDOM_LABELS} and ${runs.wallSecondsToFit} is not null`;
  const perScope = db
    .select({
      fingerprint: runs.architectureFingerprint,
      verifiedOnly: sql<boolean>`${VERIFIED_ONLY}`.as("scope_verified_only"),
      // grouping() is 1 in the set without the backend: that group is the board over every backend.
      backend: sql<string>`case when grouping(${runs.backend}) = 1 then '' else ${runs.backend} end`.as(
        "scope_backend",
      ),
      stats: {
        ...spreadColumns("steps", runs.stepsToFit, RANDOM_LABELS, "censored"),
        ...spreadColumns("epochs", runs.epochsToFit, RANDOM_LABELS, "censored"),
        ...spreadColumns("gap", runs.genGap, TRUE_LABELS, "excluded"),
        // Whether true labels were fitted: failed and censored runs count as never fitted.
        ...spreadColumns("trueSteps", runs.stepsToFit, TRUE_LABELS, "censored"),
        slowdownQuartiles: slowdownSql(RANDOM_LABELS).as("slowdown_quartiles"),
        testAccuracy: medianOf(runs.finalTestAcc, TRUE_LABELS).as("test_accuracy"),
        // A baseline's row shows it (its training accuracy on true labels); ranked rows do not.
        trainAccuracy: medianOf(runs.finalTrainAcc, TRUE_LABELS).as("train_accuracy"),
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
    .crossJoin(SCOPES)
    .leftJoin(trueLabelSibling, SIBLING_IN_SCOPE)
    .where(and(boardRunsOf(board, fingerprints), IN_SCOPE))
    .groupBy(
      sql`grouping sets ((${runs.architectureFingerprint}, ${VERIFIED_ONLY}),
        (${runs.architectureFingerprint}, ${VERIFIED_ONLY}, ${runs.backend}))`,
    )
    .as("per_scope");

  const { stats } = perScope;
  // Censored medians are +∞ or NaN (between two +∞); least() makes both +∞, after every finite
  // median; a row without runs of the metric gets NaN, which Postgres sorts after +∞.
  const keyOf = (quartiles: SQL.Aliased<number[] | null>) =>
    sql<number>`case when ${quartiles} is null then 'NaN'::float8
      else least((${quartiles})[2], 'Infinity'::float8) end`;
  return (
    db
      .select({
        fingerprint: perScope.fingerprint,
        verifiedOnly: perScope.verifiedOnly,
        backend: perScope.backend,
        kind: architectures.kind,
        stats,
        fastest: {
          backend: submissions.backend,
          backendDetail: submissions.backendDetail,
          hardware: submissions.hardware,
        },
        // Sent back as text: a driver may not parse 'NaN' and 'Infinity' in a float8 the same way.
        memorizationKey: sql<string>`(${keyOf(stats.stepsQuartiles)})::text`,
        gapKey: sql<string>`(${keyOf(stats.gapQuartiles)})::text`,
        // Fitted true labels: a finite censored median (NaN, between two +∞, is not below +∞ either).
        fitsTrueLabels: sql<boolean>`coalesce((${stats.trueStepsQuartiles})[2] < 'Infinity'::float8, false)`,
      })
      .from(perScope)
      .innerJoin(architectures, eq(architectures.fingerprint, perScope.fingerprint))
      .leftJoin(submissions, eq(submissions.id, stats.fastestSubmissionId))
      // Said again of the architectures: Postgres then looks them up by key instead of hashing the
      // whole table (it overestimates the groups).
      .where(inArray(architectures.fingerprint, [...fingerprints]))
      .orderBy(asc(perScope.fingerprint), asc(perScope.backend), asc(perScope.verifiedOnly))
  );
}

type ScopeRow = Awaited<ReturnType<typeof rowsQuery>>[number];

/** The key of a row's scope, for looking up its contest evidence. */
function scopeKey(fingerprint: string, scope: BoardScope): string {
  return `${fingerprint}\u0000${scope.backend}\u0000${scope.verifiedOnly}`;
}

/**
 * Where the evidence is against the contested standing results of these architectures on a
 * board (ranked conditions only, as the rows' counts), per architecture and scope: how many of
 * its standing results are contested, and for the first accepted of them its submission, the
 * first reproduction by another key that did not reproduce it, and the first later submission of
 * the same backend that differs from it. One query over the architectures' standing runs.
 */
async function contestedOf(
  db: Executor,
  board: Board,
  fingerprints: readonly string[],
): Promise<Map<string, ContestEvidence>> {
  // Written out: drizzle leaves a column unqualified in a select list, which inside this
  // subquery would name the contesting run's own column.
  const firstContesting = sql<string | null>`(select contest.submission_id from runs as contest
    where contest.slot = runs.slot and contest.slot_role = 'contest' order by contest.id limit 1)`;
  const rows = await db
    .select({
      fingerprint: runs.architectureFingerprint,
      backend: runs.backend,
      verified: runs.verified,
      submissionId: runs.submissionId,
      reproductionId: runs.contestReproductionId,
      contestingSubmissionId: firstContesting,
    })
    .from(runs)
    .where(
      and(
        boardRunsOf(board, fingerprints),
        STANDING,
        RANKED_CONDITIONS,
        or(isNotNull(runs.contestReproductionId), sql`${firstContesting} is not null`),
      ),
    )
    .orderBy(asc(runs.architectureFingerprint), asc(runs.id));
  const contested = new Map<string, ContestEvidence>();
  for (const row of rows) {
    // A standing run counts in the scopes it belongs to: every backend's and its own, and the
    // verified-only ones when it is verified.
    const scopes: BoardScope[] = [
      { backend: "", verifiedOnly: false },
      { backend: row.backend, verifiedOnly: false },
      ...(row.verified
        ? [
            { backend: "", verifiedOnly: true },
            { backend: row.backend, verifiedOnly: true },
          ]
        : []),
    ];
    for (const scope of scopes) {
      const key = scopeKey(row.fingerprint, scope);
      const seen = contested.get(key);
      if (seen) seen.slots += 1;
      else
        contested.set(key, {
          slots: 1,
          submissionId: row.submissionId,
          reproductionId: row.reproductionId,
          contestingSubmissionId: row.contestingSubmissionId,
        });
    }
  }
  return contested;
}

/** The TrueLabelFit of a row. */
function trueLabelFit(row: ScopeRow): TrueLabelFit {
  if (row.stats.trueStepsRuns === 0) return "no-runs";
  return row.fitsTrueLabels ? "fitted" : "not-fitted";
}

/**
 * Each ablated regularizer set's change of the median gap: its median minus the median with every
 * regularizer off (the row's gap), null where either is missing or censored.
 */
function regularizerEffectsOf(row: ScopeRow, regularizers: readonly string[]): RegularizerEffect[] {
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

/** A ranked row's figures, as the board has always shown them for that scope. */
function rankedFigures(row: ScopeRow, suite: BoardSuite, contested: ContestEvidence | null): RankedFigures {
  const { stats: s, fastest: f } = row;
  const counts = slotCountsOf(s);
  return {
    stepsToFit: spreadOf(s, "steps", suite.seeds),
    epochsToFit: spreadOf(s, "epochs", suite.seeds),
    genGap: spreadOf(s, "gap", suite.seeds),
    slowdown: finiteOrNull(s.slowdownQuartiles?.[1]),
    testAccuracy: finiteOrNull(s.testAccuracy),
    trueLabels: trueLabelFit(row),
    counts,
    verification: verificationOf(counts),
    contested,
    bestWallTime:
      s.fastestWallSeconds !== null &&
      s.fastestSubmissionId !== null &&
      f?.backend != null &&
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
    regularizerEffects: regularizerEffectsOf(row, suite.regularizers),
  };
}

/** A baseline's figures: the ones that apply to a closed-form solve. */
function baselineFigures(row: ScopeRow, suite: BoardSuite): BaselineFigures {
  const { stats: s } = row;
  return {
    genGap: spreadOf(s, "gap", suite.seeds),
    trainAccuracy: finiteOrNull(s.trainAccuracy),
    testAccuracy: finiteOrNull(s.testAccuracy),
    counts: slotCountsOf(s),
  };
}

/** A float8 sent back as text: 'NaN' and 'Infinity' included. */
function float8(text: string): number {
  const value = Number(text);
  if (Number.isNaN(value) && text !== "NaN") throw new Error(`board-rows: ${text} is not a float8 as text`);
  return value;
}

/**
 * The board_rows of these architectures on a board, every scope of each (none for a scope
 * without runs), computed from their visible runs. Reads only those architectures' runs.
 *
 * @example
 * const rows = await computeBoardRows(tx, { suiteId: "smoke", suiteVersion: 2, dataset: "synthetic" }, [fp]);
 */
export async function computeBoardRows(
  db: Executor,
  board: Board,
  fingerprints: readonly string[],
): Promise<BoardRow[]> {
  if (fingerprints.length === 0) return [];
  const suite = boardSuite(board);
  const [rows, contested] = await Promise.all([
    rowsQuery(db, board, fingerprints, suite.regularizers),
    contestedOf(db, board, fingerprints),
  ]);
  return rows.map((row) => {
    const baseline = BASELINE_KINDS.includes(row.kind);
    const scope = { backend: row.backend, verifiedOnly: row.verifiedOnly };
    return {
      suiteId: board.suiteId,
      suiteVersion: board.suiteVersion,
      datasetId: board.dataset,
      ...scope,
      architectureFingerprint: row.fingerprint,
      baseline,
      memorizationKey: float8(row.memorizationKey),
      fitsTrueLabels: row.fitsTrueLabels,
      gapKey: float8(row.gapKey),
      figures: baseline
        ? baselineFigures(row, suite)
        : rankedFigures(row, suite, contested.get(scopeKey(row.fingerprint, scope)) ?? null),
    };
  });
}
