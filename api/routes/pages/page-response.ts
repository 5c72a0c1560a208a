// How a page route answers: the rendered page with its Cache-Control, Cache-Tag and
// security policy, or the page (not JSON) saying why there is nothing to show.
import type { Context } from "hono";
import { type AssetManifest, ErrorPage, type ErrorPageProps } from "../../../web/index.js";
import type { AppContext, AppEnv, ResolvedOptions } from "../../env.js";
import { BOARD_CACHE_CONTROL } from "../../middleware/edge-cache.js";

/**
 * Cache-Control of the pages. Boards, architectures and submissions as the API's board reads
 * (BOARD_CACHE_CONTROL: seconds, so a change shows to everyone within seconds); so is the
 * protocol, which shows the reproduction queue. Errors and hidden submissions are never stored anywhere: a
 * 404 for a submission that arrives a second later must not outlive that second.
 */
export const CACHE = {
  board: BOARD_CACHE_CONTROL,
  none: "no-store",
} as const;

/** The pages' Content-Security-Policy: their own scripts and styles only, nothing inline. */
export const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
  "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

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

/** A page saying why there is nothing to show, with the pages to go to instead if any; never cached. */
export async function errorPage(
  options: ResolvedOptions,
  c: AppContext,
  status: 400 | 404 | 410 | 429 | 500 | 503,
  title: string,
  detail: string,
  alternatives?: ErrorPageProps["alternatives"],
) {
  return renderPage(c, ErrorPage({ status, title, detail, alternatives, assets: await assetsOf(options, c) }), {
    status,
    cacheControl: CACHE.none,
  });
}
