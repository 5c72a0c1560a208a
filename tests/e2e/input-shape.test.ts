// `run --model` checks the file's input shape against the suite's datasets before anything trains:
// a model built for 32×32×3 images, run on the smoke suite's 28×28×1 digits, fails at once with an
// input error (exit 3, as every unreadable or unfitting file) that names the shapes that do fit; a
// seed the suite does not use is refused as early (exit 2), not after the worker threads started.
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../fixtures/cli.js";

const home = mkdtempSync(join(tmpdir(), "rb-input-shape-"));
const env = {
  RETHINK_BENCH_CONFIG_DIR: join(home, "config"),
  RETHINK_BENCH_CACHE_DIR: join(home, "cache"),
  RETHINK_BENCH_DATA_DIR: join(home, "data"),
};

/** A converter-written model.json of a small CIFAR-sized network (Keras 2.2's list-config Sequential). */
const model = {
  format: "layers-model",
  generatedBy: "keras v2.2.4",
  convertedBy: "TensorFlow.js Converter v1.2.2",
  modelTopology: {
    keras_version: "2.2.4",
    backend: "tensorflow",
    model_config: {
      class_name: "Sequential",
      config: [
        {
          class_name: "Flatten",
          config: { name: "flatten_1", batch_input_shape: [null, 32, 32, 3], dtype: "float32" },
        },
        { class_name: "Dense", config: { name: "dense_1", units: 10, activation: "softmax" } },
      ],
    },
  },
  weightsManifest: [],
};

describe("run --model with an input shape the suite does not fit", () => {
  it("fails before training with exit 3, naming the file's shape, the dataset's and the suites that fit", async () => {
    const path = join(home, "cifar-net.json");
    writeFileSync(path, JSON.stringify(model));
    const out = join(home, "out");
    const result = await runCli(["run", "--suite", "smoke", "--backend", "wasm", "--model", path, "--out", out], env);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(
      `${path} takes 32×32×3 images, but mnist-10k's (suite smoke) are 28×28×1; no suite feeds a network ` +
        "32×32×3 images; build the model for 28×28×1: mnist-10k (suites smoke, quick, regularizers)",
    );
    expect(result.stderr).toContain(
      "28×28×3: cifar10 (suites standard --dataset cifar10, paper, its 32×32×3 images cropped)",
    );
    // Nothing started: no worker thread, no signing key, no run folder.
    expect(result.stderr).not.toContain("worker thread");
    expect(result.stdout).toBe("");
    expect(existsSync(env.RETHINK_BENCH_CONFIG_DIR)).toBe(false);
    expect(existsSync(out)).toBe(false);
  });

  it("refuses a seed the suite does not use before any worker thread starts, with --model too", async () => {
    const path = join(home, "mnist-net.json");
    const mnist = structuredClone(model);
    mnist.modelTopology.model_config.config[0]!.config.batch_input_shape = [null, 28, 28, 1];
    writeFileSync(path, JSON.stringify(mnist));
    const args = ["run", "--suite", "smoke", "--backend", "wasm", "--model", path, "--seed", "3"];
    const result = await runCli([...args, "--out", join(home, "out-seed")], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("seed 3 is not one of suite smoke v3's seeds (0, 1, 2)");
    expect(result.stderr).not.toContain("worker thread");
  });
});
