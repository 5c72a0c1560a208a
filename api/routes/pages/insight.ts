// GET /insight: memorization speed and capacity against the generalization gap, across the
// architectures of one board, and the complexity measures of its runs ranked against the gap.
import type { Hono, MiddlewareHandler } from "hono";
import { InsightPage, insightHref } from "../../../web/index.js";
import { queryBoardMeasures } from "../../db/queries/board-measures.js";
import { queryLeaderboard } from "../../db/queries/leaderboard.js";
import type { AppEnv, ResolvedOptions } from "../../env.js";
import { defaultVerifiedFilter } from "../v1/leaderboard/get.js";
import { MAX_PAGE } from "../v1/list-query.js";
import { boardCounts, readBoardQuery } from "./board-query.js";
import { assetsOf, CACHE, renderPage, suiteTag } from "./page-response.js";

/** Most runs the insight page ranks the measures over: about 4.5 million pairs per measure. */
const MAX_MEASURE_RUNS = 3000;

export function registerInsightPage(
  pages: Hono<AppEnv>,
  options: ResolvedOptions,
  reading: MiddlewareHandler<AppEnv>[],
) {
  pages.use("/insight", ...reading);
  pages.get("/insight", async (c) => {
    const resolved = await readBoardQuery(options, c, (board) => insightHref(board));
    if (!resolved.ok) return resolved.response;
    const { known, dataset, query } = resolved;
    const suite = known.suite;
    const backend = query.backend ?? null;
    // The page rests on the results the leaderboard would show for this board: verified ones only where the
    // server has reproducer keys, unless the URL says otherwise.
    const verified = query.verified ?? (await defaultVerifiedFilter(options, c));
    const verifiedOnly = verified === "only";
    const [result, boards] = await Promise.all([
      queryLeaderboard(c.var.db, {
        suiteId: suite.id,
        suiteVersion: suite.version,
        dataset,
        rank: "memorization",
        backend: query.backend,
        verifiedOnly,
        limit: MAX_PAGE,
        offset: 0,
      }),
      boardCounts(c),
    ]);
    const truncated = result.total > result.rows.length;
    // τ costs time quadratic in the runs and the page is rendered per request (then cached for
    // seconds): on a board larger than one page, the measures are those of the architectures
    // shown, and at most MAX_MEASURE_RUNS of their runs; the page says so, the export has them all.
    const measures = await queryBoardMeasures(c.var.db, {
      suiteId: suite.id,
      suiteVersion: suite.version,
      dataset,
      backend: query.backend,
      verifiedOnly,
      architectures: truncated ? result.rows.map((row) => row.architecture.fingerprint) : undefined,
      limit: MAX_MEASURE_RUNS,
    });
    const page = InsightPage({
      board: { suite: suite.id, version: suite.version, dataset },
      backend,
      suite,
      boards,
      rows: result.rows,
      truncated: truncated ? result.rows.length : null,
      // Without a cursor the query always answers a page (null only for a cursor it did not write).
      measures: {
        runs: measures?.runs ?? [],
        verified,
        partial: truncated || measures?.nextCursor != null,
      },
      assets: await assetsOf(options, c),
    });
    return renderPage(c, page, { cacheControl: CACHE.board, tags: [suiteTag(suite)] });
  });
}
