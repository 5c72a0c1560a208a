// Determinism of `rethink-bench run` (docs/determinism.md): on wasm and cpu, the smoke suite's runs come out bit
// for bit the same with one worker thread or two, in separate processes, and after a resume from checkpoints.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  canonicalJson,
  curveDigest,
  openBundle,
  outcomeDigest,
  predictionDigests,
  type ResultPredicate,
  taskKey,
} from "../../schema/index.js";
import { BIN, runCli } from "../fixtures/cli.js";
import { track } from "../fixtures/processes.js";

/** A command's bound on a loaded machine; each ends as soon as its runs do. */
const RUN_TIMEOUT_MS = 400_000;

/**
 * The folders of one backend's comparisons. The config dir (the signing key) is shared, so that
 * two bundles differ only where their runs do; each command writes to its own `out`.
 */
function sandbox() {
  const dir = mkdtempSync(join(tmpdir(), "rb-determinism-"));
  return {
    out: (name: string) => join(dir, name),
    env: {
      RETHINK_BENCH_CONFIG_DIR: join(dir, "config"),
      RETHINK_BENCH_CACHE_DIR: join(dir, "cache"),
      RETHINK_BENCH_DATA_DIR: join(dir, "data"),
    },
  };
}

/** The smoke MLP at 64 hidden units instead of 512: the same layers and kernels, an eighth of the arithmetic. */
const MLP_1X64 = fileURLToPath(new URL("../fixtures/models/mlp-1x64.mjs", import.meta.url));

/** `run --suite smoke --seed 0`: two runs (true and random labels) of the smoke MLP, or of `model` instead. */
function runArgs(backend: string, workers: number, out: string, model: string | null): string[] {
  const args = ["run", "--suite", "smoke", "--seed", "0", "--backend", backend, "--workers", String(workers)];
  return [...args, ...(model ? ["--model", model] : []), "--out", out];
}

/** Runs the CLI to the end and returns its bundle's verified predicate. */
async function train(backend: string, workers: number, out: string, env: Record<string, string>, model: string | null) {
  const result = await runCli([...runArgs(backend, workers, out, model), "--json"], env, RUN_TIMEOUT_MS);
  expect(result.code, result.stderr).toBe(0);
  return { predicate: await predicateOf((JSON.parse(result.stdout) as { bundle: string }).bundle), ...result };
}

async function predicateOf(bundlePath: string): Promise<ResultPredicate> {
  const opened = await openBundle(readFileSync(bundlePath, "utf8"));
  if (!opened.ok) throw new Error(`${bundlePath} does not verify: ${opened.code} ${opened.detail}`);
  return opened.statement.predicate;
}

/**
 * Starts the CLI, kills it with `signal` as soon as its first finished run's checkpoint file
 * exists (the other run is then still training), and resolves with its exit code or signal.
 */
function interruptAfterFirstCheckpoint(
  args: string[],
  env: Record<string, string>,
  out: string,
  signal: NodeJS.Signals,
) {
  const child = track(spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env, NO_COLOR: "1" } }));
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const checkpoints = () => {
    const root = join(out, ".runs");
    const [state] = existsSync(root) ? readdirSync(root) : [];
    const runs = state ? join(root, state, "runs") : null;
    return runs && existsSync(runs) ? readdirSync(runs).filter((name) => name.endsWith(".json")) : [];
  };
  return new Promise<{ exit: number | NodeJS.Signals | null; stderr: string; saved: string[] }>((resolve) => {
    let saved: string[] = [];
    const timer = setInterval(() => {
      saved = checkpoints();
      if (saved.length > 0) {
        clearInterval(timer);
        child.kill(signal);
      }
    }, 20);
    child.once("exit", (code, killedBy) => {
      clearInterval(timer);
      resolve({ exit: code ?? killedBy, stderr, saved });
    });
  });
}

/** Per run (by task): status, the curve's digest wall times aside, and the digest of each prediction set. */
async function measured(predicate: ResultPredicate) {
  return Object.fromEntries(
    await Promise.all(
      predicate.runs.map(async (run) => [
        taskKey(run.task),
        {
          status: run.status,
          curve: await curveDigest(run.curve),
          predictions: await predictionDigests(run.predictions),
          outcome: await outcomeDigest(run),
        },
      ]),
    ),
  );
}

/**
 * The whole predicate as canonical JSON, less what differs between any two runs: wall times (the
 * measures' own included) and the signing time.
 */
function contentsWithoutClock(predicate: ResultPredicate): string {
  const { createdAt: _createdAt, ...rest } = predicate;
  return canonicalJson({
    ...rest,
    runs: predicate.runs.map((run) => ({
      ...run,
      curve: run.curve.map(({ wallSeconds: _wallSeconds, ...point }) => point),
      derived: { ...run.derived, wallSeconds: null },
      ...(run.measures && { measures: { ...run.measures, seconds: 0 } }),
    })),
  });
}

/**
 * What makes a comparison meaningful: both smoke runs of the network asked for (the built-in MLP, or a builder
 * module) trained several epochs and kept their predictions.
 */
function expectTwoTrainedRuns(predicate: ResultPredicate, backend: string, model: string | null): void {
  expect(predicate.environment.backend).toBe(backend);
  expect(predicate.architectures.map((architecture) => architecture.kind)).toEqual([
    model ? "builder-module" : "builtin",
  ]);
  expect(predicate.runs.map((run) => [run.task.corruption.kind, run.status])).toEqual([
    ["true", "ok"],
    ["random", "ok"],
  ]);
  for (const run of predicate.runs) {
    expect(run.curve.length).toBeGreaterThan(3);
    expect(run.predictions).not.toBeNull();
  }
}

// Each backend trains the same two runs three ways: --workers 2 in one process, and --workers 1
// killed after its first checkpoint then resumed in a second process. The two ways run at the
// same time (the machine's two cores), so that neither waits for the other.
describe.each([
  // wasm is fast enough to also check that --workers 1 alone, uninterrupted, matches.
  { backend: "wasm", kill: "SIGKILL" as const, uninterrupted: true, model: null, label: "mlp-1x512" },
  // cpu is the slow pure-JavaScript reference: one comparison covers workers, processes and the
  // resume; the resume is Ctrl-C's SIGINT rather than a crash. What it checks is that the cpu
  // kernels and everything around them (threads, checkpoints, a second process) add nothing that
  // varies, which needs the kernels, not the width: the MLP at 64 units runs the same ones
  // (flatten, matMul, bias, ReLU, softmax cross-entropy, momentum SGD) and still fits both runs
  // (epochs 24 and 50), in 15 s of CPU for the pair instead of 85 s at 512 units.
  // It also covers a builder module (--model) through a resume, which the wasm case does not.
  { backend: "cpu", kill: "SIGINT" as const, uninterrupted: false, model: MLP_1X64, label: "mlp-1x64.mjs" },
])("run --suite smoke --seed 0 --backend $backend ($label)", ({ backend, kill, uninterrupted, model }) => {
  it("gives the same curves and predictions with 1 or 2 workers, across processes and after a resume", async () => {
    const { out, env } = sandbox();
    // The key first: commands started together would each create one of their own.
    expect((await runCli(["keys"], env)).code).toBe(0);
    const resumedOut = out("resumed");
    const [twoWorkers, resumed, oneWorker] = await Promise.all([
      train(backend, 2, out("two-workers"), env, model),
      (async () => {
        const args = runArgs(backend, 1, resumedOut, model);
        const interrupted = await interruptAfterFirstCheckpoint(args, env, resumedOut, kill);
        // Killed while the second run trained: one checkpoint, no bundle.
        expect(interrupted.exit, interrupted.stderr).toBe(kill === "SIGINT" ? 130 : "SIGKILL");
        expect(interrupted.saved).toHaveLength(1);
        expect(readdirSync(resumedOut).filter((name) => name.endsWith(".dsse.json"))).toEqual([]);
        const again = await train(backend, 1, resumedOut, env, model);
        expect(again.stderr).toContain("1 already finished");
        return again;
      })(),
      uninterrupted ? train(backend, 1, out("one-worker"), env, model) : null,
    ]);

    expectTwoTrainedRuns(twoWorkers.predicate, backend, model);
    expectTwoTrainedRuns(resumed.predicate, backend, model);
    // The comparison below covers the complexity measures too: every run must have them.
    expect(twoWorkers.predicate.runs.map((run) => run.measures?.frobeniusSquared)).not.toContain(undefined);
    // The wall times are measured, not computed: equal curves must come from comparing without them.
    expect(twoWorkers.predicate.runs[1]!.curve.map((p) => p.wallSeconds)).not.toEqual(
      resumed.predicate.runs[1]!.curve.map((p) => p.wallSeconds),
    );

    // Run by run first, so that a failure names the run and what differs in it…
    const reference = await measured(twoWorkers.predicate);
    expect(await measured(resumed.predicate)).toEqual(reference);
    // …then the whole bundle: architectures, datasets, derived metrics, environment and key included.
    expect(contentsWithoutClock(resumed.predicate)).toBe(contentsWithoutClock(twoWorkers.predicate));

    if (oneWorker) {
      expectTwoTrainedRuns(oneWorker.predicate, backend, model);
      expect(await measured(oneWorker.predicate)).toEqual(reference);
      expect(contentsWithoutClock(oneWorker.predicate)).toBe(contentsWithoutClock(twoWorkers.predicate));
    }
  });
});
