// `submit` through the generated client against a stand-in server: what is accepted, refused
// (4xx, with the problem's reason) and queued in the outbox (network error, 5xx, 429).
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signedBundle } from "../../tests/fixtures/api.js";
import { Outbox } from "../outbox.js";
import { submitFile } from "./submit.js";

type Answer = { status: number; body: string; headers?: Record<string, string> };

let server: Server;
let base: string;
let answer: Answer;
const received: { method?: string; url?: string; contentType?: string; body: string }[] = [];

beforeAll(async () => {
  server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      received.push({ method: request.method, url: request.url, contentType: request.headers["content-type"], body });
      response.writeHead(answer.status, answer.headers ?? { "content-type": "application/json" });
      response.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function setUp() {
  const dir = mkdtempSync(join(tmpdir(), "rb-submit-"));
  const bundle = await signedBundle({ submitterName: "Submit test" });
  const file = join(dir, "bundle.dsse.json");
  writeFileSync(file, bundle.text);
  received.length = 0;
  return { file, text: bundle.text, outbox: new Outbox(join(dir, "outbox")), dir };
}

const problemBody = (status: number, title: string, detail: string) =>
  JSON.stringify({ type: "https://rethink-bench.org/problems/x", title, status, detail, code: "x" });
const queued = (outbox: Outbox) => readdirSync(outbox.dir).filter((name) => name.endsWith(".dsse.json"));

describe("submitFile", () => {
  it("POSTs the file's bytes unchanged to /api/v1/submissions and links the stored submission", async () => {
    const { file, text, outbox } = await setUp();
    answer = { status: 201, body: JSON.stringify({ id: "sub_0123456789abcdef0123456789abcdef" }) };
    const result = await submitFile(file, base, outbox);
    expect(result).toEqual({
      outcome: "accepted",
      line: `submitted: ${file} → ${base}/submissions/sub_0123456789abcdef0123456789abcdef`,
      delivery: {
        kind: "accepted",
        id: "sub_0123456789abcdef0123456789abcdef",
        created: true,
        url: `${base}/submissions/sub_0123456789abcdef0123456789abcdef`,
      },
    });
    expect(received).toEqual([
      { method: "POST", url: "/api/v1/submissions", contentType: "application/json", body: text },
    ]);
  });

  it("prints, under the submission's link, each board page of the receipt that shows it at once", async () => {
    const { file, outbox } = await setUp();
    const id = "sub_0123456789abcdef0123456789abcdef";
    const query = (dataset: string) => `?suite=smoke&version=1&dataset=${dataset}&verified=all&after=${id}`;
    const boards = ["synthetic", "mnist-10k"].map((dataset) => ({
      dataset,
      page: `/${query(dataset)}`,
      api: `/api/v1/leaderboard${query(dataset)}`,
    }));
    answer = { status: 201, body: JSON.stringify({ id, boards }) };
    const result = await submitFile(file, base, outbox);
    expect(result.line).toBe(
      [
        `submitted: ${file} → ${base}/submissions/${id}`,
        `  on the synthetic board now: ${base}/?suite=smoke&version=1&dataset=synthetic&verified=all&after=${id}`,
        `  on the mnist-10k board now: ${base}/?suite=smoke&version=1&dataset=mnist-10k&verified=all&after=${id}`,
      ].join("\n"),
    );
  });

  it("says so when the board already holds the bundle (200)", async () => {
    const { file, outbox } = await setUp();
    answer = { status: 200, body: JSON.stringify({ id: "sub_ffffffffffffffffffffffffffffffff" }) };
    expect((await submitFile(file, base, outbox)).line).toMatch(/^already on the board: /);
  });

  it("shows a 4xx problem's title, detail and failing paths, and queues nothing", async () => {
    const { file, outbox } = await setUp();
    const body = JSON.parse(problemBody(422, "Unknown suite", "suite smoke v9 is not one this server ranks"));
    body.errors = [{ path: "predicate.suite", message: "unknown suite id and version" }];
    answer = { status: 422, body: JSON.stringify(body), headers: { "content-type": "application/problem+json" } };
    const result = await submitFile(file, base, outbox);
    expect(result.outcome).toBe("refused");
    expect(result.line).toBe(
      `refused (HTTP 422): ${file}: Unknown suite: suite smoke v9 is not one this server ranks ` +
        "(predicate.suite: unknown suite id and version). The bundle is unchanged.",
    );
    expect(() => readdirSync(outbox.dir)).toThrow(/ENOENT/);
  });

  it("queues the bundle on a 503 and on a 429, with the server's reason and Retry-After", async () => {
    const { file, outbox } = await setUp();
    answer = {
      status: 503,
      body: problemBody(503, "Database unavailable", "try again shortly"),
      headers: { "content-type": "application/problem+json", "retry-after": "30" },
    };
    const unavailable = await submitFile(file, base, outbox);
    expect(unavailable.outcome).toBe("unavailable");
    expect(unavailable.line).toContain(
      `not sent: ${base} answered 503 (Database unavailable: try again shortly); retry after 30 s.`,
    );
    answer = { status: 429, body: "slow down", headers: { "content-type": "text/plain" } };
    const limited = await submitFile(file, base, outbox);
    expect(limited.line).toContain(`not sent: ${base} answered 429 (HTTP 429)`);
    // Queued under its payload digest: sending it twice keeps one copy.
    expect(queued(outbox)).toHaveLength(1);
  });

  it("queues the bundle when nothing listens", async () => {
    const { file, outbox } = await setUp();
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const result = await submitFile(file, `http://127.0.0.1:${port}`, outbox);
    expect(result.outcome).toBe("unavailable");
    expect(result.line).toMatch(/^not sent: cannot reach http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED\. Queued as /);
    expect(queued(outbox)).toHaveLength(1);
  });
});
