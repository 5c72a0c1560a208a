// GET /protocol: the protocol in words and every suite this server ranks. It reads no
// database: it changes only with a deploy.
import type { Hono } from "hono";
import { ProtocolPage } from "../../../web/index.js";
import type { AppEnv, ResolvedOptions } from "../../env.js";
import { knownSuites } from "../../known-suites.js";
import { assetsOf, CACHE, renderPage } from "./page-response.js";

export function registerProtocolPage(pages: Hono<AppEnv>, options: ResolvedOptions) {
  pages.get("/protocol", async (c) => {
    const page = ProtocolPage({ suites: await knownSuites(), assets: await assetsOf(options, c) });
    return renderPage(c, page, { cacheControl: CACHE.static, tags: ["rb-protocol"] });
  });
}
