// The runs behind the reproduction report, made through the real `rethink-bench` CLI and kept
// in a results folder so that the report can be generated again cheaply: suites resume from
// their checkpoints (a finished suite only signs its bundle again), and commands without
// checkpoints (theorem, kernel) keep their JSON output. Each invocation that trained records
// its command and wall time, which the report prints.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rm } from "node:fs/promises";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import writeFileAtomic from "write-file-atomic";
import { openBundle, type ResultPredicate } from "../../schema/index.js";

const ROOT = resolve(import.meta.dirname, "../..");
const BIN = join(ROOT, "bin", "rethink-bench.js");

/** One invocation of the CLI that did work (trained or solved something). */
export interface Invocation {
  command: string;
  wallSeconds: number;
  /** Runs it finished (suites), or 1 for a command without checkpoints. */
  finishedRuns: number;
  startedAt: string;
  /** 1-minute load average when it started and when it ended: how busy the machine was. */
  loadAverage: [number, number];
  /**
   * The digest of the suite definition a suite command trained (absent for other commands and in
   * older records): a changed definition trains anew, and its time is not added to the old one's.
   */
  suiteDigest?: string;
}

/** The invocations that produced each step's results, by step name. */
export type Timings = Record<string, Invocation[]>;

/** What the shell would show for `args`. */
export function commandLine(args: readonly string[]): string {
  return ["rethink-bench", ...args]
    .map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`))
    .join(" ");
}

/** Runs the built CLI; its progress (stderr) goes to ours, its stdout is returned. */
async function runCli(
  args: readonly string[],
): Promise<{ stdout: string; wallSeconds: number; startedAt: string; loadAverage: [number, number] }> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const loadBefore = loadavg()[0]!;
  process.stderr.write(`\n$ ${commandLine(args)}\n`);
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
  const chunks: Buffer[] = [];
  child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
  const code = await new Promise<number | null>((done, fail) => {
    child.on("error", fail);
    child.on("close", done);
  });
  const stdout = Buffer.concat(chunks).toString("utf8");
  if (code !== 0) throw new Error(`${commandLine(args)} exited with ${code}; its output:\n${stdout}`);
  return {
    stdout,
    wallSeconds: (performance.now() - started) / 1000,
    startedAt,
    loadAverage: [loadBefore, loadavg()[0]!],
  };
}

/** A step's signed bundle (verified), the command that makes it and the invocations that did its work. */
export interface StepBundle {
  predicate: ResultPredicate;
  text: string;
  path: string;
  command: string;
  invocations: Invocation[];
}

/** A command's JSON output, the command, and the invocation that produced it (none if made outside the report). */
export interface StepJson<T> {
  output: T;
  command: string;
  invocations: Invocation[];
}

/** The results folder: its timings file, read and updated per step. */
export class ResultsFolder {
  private constructor(
    readonly dir: string,
    private timings: Timings,
  ) {}

  static async open(dir: string): Promise<ResultsFolder> {
    await mkdir(dir, { recursive: true });
    const file = join(dir, "timings.json");
    const timings = existsSync(file) ? (JSON.parse(await readFile(file, "utf8")) as Timings) : {};
    return new ResultsFolder(dir, timings);
  }

  /**
   * The invocations of `command` (for a suite, of this suite definition) that produced a step's
   * results; empty if they were made outside the report. Records from before digests were kept are
   * taken to be of the current definition.
   */
  private invocations(step: string, command: string, suiteDigest?: string): Invocation[] {
    return (this.timings[step] ?? []).filter(
      (i) =>
        i.command === command &&
        (suiteDigest === undefined || i.suiteDigest === undefined || i.suiteDigest === suiteDigest),
    );
  }

  /** Adds an invocation to the step's record, forgetting those of other commands. */
  private async record(step: string, invocation: Invocation): Promise<void> {
    this.timings[step] = [...this.invocations(step, invocation.command, invocation.suiteDigest), invocation];
    await writeFileAtomic(join(this.dir, "timings.json"), `${JSON.stringify(this.timings, null, 2)}\n`);
  }

  /**
   * A signed bundle from a suite command (`run` or `kernel --out`, with `--json`) whose
   * checkpoints live in `<dir>/<step>`: runs what is missing, signs, verifies the bundle like
   * the server does and returns its predicate. Older bundles of the step are removed: each
   * invocation signs a new one (its creation time differs).
   */
  async bundle(step: string, args: readonly string[]): Promise<StepBundle> {
    const out = join(this.dir, step);
    const command = commandLine([...args, "--out", relativeToRoot(out), "--json"]);
    const before = await countCheckpoints(out);
    const result = await runCli([...args, "--out", out, "--json"]);
    const finishedRuns = (await countCheckpoints(out)) - before;
    const { bundle } = JSON.parse(result.stdout) as { bundle: string };
    for (const name of await readdir(out)) {
      if (name.endsWith(".dsse.json") && join(out, name) !== bundle) await rm(join(out, name));
    }
    const text = await readFile(bundle, "utf8");
    const opened = await openBundle(text);
    if (!opened.ok) throw new Error(`${bundle} does not verify: ${opened.code}: ${opened.detail}`);
    const { suiteDigest } = opened.statement.predicate;
    if (finishedRuns > 0) {
      await this.record(step, {
        command,
        wallSeconds: result.wallSeconds,
        finishedRuns,
        startedAt: result.startedAt,
        loadAverage: result.loadAverage,
        suiteDigest,
      });
    }
    return {
      predicate: opened.statement.predicate,
      text,
      path: bundle,
      command,
      invocations: this.invocations(step, command, suiteDigest),
    };
  }

  /**
   * The JSON that a command prints with `--json`, kept in `<dir>/<step>.json` with its
   * command and reused while the command is the same.
   */
  async json<T>(step: string, args: readonly string[]): Promise<StepJson<T>> {
    const file = join(this.dir, `${step}.json`);
    const command = commandLine(args);
    if (existsSync(file)) {
      const cached = JSON.parse(await readFile(file, "utf8")) as { command: string; output: T };
      if (cached.command === command)
        return { output: cached.output, command, invocations: this.invocations(step, command) };
    }
    const result = await runCli(args);
    const output = JSON.parse(result.stdout) as T;
    await writeFileAtomic(file, `${JSON.stringify({ command, output }, null, 2)}\n`);
    await this.record(step, {
      command,
      wallSeconds: result.wallSeconds,
      finishedRuns: 1,
      startedAt: result.startedAt,
      loadAverage: result.loadAverage,
    });
    return { output, command, invocations: this.invocations(step, command) };
  }
}

function relativeToRoot(path: string): string {
  return path.startsWith(`${ROOT}/`) ? path.slice(ROOT.length + 1) : path;
}

/** Finished-run checkpoints under a suite's output folder. */
async function countCheckpoints(out: string): Promise<number> {
  const state = join(out, ".runs");
  if (!existsSync(state)) return 0;
  let count = 0;
  for (const run of await readdir(state)) {
    const runs = join(state, run, "runs");
    if (existsSync(runs)) count += (await readdir(runs)).filter((name) => name.endsWith(".json")).length;
  }
  return count;
}
