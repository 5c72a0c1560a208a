// `serve`'s response cache: board and architecture reads answered from memory (the database is
// not even opened), `after=` its own entry, cleared by any successful write of this process,
// problems and no-store answers never kept, entries gone after their s-maxage, bounded in bytes;
// and the CLI with and without --no-response-cache on one PostgreSQL, written by another process.
import { Hono } from "hono";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../api/db/client.js";
import { openDatabase } from "../../api/db/open.js";
import type { AppEnv } from "../../api/env.js";
import { BOARD_CACHE_CONTROL, edgeCache } from "../../api/middleware/edge-cache.js";
import { MemoryResponseCache, responseCacheOptions, sharedMaxAgeSeconds } from "../../api/response-cache.js";
import { Leaderboard, SubmissionReceipt } from "../../schema/index.js";
import { ADMIN_TOKEN, appOn, emptyTables, httpFetcher, postBundle, signedBundle } from "../fixtures/api.js";
import { startCli, stopCli } from "../fixtures/cli.js";
import { startPostgres } from "../fixtures/postgres.js";

const BOARD = "/api/v1/leaderboard?suite=smoke";
/** Any well-formed submission id: `after=` changes the URL, not the answer. */
const AFTER = `${BOARD}&after=sub_${"0".repeat(32)}`;
/** The request limit of these apps, so the RateLimit-Remaining each answer should carry is known. */
const REQUEST_LIMIT = 1000;

let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await openDatabase({ driver: "pglite" });
});
afterAll(() => handle?.close());
beforeEach(() => emptyTables(handle));

/** A stepped clock for the cache (ms). */
function steppedClock(): { now: () => number; step(ms: number): void } {
  let ms = 1_000_000;
  return {
    now: () => ms,
    step(by) {
      ms += by;
    },
  };
}

/**
 * The app as `serve` builds it (its response cache options) on the test database, counting how
 * many requests got a database: a read answered from memory never asks for one.
 */
function cachedApp(cache: MemoryResponseCache | undefined, options: { failDatabase?: () => boolean } = {}) {
  const opened = { count: 0 };
  const app = appOn(handle, {
    ...responseCacheOptions(cache),
    rateLimits: {
      requests: { limit: REQUEST_LIMIT, windowSeconds: 3600 },
      submissions: { limit: 1000, windowSeconds: 60 },
      submissionsPerKey: { limit: 1000, windowSeconds: 60 },
      verificationMs: { limit: 1_000_000_000, windowSeconds: 60 },
    },
    database: () => {
      opened.count += 1;
      if (options.failDatabase?.())
        throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
      return { db: handle.db, release: () => undefined };
    },
  });
  return { app, opened };
}

/** A bundle of a user architecture of its own (the model name is in the topology, so in the fingerprint). */
function userNet(id: string, name: string) {
  return signedBundle({ architectures: [{ id, name }] });
}

async function boardNames(response: Response): Promise<string[]> {
  expect(response.status).toBe(200);
  return Leaderboard.parse(await response.json()).rows.map((row) => row.architecture.name);
}

describe("serve's response cache, through the app", () => {
  it("answers a repeated board read from memory with the current request's own headers", async () => {
    expect((await postBundle(cachedApp(undefined).app, (await signedBundle()).text)).status).toBe(201);
    const cache = new MemoryResponseCache();
    const { app, opened } = cachedApp(cache);

    const first = await app.request(BOARD, { headers: { "X-Request-Id": "first-read" } });
    const firstBody = await first.text();
    expect(first.status).toBe(200);
    expect(opened.count).toBe(1);
    expect(first.headers.get("age")).toBeNull();

    const second = await app.request(BOARD, { headers: { "X-Request-Id": "second-read" } });
    expect(await second.text()).toBe(firstBody);
    expect(opened.count).toBe(1);
    expect(second.headers.get("age")).toBe("0");
    expect(second.headers.get("cache-control")).toBe(BOARD_CACHE_CONTROL);
    expect(second.headers.get("x-request-id")).toBe("second-read");
    // The api scope counts every request of this app: the read above it and the bundle's POST
    // went to another app, so these are the first and second.
    expect([first.headers.get("ratelimit-remaining"), second.headers.get("ratelimit-remaining")]).toEqual([
      String(REQUEST_LIMIT - 1),
      String(REQUEST_LIMIT - 2),
    ]);
    // A third hit still has a whole body: each hit is a fresh Response of the stored bytes.
    expect(await (await app.request(BOARD)).text()).toBe(firstBody);
    expect(opened.count).toBe(1);

    // The board page is cached under its own name the same way.
    const page = await app.request("/?suite=smoke");
    expect(page.status).toBe(200);
    expect(opened.count).toBe(2);
    expect(await (await app.request("/?suite=smoke")).text()).toBe(await page.text());
    expect(opened.count).toBe(2);
  });

  it("keeps after= apart, and shows a new architecture at once after a POST, on the page too", async () => {
    expect((await postBundle(cachedApp(undefined).app, (await signedBundle()).text)).status).toBe(201);
    const cache = new MemoryResponseCache();
    const { app, opened } = cachedApp(cache);
    const before = await boardNames(await app.request(BOARD));
    expect(before).toHaveLength(1);
    const pageBefore = await (await app.request("/?suite=smoke")).text();
    expect(opened.count).toBe(2);

    expect(await boardNames(await app.request(AFTER))).toEqual(before);
    expect(opened.count).toBe(3);
    await app.request(AFTER);
    expect(opened.count).toBe(3);

    // A refused write changes nothing, so it clears nothing.
    const refused = await postBundle(app, "{not json");
    expect(refused.status).toBe(400);
    await app.request(BOARD);
    expect(opened.count).toBe(4); // the POST's own database only

    const posted = await postBundle(app, (await userNet("second-net", "Second Net")).text);
    expect(posted.status).toBe(201);
    SubmissionReceipt.parse(await posted.json());
    const opensAfterPost = opened.count;
    expect(cache.size).toBe(0);
    expect((await boardNames(await app.request(BOARD))).sort()).toEqual([...before, "Second Net"].sort());
    expect(opened.count).toBe(opensAfterPost + 1);
    const pageAfter = await (await app.request("/?suite=smoke")).text();
    expect(pageBefore).not.toContain("Second Net");
    expect(pageAfter).toContain("Second Net");
  });

  it("is cleared by moderation and by a rename, the writes that change a board without a bundle", async () => {
    const stored = await postBundle(cachedApp(undefined).app, (await userNet("old-net", "Old")).text);
    const { id } = SubmissionReceipt.parse(await stored.json());
    const cache = new MemoryResponseCache();
    const { app } = cachedApp(cache);
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" };
    const board = Leaderboard.parse(await (await app.request(BOARD)).json());
    const fingerprint = board.rows[0]!.architecture.fingerprint;

    const renamed = await app.request(`/api/v1/architectures/${fingerprint}/name`, {
      method: "POST",
      headers: admin,
      body: JSON.stringify({ name: "New", reason: "the submitter asked" }),
    });
    expect(renamed.status).toBe(201);
    expect(await boardNames(await app.request(BOARD))).toEqual(["New"]);

    const hidden = await app.request(`/api/v1/submissions/${id}/moderation`, {
      method: "POST",
      headers: admin,
      body: JSON.stringify({ action: "hide", reason: "a test of the cache" }),
    });
    expect(hidden.status).toBe(201);
    expect(await boardNames(await app.request(BOARD))).toEqual([]);
  });

  it("never keeps a problem: a 404 and a 503 are asked of the database again", async () => {
    let failing = false;
    const { app, opened } = cachedApp(new MemoryResponseCache(), { failDatabase: () => failing });
    const unknown = `/api/v1/architectures/${"f".repeat(64)}`;
    expect((await app.request(unknown)).status).toBe(404);
    expect((await app.request(unknown)).status).toBe(404);
    expect(opened.count).toBe(2);

    failing = true;
    expect((await app.request(BOARD)).status).toBe(503);
    failing = false;
    expect((await app.request(BOARD)).status).toBe(200);
    expect(opened.count).toBe(4);
    await app.request(BOARD);
    expect(opened.count).toBe(4);
  });

  it("forgets an entry when its s-maxage ends", async () => {
    const clock = steppedClock();
    const { app, opened } = cachedApp(new MemoryResponseCache({ now: clock.now }));
    await app.request(BOARD);
    clock.step(9_999);
    const hit = await app.request(BOARD);
    expect(opened.count).toBe(1);
    expect(hit.headers.get("age")).toBe("9");
    // lru-cache keeps an entry through its last millisecond; the next one it is gone.
    clock.step(2);
    await app.request(BOARD);
    expect(opened.count).toBe(2);
  });

  it("asks the database every time without a cache (--no-response-cache)", async () => {
    const { app, opened } = cachedApp(undefined);
    for (const path of [BOARD, BOARD, "/?suite=smoke", "/?suite=smoke"])
      expect((await app.request(path)).status).toBe(200);
    expect(opened.count).toBe(4);
  });
});

describe("MemoryResponseCache and the edge cache middleware", () => {
  /** A route per Cache-Control and status, counting how often each ran. */
  function routes(cache: MemoryResponseCache) {
    const ran: Record<string, number> = {};
    const app = new Hono<AppEnv>();
    app.use("*", async (c, next) => {
      c.set("requestId", "test");
      await next();
    });
    app.use("*", edgeCache("test", responseCacheOptions(cache)));
    const answer = (path: string, status: 200 | 500, cacheControl: string) =>
      app.get(path, (c) => {
        ran[path] = (ran[path] ?? 0) + 1;
        return c.text("x".repeat(400), status, { "Cache-Control": cacheControl });
      });
    answer("/board", 200, BOARD_CACHE_CONTROL);
    answer("/no-store", 200, "public, s-maxage=10, no-store");
    answer("/no-s-maxage", 200, "public, max-age=60");
    answer("/failed", 500, BOARD_CACHE_CONTROL);
    return { app, ran };
  }

  it("keeps only a public 200 with an s-maxage", async () => {
    const { app, ran } = routes(new MemoryResponseCache());
    for (const path of ["/board", "/no-store", "/no-s-maxage", "/failed"]) {
      await app.request(path);
      await app.request(path);
    }
    expect(ran).toEqual({ "/board": 1, "/no-store": 2, "/no-s-maxage": 2, "/failed": 2 });
  });

  it("drops what a read begun before a clear would put: the board from before a write", async () => {
    const cache = new MemoryResponseCache();
    const view = cache.store("test");
    cache.clear();
    const request = new Request("http://localhost/board");
    await view.put(request, new Response("old board", { headers: { "Cache-Control": BOARD_CACHE_CONTROL } }));
    expect(await view.match(request)).toBeUndefined();
    await cache
      .store("test")
      .put(request, new Response("new board", { headers: { "Cache-Control": BOARD_CACHE_CONTROL } }));
    expect(await (await cache.store("test").match(request))?.text()).toBe("new board");
    // Cache names are apart: the pages' entry is not the API's.
    expect(await cache.store("other").match(request)).toBeUndefined();
  });

  it("holds its entries within the byte bound, forgetting the least recently used", async () => {
    const cache = new MemoryResponseCache({ maxBytes: 1000 });
    const { app, ran } = routes(cache);
    await app.request("/board?page=1");
    await app.request("/board?page=2");
    // Each entry is its 400-byte body plus its headers (over 30 bytes): two fit in 1000, not three.
    expect(cache.size).toBe(2);
    await app.request("/board?page=1"); // now the most recently used
    await app.request("/board?page=3");
    expect(cache.size).toBe(2);
    expect(cache.bytes).toBeLessThanOrEqual(1000);
    await app.request("/board?page=1");
    await app.request("/board?page=2");
    expect(ran["/board"]).toBe(4); // 1, 2, 3 once each, and 2 again after it was evicted
  });

  it("reads s-maxage from a Cache-Control value", () => {
    expect(sharedMaxAgeSeconds("public, max-age=5, s-maxage=10")).toBe(10);
    expect(sharedMaxAgeSeconds("s-maxage=3")).toBe(3);
    expect(sharedMaxAgeSeconds("public, max-age=60")).toBeUndefined();
    expect(sharedMaxAgeSeconds(null)).toBeUndefined();
  });
});

describe("rethink-bench serve on one PostgreSQL, with and without --no-response-cache", () => {
  it("the cached server sees another process's write within s-maxage; the uncached one at once", async () => {
    const pg = await startPostgres();
    const started: Awaited<ReturnType<typeof startCli>>[] = [];
    try {
      const serve = async (extra: string[]) => {
        const cli = await startCli(
          ["serve", "--port", "0", "--database-url", pg.url, ...extra],
          /leaderboard at (http:\/\/\S+)\/ · API at /,
        );
        started.push(cli);
        return httpFetcher(cli.match[1]!);
      };
      const cached = await serve([]);
      const uncached = await serve(["--no-response-cache"]);
      // Signed ahead, so that the cached copy read below is well inside its ten seconds when checked.
      const [elsewhere, here] = [await userNet("elsewhere-net", "Elsewhere"), await userNet("here-net", "Here")];
      expect((await postBundle(cached, (await signedBundle()).text)).status).toBe(201);

      const first = await boardNames(await cached.request(BOARD));
      const hit = await cached.request(BOARD);
      expect(hit.headers.get("age")).not.toBeNull();
      expect(await boardNames(hit)).toEqual(first);

      // The other process writes: the uncached server reads it at once, the cached one still has its copy.
      expect((await postBundle(uncached, elsewhere.text)).status).toBe(201);
      const fresh = await uncached.request(BOARD);
      expect(fresh.headers.get("age")).toBeNull();
      expect((await boardNames(fresh)).sort()).toEqual([...first, "Elsewhere"].sort());
      expect(await boardNames(await cached.request(BOARD))).toEqual(first);
      expect((await uncached.request(BOARD)).headers.get("age")).toBeNull();

      // Its own write clears it.
      expect((await postBundle(cached, here.text)).status).toBe(201);
      expect((await boardNames(await cached.request(BOARD))).sort()).toEqual([...first, "Elsewhere", "Here"].sort());
    } finally {
      for (const cli of started) await stopCli(cli);
      await pg.stop();
    }
  }, 120_000);
});
