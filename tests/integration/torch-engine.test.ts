// `run --engine torch` and `reproduce` through the real CLI with Debian's PyTorch on the CPU: the smoke suite
// memorizes random labels and learns true ones, the bundle verifies and names its engine, a PyTorch module
// trains as kind torch-module, a dead Python worker fails only its run, Ctrl-C leaves no Python behind, and
// every way the engine cannot start says how to fix it.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { canonicalDigest, openBundle, type ResultPredicate, type RunResult } from "../../schema/index.js";
import { BIN, runCli } from "../fixtures/cli.js";
import { track } from "../fixtures/processes.js";

/** Debian's python3-torch; the first python3 on PATH may lack torch (scripts/setup-system.sh installs it here). */
const PYTHON = process.env.RETHINK_BENCH_PYTHON || "/usr/bin/python3";
const NET = fileURLToPath(new URL("../fixtures/torch/net.py", import.meta.url));
const TIMEOUT_MS = 240_000;

/** Folders of one test file: one signing key, one dataset cache, each command its own `out`. */
const root = mkdtempSync(join(tmpdir(), "rb-torch-engine-"));
const env = {
  RETHINK_BENCH_CONFIG_DIR: join(root, "config"),
  RETHINK_BENCH_CACHE_DIR: join(root, "cache"),
  RETHINK_BENCH_DATA_DIR: join(root, "data"),
};
const torchArgs = ["--engine", "torch", "--python", PYTHON];

async function predicateOf(bundlePath: string): Promise<ResultPredicate> {
  const opened = await openBundle(readFileSync(bundlePath, "utf8"));
  if (!opened.ok) throw new Error(`${bundlePath} does not verify: ${opened.code} ${opened.detail}`);
  return opened.statement.predicate;
}

const finalPoint = (run: RunResult) => run.curve.at(-1)!;

/** The ids of the processes whose parent is `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        // Field 4 of /proc/PID/stat, after the parenthesized command name, is the parent's id.
        const stat = readFileSync(`/proc/${name}/stat`, "utf8");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid;
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

/** Starts the CLI and resolves once its stderr matches `pattern`, with the output so far. */
function startUntil(
  args: string[],
  pattern: RegExp,
): { child: ChildProcess; reached: Promise<void>; stderr: () => string } {
  const child = track(spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env, NO_COLOR: "1" } }));
  let stderr = "";
  const reached = new Promise<void>((resolve, reject) => {
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      if (pattern.test(stderr)) resolve();
    });
    child.once("exit", (code) => reject(new Error(`exited (${code}) before ${pattern}: ${stderr}`)));
  });
  return { child, reached, stderr: () => stderr };
}

const exitOf = (child: ChildProcess) =>
  new Promise<number | string>((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once("exit", (code, signal) => resolve(code ?? signal!));
  });

describe("run --engine torch", () => {
  it("memorizes random labels, learns true ones, and signs a bundle that names its engine and reproduces exactly", async () => {
    const out = join(root, "smoke");
    // Seed 0 alone: one run of each corruption (the seeds only repeat them).
    const result = await runCli(
      ["run", "--suite", "smoke", "--seed", "0", ...torchArgs, "--out", out, "--json"],
      env,
      TIMEOUT_MS,
    );
    expect(result.code, result.stderr).toBe(0);
    const bundle = (JSON.parse(result.stdout) as { bundle: string }).bundle;
    const predicate = await predicateOf(bundle);

    const chance = 1 / predicate.datasets[0]!.classes;
    const byKind = (kind: string) => predicate.runs.filter((run) => run.task.corruption.kind === kind);
    expect(predicate.runs.map((run) => run.task.corruption.kind)).toEqual(["true", "random"]);
    for (const run of byKind("random")) {
      expect(run.status).toBe("ok");
      expect(finalPoint(run).trainAcc).toBe(1);
      expect(Math.abs(finalPoint(run).testAcc - chance)).toBeLessThanOrEqual(0.05);
    }
    for (const run of byKind("true")) {
      expect(finalPoint(run).trainAcc).toBe(1);
      expect(finalPoint(run).testAcc).toBeGreaterThan(chance + 0.4);
    }

    // worker.py measured every run's final weights with the suite's settings (docs/measures.md).
    for (const run of predicate.runs) {
      const architecture = predicate.architectures.find((a) => a.fingerprint === run.architectureFingerprint)!;
      const measures = run.measures!;
      expect(measures, run.task.corruption.kind).toBeDefined();
      expect(measures.parameterCount).toBe(architecture.parameterCount);
      expect(measures.frobeniusSquared).toBeGreaterThan(0);
      expect(measures.distanceFromInit).toBeGreaterThan(0);
      // Every training example is fitted (trainAcc 1 above), so the margin quantile is positive.
      expect(measures.margin).toBeGreaterThan(0);
      expect(measures.logSpectralOverMargin).toBeCloseTo(
        2 * measures.logSpectralProduct! - 2 * Math.log(measures.margin!),
        9,
      );
      // mlp-1x512 is Dense and ReLU layers ending in logits: its path norm is defined.
      expect(measures.logPathL2).toBeGreaterThan(0);
      const { flatnessSigmaMin, flatnessSigmaMax } = predicate.suite.measures!;
      expect(measures.flatnessSigma).toBeGreaterThanOrEqual(flatnessSigmaMin);
      expect(measures.flatnessSigma).toBeLessThanOrEqual(flatnessSigmaMax);
    }

    const torchVersion = execFileSync(PYTHON, ["-c", "import torch; print(torch.__version__)"], { encoding: "utf8" });
    const { environment } = predicate;
    expect(environment.backend).toBe("torch-cpu");
    expect(environment.engine).toMatchObject({ name: "torch", torchVersion: torchVersion.trim(), device: "cpu" });
    expect(environment.engine!.threads).toBe(1);
    expect(environment.backendDetail).toBe(`PyTorch ${torchVersion.trim()} on cpu (1 thread)`);

    const verified = await runCli(["verify", bundle], env);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toContain("torch-cpu");

    // Both runs again, on the original's engine (torch on the CPU by default): bit for bit.
    const again = await runCli(
      ["reproduce", bundle, "--python", PYTHON, "--out", join(root, "reproduce"), "--json"],
      env,
      TIMEOUT_MS,
    );
    expect(again.code, again.stderr).toBe(0);
    const verdicts = JSON.parse(again.stdout) as { mode: string; runs: { verdict: string }[] };
    expect(verdicts.mode).toBe("exact");
    expect(verdicts.runs.map((run) => run.verdict)).toEqual(["exact", "exact"]);
  });

  it("trains a PyTorch module given as file.py:factory, recorded as kind torch-module", async () => {
    const result = await runCli(
      ["run", "--suite", "smoke", "--seed", "0", ...torchArgs, "--model", `${NET}:make`, "--out", join(root, "net")],
      env,
      TIMEOUT_MS,
    );
    expect(result.code, result.stderr).toBe(0);
    const bundle = readdirSync(join(root, "net")).find((name) => name.endsWith(".dsse.json"))!;
    const predicate = await predicateOf(join(root, "net", bundle));
    expect(predicate.architectures).toHaveLength(1);
    const [architecture] = predicate.architectures;
    expect(architecture).toMatchObject({ id: "net", kind: "torch-module", name: "net.py:make" });
    expect(architecture!.fingerprint).toBe(await canonicalDigest(architecture!.topology));
    // Two Linear layers of 784×256 + 256 and 256×10 + 10: what TinyNet holds.
    expect(architecture!.parameterCount).toBe(784 * 256 + 256 + 256 * 10 + 10);
    expect(predicate.runs.map((run) => [run.task.corruption.kind, run.status])).toEqual([
      ["true", "ok"],
      ["random", "ok"],
    ]);
    expect(finalPoint(predicate.runs[1]!).trainAcc).toBe(1);
  });

  it("ends only the run whose Python worker died, and leaves no Python behind on Ctrl-C", async () => {
    const args = (out: string) => [
      "run",
      "--suite",
      "smoke",
      "--seed",
      "0",
      "--workers",
      "1",
      ...torchArgs,
      "--out",
      out,
    ];
    const out = join(root, "killed");
    const killed = startUntil(args(out), /epoch 10\//);
    await killed.reached;
    const pythons = childrenOf(killed.child.pid!);
    expect(pythons).toHaveLength(1);
    process.kill(pythons[0]!, "SIGKILL");
    expect(await exitOf(killed.child), killed.stderr()).toBe(0);
    const bundle = readdirSync(out).find((name) => name.endsWith(".dsse.json"))!;
    const runs = (await predicateOf(join(out, bundle))).runs;
    const failed = runs.filter((run) => run.status === "failed");
    expect(failed).toHaveLength(1);
    expect(failed[0]!.failure).toMatch(/^the PyTorch worker process died: .*SIGKILL/);
    expect(runs.filter((run) => run.status === "ok")).toHaveLength(1);

    const interrupted = startUntil(args(join(root, "interrupted")), /epoch 10\//);
    await interrupted.reached;
    const children = childrenOf(interrupted.child.pid!);
    expect(children).toHaveLength(1);
    interrupted.child.kill("SIGINT");
    expect(await exitOf(interrupted.child), interrupted.stderr()).toBe(130);
    expect(existsSync(`/proc/${children[0]}`)).toBe(false);
  });

  it("says how to fix each way the engine cannot start or the model cannot train", async () => {
    const base = ["run", "--suite", "smoke", "--seed", "0", "--out", join(root, "errors")];
    const [noPython, noCuda, tfjsModule, broken, wrongShape] = await Promise.all([
      runCli([...base, "--engine", "torch", "--python", "/nonexistent/python3"], env),
      runCli([...base, ...torchArgs, "--device", "cuda"], env),
      runCli([...base, "--model", `${NET}:make`], env),
      runCli([...base, ...torchArgs, "--workers", "1", "--model", `${NET}:broken`], env, TIMEOUT_MS),
      runCli([...base, ...torchArgs, "--workers", "1", "--model", `${NET}:wrong_shape`], env, TIMEOUT_MS),
    ]);
    expect(noPython.code).toBe(2);
    expect(noPython.stderr).toMatch(/cannot run Python "\/nonexistent\/python3".*--python PATH.*RETHINK_BENCH_PYTHON/);
    expect(noCuda.code).toBe(2);
    expect(noCuda.stderr).toMatch(/--device cuda: .*devices here: cpu/);
    expect(tfjsModule.code).toBe(2);
    expect(tfjsModule.stderr).toMatch(/net\.py:make is a PyTorch module.*add --engine torch/);
    expect(broken.code).toBe(3);
    expect(broken.stderr).toContain(`--model ${NET}:broken`);
    expect(broken.stderr).toMatch(/ValueError: this factory builds no network/);
    expect(wrongShape.code).toBe(3);
    expect(wrongShape.stderr).toContain(`--model ${NET}:wrong_shape`);
    expect(wrongShape.stderr).toMatch(/\[2, 11\].*\[2, 10\]/);
  });
});
