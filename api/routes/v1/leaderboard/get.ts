// GET /leaderboard: architectures ranked within a suite version and dataset, by memorization
// speed (median steps to fit random labels) or by generalization gap, with the board's
// non-neural baselines beside them (never ranked); JSON pages or CSV.
import { type OpenAPIHono, z } from "@hono/zod-openapi";
import {
  ablatedRegularizers,
  Environment,
  Leaderboard,
  RankMetric,
  type RegularizerEffect,
  type SlotCounts,
  type Spread,
  type UnrankedRow,
} from "../../../../schema/index.js";
import { AfterParam, BoardParams, resolveBoard } from "../../../board-request.js";
import { type Cell, csvResponse, toCsv } from "../../../csv.js";
import { decodeCursor } from "../../../cursor.js";
import { loadBoard } from "../../../db/queries/leaderboard.js";
import type { AppContext, AppEnv, ResolvedOptions } from "../../../env.js";
import { MAX_BOARD_OFFSET } from "../../../limits.js";
import { BOARD_CACHE_CONTROL } from "../../../middleware/edge-cache.js";
import { problem, problemResponses } from "../../../problem.js";
import { operatorKeysOf } from "../../../reproducer-keys.js";
import { defineRoute, PUBLIC } from "../define-route.js";
import { Cursor, Format, Limit, pageSize } from "../list-query.js";
import { listResponse } from "../responses.js";

const OffsetCursor = z.strictObject({ offset: z.number().int().min(0).max(MAX_BOARD_OFFSET) });

/** `verified=only|all`: verified standing results only, or all of them. */
export const VerifiedFilter = z.enum(["only", "all"]);

const route = defineRoute({
  method: "get",
  path: "/",
  operationId: "getLeaderboard",
  summary: "The leaderboard of one suite version and dataset",
  security: PUBLIC,
  description:
    "One row per architecture (fingerprint) over its standing results: the first accepted visible result of " +
    "each slot (architecture, task, seed), so one value per seed. Quartiles of steps and epochs to fit random " +
    "labels (runs that never fit and failed runs count as +∞), of the generalization gap on true labels, the " +
    "median slowdown (+∞ for a random-label run that never fitted beside a fitted true-label run) and test " +
    "accuracy; counts of seeds, confirmations, contests, replicates on other backends, failed runs, submissions " +
    "and distinct signing keys (keys are free: not independent people); the fastest fit with its hardware. A " +
    "metric with fewer seeds than its suite lists is provisional. Reproductions by keys other than a run's " +
    "submitter add to the counts (exact confirms, not reproduced or inconsistent contests, consistent " +
    "replicates); `verification` says whether operator reproducer keys reproduced every standing result exactly " +
    "(verified), some (partly) or none (unverified), and `contested` where the evidence against a contested " +
    "standing result is. With `verified=only` every figure and count rests on verified standing results alone " +
    "(later submissions of their slots are left out of the counts). Ranked by gap, only architectures whose " +
    "true-label runs fitted their training set take a rank; the others come in `didNotFit` (first page only; " +
    "in CSV row_kind did-not-fit, no rank). Non-neural baselines (architectures of kind kernel: a " +
    "closed-form solve, no SGD steps) are not ranked: they come in `baselines`, on the first page only, with " +
    "their generalization gap and accuracies; in CSV they follow the ranked rows with row_kind baseline and no " +
    "rank, steps, epochs, slowdown or fastest fit. For a suite with regularizer ablations (the paper's Table 1), " +
    "the ranked gap is the one with every regularizer off, and `regularizerEffects` gives, per regularizer set " +
    "the suite ablates, the median gap with it on minus that gap (in CSV the columns gap_delta_<name> and " +
    "gap_delta_<name>_seeds, in suite order). A page is cached for a few seconds (`Cache-Control: " +
    BOARD_CACHE_CONTROL +
    "`), at the edge per full URL: a change shows within seconds, and at once under a URL not read before, " +
    "such as the ones with `after=` that a submission's receipt gives.",
  request: {
    query: z.object({
      suite: BoardParams.suite.describe("suite id (default quick)"),
      version: BoardParams.version.describe("suite version (default: the newest this server knows)"),
      dataset: BoardParams.dataset.describe("dataset (default: the suite's first)"),
      rank: RankMetric.default("memorization").describe(
        "memorization (fewest steps to fit random labels first) or gap (smallest generalization gap first)",
      ),
      backend: Environment.shape.backend.optional().describe("only runs from this training backend"),
      verified: VerifiedFilter.optional().describe(
        "only: figures from standing results an operator reproducer reproduced exactly; all: every standing " +
          "result (default only where the server has reproducer keys, all otherwise)",
      ),
      limit: Limit,
      cursor: Cursor,
      format: Format,
      after: AfterParam,
    }),
  },
  responses: {
    200: listResponse(Leaderboard, "A page of the board."),
    ...problemResponses("invalid-request", "rate-limited", "database-unavailable"),
  },
});

/** The columns of a Spread, named after its metric; spreadCells gives a row's cells in this order. */
function spreadHeader(metric: string): string[] {
  return [
    `${metric}_median`,
    `${metric}_q1`,
    `${metric}_q3`,
    `${metric}_runs`,
    `${metric}_censored_runs`,
    `${metric}_failed_runs`,
    `${metric}_seeds`,
  ];
}
function spreadCells(spread: Spread): Cell[] {
  return [spread.median, spread.q1, spread.q3, spread.runs, spread.censoredRuns, spread.failedRuns, spread.seeds];
}

/** What stands behind a row, counted as what it is (SlotCounts); countCells gives them in this order. */
const COUNT_COLUMNS = [
  "seeds",
  "standing_results",
  "confirmations",
  "contests",
  "replicates_other_backend",
  "reproductions",
  "verified_results",
  "failed_runs",
  "submissions",
  "distinct_keys",
];
function countCells(c: SlotCounts): Cell[] {
  return [
    c.seeds,
    c.standing,
    c.confirmations,
    c.contests,
    c.replicates,
    c.reproductions,
    c.verified,
    c.failed,
    c.submissions,
    c.keys,
  ];
}

/** Whether operators stand behind a row, and where the evidence against it is: empty on a baseline's row. */
const VERIFICATION_COLUMNS = [
  "verification",
  "contested_slots",
  "contested_submission_id",
  "contesting_reproduction_id",
  "contesting_submission_id",
];
function verificationCells(r: UnrankedRow): Cell[] {
  const c = r.contested;
  return [
    r.verification,
    c?.slots ?? 0,
    c?.submissionId ?? null,
    c?.reproductionId ?? null,
    c?.contestingSubmissionId ?? null,
  ];
}

/** The memorization columns: a baseline runs no SGD, so its row leaves them empty. */
const MEMORIZATION_COLUMNS = [...spreadHeader("steps_to_fit"), ...spreadHeader("epochs_to_fit")];
/** The fastest fit of random labels and where it ran: empty on a baseline's row too. */
const BEST_COLUMNS = [
  "best_wall_seconds_to_fit",
  "best_backend",
  "best_backend_detail",
  "best_cpu_model",
  "best_gpu",
  "best_submission_id",
];

/** Per regularizer set the suite ablates, its Δ gap and the seeds behind it; regularizerCells fills them. */
function regularizerHeader(regularizers: readonly string[]): string[] {
  return regularizers.flatMap((name) => [`gap_delta_${name}`, `gap_delta_${name}_seeds`]);
}
function regularizerCells(regularizers: readonly string[], effects: readonly RegularizerEffect[]): Cell[] {
  return regularizers.flatMap((name) => {
    const effect = effects.find((e) => e.regularizer === name);
    return [effect?.gapDelta ?? null, effect?.seeds ?? null];
  });
}

/**
 * The board's default view: verified results only where the server has operator reproducer keys
 * (what they verify is what it vouches for), every result where nobody can verify any.
 */
export async function defaultVerifiedFilter(options: ResolvedOptions, c: AppContext): Promise<"only" | "all"> {
  return (await operatorKeysOf(options, c)).size > 0 ? "only" : "all";
}

/** Empty cells under columns that do not apply to the row (a baseline's steps to fit). */
const notApplicable = (columns: string[]): Cell[] => columns.map(() => null);

export function registerGetLeaderboard(router: OpenAPIHono<AppEnv>, options: ResolvedOptions) {
  return router.openapi(route, async (c) => {
    const query = c.req.valid("query");
    const board = await resolveBoard(query);
    if (!board.ok) {
      const { path, message } = board.error;
      return problem(c, "invalid-request", `${path}: ${message}`, { errors: [{ path, message }] });
    }
    const { suite } = board.known;
    const { dataset } = board;
    const start = query.cursor === undefined ? { offset: 0 } : decodeCursor(query.cursor, OffsetCursor);
    if (start === null)
      return problem(c, "invalid-request", "query.cursor: not a cursor this server wrote", {
        errors: [{ path: "query.cursor", message: "unknown cursor" }],
      });

    const limit = pageSize(query.limit, query.format);
    const verifiedOnly = (query.verified ?? (await defaultVerifiedFilter(options, c))) === "only";
    const body = await loadBoard(c.var.db, {
      suiteId: suite.id,
      suiteVersion: suite.version,
      dataset,
      backend: query.backend,
      rank: query.rank,
      verifiedOnly,
      limit,
      offset: start.offset,
    });
    // Set once the board is read: a problem (a 503 while the database is down) is never kept.
    c.header("Cache-Control", BOARD_CACHE_CONTROL);
    if (query.format === "csv") {
      const regularizers = ablatedRegularizers(suite);
      const header = [
        "suite_id",
        "suite_version",
        "dataset",
        "rank_metric",
        "row_kind",
        "rank",
        "provisional",
        "architecture_fingerprint",
        "architecture_id",
        "architecture_name",
        "parameter_count",
        ...MEMORIZATION_COLUMNS,
        ...spreadHeader("gen_gap"),
        "slowdown_median",
        "test_accuracy_median",
        "true_labels",
        ...COUNT_COLUMNS,
        ...VERIFICATION_COLUMNS,
        ...BEST_COLUMNS,
        ...regularizerHeader(regularizers),
      ];
      const rowCells = (kind: string, rank: number | null, r: UnrankedRow): Cell[] => [
        suite.id,
        suite.version,
        dataset,
        query.rank,
        kind,
        rank,
        r.provisional,
        r.architecture.fingerprint,
        r.architecture.id,
        r.architecture.name,
        r.architecture.parameterCount,
        ...spreadCells(r.stepsToFit),
        ...spreadCells(r.epochsToFit),
        ...spreadCells(r.genGap),
        r.slowdown,
        r.testAccuracy,
        r.trueLabels,
        ...countCells(r.counts),
        ...verificationCells(r),
        r.bestWallTime?.wallSecondsToFit ?? null,
        r.bestWallTime?.backend ?? null,
        r.bestWallTime?.backendDetail ?? null,
        r.bestWallTime?.hardware.cpuModel ?? null,
        r.bestWallTime?.hardware.gpu ?? null,
        r.bestWallTime?.submissionId ?? null,
        ...regularizerCells(regularizers, r.regularizerEffects),
      ];
      const rows: Cell[][] = body.rows.map((r) => rowCells("ranked", r.rank, r));
      // Ranked by gap: the architectures that did not fit true labels, with their figures and no rank.
      for (const r of body.didNotFit) rows.push(rowCells("did-not-fit", null, r));
      // Baselines: no rank, and the memorization columns do not apply (empty cells).
      for (const b of body.baselines) {
        rows.push([
          suite.id,
          suite.version,
          dataset,
          query.rank,
          "baseline",
          null,
          b.genGap.provisional,
          b.architecture.fingerprint,
          b.architecture.id,
          b.architecture.name,
          b.architecture.parameterCount,
          ...notApplicable(MEMORIZATION_COLUMNS),
          ...spreadCells(b.genGap),
          null,
          b.testAccuracy,
          null,
          ...countCells(b.counts),
          ...notApplicable(VERIFICATION_COLUMNS),
          ...notApplicable(BEST_COLUMNS),
          ...notApplicable(regularizerHeader(regularizers)),
        ]);
      }
      const backend = query.backend ? `-${query.backend}` : "";
      const verified = verifiedOnly ? "-verified" : "";
      const filename = `leaderboard-${suite.id}-v${suite.version}-${dataset}-${query.rank}${backend}${verified}.csv`;
      return csvResponse(c, filename, toCsv(header, rows));
    }
    return c.json(body, 200);
  });
}
