// GET /: the leaderboard of one board, a page of rows, with its filters in the query string.
import type { Hono, MiddlewareHandler } from "hono";
import { apiLeaderboardHref, boardHref, LeaderboardPage } from "../../../web/index.js";
import { encodeCursor } from "../../cursor.js";
import { loadBoard } from "../../db/queries/leaderboard.js";
import type { AppEnv, ResolvedOptions } from "../../env.js";
import { defaultVerifiedFilter } from "../v1/leaderboard/get.js";
import { boardCounts, PAGE_SIZE, readBoardQuery } from "./board-query.js";
import { assetsOf, CACHE, renderPage, suiteTag } from "./page-response.js";

export function registerLeaderboardPage(
  pages: Hono<AppEnv>,
  options: ResolvedOptions,
  reading: MiddlewareHandler<AppEnv>[],
) {
  pages.use("/", ...reading);
  pages.get("/", async (c) => {
    const resolved = await readBoardQuery(options, c, boardHref);
    if (!resolved.ok) return resolved.response;
    const { known, dataset, query } = resolved;
    const suite = known.suite;
    const view = {
      suite: suite.id,
      version: suite.version,
      dataset,
      rank: query.rank,
      backend: query.backend ?? null,
      page: query.page,
      verified: query.verified,
    };
    const offset = (view.page - 1) * PAGE_SIZE;
    const verifiedOnly = (query.verified ?? (await defaultVerifiedFilter(options, c))) === "only";
    const [board, boards] = await Promise.all([
      loadBoard(c.var.db, {
        suiteId: suite.id,
        suiteVersion: suite.version,
        dataset,
        backend: query.backend,
        rank: view.rank,
        verifiedOnly,
        limit: PAGE_SIZE,
        offset,
      }),
      boardCounts(c),
    ]);
    // The API request that answers exactly these rows: same board, filters, page and size.
    const rows = { limit: PAGE_SIZE, cursor: offset > 0 ? encodeCursor({ offset }) : undefined };
    const downloads = { json: apiLeaderboardHref(view, rows), csv: apiLeaderboardHref(view, rows, "csv") };
    const page = LeaderboardPage({
      view,
      suite,
      boards,
      board,
      pageSize: PAGE_SIZE,
      downloads,
      assets: await assetsOf(options, c),
    });
    return renderPage(c, page, { cacheControl: CACHE.board, tags: [suiteTag(suite)] });
  });
}
