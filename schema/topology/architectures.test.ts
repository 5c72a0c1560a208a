// The server derives kind, parameter count and built-in identity from the topology: each claim a
// bundle makes against them is an error naming the architecture.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { describeArchitecture, loadArchitecture } from "../../runner/models/index.js";
import { canonicalTopology } from "../../runner/models/topology.js";
import { kernelArchitecture } from "../../runner/science/kernel-run.js";
import { type Architecture, canonicalDigest, type ResultPredicate } from "../index.js";
import { checkArchitectures, deriveArchitecture } from "./architectures.js";

async function builtin(id: string, shape: [number, number, number] = [28, 28, 1]): Promise<Architecture> {
  return describeArchitecture(await loadArchitecture({ kind: "builtin", id }), shape, 10);
}

/** A user's functional CNN, described as the runner describes a builder module's model. */
async function userCnn(): Promise<Architecture> {
  const input = tf.input({ shape: [28, 28, 1] });
  const conv = tf.layers.conv2d({ filters: 16, kernelSize: 3, activation: "relu" }).apply(input);
  const flat = tf.layers.flatten().apply(conv);
  const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 10 }).apply(flat) as tf.SymbolicTensor });
  const topology = canonicalTopology(model);
  model.dispose();
  return {
    id: "tiny-cnn",
    name: "Tiny CNN",
    kind: "builder-module",
    inputShape: [28, 28, 1],
    fingerprint: await canonicalDigest(topology),
    // By hand: conv 3·3·1·16 + 16, then 26·26·16 features into 10 units + 10.
    parameterCount: 3 * 3 * 16 + 16 + 26 * 26 * 16 * 10 + 10,
    topology,
  };
}

const check = (...architectures: Architecture[]) =>
  checkArchitectures({ architectures } as unknown as ResultPredicate).map((e) => `${e.path}: ${e.message}`);

describe("checkArchitectures", () => {
  it("accepts what the runner describes: built-ins at every shape, a user model, the kernel baseline", async () => {
    expect(
      check(
        await builtin("mlp-1x512"),
        await builtin("small-alexnet-tiny"),
        await builtin("small-inception", [32, 32, 3]),
        await userCnn(),
        await kernelArchitecture([32, 32, 3], 10, 250, 0.02),
      ),
    ).toEqual([]);
  });

  it("refuses the real mlp-1x512 claimed as a kernel with one parameter", async () => {
    const mlp = { ...(await builtin("mlp-1x512")), kind: "kernel" as const, parameterCount: 1 };
    expect(check(mlp)).toEqual([
      'predicate.architectures[0].kind: mlp-1x512@28x28x1: is "kernel", but the topology makes it "builtin"',
      "predicate.architectures[0].parameterCount: mlp-1x512@28x28x1: is 1, but the topology has 407050",
    ]);
  });

  it("refuses another topology under a built-in id, and a built-in's topology under another id", async () => {
    const user = await userCnn();
    const impostor = { ...user, id: "mlp-1x512", kind: "builtin" as const };
    expect(check(impostor)).toEqual([
      expect.stringMatching(/^predicate\.architectures\[0\]\.fingerprint: mlp-1x512@28x28x1: is not the built-in/),
      expect.stringMatching(/^predicate\.architectures\[0\]\.parameterCount: .* but the topology has 407050$/),
    ]);
    const renamed = { ...(await builtin("mlp-1x512")), id: "my-mlp", kind: "layers-json" as const };
    expect(check(renamed)).toEqual([
      expect.stringMatching(/^predicate\.architectures\[0\]\.id: my-mlp@28x28x1: .* built-in mlp-1x512 at 28x28x1/),
      'predicate.architectures[0].kind: my-mlp@28x28x1: is "layers-json", but the topology makes it "builtin"',
    ]);
  });

  it("refuses a built-in at a shape it is never built at", async () => {
    const mlp = await builtin("mlp-1x512");
    expect(check({ ...mlp, inputShape: [32, 32, 3] })).toEqual([
      expect.stringMatching(/^predicate\.architectures\[0\]\.inputShape: .*not built at input 32x32x3/),
    ]);
  });

  it("derives a user model's count and keeps its kind and name; a wrong count is refused", async () => {
    const user = await userCnn();
    expect(deriveArchitecture(user)).toEqual({
      ok: true,
      derived: { kind: "builder-module", parameterCount: user.parameterCount, name: "Tiny CNN" },
    });
    expect(check({ ...user, kind: "layers-json" })).toEqual([]);
    expect(check({ ...user, kind: "builtin" })).toEqual([
      'predicate.architectures[0].kind: tiny-cnn@28x28x1: is "builtin", but the topology makes it "layers-json"',
    ]);
    expect(check(user, { ...user, parameterCount: 1 })).toEqual([
      `predicate.architectures[1].parameterCount: tiny-cnn@28x28x1: is 1, but the topology has ${user.parameterCount}`,
    ]);
  });

  it("names the layer of a user topology it cannot count", async () => {
    const user = await userCnn();
    const layers = (user.topology.config as { layers: Array<{ class_name: string }> }).layers;
    layers[1]!.class_name = "Conv3D";
    expect(check(user)).toEqual([
      expect.stringMatching(/^predicate\.architectures\[0\]\.topology: tiny-cnn@28x28x1: layer "layer-1" \(Conv3D\)/),
    ]);
  });

  it("keeps kind kernel and the kernel's id for the kernel baseline's exact description", async () => {
    const kernel = await kernelArchitecture([28, 28, 1], 10, 250, 0.02);
    expect(deriveArchitecture(kernel)).toMatchObject({ ok: true, derived: { kind: "kernel", parameterCount: 2500 } });
    expect(check({ ...kernel, parameterCount: 1 })).toEqual([
      "predicate.architectures[0].parameterCount: rbf-kernel@28x28x1: is 1, but the topology has 2500",
    ]);
    expect(check({ ...kernel, id: "my-kernel" })).toEqual([
      'predicate.architectures[0].id: my-kernel@28x28x1: a kernel baseline\'s id is "rbf-kernel"',
    ]);
    const user = await userCnn();
    expect(check({ ...user, kind: "kernel" })).toEqual([
      expect.stringMatching(/^predicate\.architectures\[0\]\.topology:/),
    ]);
    expect(check({ ...user, id: "rbf-kernel" })).toEqual([
      expect.stringMatching(/^predicate\.architectures\[0\]\.topology:/),
    ]);
    const edited = { ...kernel, topology: { ...kernel.topology, solution: "whatever fits" } };
    expect(check(edited)).toEqual([expect.stringMatching(/^predicate\.architectures\[0\]\.topology:/)]);
  });
});
