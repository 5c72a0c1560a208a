// GET /insight: memorization speed and capacity against the generalization gap, across the
// architectures of one board.
import type { Hono, MiddlewareHandler } from "hono";
import { InsightPage } from "../../../web/index.js";
import { queryLeaderboard } from "../../db/queries/leaderboard.js";
import type { AppEnv } from "../../env.js";
import type { ResolvedOptions } from "../v1/index.js";
import { MAX_PAGE } from "../v1/shared.js";
import { assetsOf, boardCounts, CACHE, errorPage, renderPage, resolveBoard, suiteTag } from "./shared.js";

export function registerInsightPage(
  pages: Hono<AppEnv>,
  options: ResolvedOptions,
  reading: MiddlewareHandler<AppEnv>[],
) {
  pages.use("/insight", ...reading);
  pages.get("/insight", async (c) => {
    const resolved = await resolveBoard(c.req.query());
    if (!resolved.ok) return errorPage(options, c, resolved.status, resolved.title, resolved.detail);
    const { known, dataset, query } = resolved;
    const suite = known.suite;
    const backend = query.backend ?? null;
    const [result, boards] = await Promise.all([
      queryLeaderboard(c.var.db, {
        suiteId: suite.id,
        suiteVersion: suite.version,
        dataset,
        rank: "memorization",
        backend: query.backend,
        limit: MAX_PAGE,
        offset: 0,
      }),
      boardCounts(c),
    ]);
    const page = InsightPage({
      board: { suite: suite.id, version: suite.version, dataset },
      backend,
      suite,
      boards,
      rows: result.rows,
      truncated: result.total > result.rows.length ? result.rows.length : null,
      assets: await assetsOf(options, c),
    });
    return renderPage(c, page, { cacheControl: CACHE.board, tags: [suiteTag(suite)] });
  });
}
