// What the page routes share: rendering a page with its cache headers, the board named by
// a query string, the totals of every board, and the page (not JSON) for a request that
// has no page to show.
import type { Context } from "hono";
import { z } from "zod";
import { DatasetId, Environment, PositiveInt, RankMetric, Slug } from "../../../schema/index.js";
import { type AssetManifest, type BoardCount, ErrorPage } from "../../../web/index.js";
import { countBoards } from "../../db/queries/runs.js";
import type { AppContext, AppEnv } from "../../env.js";
import { MAX_BOARD_OFFSET } from "../../limits.js";
import { findKnownSuite, type KnownSuite, knownSuiteNames, knownSuites } from "../../suites.js";
import type { ResolvedOptions } from "../v1/index.js";

/**
 * Cache-Control of the pages. Browsers keep a page a minute; the edge (the Worker's cache)
 * two, so a new submission shows on the board within about two minutes. The protocol
 * changes only with a deploy. Errors and hidden submissions are never stored anywhere: a
 * 404 for a submission that arrives a second later must not outlive that second.
 */
export const CACHE = {
  board: "public, max-age=60, s-maxage=120",
  static: "public, max-age=3600, s-maxage=3600",
  none: "no-store",
} as const;

/** The pages' Content-Security-Policy: their own scripts and styles only, nothing inline. */
export const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** Rows of the leaderboard per page. */
export const PAGE_SIZE = 50;

/** `Cache-Tag` values, so an operator can purge what a change affects (e.g. one suite). */
export function suiteTag(suite: { id: string; version: number }): string {
  return `rb-suite-${suite.id}-v${suite.version}`;
}

/** The assets of this request's pages, or undefined when they are not built. */
export async function assetsOf(options: ResolvedOptions, c: AppContext): Promise<AssetManifest | undefined> {
  return options.assets?.(c);
}

/** A rendered page with its status, Cache-Control and Cache-Tag. */
export async function renderPage(
  c: Context<AppEnv>,
  page: ReturnType<typeof ErrorPage>,
  init: { status?: 200 | 400 | 404 | 410 | 429 | 500 | 503; cacheControl: string; tags?: string[] },
): Promise<Response> {
  const headers: Record<string, string> = { "Cache-Control": init.cacheControl };
  if (init.tags?.length) headers["Cache-Tag"] = ["rb-page", ...init.tags].join(",");
  return c.html(await page, init.status ?? 200, headers);
}

/** A page saying why there is nothing to show; never cached. */
export async function errorPage(
  options: ResolvedOptions,
  c: AppContext,
  status: 400 | 404 | 410 | 429 | 500 | 503,
  title: string,
  detail: string,
) {
  return renderPage(c, ErrorPage({ status, title, detail, assets: await assetsOf(options, c) }), {
    status,
    cacheControl: CACHE.none,
  });
}

/** The query string of a board view; the filter form sends `backend=` for "any". */
export const BoardQuery = z.object({
  suite: Slug.default("quick"),
  version: z.coerce.number().pipe(PositiveInt).optional(),
  dataset: DatasetId.optional(),
  backend: z.union([z.literal("").transform(() => undefined), Environment.shape.backend]).optional(),
  rank: RankMetric.default("memorization"),
  page: z.coerce
    .number()
    .int()
    .min(1)
    .max(Math.floor(MAX_BOARD_OFFSET / PAGE_SIZE) + 1)
    .default(1),
});
export type BoardQuery = z.infer<typeof BoardQuery>;

export type ResolvedBoard =
  | { ok: true; known: KnownSuite; dataset: DatasetId; query: BoardQuery }
  | { ok: false; status: 400 | 404; title: string; detail: string };

/** The query string's board: a known suite (newest version by default) and one of its datasets (its first by default, or when the query names another suite's). */
export async function resolveBoard(query: Record<string, string>): Promise<ResolvedBoard> {
  const parsed = BoardQuery.safeParse(query);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return {
      ok: false,
      status: 400,
      title: "This filter is not valid",
      detail: `${issue.path.join(".") || "query"}: ${issue.message}`,
    };
  }
  const known = await findKnownSuite(parsed.data.suite, parsed.data.version);
  if (!known) {
    return {
      ok: false,
      status: 404,
      title: "No such suite",
      detail: `This server ranks ${await knownSuiteNames()}; not ${parsed.data.suite}${parsed.data.version ? ` v${parsed.data.version}` : ""}.`,
    };
  }
  const datasets = known.suite.datasets.map((d) => d.id);
  const dataset = parsed.data.dataset && datasets.includes(parsed.data.dataset) ? parsed.data.dataset : datasets[0]!;
  return { ok: true, known, dataset, query: parsed.data };
}

/** Every board of every known suite, in suite order, with its totals (zero when it has no results). */
export async function boardCounts(c: AppContext): Promise<BoardCount[]> {
  const totals = await countBoards(c.var.db);
  return (await knownSuites()).flatMap(({ suite }) =>
    suite.datasets.map((d) => {
      const found = totals.find(
        (t) => t.suite.id === suite.id && t.suite.version === suite.version && t.dataset === d.id,
      );
      return {
        suite: { id: suite.id, version: suite.version },
        title: suite.title,
        dataset: d.id,
        architectures: found?.architectures ?? 0,
        submissions: found?.submissions ?? 0,
      };
    }),
  );
}
