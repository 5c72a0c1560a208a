// api/: the Hono app (routes, middleware, ranking queries, drivers) and its entries. The
// Worker's entry is worker.ts, Node's is node.ts.
export { createApp } from "./app.js";
export type { AppEnv, AppOptions, DatabaseLease, LogRecord } from "./env.js";
export { DEFAULT_RATE_LIMITS, MAX_BODY_BYTES, type RateLimits } from "./limits.js";
export { parseReproducerKeys, type ReproducerKeys } from "./reproducer-keys.js";
