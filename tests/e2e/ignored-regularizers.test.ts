// A topology file's regularizers and constraints are the suite's to fix, not the file's: `run --model`
// says once on stderr which layers' it ignored, and trains exactly the network (same fingerprint, same
// runs) that the file without them gives.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../fixtures/cli.js";

const home = mkdtempSync(join(tmpdir(), "rb-ignored-regularizers-"));
const env = {
  RETHINK_BENCH_CONFIG_DIR: join(home, "config"),
  RETHINK_BENCH_CACHE_DIR: join(home, "cache"),
  RETHINK_BENCH_DATA_DIR: join(home, "data"),
};

/** Keras 2.2's list-config Sequential: a linear classifier of 28×28×1 digits, with `dense` options added. */
const model = (dense: Record<string, unknown>) => ({
  class_name: "Sequential",
  config: [
    { class_name: "Flatten", config: { name: "flatten_1", batch_input_shape: [null, 28, 28, 1] } },
    { class_name: "Dense", config: { name: "dense_1", units: 10, ...dense } },
  ],
});

/** Runs the smoke suite on `json`, saved as `<dir>/net.json` (one name, so one architecture id). */
async function run(dir: string, json: unknown) {
  mkdirSync(join(home, dir));
  const path = join(home, dir, "net.json");
  writeFileSync(path, JSON.stringify(json));
  const args = ["run", "--suite", "smoke", "--backend", "wasm", "--workers", "1", "--json"];
  const result = await runCli([...args, "--model", path, "--out", join(home, dir, "out")], env);
  expect(result.code, result.stderr).toBe(0);
  return { path, stderr: result.stderr, runs: (JSON.parse(result.stdout) as { runs: unknown[] }).runs };
}

describe("run --model with a file's kernel regularizer and constraint", () => {
  it("names the layer once on stderr and trains the network without them", async () => {
    const regularized = await run(
      "regularized",
      model({
        kernel_regularizer: { class_name: "L2", config: { l2: 1e-4 } },
        kernel_constraint: { class_name: "MaxNorm", config: { max_value: 2, axis: 0 } },
      }),
    );
    const plain = await run("plain", model({}));
    const note =
      `${regularized.path}: ignored the regularizers and constraints of layer "dense_1" (Dense): ` +
      "kernel_regularizer L2, kernel_constraint MaxNorm. Regularization is a training condition";
    // Once, although every worker thread reads the file again.
    expect(regularized.stderr.split(note).length - 1).toBe(1);
    expect(plain.stderr).not.toContain("ignored the regularizers");
    // The same six runs, fingerprint included: the regularizer changed nothing the runs did.
    expect(regularized.runs).toHaveLength(6);
    expect(regularized.runs).toEqual(plain.runs);
  });
});
