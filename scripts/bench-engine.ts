// Training speed of the two engines. Trains each built-in architecture on 28×28×1 mnist-10k
// digits with random labels for a fixed number of SGD steps (batch 128, momentum 0.9, learning
// rate 0.01) three ways, in this one invocation, and prints examples per second and two ratios:
//
//  - wasm: the TF.js engine on the wasm backend, through the `run` command's worker pool (one
//    worker thread per core, each training its own run with runner/train's loop);
//  - torch engine: the same pool with `engine: torch` on the CPU, as `run --engine torch` starts it:
//    each thread prepares its task as for TF.js, writes the task folder and has its own
//    single-threaded Python worker (runner/torch/worker.py, Debian's torch under /usr/bin/python3)
//    train it;
//  - bare PyTorch: scripts/bench_torch.py, the `npm run bench:torch` baseline: the same network
//    written directly in torch, one single-threaded process per core like the engine's workers,
//    batches gathered from a shuffled order, F.cross_entropy, no determinism settings.
//
// Every side's figure is the sum over its cores of examples per second of training time only: the
// pools' runs time their epochs' training steps (runner/train's loop and worker.py alike exclude
// the evaluation after each epoch, data preparation and start-up), bench_torch.py its steps. So
// "torch engine / bare PyTorch" is what the harness costs on top of PyTorch itself (the canonical
// network as a module graph, one-hot cross-entropy, deterministic algorithms), and "torch engine /
// wasm" what the second engine gains on this CPU.
//
// All sides warm up, then ROUNDS rounds run each side once per model, the order rotating from
// round to round, so that the machine's other work hits every side of a round's ratios alike. The
// table gives medians over rounds and the median and range of the per-round ratios; every trial is
// logged on stderr.
//
// Usage: npm run bench:engine [-- --json] [--rounds N] [--models mlp-1x512,small-alexnet]
//
// With --json the script writes one JSON object to stdout and everything else to stderr (for pure
// JSON: `npm run --silent bench:engine -- --json` after a build, or `npx tsx scripts/bench-engine.ts --json`).
import {
  BATCH,
  BENCH_MODELS,
  benchOptions,
  CORES,
  describeSetting,
  loadAverage,
  log,
  option,
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

/** The engine's own setting on the CPU (runner/pool/torch-runner.ts): one single-threaded process per core. */
const BARE_SETTING: TorchSetting = { processes: CORES, threads: 1 };

const SIDES = ["wasm", "torch engine", "bare PyTorch"] as const;
type Side = (typeof SIDES)[number];

const args = process.argv.slice(2);
const { json, rounds: ROUNDS } = benchOptions(
  args,
  "bench-engine.ts compares the engines by definition (wasm, the torch engine and bare PyTorch in one invocation), " +
    "so it takes no --engine or --python; drop them (the torch side uses /usr/bin/python3)",
);
const modelIds = option(args, "--models")?.split(",") ?? BENCH_MODELS.map((m) => m.id);
const unknown = modelIds.filter((id) => !BENCH_MODELS.some((m) => m.id === id));
if (unknown.length > 0 || !(ROUNDS >= 1) || !Number.isInteger(ROUNDS)) {
  process.stderr.write(
    `usage: bench-engine.ts [--json] [--rounds N ≥ 1] [--models ${BENCH_MODELS.map((m) => m.id).join(",")}]` +
      `${unknown.length > 0 ? `\nunknown model: ${unknown.join(", ")}` : ""}\n`,
  );
  process.exit(2);
}
const models = BENCH_MODELS.filter((m) => modelIds.includes(m.id));
const writeStdout = reserveStdout(json);

interface Ratio {
  /** Median of the per-round ratios, and their range. */
  median: number;
  min: number;
  max: number;
}

interface Row {
  model: string;
  steps: number;
  /** Medians over the rounds, examples/s. */
  wasm: number;
  torchEngine: number;
  barePyTorch: number;
  engineOverBare: Ratio;
  engineOverWasm: Ratio;
}

function ratio(numerators: readonly number[], denominators: readonly number[]): Ratio {
  const ratios = numerators.map((n, round) => n / denominators[round]!);
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) };
}

/** A table row: the model left-aligned, the figures right-aligned, in fixed widths. */
const WIDTHS = [20, 7, 10, 14, 14, 22, 22];
const tableRow = (cells: readonly string[]) =>
  cells.map((cell, i) => (i === 0 ? cell.padEnd(WIDTHS[0]!) : cell.padStart(WIDTHS[i]!))).join("");
const formatRatio = (r: Ratio) => `${r.median.toFixed(3)} (${r.min.toFixed(2)}–${r.max.toFixed(2)})`;

/** Starts both pools; a side that cannot start here is an error, since every ratio needs all three. */
async function startPools(): Promise<{ wasm: StartedPoolSide; engine: StartedPoolSide }> {
  const wasm = await startPoolSide(CORES, { backend: "wasm" });
  if ("unavailable" in wasm) throw new Error(`the wasm backend does not start here: ${wasm.unavailable}`);
  const engine = await startPoolSide(CORES, {
    backend: "wasm",
    engine: { kind: "torch", python: PYTHON, device: "cpu" },
  });
  if ("unavailable" in engine) {
    await wasm.pool.close();
    throw new Error(`the torch engine does not start here: ${engine.unavailable}`);
  }
  return { wasm, engine };
}

async function main(): Promise<void> {
  requireTorch();
  const loadBefore = loadAverage();
  const rows: Row[] = [];
  let torchInfo = "";
  const { wasm, engine } = await startPools();
  const notes = [
    `wasm: ${wasm.pool.backend.detail}, ${wasm.workers} worker threads`,
    `torch engine: ${engine.pool.torch ? describeEngine(engine.pool.torch.engine) : "?"}, ${engine.workers} worker threads`,
  ];
  try {
    for (const model of models) {
      const bare = await Promise.all(Array.from({ length: CORES }, () => TorchSession.start(model, [1])));
      torchInfo = `bare PyTorch ${bare[0]!.torch} (${PYTHON}, ${describeSetting(BARE_SETTING)}), BLAS: ${bare[0]!.blas}`;
      try {
        // Warm-up: each pool's workers load the dataset, build the model once and (torch) start Python.
        await poolRound(wasm, "wasm", model, " (warm-up)");
        await poolRound(engine, "torch engine", model, " (warm-up)");
        const rates: Record<Side, number[]> = { wasm: [], "torch engine": [], "bare PyTorch": [] };
        const measure: Record<Side, (label: string) => Promise<number>> = {
          wasm: (label) => poolRound(wasm, "wasm", model, label),
          "torch engine": (label) => poolRound(engine, "torch engine", model, label),
          "bare PyTorch": async () => (await torchRound(bare, [BARE_SETTING], model)).rate,
        };
        for (let round = 0; round < ROUNDS; round++) {
          // Each side goes first, second and third in turn.
          for (let i = 0; i < SIDES.length; i++) {
            const side = SIDES[(round + i) % SIDES.length]!;
            rates[side].push(await measure[side](` (round ${round + 1})`));
          }
        }
        rows.push({
          model: model.id,
          steps: steps(model),
          wasm: median(rates.wasm),
          torchEngine: median(rates["torch engine"]),
          barePyTorch: median(rates["bare PyTorch"]),
          engineOverBare: ratio(rates["torch engine"], rates["bare PyTorch"]),
          engineOverWasm: ratio(rates["torch engine"], rates.wasm),
        });
      } finally {
        for (const session of bare) session.close();
      }
    }
  } finally {
    await Promise.all([wasm.pool.close(), engine.pool.close()]);
  }
  const loadLine = `load average (1 min) ${loadBefore} at the start, ${loadAverage()} at the end, on ${CORES} cores`;
  if (json) {
    for (const line of [torchInfo, loadLine, ...notes]) log(line);
    writeStdout(`${JSON.stringify({ rounds: ROUNDS, batch: BATCH, cores: CORES, results: rows })}\n`);
    return;
  }
  const lines = [
    `Training speed by engine, examples/s summed over ${CORES} cores (medians of ${ROUNDS} rotating rounds; ` +
      `batch ${BATCH}, SGD momentum, 28×28×1, random labels)`,
    torchInfo,
    loadLine,
    ...notes,
    "",
    tableRow(["model", "steps", "wasm", "torch engine", "bare PyTorch", "engine/bare (range)", "engine/wasm (range)"]),
    ...rows.map((r) =>
      tableRow([
        r.model,
        String(r.steps),
        r.wasm.toFixed(0),
        r.torchEngine.toFixed(0),
        r.barePyTorch.toFixed(0),
        formatRatio(r.engineOverBare),
        formatRatio(r.engineOverWasm),
      ]),
    ),
  ];
  writeStdout(`${lines.join("\n")}\n`);
}

/** The torch engine's record in a line: the version, device and thread count its workers reported. */
function describeEngine(e: { torchVersion: string; device: string; threads: number; deterministic: boolean }): string {
  return (
    `PyTorch ${e.torchVersion} on ${e.device}, ${e.threads} thread${e.threads === 1 ? "" : "s"} per worker` +
    `${e.deterministic ? ", deterministic algorithms" : ""}`
  );
}

try {
  await main();
} catch (error) {
  log(`bench:engine: ${(error as Error).message}`);
  process.exitCode = 1;
}
