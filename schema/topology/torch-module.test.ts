// The server's checks of a PyTorch module architecture: its description's shape, its parameter
// count between the description's parameters and parameters plus buffers, and its kind.
import { describe, expect, it } from "vitest";
import { mlpModuleDescription, mlpModuleParameterCount } from "../../tests/fixtures/torch-module.js";
import { type Architecture, canonicalDigest, type ResultPredicate } from "../index.js";
import { checkArchitectures } from "./architectures.js";
import { countModuleElements, moduleDescriptionProblem } from "./torch-module.js";

async function torchNet(patch: Partial<Architecture> = {}): Promise<Architecture> {
  const topology = patch.topology ?? mlpModuleDescription(28 * 28);
  return {
    id: "tiny-net",
    name: "Tiny net",
    kind: "torch-module",
    inputShape: [28, 28, 1],
    fingerprint: await canonicalDigest(topology),
    parameterCount: mlpModuleParameterCount(28 * 28),
    ...patch,
    topology,
  };
}

const check = (...architectures: Architecture[]) =>
  checkArchitectures({ architectures } as unknown as ResultPredicate).map((e) => `${e.path}: ${e.message}`);

describe("countModuleElements", () => {
  it("sums the parameters and buffers of every module in the tree", () => {
    // By hand: fc1 784·32 + 32, bn 32 + 32, fc2 32·10 + 10; buffers 32 + 32 + 1 (a scalar counter).
    expect(countModuleElements(mlpModuleDescription(784))).toEqual({
      parameters: 784 * 32 + 32 + 64 + 320 + 10,
      buffers: 65,
      modules: 6,
    });
  });

  it("is null for what is not a module description, and says why", () => {
    const tfjs = { class_name: "Sequential", config: { layers: [] } };
    expect(countModuleElements(tfjs)).toBeNull();
    expect(moduleDescriptionProblem(tfjs)).toMatch(/^type: /);
    const badShape = mlpModuleDescription(784);
    badShape.children.fc1!.parameters.weight = [32, -784];
    expect(moduleDescriptionProblem(badShape)).toMatch(/^children\.fc1\.parameters\.weight\.1: /);
    expect(moduleDescriptionProblem(mlpModuleDescription(784))).toBeNull();
  });
});

describe("checkArchitectures on a PyTorch module", () => {
  it("accepts the worker's count: parameters and running statistics, not the integer counter", async () => {
    expect(check(await torchNet())).toEqual([]);
  });

  it("accepts any count between the parameters and the parameters with every buffer", async () => {
    const parameters = mlpModuleParameterCount(784) - 64;
    expect(check(await torchNet({ parameterCount: parameters }))).toEqual([]);
    expect(check(await torchNet({ parameterCount: parameters + 65 }))).toEqual([]);
  });

  it("refuses a count outside those bounds, naming them", async () => {
    const parameters = mlpModuleParameterCount(784) - 64;
    expect(check(await torchNet({ parameterCount: 7 }))).toEqual([
      `predicate.architectures[0].parameterCount: tiny-net@28x28x1: is 7, but the module description has ` +
        `${parameters} parameters and 65 buffer elements, so between ${parameters} and ${parameters + 65}`,
    ]);
    const noBuffers = mlpModuleDescription(784);
    noBuffers.children.bn!.buffers = {};
    expect(check(await torchNet({ topology: noBuffers, parameterCount: parameters + 1 }))).toEqual([
      `predicate.architectures[0].parameterCount: tiny-net@28x28x1: is ${parameters + 1}, but the module ` +
        `description has ${parameters} parameters`,
    ]);
  });

  it("refuses kind torch-module on a TF.js topology, and another kind on a module description", async () => {
    const tfjs = { class_name: "Sequential", config: { name: "x", layers: [] } };
    const [wrongTopology] = check(await torchNet({ topology: tfjs }));
    expect(wrongTopology).toMatch(
      /^predicate\.architectures\[0\]\.topology: tiny-net@28x28x1: is not a PyTorch module description/,
    );
    expect(check(await torchNet({ kind: "layers-json" }))).toEqual([
      'predicate.architectures[0].kind: tiny-net@28x28x1: is "layers-json", but the topology makes it "torch-module"',
    ]);
  });

  it("does not let a PyTorch module take a built-in's id", async () => {
    const [error] = check(await torchNet({ id: "mlp-1x512" }));
    expect(error).toMatch(/^predicate\.architectures\[0\]\.fingerprint: mlp-1x512@28x28x1: is not the built-in/);
  });
});
