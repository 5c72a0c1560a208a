// The app's one typed context (Hono's {Bindings, Variables}) and the options each entry
// (Worker, Node) gives it: how to open the database, who the client is, limits, logging.
import type { Context } from "hono";
import type { AssetManifest } from "../web/index.js";
import type { Database } from "./db/client.js";
import type { RateLimitKind, RateLimits, SharedRateLimiter } from "./limits.js";
import type { Verifier } from "./verify-submission.js";

/** The Worker's environment: secrets set with `wrangler secret put`, never in wrangler.toml. */
export interface Bindings {
  DATABASE_URL?: string;
  ADMIN_TOKEN?: string;
  /** The scheme and host the pages link to (wrangler.toml `[vars]`), e.g. `https://rethink-bench.org`. */
  PUBLIC_URL?: string;
  /**
   * The operator reproducer keys (`wrangler secret put REPRODUCER_KEYS`, or a var): keyids or
   * base64url public keys, separated by commas or spaces (api/reproducer-keys.ts).
   */
  REPRODUCER_KEYS?: string;
  /** The Worker's static assets (wrangler.toml `[assets]`): the built scripts and styles of the pages. */
  ASSETS?: { fetch(request: Request | string): Promise<Response> };
  /** Cloudflare's rate-limiting bindings (wrangler.toml `[[ratelimits]]`): requests per address. */
  REQUEST_LIMITER?: SharedRateLimiter;
  /** Signed-document POSTs (submissions, reproductions) per address. */
  SUBMISSION_LIMITER?: SharedRateLimiter;
  /** Signed-document POSTs per signing key. */
  KEY_LIMITER?: SharedRateLimiter;
}

export interface Variables {
  db: Database;
  requestId: string;
}

export interface AppEnv {
  Bindings: Bindings;
  Variables: Variables;
}

export type AppContext = Context<AppEnv>;

/** A database for one request; `release` runs once the response is ready. */
export interface DatabaseLease {
  db: Database;
  release(): Promise<void> | void;
}

/** One structured log record: a finished request, or an unexpected error. Never a bundle's contents. */
export type LogRecord =
  | {
      level: "info";
      event: "request";
      requestId: string;
      method: string;
      path: string;
      status: number;
      durationMs: number;
      client: string;
      bytesIn: number | null;
    }
  | { level: "error"; event: "error"; requestId: string; method: string; path: string; error: string };

export interface AppOptions {
  /** Opens (or lends) the database for one request. */
  database(c: AppContext): DatabaseLease;
  /** The client's address, for rate limits and logs. */
  clientAddress(c: AppContext): string;
  /** The bearer secret that allows moderation; moderation is refused when there is none. */
  adminToken(c: AppContext): string | undefined;
  rateLimits?: Partial<RateLimits>;
  /**
   * A limiter shared by every instance of the app for one kind of limit (the Worker: Cloudflare's
   * rate-limiting binding), or undefined to count in this process (FixedWindowCounter). The
   * `rateLimits` figures must be the ones it enforces: its 429s and headers quote them.
   */
  rateLimiter?(c: AppContext, kind: RateLimitKind): SharedRateLimiter | undefined;
  log?(record: LogRecord): void;
  /** The built web assets the pages link; without them (not built) pages are plain HTML. */
  assets?(c: AppContext): Promise<AssetManifest | undefined>;
  /** The `servers` of the OpenAPI document; by default the deployed leaderboard and 127.0.0.1:8787. */
  servers?: OpenApiServer[];
  /**
   * This server's public scheme and host (`https://rethink-bench.org`), for absolute URLs in
   * pages. Never taken from the request: its Host header is the client's to choose, and pages
   * are cached for everyone. Without one, pages show no absolute URL.
   */
  publicUrl?(c: AppContext): string | undefined;
  /** Runs the checks of a submitted body; default: verifySubmission in this thread (api/verify-submission.ts). */
  verify?: Verifier;
  /**
   * Where board and architecture reads keep whole responses under `cacheName` (api/middleware/edge-cache.ts),
   * or undefined for none. Called once per read, so a store may tie what it keeps to the moment
   * the read began. Default: the Workers Cache API where `globalThis.caches` exists (the Worker),
   * else none; `serve` gives its in-memory store (api/response-cache.ts).
   */
  responseCache?(c: AppContext, cacheName: string): ResponseStore | undefined;
  /**
   * Runs when a write under /api has succeeded (a method other than GET, HEAD or OPTIONS that
   * answered 2xx), before its response leaves: `serve` clears its response store here, so the
   * next read of any board is fresh. Each process sees only its own writes.
   */
  onWrite?(c: AppContext): void | Promise<void>;
  /**
   * The keyids of the operator reproducer keys (api/reproducer-keys.ts): their exact
   * reproductions verify a result, their "not reproduced" hides it. None by default.
   */
  reproducerKeys?(c: AppContext): ReadonlySet<string> | Promise<ReadonlySet<string>>;
}

/**
 * A store of whole responses keyed by request: the part of the Workers Cache API (`Cache`) the
 * edge cache uses, so that Node can give one of its own.
 */
export interface ResponseStore {
  /** The stored response for this request's URL, fresh; undefined when there is none. */
  match(request: Request): Promise<Response | undefined>;
  /** Keeps `response` for this request's URL as long as its Cache-Control lets a shared cache. */
  put(request: Request, response: Response): Promise<void>;
}

/** One entry of the OpenAPI document's `servers`: an origin (the API is under `/api/v1`). */
export type OpenApiServer = { url: string; description?: string };

/** The options as the routes receive them: every default filled in. */
export type ResolvedOptions = Omit<AppOptions, "rateLimits"> & { rateLimits: RateLimits };
