// The leaderboard's web pages, next to the API: each route reads the database with the
// API's queries and renders a page of web/. Around them: the pages' security policy, HTML
// instead of problem+json for every non-API path that fails, rate limits, and the edge cache
// (api/middleware/edge-cache.ts: the Workers Cache API, or serve's memory, keyed by the full
// URL, so each suite's board is cached on its own).
import { Hono, type MiddlewareHandler } from "hono";
import { createMiddleware } from "hono/factory";
import { Problem } from "../../../schema/index.js";
import type { AppEnv, ResolvedOptions } from "../../env.js";
import { database } from "../../middleware/database.js";
import { edgeCache } from "../../middleware/edge-cache.js";
import { rateLimit } from "../../middleware/rate-limit.js";
import { registerArchitecturePage } from "./architecture.js";
import { registerInsightPage } from "./insight.js";
import { registerLeaderboardPage } from "./leaderboard.js";
import { errorPage, PAGE_CSP } from "./page-response.js";
import { registerProtocolPage } from "./protocol.js";
import { registerSubmissionPages } from "./submission.js";

function isApiPath(path: string): boolean {
  return path === "/api" || path.startsWith("/api/");
}

/** Every non-API response gets the pages' CSP; a problem (404, 429, 503, …) becomes a page. */
function pageFrame(options: ResolvedOptions) {
  return createMiddleware<AppEnv>(async (c, next) => {
    if (isApiPath(c.req.path)) return next();
    await next();
    if (c.res.headers.get("content-type")?.startsWith("application/problem+json")) {
      const parsed = Problem.safeParse(await c.res.clone().json());
      const status = c.res.status as 400 | 404 | 410 | 429 | 500 | 503;
      const retryAfter = c.res.headers.get("retry-after");
      const title = parsed.success ? (status === 404 ? "Page not found" : parsed.data.title) : "Something went wrong";
      const detail = parsed.success
        ? status === 404 && parsed.data.code === "not-found" && parsed.data.detail.startsWith("no route")
          ? `Nothing lives at ${c.req.path}.`
          : parsed.data.detail
        : "";
      c.res = undefined;
      c.res = await errorPage(options, c, status, title, detail);
      if (retryAfter) c.res.headers.set("Retry-After", retryAfter);
    }
    c.res.headers.set("Content-Security-Policy", PAGE_CSP);
  });
}

/**
 * The page routes, mounted at `/`.
 *
 * @example
 * app.route("/", pageRoutes(resolvedOptions))
 */
export function pageRoutes(options: ResolvedOptions) {
  const pages = new Hono<AppEnv>();
  pages.use("*", pageFrame(options));
  // Pages that read the database: rate-limited per client (hits of the edge cache count
  // too), cached at the edge in the Worker and in memory in `serve`, then
  // given a database for the request.
  const reading: MiddlewareHandler<AppEnv>[] = [
    rateLimit(options.rateLimits.requests, options.clientAddress, "page requests from this address", {
      kind: "requests",
      scope: "pages",
      limiterOf: options.rateLimiter,
    }),
    edgeCache("rethink-bench-pages", options),
    database(options.database),
  ];
  registerLeaderboardPage(pages, options, reading);
  registerArchitecturePage(pages, options, reading);
  registerInsightPage(pages, options, reading);
  registerSubmissionPages(pages, options, reading);
  registerProtocolPage(pages, options, reading);
  return pages;
}
