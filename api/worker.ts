// The Cloudflare Worker entry: the app with a Neon Pool per request (created and ended inside
// it), the client's address from Cloudflare, and secrets from the Worker's environment.
import { createApp } from "./app.js";
import { openNeonDatabase } from "./db/neon.js";
import type { AppContext } from "./env.js";

const app = createApp({
  database(c: AppContext) {
    const url = c.env.DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set: `wrangler secret put DATABASE_URL`");
    const handle = openNeonDatabase(url);
    return { db: handle.db, release: () => c.executionCtx.waitUntil(handle.close()) };
  },
  clientAddress: (c) => c.req.header("cf-connecting-ip") ?? "unknown",
  adminToken: (c) => c.env.ADMIN_TOKEN,
  log: (record) => (record.level === "error" ? console.error : console.log)(JSON.stringify(record)),
});

export default app;
