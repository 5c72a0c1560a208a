// Load benchmark of the leaderboard API's Node entry (what `rethink-bench serve` runs) on
// loopback: requests/s and p50/p99 latency of GET /leaderboard, POST /submissions (a new
// bundle each request, and the same bundle again) next to the trivial GET /health, on
// embedded PGlite and on a local PostgreSQL server, with autocannon. The server runs in a
// child process so that the load generator does not share its event loop.
// A second scenario measures what a hostile client can do to everyone else: /health latency
// (one connection, p50/p99) while 4 connections keep posting ~14 MB bundles that fail the
// last check, against /health alone in the same run, with verification on worker threads
// (the default) and on the event loop (`verifyThreads: 0`).
//
//   npm run bench:api [-- --seconds 5 --trials 3 --connections 10 --scenario all|load|verification]
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
import { signRaw } from "../tests/fixtures/api.js";
import { makePredicate, newSigner } from "../tests/fixtures/bundles.js";
import { startPostgres } from "../tests/fixtures/postgres.js";
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

function serveInChild(options: { dataDir?: string; databaseUrl?: string; verifyThreads?: number }): Promise<Served> {
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
  const served = await serveInChild(options);
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

/** Concurrent posters of the hostile bundle in the verification scenario. */
const HOSTILE_POSTERS = 4;

/**
 * A paper-suite bundle of ~14 MB (every run, 100 epochs, full-precision curves and predictions)
 * that passes every check but the last: its CPU model holds U+0000, which Postgres cannot store.
 */
async function hostileBundle(): Promise<string> {
  const suite = findSuite("paper")!;
  const signer = await newSigner();
  const predicate = await makePredicate(signer, {
    suite,
    architectures: suite.architectures.map((a) => ({ id: a.id })),
    curveEpochs: 100,
    fullPrecision: true,
    hardware: { cpuModel: "Hostile CPU \u0000" },
  });
  // Signed as is (signResult would refuse nothing here, but need not be trusted to).
  return JSON.stringify(await signRaw(predicate, signer));
}

interface LatencyMeasure {
  label: string;
  p50Ms: number[];
  p99Ms: number[];
  /** The hostile POSTs answered during the trials, by status. */
  posted: Map<number, number>;
}

/** The q-quantile of sorted values (nearest rank). */
function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

/**
 * GET /health one request after another for `seconds`: p50 and p99 of their latency, timed
 * here with sub-millisecond resolution (autocannon's histogram rounds to whole milliseconds).
 */
async function healthLatency(url: string, seconds: number): Promise<{ p50: number; p99: number }> {
  const latencies: number[] = [];
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    const started = performance.now();
    const res = await fetch(`${url}/api/v1/health`);
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`/health answered ${res.status}`);
    latencies.push(performance.now() - started);
  }
  latencies.sort((a, b) => a - b);
  return { p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99) };
}

/** Keeps HOSTILE_POSTERS posts of `body` in flight until `stop` resolves; counts answers by status. */
async function postWhile(url: string, body: string, stopped: () => boolean, posted: Map<number, number>) {
  await Promise.all(
    Array.from({ length: HOSTILE_POSTERS }, async () => {
      while (!stopped()) {
        const res = await fetch(`${url}/api/v1/submissions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
        });
        await res.arrayBuffer();
        posted.set(res.status, (posted.get(res.status) ?? 0) + 1);
      }
    }),
  );
}

/** /health alone, then /health under the hostile posts, TRIALS times each after a warm-up. */
async function benchVerification(verifyThreads: number, body: string): Promise<[LatencyMeasure, LatencyMeasure]> {
  const served = await serveInChild({ verifyThreads });
  const where = verifyThreads > 0 ? `${verifyThreads} worker threads` : "the event loop";
  const alone: LatencyMeasure = { label: `/health alone (${where})`, p50Ms: [], p99Ms: [], posted: new Map() };
  const loaded: LatencyMeasure = {
    label: `/health, ${HOSTILE_POSTERS} × 14 MB failing POSTs (${where})`,
    p50Ms: [],
    p99Ms: [],
    posted: new Map(),
  };
  try {
    await healthLatency(served.url, WARMUP_SECONDS);
    for (let trial = 0; trial < TRIALS; trial++) {
      const quiet = await healthLatency(served.url, SECONDS);
      alone.p50Ms.push(quiet.p50);
      alone.p99Ms.push(quiet.p99);
      let stopped = false;
      const posting = postWhile(served.url, body, () => stopped, loaded.posted);
      // Let the first bodies arrive and their verification start before measuring.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const busy = await healthLatency(served.url, SECONDS);
      stopped = true;
      await posting;
      loaded.p50Ms.push(busy.p50);
      loaded.p99Ms.push(busy.p99);
    }
  } finally {
    await stop(served);
  }
  return [alone, loaded];
}

function reportVerification(measures: LatencyMeasure[], bundleBytes: number): void {
  console.log(
    `\nVerification off the event loop: a ${(bundleBytes / 2 ** 20).toFixed(1)} MiB bundle, ` +
      `${HOSTILE_POSTERS} posters; /health one request at a time (mean of ${TRIALS} trials of ${SECONDS} s)`,
  );
  const cells = (cells: readonly string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(58) : cell.padStart(i === 5 ? 22 : 9))).join(" ");
  console.log(cells(["measure", "p50 ms", "p99 ms", "p50 ×", "p99 ×", "hostile POSTs"]));
  for (let i = 0; i < measures.length; i += 2) {
    const [alone, loaded] = [measures[i]!, measures[i + 1]!];
    for (const m of [alone, loaded]) {
      const answered = [...m.posted].map(([status, n]) => `${n} × ${status}`).join(", ");
      console.log(
        cells([
          m.label,
          mean(m.p50Ms).toFixed(2),
          mean(m.p99Ms).toFixed(2),
          (mean(m.p50Ms) / mean(alone.p50Ms)).toFixed(1),
          (mean(m.p99Ms) / mean(alone.p99Ms)).toFixed(1),
          answered || "-",
        ]),
      );
    }
  }
}

async function verificationScenario(): Promise<void> {
  console.log("Signing a ~14 MB paper-suite bundle that fails the last check…");
  const body = await hostileBundle();
  const measures = [...(await benchVerification(2, body)), ...(await benchVerification(0, body))];
  reportVerification(measures, Buffer.byteLength(body));
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

async function run(): Promise<void> {
  const scenario = flags.scenario;
  if (!["all", "load", "verification"].includes(scenario))
    throw new Error(`--scenario must be all, load or verification, not ${scenario}`);
  if (scenario !== "verification") await main();
  if (scenario !== "load") await verificationScenario();
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
