// The API's edge cache and rate limits in the real Workers runtime (wrangler's dev server,
// workerd) on a real PostgreSQL: board and architecture reads served from the Cache API per full
// URL (while the database is down too), after= as a fresh read that a receipt links to, and the
// rate-limiting bindings of wrangler.toml (simulated by the dev server) answering 429.
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { unstable_readConfig } from "wrangler";
import { openDatabase } from "../../api/db/open.js";
import { type RateLimitKind, WORKER_RATE_LIMITS } from "../../api/limits.js";
import { RATE_LIMITER_BINDINGS } from "../../api/worker.js";
import { Problem, SubmissionReceipt } from "../../schema/index.js";
import { ADMIN_TOKEN, httpFetcher, postBundle, signedBundle } from "../fixtures/api.js";
import { type PostgresServer, startPostgres } from "../fixtures/postgres.js";
import { type DevWorker, startDevWorker } from "../fixtures/wrangler.js";
import { startWsProxy, type WsProxy } from "../fixtures/ws-proxy.js";

/** Lower than wrangler.toml's, so that a test reaches them in a few requests. */
const REQUESTS_PER_MINUTE = 40;
const SUBMISSIONS_PER_MINUTE = 5;

let server: PostgresServer;
let proxy: WsProxy;
let worker: DevWorker;

beforeAll(async () => {
  server = await startPostgres();
  await (await openDatabase({ driver: "postgres", url: server.url })).close();
  proxy = await startWsProxy();
  worker = await startDevWorker({ DATABASE_URL: server.url, ADMIN_TOKEN }, proxy.port, {
    REQUEST_LIMITER: { type: "ratelimit", namespace_id: "1601", simple: { limit: REQUESTS_PER_MINUTE, period: 60 } },
    SUBMISSION_LIMITER: {
      type: "ratelimit",
      namespace_id: "1602",
      simple: { limit: SUBMISSIONS_PER_MINUTE, period: 60 },
    },
  });
});
afterAll(async () => {
  await worker?.stop();
  await proxy?.close();
  await server?.stop();
});

/** A GET as the client at `address` (Cloudflare's CF-Connecting-IP, which the dev server keeps when given). */
function get(path: string, address: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(worker.url + path, { headers: { "CF-Connecting-IP": address, ...headers } });
}

/** Reads `path` until the edge cache answers it (the copy is stored after the first response goes out). */
async function untilCached(path: string, address: string): Promise<Response> {
  for (let attempt = 0; attempt < 40; attempt++) {
    const response = await get(path, address);
    if (response.headers.get("cf-cache-status") === "HIT") return response;
    await response.arrayBuffer();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${path} never came from the edge cache`);
}

const names = (board: { rows: { architecture: { name: string } }[] }) => board.rows.map((r) => r.architecture.name);

describe("the API's edge cache in workerd", () => {
  const plain = "/api/v1/leaderboard?suite=smoke&verified=all";
  let fingerprint: string;

  it("keeps a board read per URL; the receipt's after= links read it fresh, with the new architecture", async () => {
    const client = "192.0.2.10";
    const api = httpFetcher(worker.url);
    const first = await signedBundle({ architectureName: "First net" });
    fingerprint = first.predicate.architectures[0]!.fingerprint;
    expect((await postBundle(api, first.text, { "CF-Connecting-IP": "192.0.2.11" })).status).toBe(201);

    const read = await get(plain, client);
    expect(read.status).toBe(200);
    expect(read.headers.get("cache-control")).toBe("public, max-age=5, s-maxage=10");
    expect(names(await read.json())).toEqual(["First net"]);
    const cached = await untilCached(plain, client);
    expect(names(await cached.json())).toEqual(["First net"]);

    // Another topology (other hidden units): another architecture, a new row of the board.
    const second = await signedBundle({ architectures: [{ id: "second-net", name: "Second net", hiddenUnits: 128 }] });
    expect(second.predicate.architectures[0]!.fingerprint).not.toBe(fingerprint);
    const posted = await postBundle(api, second.text, { "CF-Connecting-IP": "192.0.2.11" });
    expect(posted.status).toBe(201);
    const receipt = SubmissionReceipt.parse(await posted.json());
    const [board] = receipt.boards;
    expect(board!.api).toBe(
      `/api/v1/leaderboard?suite=smoke&version=3&dataset=mnist-10k&verified=all&after=${receipt.id}`,
    );

    // The plain URL may still be the copy from before the submission: if it is, it does not show it.
    const again = await get(plain, client);
    const againNames = names(await again.json());
    if (again.headers.get("cf-cache-status") === "HIT") expect(againNames).toEqual(["First net"]);
    else expect(againNames.sort()).toEqual(["First net", "Second net"]);

    const fresh = await get(board!.api, client);
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get("cf-cache-status")).toBeNull();
    expect(names(await fresh.json()).sort()).toEqual(["First net", "Second net"]);
    const page = await get(board!.page, client);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Second net");
  });

  it("gives a cached copy the current request's id and CORS headers, not the first requester's", async () => {
    const path = `/api/v1/architectures/${fingerprint}?suite=smoke`;
    const firstRead = await get(path, "192.0.2.20", { "X-Request-Id": "first-reader" });
    expect(firstRead.status).toBe(200);
    expect(firstRead.headers.get("x-request-id")).toBe("first-reader");
    expect(firstRead.headers.get("cache-control")).toBe("public, max-age=5, s-maxage=10");
    await untilCached(path, "192.0.2.21");
    const hit = await get(path, "192.0.2.22", { "X-Request-Id": "later-reader", Origin: "https://example.org" });
    expect(hit.headers.get("cf-cache-status")).toBe("HIT");
    expect(hit.headers.get("x-request-id")).toBe("later-reader");
    expect(hit.headers.get("access-control-allow-origin")).toBe("*");
    expect(hit.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect((await hit.json()).architecture.name).toBe("First net");
  });

  it("answers cached reads while the database is down, and never stores a problem", async () => {
    const after = `${plain}&after=sub_${"a".repeat(32)}`;
    const architecture = `/api/v1/architectures/${fingerprint}`;
    for (const path of [after, architecture]) expect((await get(path, "192.0.2.30")).status).toBe(200);
    await untilCached(after, "192.0.2.30");
    await untilCached(architecture, "192.0.2.30");

    await server.stop();
    const board = await get(after, "192.0.2.31");
    expect(board.status).toBe(200);
    expect(names(await board.json()).sort()).toEqual(["First net", "Second net"]);
    expect((await get(architecture, "192.0.2.31")).status).toBe(200);
    // Another view is another entry: it needs the database, and its 503 is not kept.
    const other = `${plain}&rank=gap`;
    for (let attempt = 0; attempt < 2; attempt++) {
      const down = await get(other, "192.0.2.31");
      expect(down.status).toBe(503);
      expect(down.headers.get("content-type")).toBe("application/problem+json");
      expect(down.headers.get("cf-cache-status")).toBeNull();
      await down.arrayBuffer();
    }
  });
});

describe("the rate-limiting bindings in workerd", () => {
  it("are configured in wrangler.toml with the figures the Worker's 429s quote", () => {
    const config = unstable_readConfig({ config: fileURLToPath(new URL("../../wrangler.toml", import.meta.url)) });
    // wrangler's Config type comes from a package it does not ship: the field as its schema has it.
    const ratelimits: { name: string; simple: { limit: number; period: number } }[] = config.ratelimits;
    const kinds = Object.keys(RATE_LIMITER_BINDINGS) as RateLimitKind[];
    expect(kinds.sort()).toEqual(["requests", "submissions", "submissionsPerKey"]);
    for (const kind of kinds) {
      const binding = ratelimits.find((r) => r.name === RATE_LIMITER_BINDINGS[kind]);
      const { limit, windowSeconds } = WORKER_RATE_LIMITS[kind];
      expect(binding?.simple, `${kind}: [[ratelimits]] ${RATE_LIMITER_BINDINGS[kind]}`).toEqual({
        limit,
        period: windowSeconds,
      });
    }
  });

  /** Sends requests until a 429; returns how many were let through before it and the 429. */
  async function untilRefused(send: () => Promise<Response>, atMost: number) {
    let allowed = 0;
    for (let i = 0; i < atMost; i++) {
      const response = await send();
      if (response.status === 429) return { allowed, refused: response };
      allowed += 1;
      await response.arrayBuffer();
    }
    throw new Error(`no 429 after ${atMost} requests`);
  }

  it("refuses an address's requests beyond the binding's limit with a 429 problem and Retry-After", async () => {
    // A minute boundary may reset the count once on the way: at most twice the limit gets through.
    const { allowed, refused } = await untilRefused(
      () => get("/api/v1/health", "198.51.100.7"),
      2 * REQUESTS_PER_MINUTE + 1,
    );
    expect(allowed).toBeGreaterThanOrEqual(REQUESTS_PER_MINUTE);
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
    expect(refused.headers.get("retry-after")).toBe("60");
    expect(Problem.parse(await refused.json()).code).toBe("rate-limited");
    // The address stays refused; another address is counted apart.
    expect((await get("/api/v1/health", "198.51.100.7")).status).toBe(429);
    expect((await get("/api/v1/health", "198.51.100.8")).status).toBe(200);
  });

  it("refuses an address's submissions beyond the binding's limit, before reading the body", async () => {
    const api = httpFetcher(worker.url);
    const send = () => postBundle(api, "{}", { "CF-Connecting-IP": "198.51.100.9" });
    const { allowed, refused } = await untilRefused(send, 2 * SUBMISSIONS_PER_MINUTE + 1);
    expect(allowed).toBeGreaterThanOrEqual(SUBMISSIONS_PER_MINUTE);
    expect(refused.headers.get("retry-after")).toBe("60");
    expect(Problem.parse(await refused.json()).code).toBe("rate-limited");
  });
});
