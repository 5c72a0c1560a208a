// GET /: the leaderboard of one board, a page of rows, with its filters in the query string.
import type { Hono, MiddlewareHandler } from "hono";
import { LeaderboardPage } from "../../../web/index.js";
import { encodeCursor } from "../../cursor.js";
import { loadBoard } from "../../db/queries/leaderboard.js";
import type { AppEnv } from "../../env.js";
import type { ResolvedOptions } from "../v1/index.js";
import { assetsOf, boardCounts, CACHE, errorPage, PAGE_SIZE, renderPage, resolveBoard, suiteTag } from "./shared.js";

export function registerLeaderboardPage(
  pages: Hono<AppEnv>,
  options: ResolvedOptions,
  reading: MiddlewareHandler<AppEnv>[],
) {
  pages.use("/", ...reading);
  pages.get("/", async (c) => {
    const resolved = await resolveBoard(c.req.query());
    if (!resolved.ok) return errorPage(options, c, resolved.status, resolved.title, resolved.detail);
    const { known, dataset, query } = resolved;
    const suite = known.suite;
    const view = {
      suite: suite.id,
      version: suite.version,
      dataset,
      rank: query.rank,
      backend: query.backend ?? null,
      page: query.page,
    };
    const offset = (view.page - 1) * PAGE_SIZE;
    const [board, boards] = await Promise.all([
      loadBoard(c.var.db, {
        suiteId: suite.id,
        suiteVersion: suite.version,
        dataset,
        backend: query.backend,
        rank: view.rank,
        limit: PAGE_SIZE,
        offset,
      }),
      boardCounts(c),
    ]);
    // The API request that answers exactly these rows: same board, filters, page and size.
    const api = new URLSearchParams({ suite: suite.id, version: String(suite.version), dataset, rank: view.rank });
    if (view.backend) api.set("backend", view.backend);
    api.set("limit", String(PAGE_SIZE));
    if (offset > 0) api.set("cursor", encodeCursor({ offset }));
    const downloads = { json: `/api/v1/leaderboard?${api}`, csv: `/api/v1/leaderboard?${api}&format=csv` };
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
