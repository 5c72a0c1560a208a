// Training speed against PyTorch. Trains mlp-1x512, mlp-3x512 and small-alexnet on 28×28×1
// inputs for a fixed number of SGD steps (batch 128, momentum 0.9, learning rate 0.01) in
// rethink-bench, on every backend that starts here (the slow cpu fallback on request), and
// in PyTorch on the CPU, in this one invocation, and prints examples per second and the
// ratio ours / PyTorch.
//
// Ours is measured the way a suite runs: the `run` command's worker pool with one worker
// thread per core (one for native TensorFlow, which threads itself), each training its own
// run through runner/train's loop on real mnist-10k digits; the figure is the sum of the
// workers' examples per second, training time only (the loop's clock excludes evaluation).
// PyTorch is Debian's python3-torch under /usr/bin/python3 with OpenBLAS (pthreads), one
// process with every core as intra-op threads, or one thread if that is faster (see
// benchTorch); the script installs both with apt-get when they are missing and prints which
// BLAS library torch actually loaded. Each side warms up once, then runs TRIALS timed
// trials; the median is reported, and every trial is logged on stderr.
//
// Usage: npm run bench:torch [-- --json] [--trials N] [--backends tensorflow,wasm,cpu]
import { execFileSync, spawnSync } from "node:child_process";
import { availableParallelism, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { NO_REGULARIZER, type Task } from "../schema/index.js";
import type { WorkerPool } from "../runner/pool/worker-pool.js";
import type { BackendChoice } from "../runner/train/index.js";

/** Steps per trial and the training-set size that yields them (1 epoch = size / 128 steps). */
const MODELS = [
  { id: "mlp-1x512", trainSize: 7936, epochs: 5 }, // 310 steps
  { id: "mlp-3x512", trainSize: 7936, epochs: 2 }, // 124 steps
  { id: "small-alexnet", trainSize: 1536, epochs: 1 }, // 12 steps
] as const;
const BATCH = 128;
const BACKENDS: Array<Exclude<BackendChoice, "auto">> = ["tensorflow", "wasm", "cpu"];
/**
 * Every backend that `--backend auto` can pick before the pure-JavaScript cpu fallback, which
 * is opt-in (--backends tensorflow,wasm,cpu): at about 330 examples/s per core for mlp-1x512
 * and under 1 for small-alexnet, its rounds alone take most of an hour.
 */
const DEFAULT_BACKENDS: typeof BACKENDS = ["tensorflow", "wasm"];
const PYTHON = "/usr/bin/python3";
const APT_PACKAGES = ["python3-torch", "libopenblas0-pthread"];

const args = process.argv.slice(2);
const json = args.includes("--json");
const option = (name: string) => {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
};
const TRIALS = Number(option("--trials") ?? 3);
const backends = (option("--backends")?.split(",") ?? DEFAULT_BACKENDS) as typeof BACKENDS;
const unknown = backends.filter((b) => !BACKENDS.includes(b));
if (unknown.length > 0 || !(TRIALS >= 1)) {
  process.stderr.write(`usage: bench-torch.ts [--json] [--trials N ≥ 1] [--backends ${BACKENDS.join(",")}]\n`);
  process.exit(2);
}
const log = (message: string) => process.stderr.write(`${message}\n`);

const steps = (model: (typeof MODELS)[number]) => (model.trainSize / BATCH) * model.epochs;
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** Installs Debian's torch and the pthreads OpenBLAS when either is missing (root, or sudo). */
function ensureTorch(): void {
  const missing = APT_PACKAGES.filter((pkg) => spawnSync("dpkg-query", ["-W", "-f=${Status}", pkg], { encoding: "utf8" }).stdout !== "install ok installed");
  if (missing.length > 0) {
    log(`Installing ${missing.join(" ")} with apt-get…`);
    const command = process.getuid?.() === 0 ? ["apt-get"] : ["sudo", "apt-get"];
    const apt = (...rest: string[]) => spawnSync(command[0]!, [...command.slice(1), ...rest], { stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
    if (apt("install", "-y", "--no-install-recommends", ...missing).status !== 0) {
      if (apt("update").status !== 0 || apt("install", "-y", "--no-install-recommends", ...missing).status !== 0) {
        throw new Error(`apt-get could not install ${missing.join(" ")}; install them yourself and run again`);
      }
    }
  }
  const check = spawnSync(PYTHON, ["-c", "import torch"], { encoding: "utf8" });
  if (check.status !== 0) throw new Error(`${PYTHON} cannot import torch: ${check.stderr.trim()}`);
}

interface TorchRun {
  examplesPerSecond: number[];
  threads: number;
  torch: string;
  blas: string;
}

/** The faster thread setting, with every setting tried. */
interface TorchResult extends TorchRun {
  settings: TorchRun[];
}

/**
 * PyTorch's examples/s for one model: TRIALS trials with every core, and TRIALS with one
 * thread; the faster setting is the baseline. On a quiet machine that is every core. When
 * other work shares the machine, OpenMP's barriers wait for descheduled threads and every
 * core can be many times slower than one (measured here: 1,100 against 20,500 examples/s for
 * mlp-1x512 at a load average of 3 on 2 cores), which would flatter us.
 */
function benchTorch(model: (typeof MODELS)[number]): TorchResult {
  const script = fileURLToPath(new URL("./bench_torch.py", import.meta.url));
  const settings = [...new Set([availableParallelism(), 1])].map((threads) => {
    const out = execFileSync(PYTHON, [script, model.id, String(steps(model)), String(Math.min(steps(model), 20)), String(TRIALS), String(threads)], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    });
    return JSON.parse(out) as TorchRun;
  });
  const best = settings.reduce((a, b) => (median(b.examplesPerSecond) > median(a.examplesPerSecond) ? b : a));
  return { ...best, settings };
}

/** The `run` command's worker pool, from the build (dist/): worker threads start compiled JavaScript. */
async function loadPool(): Promise<typeof import("../runner/pool/worker-pool.js")> {
  return (await import(new URL("../dist/runner/pool/worker-pool.js", import.meta.url).href)) as typeof import("../runner/pool/worker-pool.js");
}

function benchTask(model: (typeof MODELS)[number], seed: number): Task {
  return {
    suite: { id: "bench", version: 1 },
    architecture: model.id,
    dataset: { id: "mnist-10k", trainSize: model.trainSize, testSize: BATCH },
    // Random labels: never fitted within the budget, so the loop never stops early.
    corruption: { kind: "random" },
    regularizer: NO_REGULARIZER,
    seed,
    optimizer: { kind: "sgd-momentum", learningRate: 0.01, momentum: 0.9, decayPerEpoch: 1, batchSize: BATCH },
    epochs: model.epochs,
    fitThreshold: 1,
  };
}

/**
 * Our examples/s for one model on one backend, one aggregate per trial. A pool runs every
 * round in one go, so the workers stay busy: round r is W tasks, one per worker, trained
 * side by side, and its aggregate is the sum of their rates. Round 0 warms the kernels up.
 */
async function benchOurs(backend: (typeof BACKENDS)[number], model: (typeof MODELS)[number]): Promise<{ detail: string; workers: number; rates: number[] } | { unavailable: string }> {
  const { WorkerPool: Pool } = await loadPool();
  const workers = backend === "tensorflow" ? 1 : availableParallelism();
  let pool: WorkerPool;
  try {
    pool = await Pool.start(workers, { backend, model: null, data: { cacheDir: "/nonexistent", download: false } });
  } catch (error) {
    return { unavailable: (error as Error).message };
  }
  const sums = new Array<number>(TRIALS + 1).fill(0);
  try {
    await pool.run(
      Array.from({ length: (TRIALS + 1) * workers }, (_, seed) => benchTask(model, seed)),
      {
        onStart: () => {},
        onEpoch: () => {},
        onProgress: () => {},
        onDone: async (_, { run }) => {
          if (run.status === "failed") throw new Error(`${model.id} on ${backend}: ${run.failure}`);
          sums[Math.floor(run.task.seed / workers)]! += (run.curve.length * model.trainSize) / run.curve.at(-1)!.wallSeconds;
        },
      },
      new AbortController().signal,
    );
  } finally {
    await pool.close();
  }
  log(`  ours ${backend} ${model.id}: warm-up ${sums[0]!.toFixed(0)}, trials ${sums.slice(1).map((r) => r.toFixed(0)).join(", ")} examples/s over ${workers} workers`);
  return { detail: pool.backend.detail, workers, rates: sums.slice(1) };
}

interface Row {
  model: string;
  backend: string;
  ours: number;
  torch: number;
  ratio: number;
}

/** The 1-minute load average: other work on the machine skews both sides, so the output shows it. */
const load = () => loadavg()[0]!.toFixed(2);

async function main(): Promise<void> {
  ensureTorch();
  const loadBefore = load();
  const rows: Row[] = [];
  const notes = new Map<string, string>();
  const unavailable = new Set<string>();
  let torchInfo: TorchResult | undefined;
  const threadsUsed: string[] = [];
  // Model by model, PyTorch then ours, so that a change in the machine's load hits both sides alike.
  for (const model of MODELS) {
    const torch = benchTorch(model);
    torchInfo ??= torch;
    threadsUsed.push(`${model.id} ${torch.threads}`);
    for (const run of torch.settings) log(`  torch ${model.id}, ${run.threads} thread${run.threads === 1 ? "" : "s"}: ${run.examplesPerSecond.map((r) => r.toFixed(0)).join(", ")} examples/s`);
    for (const backend of backends) {
      if (unavailable.has(backend)) continue;
      const ours = await benchOurs(backend, model);
      if ("unavailable" in ours) {
        unavailable.add(backend);
        notes.set(backend, `${backend}: not available here (${ours.unavailable.split("\n")[0]})`);
        continue;
      }
      notes.set(backend, `${backend}: ${ours.detail}, ${ours.workers} worker thread${ours.workers === 1 ? "" : "s"}`);
      const oursRate = median(ours.rates);
      const torchRate = median(torch.examplesPerSecond);
      rows.push({ model: model.id, backend, ours: oursRate, torch: torchRate, ratio: oursRate / torchRate });
    }
  }
  const header = `PyTorch ${torchInfo!.torch} (${PYTHON}), BLAS: ${torchInfo!.blas}; threads of the faster setting: ${threadsUsed.join(", ")}`;
  const loadLine = `load average (1 min) ${loadBefore} at the start, ${load()} at the end, on ${availableParallelism()} cores`;
  if (json) {
    // stdout carries only the JSON; what it was measured with goes to stderr.
    for (const line of [header, loadLine, ...notes.values()]) log(line);
    process.stdout.write(JSON.stringify({ results: rows }) + "\n");
    return;
  }
  const lines = [
    `Training speed, examples/s (median of ${TRIALS} trials; batch ${BATCH}, SGD momentum, 28×28×1; steps: ${MODELS.map((m) => `${m.id} ${steps(m)}`).join(", ")})`,
    header,
    loadLine,
    ...[...notes.values()].map((note) => `ours on ${note}`),
    "",
    `${"model".padEnd(15)}${"backend".padEnd(12)}${"ours".padStart(10)}${"PyTorch".padStart(10)}${"ours/PyTorch".padStart(14)}`,
    ...rows.map((r) => `${r.model.padEnd(15)}${r.backend.padEnd(12)}${r.ours.toFixed(0).padStart(10)}${r.torch.toFixed(0).padStart(10)}${r.ratio.toFixed(3).padStart(14)}`),
  ];
  process.stdout.write(lines.join("\n") + "\n");
}

try {
  await main();
} catch (error) {
  log(`bench:torch: ${(error as Error).message}`);
  process.exitCode = 1;
}
