// The newcomer's path end to end: run the smoke suite, submit it to a `serve` process, see it in
// the API and in Chromium, re-verify the envelope the server hands back; the outbox keeps a
// bundle while the server is down and `submit --retry` delivers it exactly once; and
// `run --serve` leaves a local leaderboard showing the user's own result.
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Leaderboard, SubmissionDetail, SubmissionList } from "../../schema/index.js";
import { signedBundle } from "../fixtures/api.js";
import { type Browser, launchBrowser } from "../fixtures/browser.js";
import { runCli, startCli, stopCli as stop } from "../fixtures/cli.js";
import { freePort } from "../fixtures/postgres.js";

const home = mkdtempSync(join(tmpdir(), "rb-newcomer-"));
const env = {
  RETHINK_BENCH_CONFIG_DIR: join(home, "config"),
  RETHINK_BENCH_CACHE_DIR: join(home, "cache"),
  RETHINK_BENCH_DATA_DIR: join(home, "data"),
};

const start = (args: string[], ready: RegExp) => startCli(args, ready, env);

const serveArgs = (port: number) => ["serve", "--port", String(port), "--data", join(home, "board")];
const SERVING = /leaderboard at (http:\/\/\S+)\/ · API at/;

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe("the newcomer's path", () => {
  it("run → submit to serve → API and browser show it → the served envelope verifies", async () => {
    const server = await start(serveArgs(await freePort()), SERVING);
    const base = server.match[1]!;
    try {
      const run = await runCli(
        [
          "run",
          "--suite",
          "smoke",
          "--seed",
          "0",
          "--backend",
          "wasm",
          "--out",
          join(home, "results"),
          "--submit",
          base,
          "--json",
        ],
        env,
      );
      expect(run.code, run.stderr).toBe(0);
      const submitted = /submitted: .* → (\S+\/submissions\/(\S+))/.exec(run.stderr);
      expect(submitted, run.stderr).not.toBeNull();
      const [, submissionUrl, id] = submitted!;
      const { runs } = JSON.parse(run.stdout) as { runs: { fingerprint: string }[] };

      const board = Leaderboard.parse(
        await (await fetch(`${base}/api/v1/leaderboard?suite=smoke&dataset=mnist-10k`)).json(),
      );
      expect(board.rows.map((row) => row.architecture.fingerprint)).toEqual([runs[0]!.fingerprint]);
      expect(board.rows[0]!.stepsToFit.median).toBeGreaterThan(0);

      const page = await browser.context.newPage();
      await page.goto(`${base}/?suite=smoke&version=3&dataset=mnist-10k`);
      expect(await page.locator("table tbody tr").first().textContent()).toContain("mlp-1x512");
      await page.goto(submissionUrl!);
      expect(await page.locator("main").textContent()).toContain(id!);
      await page.close();

      const detail = SubmissionDetail.parse(await (await fetch(`${base}/api/v1/submissions/${id}`)).json());
      const file = join(home, "served.dsse.json");
      writeFileSync(file, JSON.stringify(detail.envelope));
      const verified = await runCli(["verify", file], env);
      expect(verified.code, verified.stdout).toBe(0);
    } finally {
      expect(await stop(server)).toBe(0);
    }
  });

  it("keeps a bundle in the outbox while the server is down, and --retry sends it exactly once", async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const bundle = await signedBundle({ submitterName: "Outbox test" });
    const file = join(home, "outbox-test.dsse.json");
    writeFileSync(file, bundle.text);

    const down = await runCli(["submit", "--api", base, file], env);
    expect(down.code).toBe(75);
    expect(down.stdout).toMatch(/not sent: cannot reach .*ECONNREFUSED/);
    expect(readdirSync(join(home, "data", "outbox")).filter((f) => f.endsWith(".dsse.json"))).toHaveLength(1);

    const server = await start(serveArgs(port), SERVING);
    try {
      const retry = await runCli(["submit", "--retry"], env);
      expect(retry.code, retry.stdout).toBe(0);
      expect(retry.stdout).toMatch(/^submitted: [0-9a-f]{12} → http/m);
      expect(readdirSync(join(home, "data", "outbox")).filter((f) => f.endsWith(".json"))).toEqual([]);
      const again = await runCli(["submit", "--retry"], env);
      expect(again.stdout).toContain("The outbox is empty: nothing to send.");
      const list = SubmissionList.parse(await (await fetch(`${base}/api/v1/submissions?suite=smoke`)).json());
      expect(list.submissions.filter((s) => s.submitter.name === "Outbox test")).toHaveLength(1);
    } finally {
      expect(await stop(server)).toBe(0);
    }
  });

  it("run --serve leaves a local leaderboard with the user's own result", async () => {
    const port = await freePort();
    const child = await start(
      [
        "run",
        "--suite",
        "smoke",
        "--seed",
        "0",
        "--backend",
        "wasm",
        "--out",
        join(home, "results-serve"),
        "--serve",
        "--port",
        String(port),
      ],
      /Your results are on the leaderboard: (\S+)/,
    );
    try {
      const response = await fetch(child.match[1]!);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain("mlp-1x512");
    } finally {
      expect(await stop(child)).toBe(0);
    }
  });
});
