// Reproduction benchmark (`npm run bench:reproduce`): how long `rethink-bench reproduce` takes
// against the `run` that produced the bundle, in one invocation on this machine, for
//   - the smoke suite (seed 0: its two runs), and
//   - one architecture of the quick suite (`--architecture mlp-1x512`: its nine corruptions, one
//     seed).
// Both commands run as the built CLI in child processes, the same engine, backend and workers, each
// with fresh keys and checkpoints. The goal is a ratio of at most 1.1: reproducing costs the
// training and little else (fetching, verifying, comparing, signing).
//
// --engine tfjs (the default) times the TF.js engine on the wasm backend; --engine torch times the
// PyTorch engine: both commands get `--engine torch --python PATH` (default /usr/bin/python3 when it
// exists, Debian's torch, else the first python3 on PATH) and its default device and workers.
//
//   npm run bench:reproduce                 # smoke and quick
//   npm run bench:reproduce -- --smoke-only
//   npm run bench:reproduce -- --smoke-only --engine torch [--python PATH]
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { option } from "./bench-harness.js";

const BIN = fileURLToPath(new URL("../bin/rethink-bench.js", import.meta.url));
const BACKEND = "wasm";
const WORKERS = String(Math.max(1, cpus().length));
const GOAL = 1.1;
const ENGINES = ["tfjs", "torch"] as const;
type Engine = (typeof ENGINES)[number];

const engine = (option(process.argv, "--engine") ?? "tfjs") as Engine;
// Debian's python3-torch lives under /usr/bin; the first python3 on PATH may be another Python without torch.
const python = option(process.argv, "--python") ?? (existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3");
if (!ENGINES.includes(engine) || (engine === "tfjs" && option(process.argv, "--python") !== undefined)) {
  process.stderr.write(
    "usage: bench-reproduce.ts [--smoke-only] [--engine tfjs|torch] [--python PATH (with --engine torch)]\n",
  );
  process.exit(2);
}
/** The engine's options, the same for `run` and `reproduce`: wasm and a worker per core, or PyTorch's own defaults. */
const ENGINE_ARGS =
  engine === "torch" ? ["--engine", "torch", "--python", python] : ["--backend", BACKEND, "--workers", WORKERS];

interface Timed {
  seconds: number;
  stdout: string;
}

function cli(args: string[], env: Record<string, string>): Promise<Timed> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, ...env, NO_COLOR: "1" }, maxBuffer: 64 * 2 ** 20 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`rethink-bench ${args.join(" ")} failed (${error.code}):\n${stderr}`));
        else resolve({ seconds: (performance.now() - start) / 1000, stdout });
      },
    );
  });
}

function sandbox(label: string) {
  const dir = mkdtempSync(join(tmpdir(), `rb-bench-reproduce-${label}-`));
  const env = (who: string) => ({
    RETHINK_BENCH_CONFIG_DIR: join(dir, `config-${who}`),
    RETHINK_BENCH_CACHE_DIR: join(dir, "cache"),
    RETHINK_BENCH_DATA_DIR: join(dir, "data"),
  });
  return { dir, env };
}

interface Row {
  label: string;
  runs: number;
  runSeconds: number;
  reproduceSeconds: number;
  verdicts: string;
}

/** Runs `runArgs`, then reproduces its bundle under another key: both timings and the verdicts. */
async function measure(label: string, runArgs: string[]): Promise<Row> {
  const { dir, env } = sandbox(label);
  const common = ENGINE_ARGS;
  process.stderr.write(`${label}: run …\n`);
  const run = await cli(["run", ...runArgs, ...common, "--out", join(dir, "original"), "--json"], env("submitter"));
  const { bundle, runs } = JSON.parse(run.stdout) as { bundle: string; runs: unknown[] };
  process.stderr.write(`${label}: ${runs.length} runs in ${run.seconds.toFixed(1)} s; reproduce …\n`);
  const reproduced = await cli(
    ["reproduce", bundle, ...common, "--out", join(dir, "reproduction"), "--json"],
    env("reproducer"),
  );
  const report = JSON.parse(reproduced.stdout) as { runs: { verdict: string }[] };
  const counts = new Map<string, number>();
  for (const { verdict } of report.runs) counts.set(verdict, (counts.get(verdict) ?? 0) + 1);
  return {
    label,
    runs: runs.length,
    runSeconds: run.seconds,
    reproduceSeconds: reproduced.seconds,
    verdicts: [...counts].map(([verdict, n]) => `${n} ${verdict}`).join(", "),
  };
}

async function main(): Promise<void> {
  const smokeOnly = process.argv.includes("--smoke-only");
  const version = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string })
    .version;
  process.stderr.write(
    `rethink-bench ${version}, ${engine === "torch" ? `engine torch (${python})` : `backend ${BACKEND}, ${WORKERS} workers`}, ` +
      `${cpus().length} cores ` +
      `(${cpus()[0]?.model ?? "?"}), load average ${loadavg()[0]!.toFixed(2)}\n`,
  );
  const rows = [await measure("smoke (seed 0)", ["--suite", "smoke", "--seed", "0"])];
  if (!smokeOnly) {
    rows.push(await measure("quick, mlp-1x512", ["--suite", "quick", "--architecture", "mlp-1x512"]));
  }
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(18) : c.padStart(12))).join(" ");
  process.stdout.write(`${line(["", "runs", "run (s)", "reproduce (s)", "ratio", "goal"])}\n`);
  for (const row of rows) {
    const ratio = row.reproduceSeconds / row.runSeconds;
    process.stdout.write(
      `${line([
        row.label,
        String(row.runs),
        row.runSeconds.toFixed(1),
        row.reproduceSeconds.toFixed(1),
        `${ratio.toFixed(2)}×`,
        ratio <= GOAL ? `≤ ${GOAL}× ok` : `> ${GOAL}×`,
      ])}  ${row.verdicts}\n`,
    );
  }
}

await main();
