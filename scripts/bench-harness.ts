// What the training-speed benchmarks against PyTorch (bench-torch.ts, bench-engine.ts) share: their
// command line and output, bare PyTorch (bench_torch.py) kept warm between trials, and rounds of
// benchmark tasks on the `run` command's worker pool, whatever engine its threads train with.
import { type ChildProcessByStdio, spawn, spawnSync } from "node:child_process";
import { availableParallelism, loadavg } from "node:os";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import type { WorkerConfig } from "../runner/pool/messages.js";
import type { WorkerPool } from "../runner/pool/worker-pool.js";
import { NO_REGULARIZER, type Task } from "../schema/index.js";

/** The batch size of every benchmark step. */
export const BATCH = 128;
/** Debian's python3-torch (`npm run setup:system`): the first python3 on PATH may lack torch. */
export const PYTHON = "/usr/bin/python3";
export const CORES = availableParallelism();

/** A model's trial: `epochs` epochs of `trainSize` mnist-10k digits (trainSize / BATCH steps each). */
export interface BenchModel {
  id: string;
  trainSize: number;
  epochs: number;
}

export const steps = (model: BenchModel) => (model.trainSize / BATCH) * model.epochs;

/**
 * Every model either benchmark trains, with the steps per trial and the training-set size that
 * yields them (1 epoch = size / 128 steps). The convolutional networks train few steps:
 * small-inception runs at a few examples per second per core on wasm, so two steps already take
 * the better part of a minute there.
 */
export const BENCH_MODELS: readonly BenchModel[] = [
  { id: "mlp-1x512", trainSize: 7936, epochs: 5 }, // 310 steps
  { id: "mlp-3x512", trainSize: 7936, epochs: 2 }, // 124 steps
  { id: "small-alexnet", trainSize: 1536, epochs: 1 }, // 12 steps
  { id: "small-alexnet-tiny", trainSize: 3968, epochs: 1 }, // 31 steps
  { id: "small-inception", trainSize: 256, epochs: 1 }, // 2 steps
];

export const log = (message: string) => process.stderr.write(`${message}\n`);

/** The 1-minute load average: other work on the machine skews every side, so the output shows it. */
export const loadAverage = () => loadavg()[0]!.toFixed(2);

/** `--name VALUE` from the script's arguments, or undefined. */
export function option(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
}

/**
 * The options both benchmarks take: --json and --rounds N (5 when absent; each script checks the
 * value in its usage line). Both compare engines by definition, so an --engine or --python choice
 * would be silently meaningless: it exits with code 2 and `refusal`, which says what to drop.
 */
export function benchOptions(args: readonly string[], refusal: string): { json: boolean; rounds: number } {
  if (args.includes("--engine") || args.includes("--python")) {
    process.stderr.write(`${refusal}\n`);
    process.exit(2);
  }
  return { json: args.includes("--json"), rounds: Number(option(args, "--rounds") ?? 5) };
}

/**
 * With --json, stdout is the result's alone: anything else written to it (console.log here,
 * TensorFlow.js, the worker threads, whose stdout Node pipes into this process's) goes to stderr
 * from now on. Returns the writer of the real stdout, for the result.
 */
export function reserveStdout(json: boolean): (text: string) => void {
  const write = process.stdout.write.bind(process.stdout);
  if (json) process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  return (text) => {
    write(text);
  };
}

/** Fails with the set-up command when Debian's torch is missing: a benchmark installs nothing. */
export function requireTorch(): void {
  const check = spawnSync(PYTHON, ["-c", "import torch"], { encoding: "utf8" });
  if (check.status !== 0)
    throw new Error(`${PYTHON} cannot import torch (${check.stderr.trim()}); run \`npm run setup:system\` first`);
}

/**
 * A bare PyTorch process (bench_torch.py) for one model, warmed up once and then asked for one
 * trial at a time, so that its trials can alternate with the other sides'.
 */
export class TorchSession {
  private constructor(
    private readonly child: ChildProcessByStdio<Writable, Readable, null>,
    private readonly lines: AsyncIterator<string>,
    readonly torch: string,
    readonly blas: string,
  ) {}

  /** Starts bench_torch.py, warmed up with each of `threadCounts`. */
  static async start(model: BenchModel, threadCounts: number[]): Promise<TorchSession> {
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

/** How bare PyTorch keeps every core busy: one process with a thread per core, or a process per core. */
export interface TorchSetting {
  processes: number;
  threads: number;
}

export const describeSetting = ({ processes, threads }: TorchSetting) =>
  `${processes} process${processes === 1 ? "" : "es"} × ${threads} thread${threads === 1 ? "" : "s"}`;

/**
 * One round of bare PyTorch: a trial in each setting, the faster of which is the round's figure.
 * A process-per-core figure is the sum of the processes' examples/s, trained side by side, as a
 * pool's is the sum of its workers'.
 */
export async function torchRound(
  sessions: TorchSession[],
  settings: readonly TorchSetting[],
  model: BenchModel,
): Promise<{ rate: number; setting: TorchSetting }> {
  const trials: Array<{ rate: number; setting: TorchSetting }> = [];
  for (const setting of settings) {
    const rates = await Promise.all(
      sessions.slice(0, setting.processes).map((session) => session.trial(setting.threads)),
    );
    trials.push({ rate: rates.reduce((p, q) => p + q, 0), setting });
  }
  const described = trials.map((t) => `${t.rate.toFixed(0)} (${describeSetting(t.setting)})`);
  log(`  bare PyTorch ${model.id}: ${described.join(", ")} examples/s`);
  return trials.reduce((a, b) => (b.rate > a.rate ? b : a));
}

/** The `run` command's worker pool, from the build (dist/): worker threads start compiled JavaScript. */
async function loadPool(): Promise<typeof import("../runner/pool/worker-pool.js")> {
  return (await import(
    new URL("../dist/runner/pool/worker-pool.js", import.meta.url).href
  )) as typeof import("../runner/pool/worker-pool.js");
}

/** A benchmark task: random labels on mnist-10k digits, SGD with momentum 0.9 and learning rate 0.01. */
export function benchTask(model: BenchModel, seed: number): Task {
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

/** A started worker pool (`workers` threads) and the rounds it has run, or why it could not start. */
export type PoolSide = { pool: WorkerPool; workers: number; rounds: number } | { unavailable: string };
export type StartedPoolSide = Extract<PoolSide, { pool: WorkerPool }>;

/** Starts the `run` command's pool as `run` would for `config` (no user model, no downloads). */
export async function startPoolSide(
  workers: number,
  config: Pick<WorkerConfig, "backend" | "engine">,
): Promise<PoolSide> {
  const { WorkerPool: Pool } = await loadPool();
  try {
    return {
      pool: await Pool.start(workers, { ...config, model: null, data: { cacheDir: "/nonexistent", download: false } }),
      workers,
      rounds: 0,
    };
  } catch (error) {
    return { unavailable: (error as Error).message };
  }
}

/**
 * One round on a pool: one task per worker, trained side by side; the figure is the sum of their
 * examples/s over training time, as each run's curve records it (evaluation excluded, on either
 * engine). Each round's tasks have seeds of their own.
 */
export async function poolRound(
  side: StartedPoolSide,
  name: string,
  model: BenchModel,
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
        if (run.status === "failed") throw new Error(`${model.id} on ${name}: ${run.failure}`);
        sum += (run.curve.length * model.trainSize) / run.curve.at(-1)!.wallSeconds;
      },
    },
    new AbortController().signal,
  );
  log(`  ${name} ${model.id}: ${sum.toFixed(0)} examples/s over ${side.workers} workers${label}`);
  return sum;
}
