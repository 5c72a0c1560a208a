// Complexity-measure cost benchmark (`npm run bench:measures`): what computing a run's measures
// (docs/measures.md) costs against the run itself, on this machine, for
//   - the smoke suite (every seed: six runs of mlp-1x512), and
//   - from the quick suite, true and random labels of each architecture with its one seed.
// The runs train on the `run` command's own worker pool from the build (dist/), with the suites'
// measure settings, one worker per core, as `rethink-bench run` trains them; the quick suite's
// other seven corruptions are left out (the command line cannot pick conditions), so the script
// hands the pool the tasks itself. Per run it prints the run's wall time (from the moment its
// worker took the task to the moment the result came back: loading, training, evaluation and
// measures; the baseline, measured in the same run), its training time (the curve's), the
// measures' own time (`measures.seconds`) and their share of the run's wall time, against the
// goal of at most 15%; then the same over every run of each suite.
//
//   npm run bench:measures                              # smoke, then quick true/random labels
//   npm run bench:measures -- --only smoke|quick
//   npm run bench:measures -- --only quick --architecture mlp-1x512   # one quick architecture
//   npm run bench:measures -- --engine torch [--python PATH]   # the PyTorch engine on the CPU
import { existsSync } from "node:fs";
import { availableParallelism, cpus } from "node:os";
import type { EngineChoice, WorkerConfig } from "../runner/pool/messages.js";
import type { WorkerPool } from "../runner/pool/worker-pool.js";
import { expandSuite, findSuite, type RunResult, type Suite, type Task } from "../schema/index.js";
import { loadAverage, log, option } from "./bench-harness.js";

/** The issue's bound on the measures' share of a smoke or quick-suite run's wall time. */
const GOAL = 0.15;
const WORKERS = availableParallelism();
const SUITES = ["smoke", "quick"] as const;

const only = option(process.argv, "--only");
/** Only this quick-suite architecture (small-alexnet-tiny's random labels alone take tens of minutes on 2 cores). */
const architecture = option(process.argv, "--architecture");
const engineName = option(process.argv, "--engine") ?? "tfjs";
// Debian's python3-torch lives under /usr/bin; the first python3 on PATH may be another Python without torch.
const python = option(process.argv, "--python") ?? (existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3");
if (
  (only !== undefined && !(SUITES as readonly string[]).includes(only)) ||
  !["tfjs", "torch"].includes(engineName) ||
  (engineName === "tfjs" && option(process.argv, "--python") !== undefined)
) {
  process.stderr.write(
    "usage: bench-measures.ts [--only smoke|quick] [--architecture ID (quick)] [--engine tfjs|torch] " +
      "[--python PATH (with --engine torch)]\n",
  );
  process.exit(2);
}
const engine: EngineChoice = engineName === "torch" ? { kind: "torch", python, device: "cpu" } : { kind: "tfjs" };

/** The `run` command's worker pool, from the build: worker threads start compiled JavaScript. */
async function loadPool(): Promise<typeof import("../runner/pool/worker-pool.js")> {
  return (await import(
    new URL("../dist/runner/pool/worker-pool.js", import.meta.url).href
  )) as typeof import("../runner/pool/worker-pool.js");
}

interface Row {
  suite: string;
  label: string;
  wallSeconds: number;
  trainingSeconds: number;
  measureSeconds: number | null;
}

function suiteNamed(id: string): Suite {
  const suite = findSuite(id);
  if (!suite?.measures) throw new Error(`suite ${id} has no measure settings: nothing to benchmark`);
  return suite;
}

/** The tasks benchmarked: every smoke run; true and random labels of each quick architecture. */
function tasksOf(suite: Suite): Task[] {
  const tasks = expandSuite(suite);
  if (suite.id === "smoke") return tasks;
  const picked = tasks.filter(
    (t) =>
      (t.corruption.kind === "true" || t.corruption.kind === "random") &&
      t.seed === suite.seeds[0] &&
      (architecture === undefined || t.architecture === architecture),
  );
  if (picked.length === 0)
    throw new Error(
      `suite ${suite.id} has no architecture "${architecture}"; ` +
        `its architectures: ${suite.architectures.map((a) => a.id).join(", ")}`,
    );
  return picked;
}

const label = (t: Task) => `${t.architecture} ${t.corruption.kind} seed ${t.seed}`;

/** Trains `tasks` on a pool started with the suite's measure settings, timing each run from start to result. */
async function measureSuite(suite: Suite): Promise<Row[]> {
  const { WorkerPool: Pool } = await loadPool();
  const config: WorkerConfig = {
    backend: engine.kind === "tfjs" ? "wasm" : "auto",
    engine,
    model: null,
    data: { cacheDir: "/nonexistent", download: false },
    measures: suite.measures ?? null,
  };
  const tasks = tasksOf(suite);
  const workers = Math.min(WORKERS, tasks.length);
  const pool: WorkerPool = await Pool.start(workers, config);
  const started = new Map<number, number>();
  const rows: Row[] = [];
  try {
    await pool.run(
      tasks,
      {
        onStart: (slot) => {
          started.set(slot, performance.now());
        },
        onEpoch: () => {},
        onProgress: () => {},
        onDone: async (slot, { run }: { run: RunResult }) => {
          const wallSeconds = (performance.now() - started.get(slot)!) / 1000;
          if (run.status === "failed") throw new Error(`${suite.id} ${label(run.task)} failed: ${run.failure}`);
          const row: Row = {
            suite: suite.id,
            label: label(run.task),
            wallSeconds,
            trainingSeconds: run.derived.wallSeconds,
            measureSeconds: run.measures?.seconds ?? null,
          };
          rows.push(row);
          const measures = row.measureSeconds === null ? "absent" : `${row.measureSeconds.toFixed(2)} s`;
          log(`  ${suite.id} ${row.label}: ${wallSeconds.toFixed(1)} s, measures ${measures}`);
        },
      },
      new AbortController().signal,
    );
  } finally {
    await pool.close();
  }
  return rows;
}

const share = (measures: number, wall: number) => `${((100 * measures) / wall).toFixed(1)}%`;
const verdict = (measures: number, wall: number) =>
  measures / wall <= GOAL ? `≤ ${100 * GOAL}% ok` : `> ${100 * GOAL}%`;
const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(34) : c.padStart(11))).join(" ");

async function main(): Promise<void> {
  const cpu = cpus()[0]?.model ?? "?";
  log(
    `${engine.kind === "torch" ? `engine torch (${python}, cpu)` : "TF.js, backend wasm"}, ${WORKERS} workers, ` +
      `${cpus().length} cores (${cpu}), load average ${loadAverage()}`,
  );
  const rows: Row[] = [];
  for (const id of SUITES.filter((s) => only === undefined || s === only)) {
    log(`${id}: training …`);
    rows.push(...(await measureSuite(suiteNamed(id))));
  }
  const out = (text: string) => process.stdout.write(`${text}\n`);
  out(line(["run", "wall (s)", "train (s)", "measures (s)", "share", "goal"]));
  let missing = 0;
  for (const row of rows) {
    if (row.measureSeconds === null) missing++;
    const m = row.measureSeconds;
    out(
      line([
        `${row.suite} ${row.label}`,
        row.wallSeconds.toFixed(1),
        row.trainingSeconds.toFixed(1),
        m === null ? "absent" : m.toFixed(2),
        m === null ? "" : share(m, row.wallSeconds),
        m === null ? "" : verdict(m, row.wallSeconds),
      ]),
    );
  }
  for (const suite of new Set(rows.map((r) => r.suite))) {
    const of = rows.filter((r) => r.suite === suite && r.measureSeconds !== null);
    const wall = of.reduce((sum, r) => sum + r.wallSeconds, 0);
    const measures = of.reduce((sum, r) => sum + r.measureSeconds!, 0);
    out(
      line([
        `${suite}: all ${of.length} runs`,
        wall.toFixed(1),
        of.reduce((sum, r) => sum + r.trainingSeconds, 0).toFixed(1),
        measures.toFixed(2),
        share(measures, wall),
        verdict(measures, wall),
      ]),
    );
  }
  out(`load average at the end: ${loadAverage()}`);
  // A run without measures means the engine did not compute them: the figure would flatter it.
  if (missing > 0) {
    process.stderr.write(`${missing} runs carry no measures: is dist/ built from code that computes them?\n`);
    process.exitCode = 1;
  }
}

await main();
