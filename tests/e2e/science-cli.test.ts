// The science commands as a user runs them: `theorem` and `kernel`, their JSON, their
// errors, and a kernel baseline bundle that `verify` (and the server's openBundle) accepts.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { decodeClasses, openBundle } from "../../schema/index.js";
import { runCli } from "../fixtures/cli.js";

let dir: string;
let env: Record<string, string>;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "rb-science-"));
  env = { RETHINK_BENCH_CONFIG_DIR: join(dir, "config"), RETHINK_BENCH_CACHE_DIR: join(dir, "cache") };
});

describe("rethink-bench theorem", () => {
  it("fits random real labels on random points with 2n + d weights (--json)", async () => {
    const result = await runCli(["theorem", "--n", "2000", "--d", "30", "--seed", "7", "--json"], env);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as {
      n: number;
      d: number;
      weights: number;
      maxAbsError: number;
      errorBound: number;
      condition: number;
    };
    expect(report).toMatchObject({ n: 2000, d: 30, weights: 4030 });
    expect(report.maxAbsError).toBeLessThanOrEqual(report.errorBound);
    expect(report.errorBound).toBeLessThan(1e-9);
    expect(report.condition).toBeGreaterThan(1);
  });

  it("fits labels from a file on real digits, and rejects a file with the wrong count", async () => {
    const labels = join(dir, "labels.txt");
    writeFileSync(labels, Array.from({ length: 300 }, (_, i) => String(((i * 37) % 11) - 5.5)).join("\n"));
    const fitted = await runCli(["theorem", "--n", "300", "--dataset", "mnist-10k", "--labels", labels], env);
    expect(fitted.code, fitted.stderr).toBe(0);
    expect(fitted.stdout).toContain("weights          1384 = 2·300 + 784");
    const wrong = await runCli(["theorem", "--n", "301", "--dataset", "mnist-10k", "--labels", labels], env);
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toContain(`--labels ${labels} holds 300 labels; --n is 301`);
  });
});

describe("rethink-bench kernel", () => {
  it("interpolates mnist-10k digits: training error 0, test error well below chance", async () => {
    const result = await runCli(["kernel", "--n", "300", "--test", "300", "--json"], env);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as {
      n: number;
      gamma: number;
      trainError: number;
      testError: number;
      norm: number;
    };
    expect(report).toMatchObject({ n: 300, gamma: 0.02, trainError: 0 });
    expect(report.testError).toBeLessThan(0.25);
    expect(report.norm).toBeGreaterThan(0);
  });

  it("writes a signed baseline bundle of a suite's randomization tests that verifies", async () => {
    const out = join(dir, "bundle");
    const result = await runCli(["kernel", "--suite", "smoke", "--seed", "0", "--out", out, "--json"], env);
    expect(result.code, result.stderr).toBe(0);
    const { bundle } = JSON.parse(result.stdout) as { bundle: string };
    expect(readdirSync(out)).toContain(bundle.split("/").at(-1));

    const opened = await openBundle(readFileSync(bundle, "utf8"));
    if (!opened.ok) return expect.fail(`${opened.code}: ${opened.detail}`);
    const { predicate } = opened.statement;
    expect(predicate.environment.backend).toBe("none");
    expect(predicate.architectures).toEqual([
      expect.objectContaining({ id: "rbf-kernel", kind: "kernel", parameterCount: 250 * 10 }),
    ]);
    expect(predicate.runs.map((run) => run.task.corruption.kind)).toEqual(["true", "random"]);
    for (const run of predicate.runs) {
      expect(run.curve).toHaveLength(1);
      expect(run.derived.finalTrainAcc).toBe(1);
      expect(decodeClasses(run.predictions!.train, 250)).toHaveLength(250);
    }
    const [truth, random] = predicate.runs;
    expect(truth!.derived.finalTestAcc!).toBeGreaterThan(0.75);
    expect(random!.derived.finalTestAcc!).toBeLessThan(0.25);

    const verified = await runCli(["verify", bundle], env);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toContain("suite smoke v3 · rbf-kernel · 2 runs over 2 corruptions · none backend");
  });

  it("refuses sizes with --out: a bundle's sizes are its suite's", async () => {
    const result = await runCli(["kernel", "--n", "500", "--out", join(dir, "x")], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--n cannot be combined with --out");
  });
});
