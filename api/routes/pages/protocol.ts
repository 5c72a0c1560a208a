// GET /protocol: the protocol in words, every suite this server ranks, and the reproduction
// queue (how many submissions wait for an operator reproducer, since when). The queue is read
// from the database, so the page is cached like a board rather than until the next deploy.
import type { Hono, MiddlewareHandler } from "hono";
import { ProtocolPage } from "../../../web/index.js";
import { queryReproductionQueue } from "../../db/queries/reproductions.js";
import type { AppEnv, ResolvedOptions } from "../../env.js";
import { knownSuites } from "../../known-suites.js";
import { operatorKeysOf } from "../../reproducer-keys.js";
import { assetsOf, CACHE, renderPage } from "./page-response.js";

export function registerProtocolPage(
  pages: Hono<AppEnv>,
  options: ResolvedOptions,
  reading: MiddlewareHandler<AppEnv>[],
) {
  pages.use("/protocol", ...reading);
  pages.get("/protocol", async (c) => {
    // One item is enough: the page shows the queue's length and its oldest entry, not the items.
    const [suites, queue, keys] = await Promise.all([
      knownSuites(),
      queryReproductionQueue(c.var.db, 1),
      operatorKeysOf(options, c),
    ]);
    const page = ProtocolPage({
      suites,
      queue: { length: queue.length, oldestReceivedAt: queue.oldestReceivedAt, operatorKeys: keys.size },
      assets: await assetsOf(options, c),
    });
    return renderPage(c, page, { cacheControl: CACHE.board, tags: ["rb-protocol"] });
  });
}
