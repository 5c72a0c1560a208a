// Training throughput benchmark (`npm run bench:train`). Over 350 lines: three comparisons (backends, wasm
// kernels, engines) share one set of benches and one measurement protocol, so they stay in one file.
//
// Measures examples per second of the runner's own training loop (trainRun: batch gather,
// forward, backward, SGD-with-momentum update; evaluation excluded) for mlp-1x512,
// small-alexnet and small-alexnet-tiny (the quick suite's CNN) on 28×28×1 inputs, batch 128
// (8 for the CNNs on the cpu backend, where a small-alexnet step of 128 takes minutes: see
// docs/performance.md), on every backend that loads here, and prints each as a ratio to the
// pure-JavaScript cpu backend measured in the same invocation, with the rate of the
// evaluation pass that follows every epoch (inference over the training set). Each
// backend runs in its own child process (one TF.js instance, as each worker thread of a suite
// run has; a child process because tsx's TypeScript loader does not reach worker threads).
// The first epoch of each measurement is warm-up and is dropped; the others are the trials.
//
// With --engine torch it measures the PyTorch engine instead of the cpu and tensorflow backends and
// prints it next to wasm (as a ratio to wasm, not to cpu). The wasm figures are the same as above:
// trainRun on synthetic inputs in a child process. The torch figures are the engine's training loop
// (runner/torch/worker.py under --python PATH, default /usr/bin/python3 when it exists, else
// python3): the `run` command's worker pool with one worker thread (scripts/bench-harness.ts), whose
// single-threaded Python worker trains the same models, batch 128 and epochs on mnist-10k digits
// with random labels, timing each epoch's training steps as TF.js's loop does (task preparation,
// the task folder, start-up and evaluation excluded); the pool loads the build (dist/), so build first.
//
//   npm run bench:train                 # every backend
//   npm run bench:train -- --kernels    # wasm only: the effect of each of our training kernels
//   npx tsc -p tsconfig.build.json && npm run bench:train -- --engine torch [--python PATH]

import { fork } from "node:child_process";
import { existsSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { loadArchitecture } from "../runner/models/index.js";
import { Rng } from "../runner/random.js";
import { type BackendChoice, initBackend, trainRun } from "../runner/train/index.js";
import { WASM_TRAINING_KERNELS } from "../runner/train/wasm-kernels/index.js";
import { NO_REGULARIZER, type Regularizer, type Task } from "../schema/index.js";
import { benchTask, option, startPoolSide } from "./bench-harness.js";
import { mean, sampleSd } from "./stats.js";

const BATCH = 128;
const SHAPE = [28, 28, 1] as const;

interface Bench {
  label: string;
  model: string;
  regularizer: Regularizer;
  /** Training examples per epoch (one epoch = one timed trial), trials and batch size, per backend speed class. */
  fast: Sizes;
  slow: Sizes;
}

interface Sizes {
  examples: number;
  trials: number;
  batch: number;
}

// On the cpu backend one small-alexnet step of 128 examples takes minutes, so the
// CNNs train batches of 8 there (their cost per example hardly depends on the batch size).
// small-alexnet-tiny is the quick suite's CNN: its rates size that suite.
const BENCHES: Bench[] = [
  {
    label: "mlp-1x512",
    model: "mlp-1x512",
    regularizer: NO_REGULARIZER,
    fast: { examples: 2560, trials: 5, batch: BATCH },
    slow: { examples: 512, trials: 3, batch: BATCH },
  },
  {
    label: "small-alexnet",
    model: "small-alexnet",
    regularizer: NO_REGULARIZER,
    fast: { examples: 384, trials: 4, batch: BATCH },
    slow: { examples: 8, trials: 1, batch: 8 },
  },
  {
    label: "small-alexnet-tiny",
    model: "small-alexnet-tiny",
    regularizer: NO_REGULARIZER,
    fast: { examples: 1024, trials: 4, batch: BATCH },
    slow: { examples: 16, trials: 1, batch: 8 },
  },
];

/** The kernel ablation adds a batch-norm MLP, the model whose gradients use Tile, Sum and Mean over leading axes. */
const KERNEL_BENCHES: Bench[] = [
  ...BENCHES,
  {
    label: "mlp-1x512 + batch norm",
    model: "mlp-1x512",
    regularizer: { ...NO_REGULARIZER, name: "bn", batchNorm: "on" },
    fast: { examples: 2560, trials: 5, batch: BATCH },
    slow: { examples: 512, trials: 3, batch: BATCH },
  },
];

/** What one child process measures: a backend (or wasm with a subset of our kernels) on some benches. */
interface Job {
  backend: Exclude<BackendChoice, "auto">;
  /** For wasm: which of our kernels to register (null: initBackend's full set). */
  kernels: string[] | null;
  benches: Bench[];
  slow: boolean;
}

interface Measurement {
  label: string;
  batch: number;
  examplesPerSecond: number[];
  /** Inference-mode evaluation of the training set, as trainRun does after every epoch. */
  evalExamplesPerSecond: number[];
}

type Reply = { ok: true; detail: string; measurements: Measurement[] } | { ok: false; reason: string };

function synthetic(count: number, seed: number) {
  const rng = Rng.create(seed, "bench");
  const size = SHAPE[0] * SHAPE[1] * SHAPE[2];
  return {
    images: Float32Array.from({ length: count * size }, () => rng.float()),
    labels: Uint8Array.from({ length: count }, () => rng.int(10)),
    count,
  };
}

async function measure(job: Job): Promise<Reply> {
  let detail: string;
  try {
    detail = (await initBackend(job.backend, { wasmKernels: job.kernels ?? undefined })).detail;
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
  const measurements: Measurement[] = [];
  for (const bench of job.benches) {
    const { examples, trials, batch } = job.slow ? bench.slow : bench.fast;
    const task: Task = {
      suite: { id: "bench", version: 1 },
      architecture: bench.model,
      dataset: { id: "synthetic", trainSize: examples, testSize: 1 },
      corruption: { kind: "random" },
      regularizer: bench.regularizer,
      seed: 0,
      optimizer: { kind: "sgd-momentum", learningRate: 0.01, momentum: 0.9, decayPerEpoch: 1, batchSize: batch },
      epochs: 1 + trials,
      fitThreshold: 1,
    };
    const data = {
      shape: [...SHAPE] as [number, number, number],
      classes: 10,
      train: synthetic(examples, 1),
      test: synthetic(1, 2),
    };
    const epochEnds: number[] = [];
    const started = performance.now();
    const outcome = await trainRun(task, await loadArchitecture({ kind: "builtin", id: bench.model }), data, {
      onEpoch: () => epochEnds.push((performance.now() - started) / 1000),
    });
    const trainSeconds = outcome.curve.map((point, i) => point.wallSeconds - (outcome.curve[i - 1]?.wallSeconds ?? 0));
    // An epoch's wall time minus its training time is its evaluation (of `examples` + 1 test example).
    const evalSeconds = epochEnds.map((end, i) => end - (epochEnds[i - 1] ?? 0) - trainSeconds[i]!);
    measurements.push({
      label: bench.label,
      batch,
      examplesPerSecond: trainSeconds.slice(1).map((s) => examples / s),
      evalExamplesPerSecond: evalSeconds.slice(1).map((s) => (examples + 1) / s),
    });
  }
  return { ok: true, detail, measurements };
}

function runWorker(job: Job): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ["--measure", JSON.stringify(job)], {
      execArgv: ["--import", "tsx"],
    });
    child.once("message", (reply) => resolve(reply as Reply));
    child.once("error", reject);
    child.once("exit", (code) =>
      reject(new Error(`the ${job.backend} measurement exited with code ${code} before replying`)),
    );
  });
}

/** Four significant digits, without exponent notation for large rates. */
function rate(value: number): string {
  return value >= 1000 ? String(Math.round(value)) : value.toPrecision(4);
}

function row(cells: string[], widths: number[]): string {
  return cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ");
}

async function compareBackends(): Promise<void> {
  const jobs: Job[] = [
    { backend: "cpu", kernels: null, benches: BENCHES, slow: true },
    { backend: "wasm", kernels: null, benches: BENCHES, slow: false },
    { backend: "tensorflow", kernels: null, benches: BENCHES, slow: false },
  ];
  const results = new Map<string, Extract<Reply, { ok: true }>>();
  for (const job of jobs) {
    const reply = await runWorker(job);
    if (reply.ok) results.set(job.backend, reply);
    console.log(`${job.backend.padEnd(10)} ${reply.ok ? reply.detail : `not measured: ${reply.reason}`}`);
  }
  const widths = [18, 11, 6, 26, 10, 18];
  const header = ["model", "backend", "batch", "examples/s (mean ± sd)", "× cpu", "evaluation ex/s"];
  console.log(`\n${row(header, widths)}`);
  for (const bench of BENCHES) {
    const cpu = results.get("cpu")?.measurements.find((m) => m.label === bench.label);
    for (const [backend, reply] of results) {
      const m = reply.measurements.find((x) => x.label === bench.label)!;
      const average = mean(m.examplesPerSecond);
      const ratio = cpu ? (average / mean(cpu.examplesPerSecond)).toFixed(1) : "n/a";
      const evaluation = rate(mean(m.evalExamplesPerSecond));
      console.log(
        row(
          [
            bench.label,
            backend,
            String(m.batch),
            `${rate(average)} ± ${rate(sampleSd(m.examplesPerSecond))} (n=${m.examplesPerSecond.length})`,
            ratio,
            evaluation,
          ],
          widths,
        ),
      );
    }
  }
}

/**
 * The torch engine on each bench's fast sizes: one task of 1 + trials epochs per model on a one-thread
 * pool, as `run --engine torch --device cpu --workers 1` trains it; each epoch's training time comes
 * from the run's curve (wallSeconds is cumulative training time), the first epoch is warm-up.
 */
async function measureTorch(python: string): Promise<Reply> {
  if (!existsSync(fileURLToPath(new URL("../dist/runner/pool/worker-pool.js", import.meta.url))))
    return { ok: false, reason: "no build in dist/: run `npx tsc -p tsconfig.build.json` first" };
  const side = await startPoolSide(1, { backend: "wasm", engine: { kind: "torch", python, device: "cpu" } });
  if ("unavailable" in side) return { ok: false, reason: side.unavailable };
  try {
    const torch = side.pool.torch?.engine;
    const threads = torch && `${torch.threads} thread${torch.threads === 1 ? "" : "s"}`;
    const detail = torch ? `PyTorch ${torch.torchVersion} on ${torch.device}, ${threads}` : "PyTorch";
    const measurements: Measurement[] = [];
    for (const bench of BENCHES) {
      const { examples, trials } = bench.fast;
      const task = benchTask({ id: bench.model, trainSize: examples, epochs: 1 + trials }, 0);
      let seconds: number[] = [];
      await side.pool.run(
        [task],
        {
          onStart: () => {},
          onEpoch: () => {},
          onProgress: () => {},
          onDone: async (_, { run }) => {
            if (run.status === "failed") throw new Error(`${bench.model} on the torch engine: ${run.failure}`);
            seconds = run.curve.map((point, i) => point.wallSeconds - (run.curve[i - 1]?.wallSeconds ?? 0));
          },
        },
        new AbortController().signal,
      );
      const rates = seconds.slice(1).map((s) => examples / s);
      measurements.push({ label: bench.label, batch: BATCH, examplesPerSecond: rates, evalExamplesPerSecond: [] });
    }
    return { ok: true, detail, measurements };
  } finally {
    await side.pool.close();
  }
}

/** wasm (trainRun in a child process) next to the torch engine (worker.py through the pool), as ratios to wasm. */
async function compareEngines(python: string): Promise<void> {
  const results = new Map<string, Extract<Reply, { ok: true }>>();
  for (const [name, measuring] of [
    ["wasm", () => runWorker({ backend: "wasm", kernels: null, benches: BENCHES, slow: false })],
    ["torch", () => measureTorch(python)],
  ] as const) {
    const reply = await measuring();
    if (!reply.ok) throw new Error(`the ${name} engine could not be measured: ${reply.reason}`);
    results.set(name, reply);
    console.log(`${name.padEnd(10)} ${reply.detail}`);
  }
  const widths = [18, 11, 6, 26, 10];
  console.log(`\n${row(["model", "engine", "batch", "examples/s (mean ± sd)", "× wasm"], widths)}`);
  for (const bench of BENCHES) {
    const wasm = mean(results.get("wasm")!.measurements.find((m) => m.label === bench.label)!.examplesPerSecond);
    for (const [name, reply] of results) {
      const m = reply.measurements.find((x) => x.label === bench.label)!;
      const average = mean(m.examplesPerSecond);
      const spread = `${rate(average)} ± ${rate(sampleSd(m.examplesPerSecond))} (n=${m.examplesPerSecond.length})`;
      console.log(row([bench.label, name, String(m.batch), spread, (average / wasm).toFixed(2)], widths));
    }
  }
}

async function compareKernels(): Promise<void> {
  const required = [tf.Conv2DBackpropFilter]; // wasm cannot train a CNN without it
  const configs: Array<{ label: string; kernels: string[] }> = [
    { label: "stock wasm (+ Conv2DBackpropFilter)", kernels: required },
    { label: "all of ours", kernels: [...WASM_TRAINING_KERNELS] },
    ...WASM_TRAINING_KERNELS.filter((k) => !required.includes(k)).map((k) => ({
      label: `all but ${k}`,
      kernels: WASM_TRAINING_KERNELS.filter((x) => x !== k),
    })),
  ];
  const results: Array<{ label: string; measurements: Measurement[] }> = [];
  for (const config of configs) {
    const reply = await runWorker({ backend: "wasm", kernels: config.kernels, benches: KERNEL_BENCHES, slow: false });
    if (!reply.ok) throw new Error(reply.reason);
    results.push({ label: config.label, measurements: reply.measurements });
    console.log(`measured: ${config.label}`);
  }
  const all = results.find((r) => r.label === "all of ours")!;
  const widths = [36, ...KERNEL_BENCHES.map(() => 30)];
  // Training, then the evaluation pass that follows every epoch (the kernels serve both).
  for (const [title, rates] of [
    ["training examples/s", (m: Measurement) => m.examplesPerSecond],
    ["evaluation examples/s", (m: Measurement) => m.evalExamplesPerSecond],
  ] as const) {
    console.log(`\n${title} (mean ± sd) and ratio to "all of ours"`);
    console.log(row(["wasm kernels", ...KERNEL_BENCHES.map((b) => b.label)], widths));
    for (const result of results) {
      const cells = KERNEL_BENCHES.map((bench) => {
        const values = rates(result.measurements.find((m) => m.label === bench.label)!);
        const reference = mean(rates(all.measurements.find((m) => m.label === bench.label)!));
        return `${rate(mean(values))} ± ${rate(sampleSd(values))} (${(mean(values) / reference).toFixed(2)}×)`;
      });
      console.log(row([result.label, ...cells], widths));
    }
  }
}

const measuring = process.argv.indexOf("--measure");
if (measuring !== -1) {
  process.send!(await measure(JSON.parse(process.argv[measuring + 1]!) as Job));
  process.disconnect();
} else {
  const kernels = process.argv.includes("--kernels");
  const engine = option(process.argv, "--engine") ?? "tfjs";
  // Debian's python3-torch lives under /usr/bin; the first python3 on PATH may be another Python without torch.
  const python = option(process.argv, "--python") ?? (existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3");
  if (
    !["tfjs", "torch"].includes(engine) ||
    (engine === "torch" && kernels) ||
    (engine === "tfjs" && option(process.argv, "--python") !== undefined)
  ) {
    process.stderr.write(
      "usage: bench-train.ts [--kernels | --engine torch [--python PATH]]  (--engine tfjs|torch, default tfjs; " +
        "--kernels measures wasm's kernels and so goes with tfjs only)\n",
    );
    process.exit(2);
  }
  console.log(
    [
      engine === "torch"
        ? "rethink-bench training throughput: examples/s of each engine's training loop (evaluation excluded): " +
          "\nwasm = TF.js's trainRun on synthetic inputs, one process; torch = runner/torch/worker.py on mnist-10k " +
          "digits with random labels\nthrough the run command's pool, one single-threaded Python worker; both time " +
          "training steps only."
        : "rethink-bench training throughput: examples/s of the training loop (trainRun, evaluation excluded),",
      `28×28×1 inputs, batch ${BATCH}${engine === "torch" ? "" : " (8 for the CNNs on cpu)"}, SGD with momentum; ` +
        `first epoch of each run is warm-up; one process per ${engine === "torch" ? "engine" : "backend"}.`,
      `machine: ${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores; Node ${process.version}; ` +
        `TF.js ${tf.version.tfjs}; load average ${loadavg()[0]!.toFixed(2)} at start`,
      "",
    ].join("\n"),
  );
  if (kernels) await compareKernels();
  else if (engine === "torch") await compareEngines(python);
  else await compareBackends();
  console.log(`\nload average ${loadavg()[0]!.toFixed(2)} at the end (other work on the machine disturbs the figures)`);
}
