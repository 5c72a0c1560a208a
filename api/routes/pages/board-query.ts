// The board a page's query string names, with its view filters (rank, backend, page), and
// the totals of every board for the pages' board switcher. Which board a query names is
// resolved by the same function as the API's, so the two refuse the same requests.
import { z } from "zod";
import { type DatasetId, Environment, RankMetric } from "../../../schema/index.js";
import type { BoardCount, BoardRef } from "../../../web/index.js";
import { AfterParam, BoardParams, knownBoards, resolveBoard } from "../../board-request.js";
import { countBoards } from "../../db/queries/runs.js";
import type { AppContext, ResolvedOptions } from "../../env.js";
import type { KnownSuite } from "../../known-suites.js";
import { MAX_BOARD_OFFSET } from "../../limits.js";
import { errorPage } from "./page-response.js";

/** Rows of the leaderboard per page. */
export const PAGE_SIZE = 50;

/** The query string of a board view; the filter form sends `backend=` for "any". */
export const BoardQuery = z.object({
  ...BoardParams,
  backend: z.union([z.literal("").transform(() => undefined), Environment.shape.backend]).optional(),
  rank: RankMetric.default("memorization"),
  /** Verified standing results only, or all; absent, the server's default (api/routes/v1/leaderboard/get.ts). */
  verified: z.enum(["only", "all"]).optional(),
  page: z.coerce
    .number()
    .int()
    .min(1)
    .max(Math.floor(MAX_BOARD_OFFSET / PAGE_SIZE) + 1)
    .default(1),
  /** A submission id that changes nothing but the edge cache's key: a fresh read (api/board-request.ts). */
  after: AfterParam,
});
export type BoardQuery = z.infer<typeof BoardQuery>;

export type PageBoard =
  | { ok: true; known: KnownSuite; dataset: DatasetId; query: BoardQuery }
  | { ok: false; response: Response };

/**
 * The board and view of a page's query string, or the 400 page that says which parameter
 * is wrong: for a board this server does not rank, with a link (made by `href`) to each
 * board it does.
 */
export async function readBoardQuery(
  options: ResolvedOptions,
  c: AppContext,
  href: (board: BoardRef) => string,
): Promise<PageBoard> {
  const parsed = BoardQuery.safeParse(c.req.query());
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const detail = `${issue.path.join(".") || "query"}: ${issue.message}`;
    return { ok: false, response: await errorPage(options, c, 400, "This filter is not valid", detail) };
  }
  const board = await resolveBoard(parsed.data);
  if (!board.ok) {
    const { path, message } = board.error;
    const links = (await knownBoards()).map((b) => ({
      href: href({ suite: b.suite.id, version: b.suite.version, dataset: b.dataset }),
      text: `${b.title} v${b.suite.version} · ${b.dataset}`,
    }));
    const detail = `${path.replace(/^query\./, "")}: ${message}.`;
    const alternatives = { title: "The boards this server ranks", links };
    return { ok: false, response: await errorPage(options, c, 400, "No such board", detail, alternatives) };
  }
  return { ok: true, known: board.known, dataset: board.dataset, query: parsed.data };
}

/** Every board of every known suite, in suite order, with its totals (zero when it has no results). */
export async function boardCounts(c: AppContext): Promise<BoardCount[]> {
  const totals = await countBoards(c.var.db);
  return (await knownBoards()).map((board) => {
    const found = totals.find(
      (t) => t.suite.id === board.suite.id && t.suite.version === board.suite.version && t.dataset === board.dataset,
    );
    return { ...board, architectures: found?.architectures ?? 0, submissions: found?.submissions ?? 0 };
  });
}
