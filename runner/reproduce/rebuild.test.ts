// Rebuilding architectures from signed records: a user's model.json with dropout, rebuilt from
// its canonical topology, must train the very network the original trained (same weights, same
// dropout seeds); kernels and builder modules without their file are refused.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NO_REGULARIZER, type ResultPredicate } from "../../schema/index.js";
import { UsageError } from "../errors.js";
import { describeArchitecture, loadArchitecture } from "../models/index.js";
import { initBackend } from "../train/index.js";
import { planRebuild } from "./rebuild.js";

let dir: string;
beforeAll(async () => {
  await initBackend("wasm");
  dir = await mkdtemp(join(tmpdir(), "rethink-bench-rebuild-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const dense = (units: number, name: string, activation: string) => ({
  class_name: "Dense",
  config: {
    name,
    units,
    activation,
    use_bias: true,
    kernel_initializer: { class_name: "GlorotUniform", config: { seed: 12345 } },
    bias_initializer: { class_name: "Zeros", config: {} },
  },
});

/** A Keras-converted model.json with two Dropout layers between its dense layers. */
const withDropout = {
  modelTopology: {
    class_name: "Sequential",
    config: {
      name: "dropout-net",
      layers: [
        { class_name: "Flatten", config: { name: "flatten", batch_input_shape: [null, 28, 28, 1] } },
        dense(32, "hidden", "relu"),
        { class_name: "Dropout", config: { name: "drop-1", rate: 0.25 } },
        dense(16, "hidden-2", "relu"),
        { class_name: "Dropout", config: { name: "drop-2", rate: 0.5 } },
        dense(10, "probabilities", "softmax"),
      ],
    },
  },
};

const build = (builder: Awaited<ReturnType<typeof loadArchitecture>>, seed: number) =>
  builder.build({ inputShape: [28, 28, 1], classes: 10, regularizer: NO_REGULARIZER, seed });

const dropoutSeeds = (model: tf.LayersModel) =>
  model.layers.filter((l) => l.getClassName() === "SeededDropout").map((l) => l.getConfig().seed);

describe("rebuilding a model.json from its signed topology", () => {
  it("gives the same fingerprint, initial weights and dropout seeds as the file, seed by seed", async () => {
    const path = join(dir, "model.json");
    await writeFile(path, JSON.stringify(withDropout));
    const fromFile = await loadArchitecture({ kind: "layers-json", path });
    const signed = await describeArchitecture(fromFile, [28, 28, 1], 10);
    // The canonical topology holds SeededDropout with a null seed: what a rebuild starts from.
    const layers = (signed.topology as { config: { layers: { class_name: string; config: { seed?: unknown } }[] } })
      .config.layers;
    expect(layers.filter((l) => l.class_name === "SeededDropout").map((l) => l.config.seed)).toEqual([null, null]);

    const fromTopology = await loadArchitecture({
      kind: "topology",
      id: signed.id,
      name: signed.name,
      topology: signed.topology,
    });
    const rebuilt = await describeArchitecture(fromTopology, [28, 28, 1], 10);
    expect(rebuilt.fingerprint).toBe(signed.fingerprint);
    expect(rebuilt).toMatchObject({ id: signed.id, name: signed.name, kind: "layers-json" });

    for (const seed of [0, 7]) {
      const a = build(fromFile, seed);
      const b = build(fromTopology, seed);
      const seeds = dropoutSeeds(a);
      expect(seeds).toHaveLength(2);
      for (const s of seeds) expect(Number.isInteger(s)).toBe(true);
      expect(dropoutSeeds(b)).toEqual(seeds);
      const weights = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));
      expect(weights(b)).toEqual(weights(a));
      a.dispose();
      b.dispose();
    }
    // Another seed draws other dropout seeds: the comparison above is not between constants.
    const [s0, s7] = [build(fromFile, 0), build(fromFile, 7)];
    expect(dropoutSeeds(s7)).not.toEqual(dropoutSeeds(s0));
    s0.dispose();
    s7.dispose();
  });
});

describe("planRebuild", () => {
  const record = (kind: string, fingerprint: string) => ({
    id: `net-${kind}`,
    name: kind,
    kind,
    inputShape: [28, 28, 1],
    fingerprint,
    parameterCount: 1,
    topology: { class_name: "Sequential", config: { layers: [] } },
  });
  const predicate = (kinds: string[]) =>
    ({
      architectures: kinds.map((kind, i) => record(kind, String(i).repeat(64))),
      runs: kinds.map((_, i) => ({ architectureFingerprint: String(i).repeat(64) })),
    }) as unknown as ResultPredicate;

  it("puts built-ins on one pool and each user architecture on its own", () => {
    const groups = planRebuild(predicate(["builtin", "layers-json", "builtin"]), [0, 1, 2]);
    expect(groups.map((g) => [g.model?.kind ?? null, g.positions])).toEqual([
      [null, [0, 2]],
      ["topology", [1]],
    ]);
  });

  it("refuses a kernel baseline and a builder module without --model, saying what to do", () => {
    expect(() => planRebuild(predicate(["kernel"]), [0])).toThrow(/kernel baseline.*rethink-bench kernel/);
    expect(() => planRebuild(predicate(["builder-module"]), [0])).toThrow(UsageError);
    expect(() => planRebuild(predicate(["builder-module"]), [0])).toThrow(/--model file\.js/);
    const groups = planRebuild(predicate(["builder-module"]), [0], "nets/build.js");
    expect(groups[0]!.model).toMatchObject({ kind: "builder-module" });
  });
});
