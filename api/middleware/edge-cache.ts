// The edge cache of the reads that rank (boards and architectures, as pages and as API JSON): in
// the Worker, a response is kept in the Workers Cache API under its full URL for as long as its
// own Cache-Control allows the edge (s-maxage); in Node, which has no `caches`, it does nothing.
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env.js";

/**
 * Cache-Control of every board and architecture read, page or API. The edge keeps a copy ten
 * seconds and a browser five, so a change shows to everyone within about fifteen seconds while
 * a busy board costs the database at most one read per URL per ten seconds in each Cloudflare
 * location. A submitter need not wait: the receipt links to the board with `after=<id>`, a URL
 * no one has read yet (docs/web.md, "Caching").
 */
export const BOARD_CACHE_CONTROL = "public, max-age=5, s-maxage=10";

/**
 * Headers that belong to one request, never to the stored copy: the request id, and the rate
 * limit headers and Retry-After that tell the current client where it stands.
 */
const PER_REQUEST_HEADERS = [
  "x-request-id",
  "ratelimit-limit",
  "ratelimit-remaining",
  "ratelimit-reset",
  "retry-after",
];

/** Directives that forbid a shared cache to keep a response. */
const NOT_SHARED = /(?:^|,)\s*(?:private|no-store|no-cache)\s*(?:[=,]|$)/i;

/** Whether the edge may keep this response: a 200 that says `public`, not a problem, no cookie. */
function storable(response: Response): boolean {
  const cacheControl = response.headers.get("cache-control") ?? "";
  return (
    response.status === 200 &&
    /(?:^|,)\s*public\s*(?:,|$)/i.test(cacheControl) &&
    !NOT_SHARED.test(cacheControl) &&
    !response.headers.has("set-cookie") &&
    !(response.headers.get("content-type") ?? "").startsWith("application/problem+json")
  );
}

/** A copy of `response` without the headers of the request that made it. */
function withoutRequestHeaders(response: Response): Response {
  const copy = new Response(response.body, response);
  for (const name of PER_REQUEST_HEADERS) copy.headers.delete(name);
  return copy;
}

/**
 * Serves GET requests from the named Workers cache, keyed by the full URL (path and query:
 * each board view, page, format and `after=` is its own entry), and stores what the route
 * answers when the response allows a shared cache. The stored copy carries none of the first
 * requester's own headers (request id, rate-limit state); a hit gets the current request's id,
 * and middleware outside this one (rate limits, CORS, security headers) set theirs as for any
 * response. Requests with credentials (Authorization) are never served from it.
 *
 * @example
 * app.use("/leaderboard/*", edgeCache("rethink-bench-api"))
 */
export function edgeCache(cacheName: string) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const caches = (globalThis as { caches?: CacheStorage }).caches;
    if (!caches || c.req.method !== "GET" || c.req.header("authorization") !== undefined) return next();
    const key = new Request(c.req.url, { method: "GET" });
    const cache = await caches.open(cacheName);
    const hit = await cache.match(key);
    if (hit) {
      const response = withoutRequestHeaders(hit);
      response.headers.set("X-Request-Id", c.var.requestId);
      return response;
    }
    await next();
    if (!storable(c.res)) return;
    const stored = withoutRequestHeaders(c.res.clone());
    // The response goes out now; the copy lands in the cache after it (the runtime waits for it).
    c.executionCtx.waitUntil(cache.put(key, stored));
  });
}
