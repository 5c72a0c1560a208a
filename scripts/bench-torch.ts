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
// The PyTorch process, the pool rounds and the output conventions are shared with
// `npm run bench:engine` (scripts/bench-harness.ts). Both compare engines by definition, so both
// reject --engine and --python with a usage message (exit code 2).
import type { BackendChoice } from "../runner/train/backend-choice.js";
import { BACKEND_CHOICES } from "../runner/train/backend-choice.js";
import {
  BATCH,
  BENCH_MODELS,
  benchOptions,
  CORES,
  describeSetting,
  loadAverage,
  log,
  option,
  type PoolSide,
  PYTHON,
  poolRound,
  requireTorch,
  reserveStdout,
  type StartedPoolSide,
  startPoolSide,
  steps,
  TorchSession,
  type TorchSetting,
  torchRound,
} from "./bench-harness.js";
import { median } from "./stats.js";

/** The TF.js backends' rivals: the multilayer perceptrons and small-alexnet. */
const MODELS = BENCH_MODELS.filter((m) => ["mlp-1x512", "mlp-3x512", "small-alexnet"].includes(m.id));
const BACKENDS = BACKEND_CHOICES.filter((choice): choice is Exclude<BackendChoice, "auto"> => choice !== "auto");
/**
 * Every backend that `--backend auto` can pick before the pure-JavaScript cpu fallback, which
 * is opt-in (--backends tensorflow,wasm,cpu): it trains small-alexnet at under one example per
 * second (`npm run bench:train`, docs/performance.md), so its rounds alone take most of an hour.
 */
const DEFAULT_BACKENDS: typeof BACKENDS = ["tensorflow", "wasm"];

const args = process.argv.slice(2);
const { json, rounds: ROUNDS } = benchOptions(
  args,
  "bench-torch.ts compares the TF.js engine's backends with bare PyTorch by definition, so it takes no --engine " +
    "or --python; drop them (PyTorch runs under /usr/bin/python3), or see npm run bench:engine for the torch engine",
);
const backends = (option(args, "--backends")?.split(",") ?? DEFAULT_BACKENDS) as typeof BACKENDS;
const unknown = backends.filter((b) => !BACKENDS.includes(b));
if (unknown.length > 0 || !(ROUNDS >= 1)) {
  process.stderr.write(`usage: bench-torch.ts [--json] [--rounds N ≥ 1] [--backends ${BACKENDS.join(",")}]\n`);
  process.exit(2);
}
const writeStdout = reserveStdout(json);

/**
 * PyTorch's two ways of keeping every core busy, both tried in every round; the faster is the
 * round's baseline. On a quiet machine intra-op threads may win; when other work shares the
 * machine, OpenMP's barriers wait for descheduled threads and one process with every core can be
 * many times slower (each round logs both settings on stderr, so a run shows by how much), while
 * single-threaded processes, like our workers, do not wait on each other.
 */
const TORCH_SETTINGS: TorchSetting[] = [
  { processes: 1, threads: CORES },
  ...(CORES > 1 ? [{ processes: CORES, threads: 1 }] : []),
];

/** Our side for one backend: the pool `run` would start (one thread for native TensorFlow, which threads itself). */
function startOurs(backend: (typeof BACKENDS)[number]): Promise<PoolSide> {
  return startPoolSide(backend === "tensorflow" ? 1 : CORES, { backend });
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

async function main(): Promise<void> {
  requireTorch();
  const loadBefore = loadAverage();
  const rows: Row[] = [];
  const notes = new Map<string, string>();
  let torchInfo = "";
  const settingsUsed: string[] = [];
  // Each backend's pool serves every model: its workers load a model per task.
  const sides = new Map<string, StartedPoolSide>();
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
        for (const [backend, side] of sides) await poolRound(side, `ours ${backend}`, model, " (warm-up)");
        const torchRates: number[] = [];
        const torchSettings = new Set<string>();
        const ours = new Map<string, number[]>([...sides.keys()].map((backend) => [backend, []]));
        for (let round = 0; round < ROUNDS; round++) {
          // PyTorch first in even rounds, ours first in odd ones.
          const measureTorch = async () => {
            const best = await torchRound(torch, TORCH_SETTINGS, model);
            torchRates.push(best.rate);
            torchSettings.add(describeSetting(best.setting));
          };
          if (round % 2 === 0) await measureTorch();
          for (const [backend, side] of sides)
            ours.get(backend)!.push(await poolRound(side, `ours ${backend}`, model, ` (round ${round + 1})`));
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
    `load average (1 min) ${loadBefore} at the start, ${loadAverage()} at the end, ` + `on ${CORES} cores`;
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
