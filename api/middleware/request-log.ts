// One structured record per request: method, path, status, duration, client, body size.
// Bodies (bundles) are never logged.
import { createMiddleware } from "hono/factory";
import type { AppEnv, AppOptions } from "../env.js";

export function requestLog(log: NonNullable<AppOptions["log"]>, clientAddress: AppOptions["clientAddress"]) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const started = performance.now();
    await next();
    const length = c.req.header("content-length");
    log({
      level: "info",
      event: "request",
      requestId: c.get("requestId"),
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      client: clientAddress(c),
      bytesIn: length === undefined ? null : Number(length),
    });
  });
}
