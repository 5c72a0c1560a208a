// `rethink-bench run --suite smoke` end to end: train, sign, verify; Ctrl-C, then resume.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_MEASURE_SETTINGS, Envelope, measureProblems, RunMeasures, Statement } from "../../schema/index.js";
import { BIN, runCli } from "../fixtures/cli.js";
import { SMOKE_RUN_ARGS, sharedSmokeRun } from "../fixtures/smoke-run.js";

function sandbox() {
  const dir = mkdtempSync(join(tmpdir(), "rb-run-"));
  return {
    dir,
    out: join(dir, "results"),
    env: {
      RETHINK_BENCH_CONFIG_DIR: join(dir, "config"),
      RETHINK_BENCH_CACHE_DIR: join(dir, "cache"),
      RETHINK_BENCH_DATA_DIR: join(dir, "data"),
    },
  };
}

interface RunJson {
  bundle: string;
  runs: {
    corruption: string;
    status: string;
    epochsToFit: number | null;
    stepsToFit: number | null;
    finalTrainAcc: number;
    finalTestAcc: number;
    slowdown: number | null;
  }[];
}

describe("rethink-bench run --suite smoke", () => {
  it("memorizes random labels, writes a bundle that verifies, and prints the JSON summary", async () => {
    // This very command, trained once for all the files that need its bundle.
    expect(SMOKE_RUN_ARGS).toEqual(["run", "--suite", "smoke", "--seed", "0", "--backend", "wasm", "--workers", "2"]);
    const result = await sharedSmokeRun();
    // Verified as by the user who ran it: their key, their own cache.
    const env = { ...sandbox().env, RETHINK_BENCH_CONFIG_DIR: result.configDir };
    expect(result.stderr).not.toContain("Error");
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as RunJson;
    expect(summary.runs.map((r) => r.corruption)).toEqual(["true", "random"]);
    const [trueRun, randomRun] = summary.runs;
    expect(trueRun!.status).toBe("ok");
    expect(randomRun!.finalTrainAcc).toBe(1);
    expect(randomRun!.epochsToFit).not.toBeNull();
    expect(randomRun!.stepsToFit!).toBeGreaterThan(trueRun!.stepsToFit!);
    expect(trueRun!.finalTestAcc).toBeGreaterThan(0.5);
    expect(Math.abs(randomRun!.finalTestAcc - 0.1)).toBeLessThan(0.1);
    expect(randomRun!.slowdown).toBe(randomRun!.stepsToFit! / trueRun!.stepsToFit!);

    const verified = await runCli(["verify", summary.bundle], env);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/^OK .*suite smoke v3 · mlp-1x512 · 2 runs over 2 corruptions · wasm backend/);

    // Every run carries the complexity measures of its final weights, consistent with what the
    // server checks; mlp-1x512 (dense and ReLU only, logits out) has every one of them defined.
    const envelope = Envelope.parse(JSON.parse(readFileSync(summary.bundle, "utf8")));
    const { predicate } = Statement.parse(JSON.parse(Buffer.from(envelope.payload, "base64").toString("utf8")));
    const [architecture] = predicate.architectures;
    for (const run of predicate.runs) {
      const measures = RunMeasures.parse(run.measures);
      expect(measureProblems(measures, { settings: DEFAULT_MEASURE_SETTINGS, parameterCount: 407050 })).toEqual([]);
      expect(measures.parameterCount).toBe(architecture!.parameterCount);
      for (const key of ["logSpectralProduct", "logSpectralOverMargin", "logPathL2", "margin"] as const)
        expect(measures[key], key).not.toBeNull();
      // Both runs fit every training label, so even the 10th percentile of the margins is positive.
      expect(measures.margin!).toBeGreaterThan(0);
      expect(measures.distanceFromInit).toBeGreaterThan(0);
    }
  });

  it("stops on Ctrl-C keeping the finished run, then resumes without retraining it", async () => {
    const { out, env } = sandbox();
    const args = [BIN, "run", "--suite", "smoke", "--seed", "0", "--backend", "wasm", "--workers", "1", "--out", out];
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env } });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const runsDir = () => {
      const root = join(out, ".runs");
      if (!existsSync(root)) return null;
      const [state] = readdirSync(root);
      return state ? join(root, state, "runs") : null;
    };
    // Interrupt as soon as the first run's checkpoint exists.
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        const dir = runsDir();
        if (dir && existsSync(dir) && readdirSync(dir).some((f) => f.endsWith(".json"))) {
          clearInterval(timer);
          child.kill("SIGINT");
          resolve();
        }
      }, 50);
      child.once("exit", () => {
        clearInterval(timer);
        reject(new Error(`run exited before its first checkpoint:\n${stderr}`));
      });
    });
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).toBe(130);
    expect(stderr).toMatch(/interrupted: 1 of 2 runs are saved in .*; run the same command again to resume/);

    const resumed = await runCli(
      ["run", "--suite", "smoke", "--seed", "0", "--backend", "wasm", "--workers", "1", "--out", out, "--json"],
      env,
      180_000,
    );
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain("1 already finished");
    expect((JSON.parse(resumed.stdout) as RunJson).runs).toHaveLength(2);
  });

  it("names the valid choices for an unknown suite, backend, dataset or architecture", async () => {
    const { out, env } = sandbox();
    const suite = await runCli(["run", "--suite", "huge", "--out", out], env);
    expect(suite.code).toBe(2);
    expect(suite.stderr).toContain('unknown suite "huge"; valid suites: smoke, quick, regularizers, standard, paper');
    const backend = await runCli(["run", "--suite", "smoke", "--seed", "0", "--backend", "tpu", "--out", out], env);
    expect(backend.code).toBe(2);
    expect(backend.stderr).toContain("valid backends: auto, tensorflow, wasm, cpu");
    const dataset = await runCli(["run", "--suite", "smoke", "--dataset", "cifar10", "--out", out], env);
    expect(dataset.code).toBe(2);
    expect(dataset.stderr).toContain('suite smoke does not use dataset "cifar10"; it uses: mnist-10k');
    const architecture = await runCli(["run", "--suite", "quick", "--architecture", "resnet", "--out", out], env);
    expect(architecture.code).toBe(2);
    expect(architecture.stderr).toContain(
      'suite quick has no architecture "resnet"; it has: mlp-1x512, small-alexnet-tiny',
    );
  });
});
