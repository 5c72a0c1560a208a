// Slightly over 350 lines: one benchmark script (its options, the TF.js side, the PyTorch side,
// the ratio table) that is read top to bottom.
// Training speed against PyTorch. Trains mlp-1x512, mlp-3x512 and small-alexnet on 28×28×1
// inputs for a fixed number of SGD steps (batch 128, momentum 0.9, learning rate 0.01) in
// rethink-bench, on every backend that starts here (the slow cpu fallback on request), and
// in PyTorch on the CPU, in this one invocation, and prints examples per second and the
// ratio ours / PyTorch.
//
// Ours is measured the way a suite runs: the `run` command's worker pool with one worker
// thread per core (one for native TensorFlow, which threads itself), each training its own
// run through runner/train's loop on real mnist-10k digits; a round's figure is the sum of
// the workers' examples per second, training time only (the loop's clock excludes
// evaluation). PyTorch is Debian's python3-torch under /usr/bin/python3 with OpenBLAS
// (pthreads), also with every core busy: one process with a thread per core, or one
// single-threaded process per core like our workers, the faster of the two in each round (see
// torchRound); `npm run setup:system` installs both, and the script prints which BLAS library
// torch actually loaded.
//
// Both sides warm up, then ROUNDS rounds alternate between them (PyTorch first in even
// rounds, ours first in odd ones), so that the machine's other work hits both sides of each
// round's ratio alike. The table gives the medians over rounds and the median and range of
// the per-round ratios; every trial is logged on stderr.
//
// Usage: npm run bench:torch [-- --json] [--rounds N] [--backends tensorflow,wasm,cpu]
//
// With --json the script writes one JSON object to stdout and everything else (trials, the
// machine, TensorFlow.js and worker-thread output) to stderr. npm itself prints a banner to
// stdout before it and the npm script compiles first, so for pure JSON run
// `npm run --silent bench:torch -- --json` (after a build) or `npx tsx scripts/bench-torch.ts --json`.
//
// Kept in one file past 350 lines on purpose: like airbench, the benchmark reads top to bottom in
// one sitting (constants, the PyTorch side, our side, the alternating rounds), and its two sides
// share the round protocol that splitting them would hide.
import { type ChildProcessByStdio, spawn, spawnSync } from "node:child_process";
import { availableParallelism, loadavg } from "node:os";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import type { WorkerPool } from "../runner/pool/worker-pool.js";
import { BACKEND_CHOICES, type BackendChoice } from "../runner/train/backend-choice.js";
import { NO_REGULARIZER, type Task } from "../schema/index.js";
import { median } from "./stats.js";

/** Steps per trial and the training-set size that yields them (1 epoch = size / 128 steps). */
const MODELS = [
  { id: "mlp-1x512", trainSize: 7936, epochs: 5 }, // 310 steps
  { id: "mlp-3x512", trainSize: 7936, epochs: 2 }, // 124 steps
  { id: "small-alexnet", trainSize: 1536, epochs: 1 }, // 12 steps
] as const;
const BATCH = 128;
const BACKENDS = BACKEND_CHOICES.filter((choice): choice is Exclude<BackendChoice, "auto"> => choice !== "auto");
/**
 * Every backend that `--backend auto` can pick before the pure-JavaScript cpu fallback, which
 * is opt-in (--backends tensorflow,wasm,cpu): it trains small-alexnet at under one example per
 * second (`npm run bench:train`, docs/performance.md), so its rounds alone take most of an hour.
 */
const DEFAULT_BACKENDS: typeof BACKENDS = ["tensorflow", "wasm"];
const PYTHON = "/usr/bin/python3";

const args = process.argv.slice(2);
const json = args.includes("--json");
const option = (name: string) => {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
};
const ROUNDS = Number(option("--rounds") ?? 5);
const backends = (option("--backends")?.split(",") ?? DEFAULT_BACKENDS) as typeof BACKENDS;
const unknown = backends.filter((b) => !BACKENDS.includes(b));
if (unknown.length > 0 || !(ROUNDS >= 1)) {
  process.stderr.write(`usage: bench-torch.ts [--json] [--rounds N ≥ 1] [--backends ${BACKENDS.join(",")}]\n`);
  process.exit(2);
}
const log = (message: string) => process.stderr.write(`${message}\n`);
// With --json, stdout is the result's alone: anything else written to it (console.log here,
// TensorFlow.js, the worker threads, whose stdout Node pipes into this process's) goes to
// stderr, and the JSON is written through the saved stdout writer at the end.
const writeStdout = process.stdout.write.bind(process.stdout);
if (json) process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;

const steps = (model: (typeof MODELS)[number]) => (model.trainSize / BATCH) * model.epochs;

/** Fails with the set-up command when Debian's torch is missing: a benchmark installs nothing. */
function requireTorch(): void {
  const check = spawnSync(PYTHON, ["-c", "import torch"], { encoding: "utf8" });
  if (check.status !== 0)
    throw new Error(`${PYTHON} cannot import torch (${check.stderr.trim()}); run \`npm run setup:system\` first`);
}

/**
 * A PyTorch process (bench_torch.py) for one model, warmed up once and then asked for one
 * trial at a time, so that its trials can alternate with ours.
 */
class TorchSession {
  private constructor(
    private readonly child: ChildProcessByStdio<Writable, Readable, null>,
    private readonly lines: AsyncIterator<string>,
    readonly torch: string,
    readonly blas: string,
  ) {}

  /** Starts bench_torch.py, warmed up with each of `threadCounts`. */
  static async start(model: (typeof MODELS)[number], threadCounts: number[]): Promise<TorchSession> {
    const script = fileURLToPath(new URL("./bench_torch.py", import.meta.url));
    const child = spawn(
      PYTHON,
      [script, model.id, String(steps(model)), String(Math.min(steps(model), 20)), threadCounts.join(",")],
      { stdio: ["pipe", "pipe", "inherit"] },
    );
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const ready = JSON.parse(await TorchSession.next(lines)) as { torch: string; blas: string };
    return new TorchSession(child, lines, ready.torch, ready.blas);
  }

  private static async next(lines: AsyncIterator<string>): Promise<string> {
    const line = await lines.next();
    if (line.done) throw new Error("bench_torch.py exited early (its error is above)");
    return line.value;
  }

  /** Trains the model's steps once with `threads` intra-op threads; examples/s. */
  async trial(threads: number): Promise<number> {
    this.child.stdin.write(`${threads}\n`);
    return (JSON.parse(await TorchSession.next(this.lines)) as { examplesPerSecond: number }).examplesPerSecond;
  }

  close(): void {
    this.child.stdin.end();
  }
}

const CORES = availableParallelism();

/** How PyTorch keeps every core busy: one process with a thread per core, or a process per core. */
interface TorchSetting {
  processes: number;
  threads: number;
}
const TORCH_SETTINGS: TorchSetting[] = [
  { processes: 1, threads: CORES },
  ...(CORES > 1 ? [{ processes: CORES, threads: 1 }] : []),
];
const describeSetting = ({ processes, threads }: TorchSetting) =>
  `${processes} process${processes === 1 ? "" : "es"} × ${threads} thread${threads === 1 ? "" : "s"}`;

/**
 * One round of PyTorch: a trial in each setting; the faster is the round's baseline. Both keep
 * every core busy, as ours does. On a quiet machine intra-op threads may win; when other
 * work shares the machine, OpenMP's barriers wait for descheduled threads and one process
 * with every core can be many times slower (each round logs both settings on stderr, so a
 * run shows by how much), while single-threaded processes, like
 * our workers, do not wait on each other. A process-per-core figure is the sum of the
 * processes' examples/s, trained side by side, as ours is the sum of its workers'.
 */
async function torchRound(
  sessions: TorchSession[],
  model: (typeof MODELS)[number],
): Promise<{ rate: number; setting: TorchSetting }> {
  const trials: Array<{ rate: number; setting: TorchSetting }> = [];
  for (const setting of TORCH_SETTINGS) {
    const rates = await Promise.all(
      sessions.slice(0, setting.processes).map((session) => session.trial(setting.threads)),
    );
    trials.push({ rate: rates.reduce((p, q) => p + q, 0), setting });
  }
  const described = trials.map((t) => `${t.rate.toFixed(0)} (${describeSetting(t.setting)})`);
  log(`  torch ${model.id}: ${described.join(", ")} examples/s`);
  return trials.reduce((a, b) => (b.rate > a.rate ? b : a));
}

/** The `run` command's worker pool, from the build (dist/): worker threads start compiled JavaScript. */
async function loadPool(): Promise<typeof import("../runner/pool/worker-pool.js")> {
  return (await import(
    new URL("../dist/runner/pool/worker-pool.js", import.meta.url).href
  )) as typeof import("../runner/pool/worker-pool.js");
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

/** Our side for one backend: a started worker pool, or why it could not start. */
type OurSide = { pool: WorkerPool; workers: number; rounds: number } | { unavailable: string };

async function startOurs(backend: (typeof BACKENDS)[number]): Promise<OurSide> {
  const { WorkerPool: Pool } = await loadPool();
  const workers = backend === "tensorflow" ? 1 : availableParallelism();
  try {
    return {
      pool: await Pool.start(workers, { backend, model: null, data: { cacheDir: "/nonexistent", download: false } }),
      workers,
      rounds: 0,
    };
  } catch (error) {
    return { unavailable: (error as Error).message };
  }
}

/**
 * One round of ours: one task per worker, trained side by side; the figure is the sum of their
 * examples/s. Each round's tasks have seeds of their own.
 */
async function oursRound(
  side: Extract<OurSide, { pool: WorkerPool }>,
  backend: string,
  model: (typeof MODELS)[number],
  label: string,
): Promise<number> {
  const round = side.rounds++;
  let sum = 0;
  await side.pool.run(
    Array.from({ length: side.workers }, (_, worker) => benchTask(model, round * side.workers + worker)),
    {
      onStart: () => {},
      onEpoch: () => {},
      onProgress: () => {},
      onDone: async (_, { run }) => {
        if (run.status === "failed") throw new Error(`${model.id} on ${backend}: ${run.failure}`);
        sum += (run.curve.length * model.trainSize) / run.curve.at(-1)!.wallSeconds;
      },
    },
    new AbortController().signal,
  );
  log(`  ours ${backend} ${model.id}: ${sum.toFixed(0)} examples/s over ${side.workers} workers${label}`);
  return sum;
}

interface Row {
  model: string;
  backend: string;
  /** Medians over the rounds, examples/s. */
  ours: number;
  torch: number;
  /** Median of the per-round ratios ours / PyTorch, and their range. */
  ratio: number;
  ratioMin: number;
  ratioMax: number;
}

/** A table row: model and backend left-aligned, the figures right-aligned, in fixed widths. */
const row = (cells: readonly string[]) =>
  cells.map((cell, i) => (i < 2 ? cell.padEnd([15, 12][i]!) : cell.padStart([10, 10, 14, 15][i - 2]!))).join("");

/** The 1-minute load average: other work on the machine skews both sides, so the output shows it. */
const load = () => loadavg()[0]!.toFixed(2);

async function main(): Promise<void> {
  requireTorch();
  const loadBefore = load();
  const rows: Row[] = [];
  const notes = new Map<string, string>();
  let torchInfo = "";
  const settingsUsed: string[] = [];
  // Each backend's pool serves every model: its workers load a model per task.
  const sides = new Map<string, Extract<OurSide, { pool: WorkerPool }>>();
  try {
    for (const backend of backends) {
      const side = await startOurs(backend);
      if ("unavailable" in side) {
        notes.set(backend, `${backend}: not available here (${side.unavailable.split("\n")[0]})`);
        continue;
      }
      notes.set(
        backend,
        `${backend}: ${side.pool.backend.detail}, ${side.workers} worker thread${side.workers === 1 ? "" : "s"}`,
      );
      sides.set(backend, side);
    }
    for (const model of MODELS) {
      // One process per core; the first also warms up with every core as threads.
      const torch = await Promise.all(
        Array.from({ length: CORES }, (_, i) => TorchSession.start(model, i === 0 ? [CORES, 1] : [1])),
      );
      torchInfo = `PyTorch ${torch[0]!.torch} (${PYTHON}), BLAS: ${torch[0]!.blas}`;
      try {
        for (const [backend, side] of sides) await oursRound(side, backend, model, " (warm-up)");
        const torchRates: number[] = [];
        const torchSettings = new Set<string>();
        const ours = new Map<string, number[]>([...sides.keys()].map((backend) => [backend, []]));
        for (let round = 0; round < ROUNDS; round++) {
          // PyTorch first in even rounds, ours first in odd ones.
          const measureTorch = async () => {
            const best = await torchRound(torch, model);
            torchRates.push(best.rate);
            torchSettings.add(describeSetting(best.setting));
          };
          if (round % 2 === 0) await measureTorch();
          for (const [backend, side] of sides)
            ours.get(backend)!.push(await oursRound(side, backend, model, ` (round ${round + 1})`));
          if (round % 2 === 1) await measureTorch();
        }
        settingsUsed.push(`${model.id} ${[...torchSettings].join(" or ")}`);
        for (const [backend, rates] of ours) {
          const ratios = rates.map((rate, round) => rate / torchRates[round]!);
          rows.push({
            model: model.id,
            backend,
            ours: median(rates),
            torch: median(torchRates),
            ratio: median(ratios),
            ratioMin: Math.min(...ratios),
            ratioMax: Math.max(...ratios),
          });
        }
      } finally {
        for (const session of torch) session.close();
      }
    }
  } finally {
    await Promise.all([...sides.values()].map((side) => side.pool.close()));
  }
  const header = `${torchInfo}; PyTorch's faster setting: ${settingsUsed.join(", ")}`;
  const loadLine =
    `load average (1 min) ${loadBefore} at the start, ${load()} at the end, ` + `on ${availableParallelism()} cores`;
  if (json) {
    // stdout carries only the JSON; what it was measured with goes to stderr.
    for (const line of [header, loadLine, ...notes.values()]) log(line);
    writeStdout(`${JSON.stringify({ results: rows })}\n`);
    return;
  }
  const lines = [
    `Training speed, examples/s (medians of ${ROUNDS} alternating rounds; batch ${BATCH}, SGD momentum, ` +
      `28×28×1; steps: ${MODELS.map((m) => `${m.id} ${steps(m)}`).join(", ")})`,
    header,
    loadLine,
    ...[...notes.values()].map((note) => `ours on ${note}`),
    "",
    row(["model", "backend", "ours", "PyTorch", "ours/PyTorch", "range"]),
    ...rows.map((r) =>
      row([
        r.model,
        r.backend,
        r.ours.toFixed(0),
        r.torch.toFixed(0),
        r.ratio.toFixed(3),
        `${r.ratioMin.toFixed(3)}–${r.ratioMax.toFixed(3)}`,
      ]),
    ),
  ];
  writeStdout(`${lines.join("\n")}\n`);
}

try {
  await main();
} catch (error) {
  log(`bench:torch: ${(error as Error).message}`);
  process.exitCode = 1;
}
