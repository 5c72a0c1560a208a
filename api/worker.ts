// The Cloudflare Worker entry: the app with a Neon Pool per request (created and ended inside
// it), the client's address from Cloudflare, secrets from the Worker's environment, and rate
// limits counted by Cloudflare's rate-limiting bindings.
import { ASSET_MANIFEST_FILE, AssetManifest } from "../web/index.js";
import { createApp } from "./app.js";
import { openNeonDatabase } from "./db/neon.js";
import type { AppContext, Bindings } from "./env.js";
import { type RateLimitKind, WORKER_RATE_LIMITS } from "./limits.js";
import { parseReproducerKeys } from "./reproducer-keys.js";

/** The pages' asset manifest, read once per isolate from the static assets (wrangler.toml `[assets]`). */
let manifest: Promise<AssetManifest | undefined> | undefined;

function assetManifest(c: AppContext): Promise<AssetManifest | undefined> {
  const assets = c.env.ASSETS;
  if (!assets) return Promise.resolve(undefined);
  manifest ??= assets
    .fetch(new Request(new URL(`/${ASSET_MANIFEST_FILE}`, c.req.url)))
    .then(async (response) => (response.ok ? AssetManifest.parse(await response.json()) : undefined))
    .catch((error: unknown) => {
      // Pages still render, unstyled; the next request tries again.
      manifest = undefined;
      console.error(JSON.stringify({ level: "error", event: "asset-manifest", error: String(error) }));
      return undefined;
    });
  return manifest;
}

/** The operator reproducer keys, parsed once per value of REPRODUCER_KEYS in this isolate. */
let reproducerKeys: { text: string | undefined; keys: Promise<ReadonlySet<string>> } | undefined;

function reproducerKeysOf(c: AppContext): Promise<ReadonlySet<string>> {
  const text = c.env.REPRODUCER_KEYS;
  if (reproducerKeys && reproducerKeys.text === text) return reproducerKeys.keys;
  const keys = parseReproducerKeys(text).then(({ keys, errors }) => {
    // A mistyped entry leaves only that key out: the board stays up and the log says which.
    for (const error of errors) console.error(JSON.stringify({ level: "error", event: "reproducer-keys", error }));
    return keys;
  });
  reproducerKeys = { text, keys };
  return keys;
}

/** The wrangler.toml `[[ratelimits]]` binding that counts each kind of limit. */
export const RATE_LIMITER_BINDINGS: Record<RateLimitKind, "REQUEST_LIMITER" | "SUBMISSION_LIMITER" | "KEY_LIMITER"> = {
  requests: "REQUEST_LIMITER",
  submissions: "SUBMISSION_LIMITER",
  submissionsPerKey: "KEY_LIMITER",
} satisfies Record<RateLimitKind, keyof Bindings>;

const app = createApp({
  database(c: AppContext) {
    const url = c.env.DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set: `wrangler secret put DATABASE_URL`");
    const handle = openNeonDatabase(url);
    return { db: handle.db, release: () => c.executionCtx.waitUntil(handle.close()) };
  },
  clientAddress: (c) => c.req.header("cf-connecting-ip") ?? "unknown",
  // Counted by the bindings across every isolate; a binding missing from the config leaves that
  // limit to the isolate's own counter, as before.
  rateLimiter: (c, kind) => c.env[RATE_LIMITER_BINDINGS[kind]],
  rateLimits: WORKER_RATE_LIMITS,
  adminToken: (c) => c.env.ADMIN_TOKEN,
  // wrangler.toml `[vars]`: the pages' absolute links never come from the request's Host header.
  publicUrl: (c) => c.env.PUBLIC_URL,
  log: (record) => (record.level === "error" ? console.error : console.log)(JSON.stringify(record)),
  assets: assetManifest,
  reproducerKeys: reproducerKeysOf,
});

export default app;
