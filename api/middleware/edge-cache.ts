// The edge cache of the reads that rank (boards and architectures, as pages and as API JSON): a
// response is kept under its full URL for as long as its own Cache-Control allows a shared cache
// (s-maxage), in the store the entry gives: the Workers Cache API in the Worker, memory in `serve`.
import { createMiddleware } from "hono/factory";
import type { AppContext, AppEnv, AppOptions, ResponseStore } from "../env.js";

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

/**
 * The store of `cacheName` for this request: the entry's own (AppOptions.responseCache), else the
 * Workers Cache API where the runtime has one, else none.
 */
async function storeOf(
  c: AppContext,
  cacheName: string,
  options: Pick<AppOptions, "responseCache">,
): Promise<ResponseStore | undefined> {
  if (options.responseCache) return options.responseCache(c, cacheName);
  const caches = (globalThis as { caches?: CacheStorage }).caches;
  return caches ? caches.open(cacheName) : undefined;
}

/** A copy of `response` without the headers of the request that made it. */
function withoutRequestHeaders(response: Response): Response {
  const copy = new Response(response.body, response);
  for (const name of PER_REQUEST_HEADERS) copy.headers.delete(name);
  return copy;
}

/**
 * Serves GET requests from the named cache (the Workers Cache API, or the store the entry gives), keyed by the full URL (path and query:
 * each board view, page, format and `after=` is its own entry), and stores what the route
 * answers when the response allows a shared cache. The stored copy carries none of the first
 * requester's own headers (request id, rate-limit state); a hit gets the current request's id,
 * and middleware outside this one (rate limits, CORS, security headers) set theirs as for any
 * response. Requests with credentials (Authorization) are never served from it.
 *
 * @example
 * app.use("/leaderboard/*", edgeCache("rethink-bench-api", options))
 */
export function edgeCache(cacheName: string, options: Pick<AppOptions, "responseCache"> = {}) {
  return createMiddleware<AppEnv>(async (c, next) => {
    if (c.req.method !== "GET" || c.req.header("authorization") !== undefined) return next();
    const cache = await storeOf(c, cacheName, options);
    if (!cache) return next();
    const key = new Request(c.req.url, { method: "GET" });
    const hit = await cache.match(key);
    if (hit) {
      const response = withoutRequestHeaders(hit);
      response.headers.set("X-Request-Id", c.var.requestId);
      return response;
    }
    await next();
    if (!storable(c.res)) return;
    const stored = withoutRequestHeaders(c.res.clone());
    const put = cache.put(key, stored);
    const context = executionContextOf(c);
    // In the Worker the response goes out now and the copy lands after it (the runtime waits for
    // it); Node has no execution context, and its store keeps the copy before the response leaves.
    if (context) context.waitUntil(put);
    else await put;
  });
}

/** The Worker's execution context; undefined in Node, where Hono's getter throws. */
function executionContextOf(c: AppContext): AppContext["executionCtx"] | undefined {
  try {
    return c.executionCtx;
  } catch {
    return undefined;
  }
}
