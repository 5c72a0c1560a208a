// The Node entry: the app on @hono/node-server with embedded PGlite (default) or a Postgres
// server, migrations applied at start, and the pages' built assets served from dist/public.
// `rethink-bench serve` (and anything else) starts it here.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type ServerType, serve } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import { serveStatic } from "@hono/node-server/serve-static";
import { ASSET_MANIFEST_FILE, AssetManifest } from "../web/index.js";
import { createApp } from "./app.js";
import { type DatabaseConfig, openDatabase } from "./db/open.js";
import type { LogRecord } from "./env.js";
import type { RateLimits } from "./limits.js";
import { parseReproducerKeys } from "./reproducer-keys.js";
import { MemoryResponseCache, responseCacheOptions } from "./response-cache.js";
import { createVerifierPool } from "./verify-pool.js";

export interface ServerOptions {
  /** TCP port; 0 picks a free one. */
  port: number;
  /** Interface to listen on (default 127.0.0.1: this machine only). */
  host?: string;
  /** PGlite's data directory (ignored with `databaseUrl`); none keeps the database in memory. */
  dataDir?: string;
  /** A postgres:// URL: use that server through node-postgres instead of PGlite. */
  databaseUrl?: string;
  /** The bearer secret that enables moderation. */
  adminToken?: string;
  rateLimits?: Partial<RateLimits>;
  log?: (record: LogRecord) => void;
  /**
   * The built web assets (`npm run build` writes them to dist/public, the default); without
   * them pages have no styles or charts.
   */
  publicDir?: string;
  /** The scheme and host pages link to (behind a proxy, say); default: the URL this server listens on. */
  publicUrl?: string;
  /**
   * Worker threads that verify submitted bundles (default 2), so that a large bundle never
   * blocks the event loop; 0 verifies on the event loop (no build of the worker script needed).
   */
  verifyThreads?: number;
  /**
   * The operator reproducer keys: keyids or base64url public keys (api/reproducer-keys.ts). An
   * entry that is neither fails the start.
   */
  reproducerKeys?: readonly string[];
  /**
   * Keep board and architecture reads (pages and API) in memory for their s-maxage, as the
   * Worker keeps them at the edge, and forget them all on each write this server answers
   * (default true). False reads the database at every request.
   */
  responseCache?: boolean;
}

export interface RunningServer {
  /** `http://host:port`, the API under `/api/v1`. */
  url: string;
  /** Stops accepting connections, lets requests in flight finish, then closes the database. */
  close(): Promise<void>;
}

function databaseConfigOf(options: Pick<ServerOptions, "dataDir" | "databaseUrl">): DatabaseConfig {
  return options.databaseUrl
    ? { driver: "postgres", url: options.databaseUrl }
    : { driver: "pglite", dataDir: options.dataDir };
}

/** Built assets have content-hashed names: a name never changes content. */
const IMMUTABLE = "public, max-age=31536000, immutable";

/** dist/public of this package: beside dist/api when running the build, under dist/ when running the sources. */
export function defaultPublicDir(): string | undefined {
  const candidates = ["../public/", "../dist/public/"].map((path) => fileURLToPath(new URL(path, import.meta.url)));
  return candidates.find((dir) => existsSync(join(dir, ASSET_MANIFEST_FILE)));
}

async function readAssetManifest(publicDir: string): Promise<AssetManifest> {
  return AssetManifest.parse(JSON.parse(await readFile(join(publicDir, ASSET_MANIFEST_FILE), "utf8")));
}

/**
 * Opens the database (migrating it) and serves the app.
 *
 * @example
 * const server = await startServer({ port: 8787, dataDir }); console.log(server.url); await server.close()
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const reproducerKeys = await parseReproducerKeys((options.reproducerKeys ?? []).join(","));
  if (reproducerKeys.errors.length > 0) throw new Error(reproducerKeys.errors.join("; "));
  const publicDir = options.publicDir ?? defaultPublicDir();
  const assets = publicDir ? await readAssetManifest(publicDir) : undefined;
  const verifyThreads = options.verifyThreads ?? 2;
  // Threads start on the first submission; the script must exist now, so a missing build fails at start.
  const verifier = verifyThreads > 0 ? createVerifierPool({ size: verifyThreads }) : undefined;
  const handle = await openDatabase(databaseConfigOf(options));
  // Another process writing the same database is seen when an entry's s-maxage ends, as at the edge.
  const responseCache = options.responseCache === false ? undefined : new MemoryResponseCache();
  // Known once listening (port 0 picks one); pages are rendered only after that.
  let listeningUrl = "";
  const app = createApp({
    database: () => ({ db: handle.db, release: () => undefined }),
    clientAddress: (c) => getConnInfo(c).remote.address ?? "unknown",
    adminToken: () => options.adminToken,
    rateLimits: options.rateLimits,
    log: options.log,
    assets: async () => assets,
    publicUrl: () => options.publicUrl ?? listeningUrl,
    verify: verifier?.verify,
    reproducerKeys: () => reproducerKeys.keys,
    ...responseCacheOptions(responseCache),
  });
  if (publicDir)
    app.use("/assets/*", serveStatic({ root: publicDir, onFound: (_path, c) => c.header("Cache-Control", IMMUTABLE) }));
  const host = options.host ?? "127.0.0.1";
  let server: ServerType;
  try {
    server = await new Promise<ServerType>((resolve, reject) => {
      const started = serve({ fetch: app.fetch, port: options.port, hostname: host }, () => resolve(started));
      started.once("error", reject);
    });
  } catch (error) {
    await handle.close();
    await verifier?.close();
    throw error;
  }
  // Responses in progress, so that close() can tell their clients not to keep the connection.
  const inFlight = new Set<ServerResponse>();
  server.on("request", (_request: IncomingMessage, response: ServerResponse) => {
    inFlight.add(response);
    response.once("close", () => inFlight.delete(response));
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  let closing: Promise<void> | undefined;
  listeningUrl = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  return {
    url: listeningUrl,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve, reject) => {
          server.close((error) => (error ? reject(error) : resolve()));
          // Idle keep-alive connections would hold close() open until they time out; busy ones
          // finish their response (with Connection: close) and then end.
          for (const response of inFlight) if (!response.headersSent) response.shouldKeepAlive = false;
          if ("closeIdleConnections" in server) server.closeIdleConnections();
        });
        await verifier?.close();
        await handle.close();
      })();
      return closing;
    },
  };
}
