// GET /leaderboard/measures: the complexity measures of a board's standing runs, each beside its
// generalization gap (what the insight page ranks the measures by); JSON pages or CSV.
import type { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "@hono/zod-openapi";
import { BoardMeasures, Environment, MEASURES, type MeasureKey } from "../../../../schema/index.js";
import { AfterParam, BoardParams, resolveBoard } from "../../../board-request.js";
import { type Cell, csvResponse, toCsv } from "../../../csv.js";
import { queryBoardMeasures } from "../../../db/queries/board-measures.js";
import type { AppEnv, ResolvedOptions } from "../../../env.js";
import { BOARD_CACHE_CONTROL } from "../../../middleware/edge-cache.js";
import { problem, problemResponses } from "../../../problem.js";
import { defineRoute, PUBLIC } from "../define-route.js";
import { Cursor, Format, Limit, pageSize } from "../list-query.js";
import { listResponse } from "../responses.js";
import { defaultVerifiedFilter, VerifiedFilter } from "./get.js";

const route = defineRoute({
  method: "get",
  path: "/measures",
  operationId: "getBoardMeasures",
  summary: "The complexity measures of a board's runs, beside their generalization gaps",
  security: PUBLIC,
  description:
    "Every standing ok run of one suite version and dataset that carries complexity measures (docs/measures.md): " +
    "its architecture, corruption, regularizer and seed, its final training and test accuracy, its generalization " +
    "gap (training minus test accuracy) and its measures of the final weights. The same scope as the leaderboard " +
    "(`backend` and `verified` filter as they do there; hidden submissions are left out), in a stable order " +
    "(architecture fingerprint, corruption, regularizer, seed) with `total` counting the whole board. The insight " +
    "page ranks the measures by Kendall's τ against the gap over these runs. CSV has one row per run and one column " +
    "per measure (snake case: parameter_count, frobenius_squared, …, and measures_seconds, their cost); a CSV page " +
    'with more rows after it says where they are in a `Link: <…&cursor=…>; rel="next"` header. A page is ' +
    `cached like the leaderboard's (\`Cache-Control: ${BOARD_CACHE_CONTROL}\`).`,
  request: {
    query: z.object({
      suite: BoardParams.suite.describe("suite id (default quick)"),
      version: BoardParams.version.describe("suite version (default: the newest this server knows)"),
      dataset: BoardParams.dataset.describe("dataset (default: the suite's first)"),
      backend: Environment.shape.backend.optional().describe("only runs from this training backend"),
      verified: VerifiedFilter.optional().describe(
        "only: standing results an operator reproducer reproduced exactly; all: every standing result " +
          "(default only where the server has reproducer keys, all otherwise)",
      ),
      limit: Limit,
      cursor: Cursor,
      format: Format,
      after: AfterParam,
    }),
  },
  responses: {
    200: listResponse(BoardMeasures, "A page of the board's runs with their measures."),
    ...problemResponses("invalid-request", "rate-limited", "database-unavailable"),
  },
});

/** `frobeniusSquared` → `frobenius_squared`: a measure's CSV column. */
export function measureColumn(key: MeasureKey): string {
  return key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

const HEADER = [
  "suite_id",
  "suite_version",
  "dataset",
  "submission_id",
  "position",
  "architecture_fingerprint",
  "architecture_name",
  "backend",
  "corruption",
  "corruption_p",
  "corruption_level",
  "regularizer",
  "seed",
  "final_train_acc",
  "final_test_acc",
  "gen_gap",
  ...MEASURES.map((m) => measureColumn(m.key)),
  "measures_seconds",
];

/**
 * The request's path and query with `cursor` set to the next page's: a reference relative to the
 * request (RFC 8288 §3.1), not an absolute URL, because the Host header is the client's to choose
 * and the answer is cached for everyone.
 */
export function nextPageUrl(requestUrl: string, cursor: string): string {
  const url = new URL(requestUrl);
  url.searchParams.set("cursor", cursor);
  return `${url.pathname}${url.search}`;
}

export function registerGetBoardMeasures(router: OpenAPIHono<AppEnv>, options: ResolvedOptions) {
  return router.openapi(route, async (c) => {
    const query = c.req.valid("query");
    const board = await resolveBoard(query);
    if (!board.ok) {
      const { path, message } = board.error;
      return problem(c, "invalid-request", `${path}: ${message}`, { errors: [{ path, message }] });
    }
    const { suite } = board.known;
    const { dataset } = board;
    const verifiedOnly = (query.verified ?? (await defaultVerifiedFilter(options, c))) === "only";
    const page = await queryBoardMeasures(c.var.db, {
      suiteId: suite.id,
      suiteVersion: suite.version,
      dataset,
      backend: query.backend,
      verifiedOnly,
      limit: pageSize(query.limit, query.format),
      cursor: query.cursor,
    });
    if (page === null)
      return problem(c, "invalid-request", "query.cursor: not a cursor this server wrote", {
        errors: [{ path: "query.cursor", message: "unknown cursor" }],
      });
    // Through the contract before it leaves, so the answer cannot drift from it.
    const body = BoardMeasures.parse(page);
    // Set once the board is read: a problem (a 503 while the database is down) is never kept.
    c.header("Cache-Control", BOARD_CACHE_CONTROL);
    if (query.format === "csv") {
      const rows: Cell[][] = body.runs.map((r) => [
        suite.id,
        suite.version,
        dataset,
        r.submissionId,
        r.position,
        r.architecture.fingerprint,
        r.architecture.name,
        r.backend,
        r.corruption.kind,
        r.corruption.kind === "partial" ? r.corruption.p : null,
        r.corruptionLevel,
        r.regularizer,
        r.seed,
        r.finalTrainAcc,
        r.finalTestAcc,
        r.genGap,
        ...MEASURES.map((m) => r.measures[m.key]),
        r.measures.seconds,
      ]);
      const backend = query.backend ? `-${query.backend}` : "";
      const verified = verifiedOnly ? "-verified" : "";
      const filename = `measures-${suite.id}-v${suite.version}-${dataset}${backend}${verified}.csv`;
      // CSV has no body field for nextCursor: the next page's URL goes in an RFC 8288 Link header.
      if (body.nextCursor !== null) c.header("Link", `<${nextPageUrl(c.req.url, body.nextCursor)}>; rel="next"`);
      return csvResponse(c, filename, toCsv(HEADER, rows));
    }
    return c.json(body, 200);
  });
}
