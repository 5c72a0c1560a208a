// The Hono app, the same for the Worker and for Node: request ids, logs, security headers,
// CORS for reads, rate limits and problem+json errors around the /api/v1 routes.
import { OpenAPIHono } from "@hono/zod-openapi";
import { cors } from "hono/cors";
import { HTTPException } from "hono/http-exception";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { isDatabaseUnavailable } from "./db/errors.js";
import type { AppEnv, AppOptions, OpenApiServer } from "./env.js";
import { DEFAULT_RATE_LIMITS, MAX_BODY_BYTES } from "./limits.js";
import { rateLimit } from "./middleware/rate-limit.js";
import { requestLog } from "./middleware/request-log.js";
import { type ProblemCode, problem } from "./problem.js";
import { pageRoutes } from "./routes/pages/index.js";
import { ADMIN_TOKEN_SCHEME } from "./routes/v1/define-route.js";
import { v1Routes } from "./routes/v1/index.js";

/** The public leaderboard: the first server the OpenAPI document names unless `servers` says otherwise. */
const DEPLOYED_URL = "https://rethink-bench.org";

/** Where the API runs, as the OpenAPI document lists it: the deployed Worker, then this machine. */
export const DEFAULT_SERVERS: OpenApiServer[] = [
  { url: DEPLOYED_URL, description: "the public leaderboard" },
  { url: "http://127.0.0.1:8787", description: "`rethink-bench serve` on this machine, at its default address" },
];

/** Methods that change nothing: every other one under /api is a write. */
const READ_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Seconds a client should wait after a 503 before trying again. */
const RETRY_AFTER_SECONDS = 30;

/** What an HTTPException thrown by Hono's own middleware means, as a problem. */
const HTTP_EXCEPTION_PROBLEMS: Record<number, { code: ProblemCode; detail: string }> = {
  400: { code: "bad-json", detail: "the request body is not valid JSON" },
  413: { code: "payload-too-large", detail: `the body is larger than ${MAX_BODY_BYTES} bytes` },
  415: { code: "unsupported-media-type", detail: "send the body as application/json" },
};

/**
 * An error as it is logged: name, message, stack frames and causes, but never drizzle's
 * "params:" line, whose bound values can be a bundle's contents.
 */
function errorForLog(error: unknown, depth = 0): string {
  if (!(error instanceof Error)) return String(error);
  const message = error.message.split("\nparams:")[0];
  const frames = (error.stack ?? "")
    .split("\n")
    .filter((line) => line.trimStart().startsWith("at "))
    .join("\n");
  const cause = error.cause !== undefined && depth < 4 ? `\ncaused by: ${errorForLog(error.cause, depth + 1)}` : "";
  return `${error.name}: ${message}${frames ? `\n${frames}` : ""}${cause}`;
}

/**
 * Builds the app. Pages are mounted next to the API at `/`; the API lives under `/api/v1`
 * and describes itself at `/api/v1/openapi.json`.
 *
 * @example
 * const app = createApp({
 *   database: () => ({ db, release() {} }),
 *   clientAddress: () => "test",
 *   adminToken: () => undefined,
 * })
 * await app.request("/api/v1/health")
 */
export function createApp(options: AppOptions): OpenAPIHono<AppEnv> {
  const resolved = { ...options, rateLimits: { ...DEFAULT_RATE_LIMITS, ...options.rateLimits } };
  const log = options.log ?? (() => undefined);
  const app = new OpenAPIHono<AppEnv>();

  app.use(requestId());
  app.use(requestLog(log, options.clientAddress));
  const apiHeaders = secureHeaders({
    contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    // The data is public and meant to be fetched from other origins (see CORS below).
    crossOriginResourcePolicy: "cross-origin",
  });
  const pageHeaders = secureHeaders();
  app.use((c, next) => (c.req.path.startsWith("/api/") ? apiHeaders(c, next) : pageHeaders(c, next)));

  // Anyone may read from a browser; only non-browser clients (the CLI) submit.
  const readCors = cors({
    origin: "*",
    allowMethods: ["GET", "HEAD"],
    exposeHeaders: ["RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "Retry-After", "X-Request-Id"],
    maxAge: 86400,
  });
  app.use("/api/*", (c, next) => (["GET", "HEAD", "OPTIONS"].includes(c.req.method) ? readCors(c, next) : next()));
  app.use(
    "/api/*",
    rateLimit(resolved.rateLimits.requests, options.clientAddress, "requests from this address", {
      kind: "requests",
      scope: "api",
      limiterOf: options.rateLimiter,
    }),
  );

  // A write that succeeded tells the entry before its response leaves (`serve` clears its
  // response store, so the writer's next read of a board is fresh: docs/api.md, "Caching").
  const onWrite = options.onWrite;
  if (onWrite)
    app.use("/api/*", async (c, next) => {
      await next();
      if (!READ_METHODS.has(c.req.method) && c.res.status >= 200 && c.res.status < 300) await onWrite(c);
    });

  app.route("/api/v1", v1Routes(resolved));
  app.doc31("/api/v1/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "rethink-bench leaderboard API",
      version: "1",
      description:
        "Signed results of the randomization tests of Zhang et al. (ICLR 2017), verified and ranked. " +
        "Errors are application/problem+json (RFC 9457).",
      license: { name: "MIT", url: "https://opensource.org/license/mit" },
      contact: { name: "rethink-bench", url: `${DEPLOYED_URL}/protocol` },
    },
    servers: options.servers ?? DEFAULT_SERVERS,
  });
  app.openAPIRegistry.registerComponent("securitySchemes", ADMIN_TOKEN_SCHEME, {
    type: "http",
    scheme: "bearer",
    description: "the server's ADMIN_TOKEN",
  });
  // The web pages (leaderboard, architectures, submissions, insight, protocol).
  app.route("/", pageRoutes(resolved));

  app.notFound((c) => problem(c, "not-found", `no route ${c.req.method} ${c.req.path}`));
  app.onError((error, c) => {
    if (error instanceof HTTPException && HTTP_EXCEPTION_PROBLEMS[error.status]) {
      const { code, detail } = HTTP_EXCEPTION_PROBLEMS[error.status]!;
      return problem(c, code, detail);
    }
    const requestId = c.get("requestId");
    log({
      level: "error",
      event: "error",
      requestId,
      method: c.req.method,
      path: c.req.path,
      error: errorForLog(error),
    });
    if (isDatabaseUnavailable(error)) {
      return problem(c, "database-unavailable", "the database cannot be reached right now; try again shortly", {
        headers: { "Retry-After": String(RETRY_AFTER_SECONDS) },
      });
    }
    return problem(c, "internal", `an unexpected error occurred; it was logged as request ${requestId}`);
  });
  return app;
}
