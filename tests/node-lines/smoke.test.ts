// The newcomer's smoke path on the Node.js that runs this test: run the smoke suite, verify its
// bundle, serve a local board, submit to it, read the result back through the API. The bundle is
// kept (bundles.ts) so that same-bundles.test.ts can compare the lines.
import { copyFileSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Leaderboard } from "../../schema/index.js";
import { runCli, startCli, stopCli } from "../fixtures/cli.js";
import { freePort } from "../fixtures/postgres.js";
import { bundleDir, bundleFile } from "./bundles.js";

const home = mkdtempSync(join(tmpdir(), "rb-node-line-"));
const env = {
  RETHINK_BENCH_CONFIG_DIR: join(home, "config"),
  RETHINK_BENCH_CACHE_DIR: join(home, "cache"),
  RETHINK_BENCH_DATA_DIR: join(home, "data"),
};

describe(`the smoke path on Node ${process.versions.node}`, () => {
  it("run → verify → serve → submit, and the board shows the run", async () => {
    const out = join(home, "results");
    const run = await runCli(
      ["run", "--suite", "smoke", "--seed", "0", "--backend", "wasm", "--out", out, "--json"],
      env,
    );
    expect(run.code, run.stderr).toBe(0);
    const { bundle, runs } = JSON.parse(run.stdout) as { bundle: string; runs: { fingerprint: string }[] };

    const verified = await runCli(["verify", bundle], env);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);

    const port = await freePort();
    const server = await startCli(
      ["serve", "--port", String(port), "--data", join(home, "board")],
      /leaderboard at (http:\/\/\S+)\/ · API at/,
      env,
    );
    try {
      const base = server.match[1]!;
      const submitted = await runCli(["submit", "--api", base, bundle], env);
      expect(submitted.code, submitted.stdout + submitted.stderr).toBe(0);
      expect(submitted.stdout).toMatch(/^submitted: .* → http:\/\/\S+\/submissions\/sub_[0-9a-f]{32}$/m);
      const board = Leaderboard.parse(
        await (await fetch(`${base}/api/v1/leaderboard?suite=smoke&dataset=mnist-10k`)).json(),
      );
      expect(board.rows.map((row) => row.architecture.fingerprint)).toEqual([runs[0]!.fingerprint]);
    } finally {
      expect(await stopCli(server)).toBe(0);
    }

    const dir = bundleDir();
    mkdirSync(dir, { recursive: true });
    copyFileSync(bundle, bundleFile(dir, process.versions.node));
  });
});
