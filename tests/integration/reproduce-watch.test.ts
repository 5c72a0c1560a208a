// `reproduce --watch --once` against a stand-in server that speaks the contract's queue,
// submission and reproduction bodies: the daemon reproduces what the queue lists, keeps an
// attestation the server cannot take in the outbox, sends it first on restart without training
// again, and skips (and reports) a submission it cannot reproduce.
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Envelope,
  openBundle,
  openReproduction,
  type QueueItem,
  type ReproductionReceipt,
  type ReproductionStatement,
  reproductionIdOf,
  submissionIdOf,
} from "../../schema/index.js";
import { runCli } from "../fixtures/cli.js";
import { sharedSmokeRun, useSmokeKey } from "../fixtures/smoke-run.js";

const root = mkdtempSync(join(tmpdir(), "rb-reproduce-watch-"));
const submitter = { RETHINK_BENCH_CONFIG_DIR: join(root, "submitter"), RETHINK_BENCH_DATA_DIR: join(root, "data-s") };
const operator = { RETHINK_BENCH_CONFIG_DIR: join(root, "operator"), RETHINK_BENCH_DATA_DIR: join(root, "data-o") };

/** What the stand-in server holds and how it behaves. */
const board = {
  envelope: null as Envelope | null,
  payloadSha256: "",
  /** Whether POST /reproductions answers 503 (a server that cannot take it now). */
  down: true,
  /** A submission in the queue that the server cannot serve (404), to be skipped. */
  missing: null as string | null,
  stored: [] as ReproductionStatement[],
  posts: 0,
};

function queueItems(): QueueItem[] {
  const item = (submissionId: string, payloadSha256: string, positions: number[]): QueueItem => ({
    submissionId,
    payloadSha256,
    suite: { id: "smoke", version: 3 },
    backend: "wasm",
    runnerVersion: "0.1.0",
    tfjsVersion: "4.22.0",
    receivedAt: "2026-12-01T00:00:00.000Z",
    positions,
  });
  const items = board.stored.length ? [] : [item(submissionIdOf(board.payloadSha256), board.payloadSha256, [0, 1])];
  if (board.missing) items.push(item(board.missing, "0".repeat(64), [0]));
  return items;
}

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const send = (status: number, body: unknown) => {
    response.writeHead(status, { "content-type": "application/json" });
    response.end(JSON.stringify(body));
  };
  const url = new URL(request.url!, "http://x");
  if (request.method === "GET" && url.pathname === "/api/v1/reproductions/queue") {
    expect(url.searchParams.get("limit")).toBe("10");
    const items = queueItems();
    return send(200, { items, length: items.length, oldestReceivedAt: items[0]?.receivedAt ?? null, operatorKeys: 1 });
  }
  const submission = /^\/api\/v1\/submissions\/(sub_[0-9a-f]{32})$/.exec(url.pathname);
  if (request.method === "GET" && submission) {
    if (submission[1] !== submissionIdOf(board.payloadSha256))
      return send(404, { type: "about:blank", title: "Not found", status: 404, detail: "no such submission" });
    return send(200, { id: submission[1], envelope: board.envelope });
  }
  if (request.method === "POST" && url.pathname === "/api/v1/reproductions") {
    board.posts++;
    let text = "";
    for await (const chunk of request) text += chunk;
    if (board.down)
      return send(503, { type: "about:blank", title: "Unavailable", status: 503, detail: "database down" });
    const opened = await openReproduction(JSON.parse(text));
    if (!opened.ok) return send(400, { type: "about:blank", title: "Bad", status: 400, detail: opened.detail });
    board.stored.push(opened.statement);
    const runs = opened.statement.predicate.runs;
    const receipt: ReproductionReceipt = {
      id: reproductionIdOf(opened.payloadSha256),
      payloadSha256: opened.payloadSha256,
      created: true,
      submissionId: opened.statement.predicate.original.submissionId,
      reproducerKeyid: opened.keyid,
      operator: true,
      verdicts: {
        exact: runs.filter((r) => r.verdict === "exact").length,
        notReproduced: runs.filter((r) => r.verdict === "not-reproduced").length,
        consistent: 0,
        inconsistent: 0,
      },
      hidden: false,
      location: `/api/v1/reproductions/${reproductionIdOf(opened.payloadSha256)}`,
    };
    return send(201, receipt);
  }
  send(404, { type: "about:blank", title: "Not found", status: 404, detail: url.pathname });
}

let server: Server;
let api: string;

beforeAll(async () => {
  // The submitter's `run --suite smoke --seed 0`, trained once for all the files that need it.
  const run = await sharedSmokeRun();
  expect(run.code, run.stderr).toBe(0);
  useSmokeKey(run, submitter.RETHINK_BENCH_CONFIG_DIR);
  const opened = await openBundle(readFileSync(run.bundle, "utf8"));
  if (!opened.ok) throw new Error(opened.detail);
  board.envelope = opened.envelope;
  board.payloadSha256 = opened.payloadSha256;
  server = createServer((request, response) => void handle(request, response));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const started = (stderr: string) => stderr.match(/^\[\s*\d+\/\d+\] start /gm)?.length ?? 0;

describe("reproduce --watch --once", () => {
  const watch = () =>
    runCli(["reproduce", "--watch", "--once", "--api", api, "--out", join(root, "watch"), "--poll", "1"], operator);

  it("keeps an attestation the server cannot take, and sends it first on restart without training again", async () => {
    const first = await watch();
    expect(first.code, first.stderr).toBe(75);
    expect(started(first.stderr)).toBe(2);
    expect(first.stderr).toContain("not sent:");
    expect(first.stderr).toContain("1 attestation waits in the outbox");
    expect(board.stored).toHaveLength(0);
    const postsWhileDown = board.posts;
    // The outbox is tried again before the queue: once per loop, and no second attestation is made.
    expect(postsWhileDown).toBe(2);

    board.down = false;
    const second = await watch();
    expect(second.code, second.stderr).toBe(0);
    expect(started(second.stderr)).toBe(0);
    expect(second.stderr).toContain("The queue is drained.");
    expect(board.stored).toHaveLength(1);
    expect(board.posts).toBe(postsWhileDown + 1);
    const [statement] = board.stored;
    expect(statement!.predicate.original.payloadSha256).toBe(board.payloadSha256);
    expect(statement!.predicate.runs.map((r) => [r.position, r.verdict])).toEqual([
      [0, "exact"],
      [1, "exact"],
    ]);
  });

  it("reports a submission it cannot reproduce, skips it, and exits non-zero once nothing else is left", async () => {
    board.missing = `sub_${"0".repeat(32)}`;
    const result = await watch();
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toContain(`skipped ${board.missing} until this daemon restarts`);
    expect(result.stderr).toContain("has no submission");
    // Fetched once, not retried in a loop.
    expect(result.stderr.split(`skipped ${board.missing}`).length - 1).toBe(1);
  });
});
