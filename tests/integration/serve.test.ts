// `rethink-bench serve` as a user runs it (the built CLI): the URL line, embedded PGlite that
// keeps committed submissions across a SIGTERM and a restart, one server per data dir, a
// Postgres server by URL, and clear failures for bad arguments and unreachable databases;
// and the Node entry it runs on, which finishes a request in flight before it closes.
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../api/db/open.js";
import { startServer } from "../../api/node.js";
import { findSuite, ReproductionQueue, SubmissionDetail, SubmissionReceipt } from "../../schema/index.js";
import { countRows, httpFetcher, postBundle, signedBundle } from "../fixtures/api.js";
import { newSigner } from "../fixtures/bundles.js";
import { type CliProcess, runCli, startCli } from "../fixtures/cli.js";
import { freePort, startPostgres } from "../fixtures/postgres.js";

let home: string;
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "rethink-bench-serve-"));
});
afterAll(() => rm(home, { recursive: true, force: true }));

interface Serving extends CliProcess {
  api: string;
}

/** Starts `rethink-bench serve ARGS` and waits for its URL line. */
async function serve(args: string[]): Promise<Serving> {
  const env = { XDG_DATA_HOME: join(home, "data"), RETHINK_BENCH_DATA_DIR: "" };
  const serving = await startCli(["serve", "--port", "0", ...args], /leaderboard at (http:\/\/\S+)\/ · API at /, env);
  return { ...serving, api: serving.match[1]! };
}

describe("rethink-bench serve", () => {
  it("serves on PGlite, keeps a committed submission across SIGTERM and restart, one server per data dir", async () => {
    const data = join(home, "board");
    const first = await serve(["--data", data]);
    const bundle = await signedBundle();
    const posted = await postBundle(httpFetcher(first.api), bundle.text);
    expect(posted.status).toBe(201);
    const { id } = SubmissionReceipt.parse(await posted.json());
    const log = first
      .stderr()
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(log).toContainEqual(
      expect.objectContaining({ event: "request", method: "POST", path: "/api/v1/submissions", status: 201 }),
    );

    const second = await runCli(["serve", "--port", "0", "--data", data]);
    expect(second.code).toBe(3);
    expect(second.stderr).toMatch(/in use by process \d+/);

    first.process.kill("SIGTERM");
    expect(await first.exit).toBe(0);
    expect(first.stderr()).toMatch(/SIGTERM: finishing requests in flight and closing the database/);

    const again = await serve(["--data", data]);
    try {
      const res = await httpFetcher(again.api).request(`/api/v1/submissions/${id}`);
      expect(res.status).toBe(200);
      expect(SubmissionDetail.parse(await res.json()).id).toBe(id);
    } finally {
      again.process.kill("SIGINT");
      expect(await again.exit).toBe(0);
    }
  });

  it("uses the user's data dir by default", async () => {
    const serving = await serve([]);
    try {
      expect((await httpFetcher(serving.api).request("/api/v1/health")).status).toBe(200);
    } finally {
      serving.process.kill("SIGINT");
      await serving.exit;
    }
    expect(await readdir(join(home, "data", "rethink-bench", "leaderboard"))).toContain("PG_VERSION");
  });

  it("serves on a Postgres server given by URL, migrating it first", async () => {
    const pg = await startPostgres();
    try {
      const serving = await serve(["--database-url", pg.url]);
      try {
        expect((await postBundle(httpFetcher(serving.api), (await signedBundle()).text)).status).toBe(201);
      } finally {
        serving.process.kill("SIGTERM");
        expect(await serving.exit).toBe(0);
      }
    } finally {
      await pg.stop();
    }
  });

  it("fails clearly on bad arguments and on a database it cannot reach, without printing the password", async () => {
    expect((await runCli(["serve", "--port", "http"])).stderr).toMatch(/--port must be a whole number/);
    expect((await runCli(["serve", "--database-url", "mysql://x"])).code).toBe(2);
    const unreachable = await runCli([
      "serve",
      "--port",
      "0",
      "--database-url",
      `postgres://rb:hunter2@127.0.0.1:${await freePort()}/postgres`,
    ]);
    expect(unreachable.code).toBe(75);
    expect(unreachable.stderr).toMatch(/cannot open the database at postgres:\/\/rb:\*\*\*@127\.0\.0\.1:\d+\/postgres/);
    expect(unreachable.stderr).not.toContain("hunter2");
  });

  it("takes operator reproducer keys from --reproducer-key and $REPRODUCER_KEYS, and refuses one that is neither", async () => {
    const [fromFlag, fromEnv] = [await newSigner(), await newSigner()];
    const env = { XDG_DATA_HOME: join(home, "data"), RETHINK_BENCH_DATA_DIR: "", REPRODUCER_KEYS: fromEnv.publicKey };
    const args = ["serve", "--port", "0", "--data", join(home, "operators"), "--reproducer-key", fromFlag.keyid];
    const serving = await startCli(args, /leaderboard at (http:\/\/\S+)\/ · API at /, env);
    try {
      const res = await httpFetcher(serving.match[1]!).request("/api/v1/reproductions/queue");
      // Two keys: the flag's keyid and the environment's public key, read as its keyid.
      expect(ReproductionQueue.parse(await res.json()).operatorKeys).toBe(2);
    } finally {
      serving.process.kill("SIGINT");
      expect(await serving.exit).toBe(0);
    }
    const refused = await runCli(["serve", "--port", "0", "--reproducer-key", "not-a-key"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('REPRODUCER_KEYS entry "not-a-key" is neither a keyid');
  });

  it("refuses a --data that is a file, or a folder of other things, and leaves it as it was", async () => {
    const file = join(home, "notes.txt");
    await writeFile(file, "not a database\n");
    const onFile = await runCli(["serve", "--port", "0", "--data", file]);
    expect(onFile.code).toBe(2);
    expect(onFile.stderr).toContain(`--data ${file} is a file: give a folder for the embedded database`);

    const foreign = join(home, "photos");
    await mkdir(foreign);
    await writeFile(join(foreign, "cat.jpg"), "");
    const onFolder = await runCli(["serve", "--port", "0", "--data", foreign]);
    expect(onFolder.code).toBe(2);
    expect(onFolder.stderr).toContain(
      `--data ${foreign} holds other files (cat.jpg) and is not a rethink-bench database`,
    );
    expect(await readdir(foreign)).toEqual(["cat.jpg"]);

    expect((await runCli(["serve", "--public-url", "board.example.org"])).code).toBe(2);
  });

  it("serves an empty existing folder, and links pages to --public-url whatever Host a client sends", async () => {
    const empty = join(home, "empty");
    await mkdir(empty);
    const serving = await serve(["--data", empty, "--public-url", "https://board.example.org"]);
    try {
      const posted = await postBundle(httpFetcher(serving.api), (await signedBundle()).text);
      const { id } = SubmissionReceipt.parse(await posted.json());
      const page = await getWithHost(`${serving.api}/submissions/${id}`, "evil.example");
      expect(page.status).toBe(200);
      expect(page.body).toContain(`https://board.example.org/submissions/${id}/bundle`);
      expect(page.body).not.toContain("evil.example");
    } finally {
      serving.process.kill("SIGTERM");
      expect(await serving.exit).toBe(0);
    }
    expect(await readdir(empty)).toContain("PG_VERSION");
  });
});

/** GET with a forged Host header (fetch does not let one be set). */
function getWithHost(url: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { headers: { host } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode!, body }));
    })
      .on("error", reject)
      .end();
  });
}

describe("startServer (the Node entry)", () => {
  it("keeps answering /health while large bundles are verified, and links pages to the URL it listens on", async () => {
    const server = await startServer({ port: 0 });
    try {
      // A paper-suite bundle of about 14 MB (runs that never fit train to the budget) that fails
      // one of the last checks: this server holds no CIFAR-10 labels to score it with.
      const suite = findSuite("paper")!;
      const large = await signedBundle({
        suite,
        architectures: suite.architectures.map((a) => ({ id: a.id })),
        fitEpochs: { true: null, random: null },
        fullPrecision: true,
      });
      expect(large.text.length).toBeGreaterThan(12 * 2 ** 20);
      const api = httpFetcher(server.url);
      const order: string[] = [];
      const posts = Array.from({ length: 4 }, async (_, i) => {
        const res = await postBundle(api, large.text);
        order.push(`post ${i}: ${res.status} ${((await res.json()) as { code: string }).code}`);
      });
      // Once the server has read the bodies (the verifications are then under way), ask for /health.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const health = await api.request("/api/v1/health");
      order.push(`health: ${health.status}`);
      await Promise.all(posts);
      // Verified on worker threads, the bundles do not hold the event loop: /health comes first.
      expect(order[0]).toBe("health: 200");
      expect(order.slice(1).sort()).toEqual([0, 1, 2, 3].map((i) => `post ${i}: 422 unscorable-dataset`));

      const posted = await postBundle(api, (await signedBundle()).text);
      const { id } = SubmissionReceipt.parse(await posted.json());
      const page = await getWithHost(`${server.url}/submissions/${id}`, "evil.example");
      expect(page.body).toContain(`curl -fLo ${id}.dsse.json ${server.url}/submissions/${id}/bundle`);
      expect(page.body).not.toContain("evil.example");
    } finally {
      await server.close();
    }
  });

  function get(url: string, agent: Agent): Promise<number> {
    return new Promise((resolve, reject) => {
      request(url, { agent }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode!));
      })
        .on("error", reject)
        .end();
    });
  }

  it("finishes a submission in flight when it is closed, and keeps it", async () => {
    const dataDir = join(home, "in-flight");
    const server = await startServer({ port: 0, dataDir });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      // One connection, accepted by the server before close() is called.
      expect(await get(`${server.url}/api/v1/health`, agent)).toBe(200);
      const body = Buffer.from((await signedBundle()).text);
      const post = request(`${server.url}/api/v1/submissions`, {
        method: "POST",
        agent,
        headers: { "content-type": "application/json", "content-length": body.length },
      });
      const answer = new Promise<{ status: number; connection?: string }>((resolve, reject) => {
        post.on("error", reject);
        post.on("response", (res) => {
          res.resume();
          res.on("end", () => resolve({ status: res.statusCode!, connection: res.headers.connection }));
        });
      });
      post.write(body.subarray(0, 100));
      await new Promise((resolve) => setTimeout(resolve, 100)); // the server is reading the body
      const closed = server.close();
      post.end(body.subarray(100));
      // Answered in full, and told not to reuse the connection, so close() need not wait for it.
      expect(await answer).toEqual({ status: 201, connection: "close" });
      await closed;
    } finally {
      agent.destroy();
      await server.close();
    }
    const handle = await openDatabase({ driver: "pglite", dataDir });
    try {
      expect(await countRows(handle)).toMatchObject({ submissions: 1, runs: 6 });
    } finally {
      await handle.close();
    }
  });
});
