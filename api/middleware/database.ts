// The per-request database: opened (or lent) before the handler, released after it, so the
// Worker's Neon Pool lives and dies inside one request as Neon requires.
import { createMiddleware } from "hono/factory";
import type { AppEnv, AppOptions } from "../env.js";

export function database(open: AppOptions["database"]) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const lease = open(c);
    c.set("db", lease.db);
    try {
      await next();
    } finally {
      await lease.release();
    }
  });
}
