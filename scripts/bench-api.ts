// Over 350 lines on purpose: the load and scale scenarios share the child server and flags here.
// Load benchmark of the leaderboard API's Node entry (what `rethink-bench serve` runs) on
// loopback: requests/s and p50/p99 latency of GET /leaderboard, POST /submissions (a new
// bundle each request, and the same bundle again) next to the trivial GET /health, on
// embedded PGlite and on a local PostgreSQL server, with autocannon. The server runs in a
// child process so that the load generator does not share its event loop.
// A second scenario (bench-api-verification.ts) measures what a hostile client can do to
// everyone else: /health latency while 4 connections keep posting ~14 MB bundles that fail the
// last check, with verification on worker threads and on the event loop. A third, run only when
// asked (`--scale`, bench-api-scale.ts), grows a board on PostgreSQL to 10³…10⁶ runs and measures
// the routes that read it at each size.
//
//   npm run bench:api [-- --seconds 5 --trials 3 --connections 10 --scenario all|load|verification]
//   npm run bench:api -- --scale [--sizes 1000,10000] [--seconds 5] [--json]
//
// Uses $DATABASE_URL for the Postgres run when set, else a throwaway cluster from the
// Debian postgresql binaries. Rate limits are off in the child server. Ratios are against
// /health measured in the same run; timings on a shared machine vary from run to run.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { findSuite, signResult } from "../schema/index.js";
import { makePredicate, newSigner } from "../tests/fixtures/bundles.js";
import { startPostgres } from "../tests/fixtures/postgres.js";
import { scaleScenario } from "./bench-api-scale.js";
import { parseSizes } from "./bench-api-scale-plan.js";
import { verificationScenario } from "./bench-api-verification.js";
import { mean, sampleSd } from "./stats.js";

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    seconds: { type: "string", default: "5" },
    trials: { type: "string", default: "3" },
    connections: { type: "string", default: "10" },
    "warmup-seconds": { type: "string", default: "2" },
    "new-per-trial": { type: "string", default: "200" },
    scenario: { type: "string", default: "all" },
    /** The scale scenario (same as `--scenario scale`); never part of `all`. */
    scale: { type: "boolean", default: false },
    sizes: { type: "string", default: "1000,10000,100000,1000000" },
    json: { type: "boolean", default: false },
  },
});
const SECONDS = Number(flags.seconds);
const TRIALS = Number(flags.trials);
const CONNECTIONS = Number(flags.connections);
const WARMUP_SECONDS = Number(flags["warmup-seconds"]);
/** POSTs of new bundles per trial (a fixed count: each needs its own signed bundle). */
const NEW_PER_TRIAL = Number(flags["new-per-trial"]);
/** The board the leaderboard query ranks: architectures × seeds, one bundle each. */
const BOARD_ARCHITECTURES = 40;
const BOARD_SEEDS = 5;
const SUITE = findSuite("quick")!;

interface Served {
  url: string;
  child: ChildProcess;
}

/** Options of the child's startServer; `responseCache: false` measures the database path of every read. */
interface ChildServeOptions {
  dataDir?: string;
  databaseUrl?: string;
  verifyThreads?: number;
  responseCache?: boolean;
}

function serveInChild(options: ChildServeOptions): Promise<Served> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", new URL(import.meta.url).pathname, "serve", JSON.stringify(options)],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  return new Promise((resolve, reject) => {
    child.stdout!.once("data", (chunk: Buffer) => resolve({ url: chunk.toString().trim(), child }));
    child.once("exit", (code) => reject(new Error(`the server exited with ${code}`)));
  });
}

async function stop(served: Served): Promise<void> {
  const exited = new Promise((resolve) => served.child.once("exit", resolve));
  served.child.kill("SIGTERM");
  await exited;
}

/** Signed quick-suite bundles, each of one architecture and one seed, and the runs they hold in all. */
async function makeBundles(
  count: number,
  architecture: (i: number) => string,
  seed: (i: number) => number,
): Promise<{ bundles: string[]; runs: number }> {
  const signers = await Promise.all(Array.from({ length: 8 }, () => newSigner()));
  const bundles: string[] = [];
  let runs = 0;
  for (let i = 0; i < count; i++) {
    const signer = signers[i % signers.length]!;
    const predicate = await makePredicate(signer, {
      suite: SUITE,
      architectures: [{ id: architecture(i) }],
      seeds: [seed(i)],
      fitEpoch: (task) =>
        task.corruption.kind === "true" ? 5 + (i % 7) : task.corruption.kind === "random" ? 15 + (i % 11) : null,
      createdAt: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
    });
    bundles.push(JSON.stringify(await signResult(predicate, signer)));
    runs += predicate.runs.length;
  }
  return { bundles, runs };
}

interface Measure {
  route: string;
  requestsPerSecond: number[];
  p50Ms: number[];
  p99Ms: number[];
  failures: number;
}

/** One load: a path and autocannon's options; with `amount`, a fixed number of requests instead of a duration. */
type Shot = Omit<autocannon.Options, "url" | "duration"> & { path: string };

function fire(url: string, shot: Shot, seconds: number): Promise<autocannon.Result> {
  const { path, ...options } = shot;
  return autocannon({
    url: url + path,
    connections: CONNECTIONS,
    ...(options.amount ? {} : { duration: seconds }),
    ...options,
  });
}

/** A warm-up (excluded), then TRIALS measured runs. `shot(-1)` is the warm-up's load. */
async function measure(url: string, route: string, shot: (trial: number) => Shot): Promise<Measure> {
  await fire(url, shot(-1), WARMUP_SECONDS);
  const result: Measure = { route, requestsPerSecond: [], p50Ms: [], p99Ms: [], failures: 0 };
  for (let trial = 0; trial < TRIALS; trial++) {
    const r = await fire(url, shot(trial), SECONDS);
    result.requestsPerSecond.push(r.requests.total / r.duration);
    result.p50Ms.push(r.latency.p50);
    result.p99Ms.push(r.latency.p99);
    result.failures += r.errors + r.timeouts + r.non2xx;
  }
  return result;
}

async function benchDatabase(
  label: string,
  options: { dataDir?: string; databaseUrl?: string },
  board: string[],
  fresh: string[],
): Promise<Measure[]> {
  // Without the response cache: the load figures are the database's, as before serve had one.
  const served = await serveInChild({ ...options, responseCache: false });
  try {
    for (const bundle of board) {
      const res = await fetch(`${served.url}/api/v1/submissions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: bundle,
      });
      if (res.status !== 201) throw new Error(`seeding the board: HTTP ${res.status} ${await res.text()}`);
    }
    const json = { "content-type": "application/json" };
    let next = 0;
    const measures = [
      await measure(served.url, "GET /health", () => ({ path: "/api/v1/health" })),
      await measure(served.url, "GET /leaderboard", () => ({ path: `/api/v1/leaderboard?suite=${SUITE.id}&limit=50` })),
      await measure(served.url, "POST /submissions (same bundle)", () => ({
        path: "/api/v1/submissions",
        method: "POST",
        headers: json,
        body: board[0],
      })),
      await measure(served.url, "POST /submissions (new bundle)", (trial) => ({
        path: "/api/v1/submissions",
        amount: trial < 0 ? Math.ceil(NEW_PER_TRIAL / 3) : NEW_PER_TRIAL,
        requests: [{ method: "POST", headers: json, setupRequest: (request) => ({ ...request, body: fresh[next++] }) }],
      })),
    ];
    if (next > fresh.length)
      throw new Error(`ran out of new bundles (${next} > ${fresh.length}): some POSTs repeated a bundle`);
    console.log(`${label}: done`);
    return measures;
  } finally {
    await stop(served);
  }
}

/** A table row: the route left-aligned, the figures right-aligned, one space between columns. */
const row = (cells: readonly string[]) =>
  cells.map((cell, i) => (i === 0 ? cell.padEnd(34) : cell.padStart([20, 10, 7, 7, 6][i - 1]!))).join(" ");

function report(label: string, measures: Measure[]): void {
  const baseline = mean(measures[0]!.requestsPerSecond);
  console.log(`\n${label}`);
  console.log(row(["route", "req/s (mean ± sd)", "vs /health", "p50 ms", "p99 ms", "failed"]));
  for (const m of measures) {
    const rps = mean(m.requestsPerSecond);
    console.log(
      row([
        m.route,
        `${rps.toFixed(0)} ± ${sampleSd(m.requestsPerSecond).toFixed(0)}`,
        (rps / baseline).toFixed(3),
        mean(m.p50Ms).toFixed(1),
        mean(m.p99Ms).toFixed(1),
        String(m.failures),
      ]),
    );
  }
}

async function main(): Promise<void> {
  const newBundleCount = NEW_PER_TRIAL * TRIALS + Math.ceil(NEW_PER_TRIAL / 3);
  console.log(
    `Signing ${BOARD_ARCHITECTURES * BOARD_SEEDS} board bundles ` +
      `and 2 × ${newBundleCount} new ones (suite ${SUITE.id})…`,
  );
  const { bundles: board, runs: boardRuns } = await makeBundles(
    BOARD_ARCHITECTURES * BOARD_SEEDS,
    (i) => `bench-net-${i % BOARD_ARCHITECTURES}`,
    (i) => Math.floor(i / BOARD_ARCHITECTURES),
  );
  const { bundles: freshPglite } = await makeBundles(
    newBundleCount,
    (i) => `fresh-net-${i % 50}`,
    (i) => 100 + i,
  );
  const { bundles: freshPostgres } = await makeBundles(
    newBundleCount,
    (i) => `fresh-net-${i % 50}`,
    (i) => 100_000 + i,
  );
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

  const dir = await mkdtemp(join(tmpdir(), "rethink-bench-bench-"));
  const pg = process.env.DATABASE_URL ? undefined : await startPostgres();
  let pglite: Measure[];
  let postgres: Measure[];
  try {
    pglite = await benchDatabase("PGlite", { dataDir: join(dir, "pglite") }, board, freshPglite);
    postgres = await benchDatabase(
      "PostgreSQL",
      { databaseUrl: process.env.DATABASE_URL ?? pg!.url },
      board,
      freshPostgres,
    );
  } finally {
    await pg?.stop();
    await rm(dir, { recursive: true, force: true });
  }

  const loadAfter = loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
  console.log(
    `\nNode ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}; ` +
      `load average before: ${load}, after: ${loadAfter}`,
  );
  console.log(
    `${CONNECTIONS} connections; ${TRIALS} trials of ${SECONDS} s after a ${WARMUP_SECONDS} s warm-up ` +
      `(new bundles: ${TRIALS} × ${NEW_PER_TRIAL} requests after ${Math.ceil(NEW_PER_TRIAL / 3)}).`,
  );
  console.log(
    `Board: ${BOARD_ARCHITECTURES} architectures × ${BOARD_SEEDS} seeds of suite ${SUITE.id} ` +
      `(${board.length} bundles, ${boardRuns} runs); a bundle is ${(board[0]!.length / 1024).toFixed(0)} KiB.`,
  );
  report("PGlite (embedded, on disk)", pglite);
  report(
    `PostgreSQL (${process.env.DATABASE_URL ? "$DATABASE_URL" : "local throwaway cluster, fsync off"}, node-postgres)`,
    postgres,
  );
}

/** The scale scenario on $DATABASE_URL or a throwaway cluster (PGlite is not measured at scale). */
async function runScale(): Promise<void> {
  const sizes = parseSizes(flags.sizes);
  const loadBefore = loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
  const pg = process.env.DATABASE_URL ? undefined : await startPostgres();
  try {
    await scaleScenario({
      sizes,
      seconds: SECONDS,
      json: flags.json,
      databaseUrl: process.env.DATABASE_URL ?? pg!.url,
      serve: async (options) => {
        const served = await serveInChild(options);
        return { url: served.url, stop: () => stop(served) };
      },
    });
  } finally {
    await pg?.stop();
  }
  const line =
    `Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}; ` +
    `PostgreSQL: ${process.env.DATABASE_URL ? "$DATABASE_URL" : "local throwaway cluster, fsync off"}; ` +
    `load average at the start: ${loadBefore}, at the end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`;
  if (flags.json) process.stderr.write(`${line}\n`);
  else console.log(`\n${line}`);
}

async function run(): Promise<void> {
  const scenario = flags.scale ? "scale" : flags.scenario;
  if (!["all", "load", "verification", "scale"].includes(scenario))
    throw new Error(`--scenario must be all, load, verification or scale, not ${scenario}`);
  if (scenario === "scale") return runScale();
  if (scenario !== "verification") await main();
  if (scenario !== "load")
    await verificationScenario({
      seconds: SECONDS,
      trials: TRIALS,
      warmupSeconds: WARMUP_SECONDS,
      serve: async (options) => {
        const served = await serveInChild(options);
        return { url: served.url, stop: () => stop(served) };
      },
    });
  console.log(
    `\nNode ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}; ` +
      `load average at the end: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}`,
  );
}

// Child mode (`bench-api.ts serve OPTIONS`): serve the app with rate limits off, print the
// URL, stop on SIGTERM. Parent mode: the benchmark.
if (positionals[0] === "serve") {
  const { startServer } = await import("../api/node.js");
  const unlimited = { limit: Number.MAX_SAFE_INTEGER, windowSeconds: 60 };
  const server = await startServer({
    port: 0,
    ...JSON.parse(positionals[1]!),
    rateLimits: {
      requests: unlimited,
      submissions: unlimited,
      submissionsPerKey: unlimited,
      verificationMs: unlimited,
    },
  });
  process.stdout.write(`${server.url}\n`);
  process.once("SIGTERM", () => void server.close());
} else {
  await run();
}
