// The API on a real PostgreSQL server (a throwaway cluster), through node-postgres and through
// @neondatabase/serverless over a Neon-style WebSocket proxy: migrations by `npm run
// db:migrate`, storage, idempotency under concurrency, and a database outage as a 503.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { neonConfig } from "@neondatabase/serverless";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import ws from "ws";
import type { DatabaseHandle } from "../../api/db/client.js";
import { type DatabaseConfig, openDatabase } from "../../api/db/open.js";
import type { LogRecord } from "../../api/index.js";
import { Leaderboard, Problem, SubmissionReceipt } from "../../schema/index.js";
import { appOn, countRows, emptyTables, postBundle, signedBundle } from "../fixtures/api.js";
import { newSigner } from "../fixtures/bundles.js";
import { freePort, type PostgresServer, startPostgres } from "../fixtures/postgres.js";
import { startWsProxy, type WsProxy } from "../fixtures/ws-proxy.js";

const run = promisify(execFile);
let server: PostgresServer;
let proxy: WsProxy;

beforeAll(async () => {
  server = await startPostgres();
  proxy = await startWsProxy();
  // Only here, against a plain local server: no TLS, and no pipelined connect (that needs
  // cleartext password auth, and this server asks for SCRAM).
  neonConfig.webSocketConstructor = ws;
  neonConfig.wsProxy = proxy.wsProxy;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineConnect = false;
});
afterAll(async () => {
  await proxy?.close();
  await server?.stop();
});

describe("npm run db:migrate", () => {
  it("creates the tables on an empty server, and is a no-op the second time", async () => {
    const env = { ...process.env, DATABASE_URL: server.url };
    const first = await run("npm", ["run", "--silent", "db:migrate"], { env });
    expect(first.stdout + first.stderr).toMatch(/migrations applied successfully/);
    await run("npm", ["run", "--silent", "db:migrate"], { env });
    const handle = await openDatabase({ driver: "postgres", url: server.url }, { migrate: false });
    try {
      expect(await countRows(handle)).toEqual({
        submitters: 0,
        architectures: 0,
        submissions: 0,
        runs: 0,
        moderation_actions: 0,
      });
    } finally {
      await handle.close();
    }
  });
});

const drivers: [string, () => DatabaseConfig][] = [
  ["node-postgres", () => ({ driver: "postgres", url: server.url })],
  ["@neondatabase/serverless over WebSockets", () => ({ driver: "neon", url: server.url })],
];

describe.each(drivers)("through %s", (_name, config) => {
  let handle: DatabaseHandle;
  let app: ReturnType<typeof appOn>;
  beforeAll(async () => {
    // Migrating again on open is a no-op: both paths share drizzle's migrations journal.
    handle = await openDatabase(config());
    app = appOn(handle);
    await emptyTables(handle);
  });
  afterAll(() => handle?.close());

  it("stores a bundle, ranks it, and answers the same bundle with the same id", async () => {
    const bundle = await signedBundle({ architectureName: `O'Brien's "net"; DROP TABLE runs; --` });
    const first = await postBundle(app, bundle.text);
    expect(first.status).toBe(201);
    const { id } = SubmissionReceipt.parse(await first.json());
    const again = await postBundle(app, bundle.text);
    expect({ status: again.status, id: SubmissionReceipt.parse(await again.json()).id }).toEqual({ status: 200, id });
    const board = Leaderboard.parse(await (await app.request("/api/v1/leaderboard?suite=smoke")).json());
    expect(board.rows.map((r) => [r.architecture.name, r.stepsToFit.median, r.counts.submissions])).toEqual([
      [`O'Brien's "net"; DROP TABLE runs; --`, 40, 1],
    ]);
  });

  it("gives each slot one standing result when several keys submit the same slots at once", async () => {
    await emptyTables(handle);
    // The architecture is stored first (seed 1), so the concurrent inserts below do not queue on
    // its new row: they meet only at their slots.
    const first = await signedBundle({ architectures: [{ id: "net" }], seeds: [1] });
    expect((await postBundle(app, first.text)).status).toBe(201);
    // Eight keys, the same architecture, task and seed: eight different bundles of the same two slots.
    const bundles = await Promise.all(
      Array.from({ length: 8 }, async () =>
        signedBundle({ signer: await newSigner(), architectures: [{ id: "net" }], seeds: [0] }),
      ),
    );
    const responses = await Promise.all(bundles.map((b) => postBundle(app, b.text)));
    expect(responses.map((r) => r.status)).toEqual(Array(8).fill(201));
    const roles = (await handle.db.execute(
      sql`select slot_role as role, count(*)::int as n from runs where seed = 0 group by slot_role order by slot_role`,
    )) as unknown as { rows: { role: string; n: number }[] };
    // Two slots of seed 0 (true and random labels): two standing runs; the other 7 × 2 runs have
    // identical curves and predictions on the same backend, so they confirm.
    expect(roles.rows).toEqual([
      { role: "confirmation", n: 14 },
      { role: "standing", n: 2 },
    ]);
    const board = Leaderboard.parse(await (await app.request("/api/v1/leaderboard?suite=smoke")).json());
    expect(board.rows[0]).toMatchObject({
      stepsToFit: { runs: 2, seeds: 2 },
      counts: { seeds: 2, standing: 4, confirmations: 14, submissions: 9, keys: 9 },
    });
  });

  it("stores one row for concurrent submissions of the same bundle", async () => {
    await emptyTables(handle);
    const bundle = await signedBundle();
    const responses = await Promise.all(Array.from({ length: 8 }, () => postBundle(app, bundle.text)));
    expect(responses.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    expect(await countRows(handle)).toEqual({
      submitters: 1,
      architectures: 1,
      submissions: 1,
      runs: 6,
      moderation_actions: 0,
    });
  });

  it("stores concurrent different bundles that share a key and new architectures, without deadlock", async () => {
    await emptyTables(handle);
    const signer = await newSigner();
    const bundles = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        signedBundle({
          signer,
          createdAt: `2026-11-27T00:00:0${i}.000Z`,
          architectures: i % 2 ? [{ id: "net-a" }, { id: "net-b" }] : [{ id: "net-b" }, { id: "net-a" }],
        }),
      ),
    );
    const responses = await Promise.all(bundles.map((b) => postBundle(app, b.text)));
    expect(responses.map((r) => r.status)).toEqual([201, 201, 201, 201, 201, 201]);
    expect(await countRows(handle)).toEqual({
      submitters: 1,
      architectures: 2,
      submissions: 6,
      runs: 72,
      moderation_actions: 0,
    });
  });

  it("rolls the whole submission back when a write fails, and logs no bundle data", async () => {
    await emptyTables(handle);
    const logs: LogRecord[] = [];
    const logged = appOn(handle, { logs });
    // The last write of the transaction fails: everything before it must be undone.
    const body = sql`$$ begin raise exception 'runs are refused'; end $$`;
    await handle.db.execute(sql`create function refuse_runs() returns trigger language plpgsql as ${body}`);
    await handle.db.execute(
      sql`create trigger refuse_runs before insert on runs for each statement execute function refuse_runs()`,
    );
    try {
      // The failing INSERT's parameters hold each run's task, which names this architecture.
      const bundle = await signedBundle({ architectures: [{ id: "marker-net-in-the-runs" }] });
      const res = await postBundle(logged, bundle.text);
      expect(res.status).toBe(500);
      expect(await countRows(handle)).toEqual({
        submitters: 0,
        architectures: 0,
        submissions: 0,
        runs: 0,
        moderation_actions: 0,
      });
      const error = logs.find((l) => l.level === "error");
      expect(error && error.level === "error" && error.error).toMatch(/runs are refused/);
      expect(JSON.stringify(logs)).not.toContain("marker-net-in-the-runs");
    } finally {
      await handle.db.execute(sql`drop trigger refuse_runs on runs`);
      await handle.db.execute(sql`drop function refuse_runs()`);
    }
  });

  it("stores nothing for a refused bundle", async () => {
    await emptyTables(handle);
    const { envelope } = await signedBundle();
    const res = await postBundle(app, {
      ...envelope,
      signatures: [
        { ...envelope.signatures[0]!, sig: envelope.signatures[0]!.sig.replace(/^./, (c) => (c === "A" ? "B" : "A")) },
      ],
    });
    expect(res.status).toBe(422);
    expect(await countRows(handle)).toEqual({
      submitters: 0,
      architectures: 0,
      submissions: 0,
      runs: 0,
      moderation_actions: 0,
    });
  });
});

describe("a database that cannot be reached", () => {
  async function expectUnavailable(app: ReturnType<typeof appOn>): Promise<void> {
    const res = await app.request("/api/v1/leaderboard?suite=smoke");
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("30");
    const problem = Problem.parse(await res.json());
    expect(problem.code).toBe("database-unavailable");
    expect(problem.detail).not.toMatch(/ECONNREFUSED|Error|at /);
  }

  it("is a 503 with Retry-After through either driver", async () => {
    const closed = `postgres://rb:nothing@127.0.0.1:${await freePort()}/postgres`;
    for (const driver of ["postgres", "neon"] as const) {
      const handle = await openDatabase({ driver, url: closed }, { migrate: false });
      await expectUnavailable(appOn(handle)).finally(() => handle.close());
    }
  });

  it("is a 503 when the server goes down under a running app", async () => {
    const handles = await Promise.all(
      (["postgres", "neon"] as const).map((driver) => openDatabase({ driver, url: server.url }, { migrate: false })),
    );
    try {
      const apps = handles.map((h) => appOn(h));
      for (const app of apps) expect((await app.request("/api/v1/leaderboard?suite=smoke")).status).toBe(200);
      await server.stop();
      for (const app of apps) await expectUnavailable(app);
    } finally {
      await Promise.all(handles.map((h) => h.close()));
    }
  });
});
