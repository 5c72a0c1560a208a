// GET /architectures/:fingerprint: an architecture on one of its boards (the one the query
// names, else the one with the most runs), with where it ranks there.
import type { Hono, MiddlewareHandler } from "hono";
import { z } from "zod";
import { BASELINE_KINDS, DatasetId, PositiveInt, Sha256Hex, Slug } from "../../../schema/index.js";
import { ArchitecturePage } from "../../../web/index.js";
import { AfterParam } from "../../board-request.js";
import { findArchitecture } from "../../db/queries/architectures.js";
import { queryBaselines, queryStanding } from "../../db/queries/leaderboard.js";
import { listArchitectureBoards } from "../../db/queries/runs.js";
import type { AppEnv, ResolvedOptions } from "../../env.js";
import { findKnownSuite, knownSuites } from "../../known-suites.js";
import { assetsOf, CACHE, errorPage, renderPage, suiteTag } from "./page-response.js";

const ArchitectureQuery = z.object({
  suite: Slug.optional(),
  version: z.coerce.number().pipe(PositiveInt).optional(),
  dataset: DatasetId.optional(),
  /** A fresh read through the edge cache (api/board-request.ts); nothing else. */
  after: AfterParam,
});

export function registerArchitecturePage(
  pages: Hono<AppEnv>,
  options: ResolvedOptions,
  reading: MiddlewareHandler<AppEnv>[],
) {
  pages.use("/architectures/:fingerprint", ...reading);
  pages.get("/architectures/:fingerprint", async (c) => {
    const fingerprint = c.req.param("fingerprint");
    const notFound = () =>
      errorPage(
        options,
        c,
        404,
        "No such architecture",
        `No architecture with fingerprint ${fingerprint} has visible results on this board.`,
      );
    if (!Sha256Hex.safeParse(fingerprint).success) return notFound();
    const query = ArchitectureQuery.safeParse(c.req.query());
    if (!query.success) {
      const issue = query.error.issues[0]!;
      return errorPage(options, c, 400, "This filter is not valid", `${issue.path.join(".")}: ${issue.message}`);
    }
    const wanted = query.data;
    const boards = await listArchitectureBoards(c.var.db, fingerprint);
    const chosen = boards.find(
      (b) =>
        (wanted.suite === undefined || b.suite.id === wanted.suite) &&
        (wanted.version === undefined || b.suite.version === wanted.version) &&
        (wanted.dataset === undefined || b.dataset === wanted.dataset),
    );
    if (!chosen) return notFound();
    const board = { suite: chosen.suite.id, version: chosen.suite.version, dataset: chosen.dataset };
    const boardQuery = { suiteId: board.suite, suiteVersion: board.version, dataset: board.dataset };
    const [detail, known, suites] = await Promise.all([
      findArchitecture(c.var.db, fingerprint, board),
      findKnownSuite(board.suite, board.version),
      knownSuites(),
    ]);
    if (!detail) return notFound();
    // A baseline is not ranked: its standing is its baseline row.
    const standing = BASELINE_KINDS.includes(detail.architecture.kind)
      ? {
          memorization: null,
          gap: null,
          unrankedByGap: null,
          total: 0,
          fittedTotal: 0,
          baseline:
            (await queryBaselines(c.var.db, boardQuery)).find((b) => b.architecture.fingerprint === fingerprint) ??
            null,
        }
      : { ...(await queryStanding(c.var.db, fingerprint, boardQuery)), baseline: null };
    const titles = new Map(suites.map(({ suite }) => [`${suite.id}@${suite.version}`, suite.title]));
    const page = ArchitecturePage({
      detail,
      board,
      boards: boards.map((b) => ({ ...b, title: titles.get(`${b.suite.id}@${b.suite.version}`) ?? b.suite.id })),
      suite: known?.suite,
      standing,
      assets: await assetsOf(options, c),
    });
    return renderPage(c, page, {
      cacheControl: CACHE.board,
      tags: [suiteTag(chosen.suite), `rb-architecture-${fingerprint.slice(0, 16)}`],
    });
  });
}
