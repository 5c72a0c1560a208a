// The API benchmark's second scenario, run by bench-api.ts (`--scenario verification`): what a
// hostile client can do to everyone else. /health latency (one connection, p50/p99) while 4
// connections keep posting ~14 MB bundles that fail the last check, against /health alone in the
// same run, with verification on worker threads (the default) and on the event loop
// (`verifyThreads: 0`).
import { findSuite } from "../schema/index.js";
import { signRaw } from "../tests/fixtures/api.js";
import { makePredicate, newSigner } from "../tests/fixtures/bundles.js";
import { mean } from "./stats.js";

/** What the scenario takes from bench-api.ts: its trial settings and a server in a child process. */
export interface VerificationBench {
  seconds: number;
  trials: number;
  warmupSeconds: number;
  /** Starts the app in a child process with these options; `stop` ends it. */
  serve(options: { verifyThreads: number }): Promise<{ url: string; stop(): Promise<void> }>;
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

/** /health alone, then /health under the hostile posts, `bench.trials` times each after a warm-up. */
async function benchVerification(
  bench: VerificationBench,
  verifyThreads: number,
  body: string,
): Promise<[LatencyMeasure, LatencyMeasure]> {
  const served = await bench.serve({ verifyThreads });
  const where = verifyThreads > 0 ? `${verifyThreads} worker threads` : "the event loop";
  const alone: LatencyMeasure = { label: `/health alone (${where})`, p50Ms: [], p99Ms: [], posted: new Map() };
  const loaded: LatencyMeasure = {
    label: `/health, ${HOSTILE_POSTERS} × 14 MB failing POSTs (${where})`,
    p50Ms: [],
    p99Ms: [],
    posted: new Map(),
  };
  try {
    await healthLatency(served.url, bench.warmupSeconds);
    for (let trial = 0; trial < bench.trials; trial++) {
      const quiet = await healthLatency(served.url, bench.seconds);
      alone.p50Ms.push(quiet.p50);
      alone.p99Ms.push(quiet.p99);
      let stopped = false;
      const posting = postWhile(served.url, body, () => stopped, loaded.posted);
      // Let the first bodies arrive and their verification start before measuring.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const busy = await healthLatency(served.url, bench.seconds);
      stopped = true;
      await posting;
      loaded.p50Ms.push(busy.p50);
      loaded.p99Ms.push(busy.p99);
    }
  } finally {
    await served.stop();
  }
  return [alone, loaded];
}

function reportVerification(bench: VerificationBench, measures: LatencyMeasure[], bundleBytes: number): void {
  console.log(
    `\nVerification off the event loop: a ${(bundleBytes / 2 ** 20).toFixed(1)} MiB bundle, ` +
      `${HOSTILE_POSTERS} posters; /health one request at a time ` +
      `(mean of ${bench.trials} trials of ${bench.seconds} s)`,
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

/** Signs the hostile bundle, then measures /health with verification on 2 worker threads and on the event loop. */
export async function verificationScenario(bench: VerificationBench): Promise<void> {
  console.log("Signing a ~14 MB paper-suite bundle that fails the last check…");
  const body = await hostileBundle();
  const measures = [...(await benchVerification(bench, 2, body)), ...(await benchVerification(bench, 0, body))];
  reportVerification(bench, measures, Buffer.byteLength(body));
}
