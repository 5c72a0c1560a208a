// The app in the real Workers runtime (wrangler's dev server, workerd) on a real PostgreSQL
// server through @neondatabase/serverless and a Neon-style WebSocket proxy; and the Worker
// bundle that `wrangler deploy` would upload.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../api/db/open.js";
import {
  Leaderboard,
  Problem,
  ReproductionQueue,
  ReproductionReceipt,
  type Signer,
  SubmissionDetail,
  SubmissionReceipt,
} from "../../schema/index.js";
import { ADMIN_TOKEN, countRows, httpFetcher, postBundle, signedBundle } from "../fixtures/api.js";
import { newSigner } from "../fixtures/bundles.js";
import { type PostgresServer, startPostgres } from "../fixtures/postgres.js";
import { attest, postReproduction } from "../fixtures/reproductions.js";
import { type DevWorker, startDevWorker } from "../fixtures/wrangler.js";
import { startWsProxy, type WsProxy } from "../fixtures/ws-proxy.js";

let server: PostgresServer;
let proxy: WsProxy;
let worker: DevWorker;
let api: ReturnType<typeof httpFetcher>;
let operator: Signer;

async function rows() {
  const handle = await openDatabase({ driver: "postgres", url: server.url }, { migrate: false });
  try {
    return await countRows(handle);
  } finally {
    await handle.close();
  }
}

beforeAll(async () => {
  server = await startPostgres();
  await (await openDatabase({ driver: "postgres", url: server.url })).close();
  proxy = await startWsProxy();
  operator = await newSigner();
  // The operator's key as a base64url public key, separated from a second entry (a keyid) by a comma.
  const REPRODUCER_KEYS = `${operator.publicKey}, ${"ab".repeat(32)}`;
  worker = await startDevWorker({ DATABASE_URL: server.url, ADMIN_TOKEN, REPRODUCER_KEYS }, proxy.port);
  api = httpFetcher(worker.url);
});
afterAll(async () => {
  await worker?.stop();
  await proxy?.close();
  await server?.stop();
});

describe("the Worker in workerd", () => {
  it("takes a submission and answers the leaderboard, end to end", async () => {
    const bundle = await signedBundle({ submitterName: "Ada", architectureName: "<b>net</b>" });
    const first = await postBundle(api, bundle.text);
    expect(first.status).toBe(201);
    const { id } = SubmissionReceipt.parse(await first.json());
    const again = await postBundle(api, bundle.text);
    expect(again.status).toBe(200);
    expect(await rows()).toMatchObject({ submissions: 1, runs: 6 });

    const board = await api.request("/api/v1/leaderboard?suite=smoke&verified=all");
    expect(board.status).toBe(200);
    expect(board.headers.get("access-control-allow-origin")).toBe("*");
    expect(Leaderboard.parse(await board.json()).rows.map((r) => [r.architecture.name, r.stepsToFit.median])).toEqual([
      ["<b>net</b>", 40],
    ]);

    const detail = SubmissionDetail.parse(await (await api.request(`/api/v1/submissions/${id}`)).json());
    expect(detail.submitter.name).toBe("Ada");
  });

  it("verifies results with the operator keys of REPRODUCER_KEYS, and ranks verified ones by default", async () => {
    const bundle = await signedBundle({ seeds: [0], architectures: [{ id: "net-w" }] });
    const posted = await postBundle(api, bundle.text);
    expect(posted.status).toBe(201);
    const { id } = SubmissionReceipt.parse(await posted.json());
    const res = await postReproduction(api, await attest(bundle, operator, [{ position: 0 }, { position: 1 }]));
    expect(res.status).toBe(201);
    expect(ReproductionReceipt.parse(await res.json())).toMatchObject({ operator: true, hidden: false });
    const board = Leaderboard.parse(await (await api.request("/api/v1/leaderboard?suite=smoke")).json());
    expect(board.verifiedOnly).toBe(true);
    expect(board.rows.map((r) => [r.architecture.id, r.verification])).toEqual([["net-w", "verified"]]);
    const queue = ReproductionQueue.parse(await (await api.request("/api/v1/reproductions/queue")).json());
    expect(queue.operatorKeys).toBe(2);
    // Both of its runs were judged by an operator: it no longer waits.
    expect(queue.items.map((item) => item.submissionId)).not.toContain(id);
  });

  it("refuses a tampered bundle with a problem and stores nothing", async () => {
    const before = await rows();
    const { envelope } = await signedBundle();
    const res = await postBundle(api, {
      ...envelope,
      signatures: [{ ...envelope.signatures[0]!, keyid: "0".repeat(64) }],
    });
    expect(res.status).toBe(422);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(Problem.parse(await res.json()).code).toBe("keyid-mismatch");
    expect(await rows()).toEqual(before);
  });

  it("serves its OpenAPI document with the API's security headers", async () => {
    const res = await api.request("/api/v1/openapi.json");
    expect((await res.json()).openapi).toBe("3.1.0");
    expect(res.headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
  });

  it("answers 503 with Retry-After when the database is down", async () => {
    await server.stop();
    // A URL nobody has read: the board read above may still be served from the edge cache.
    const res = await api.request(`/api/v1/leaderboard?suite=smoke&after=sub_${"f".repeat(32)}`);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("30");
    expect(Problem.parse(await res.json()).code).toBe("database-unavailable");
  });
});

describe("the Worker bundle", () => {
  it("holds the app and the Neon driver, and never TensorFlow.js, PGlite or node-postgres", async () => {
    const outdir = await mkdtemp(join(tmpdir(), "rethink-bench-worker-"));
    try {
      await promisify(execFile)("npx", ["wrangler", "deploy", "--dry-run", "--outdir", outdir], {
        env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
      });
      const code = await readFile(join(outdir, "worker.js"), "utf8");
      // esbuild marks each bundled module with a `// node_modules/<package>/…` comment.
      const packages = new Set([...code.matchAll(/^\/\/ node_modules\/((?:@[^/]+\/)?[^/]+)\//gm)].map((m) => m[1]));
      expect([...packages]).toEqual(expect.arrayContaining(["hono", "drizzle-orm", "zod", "@neondatabase/serverless"]));
      expect([...packages].filter((p) => /^(@tensorflow\/|@electric-sql\/|pg$|pg-pool$)/.test(p!))).toEqual([]);
    } finally {
      await rm(outdir, { recursive: true, force: true });
    }
  });
});
