// api/: the Hono app (routes, middleware, ranking queries, drivers) and its entries. The
// Worker's entry is worker.ts, Node's is node.ts.
export { createApp } from "./app.js";
export type { AppEnv, AppOptions, DatabaseLease, LogRecord } from "./env.js";
export { MAX_BODY_BYTES, DEFAULT_RATE_LIMITS, type RateLimits } from "./limits.js";
