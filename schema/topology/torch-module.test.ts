// The server's checks of a PyTorch module architecture: its description's shape, its parameter
// count between the description's parameters and parameters plus buffers (tied tensors once), and its kind.
import { describe, expect, it } from "vitest";
import { mlpModuleDescription, mlpModuleParameterCount } from "../../tests/fixtures/torch-module.js";
import { type Architecture, canonicalDigest, type ResultPredicate, type TorchModuleDescription } from "../index.js";
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

const module = (type: string, parts: Partial<TorchModuleDescription> = {}): TorchModuleDescription => ({
  type: `torch.nn.modules.${type}`,
  config: {},
  parameters: {},
  buffers: {},
  children: {},
  ...parts,
});
const linear = (inputs: number, outputs: number) =>
  module("linear.Linear", { parameters: { weight: [outputs, inputs], bias: [outputs] } });
const batchNorm = (features: number) =>
  module("batchnorm.BatchNorm1d", {
    parameters: { weight: [features], bias: [features] },
    buffers: { running_mean: [features], running_var: [features], num_batches_tracked: [] },
  });

/**
 * Written by hand as the worker describes tests/fixtures/torch/net.py's TiedNet (784 → 16 → 10): the
 * decoder's weight is the encoder's, and one batch norm is registered as both `norm` and `norm_again`.
 */
function tiedDescription(): TorchModuleDescription {
  return {
    type: "net.TiedNet",
    config: {},
    parameters: {},
    buffers: {},
    children: {
      input: linear(784, 16),
      norm: batchNorm(16),
      encoder: linear(16, 16),
      decoder: module("linear.Linear", { parameters: { bias: [16] }, tied: { weight: "encoder.weight" } }),
      norm_again: module("batchnorm.BatchNorm1d", {
        tied: {
          weight: "norm.weight",
          bias: "norm.bias",
          running_mean: "norm.running_mean",
          running_var: "norm.running_var",
          num_batches_tracked: "norm.num_batches_tracked",
        },
      }),
      head: linear(16, 10),
    },
    source: "7".repeat(64),
  };
}
// Each tensor once: input 784·16 + 16, norm 16 + 16, encoder 16·16 + 16, decoder's own bias 16, head 16·10 + 10.
const TIED_PARAMETERS = 784 * 16 + 16 + 32 + 256 + 16 + 16 + 160 + 10;
// What PyTorch's module.parameters() and the float buffers give: the running mean and variance once.
const TIED_WORKER_COUNT = TIED_PARAMETERS + 32;

describe("countModuleElements", () => {
  it("sums the parameters and buffers of every module in the tree", () => {
    // By hand: fc1 784·32 + 32, bn 32 + 32, fc2 32·10 + 10; buffers 32 + 32 + 1 (a scalar counter).
    expect(countModuleElements(mlpModuleDescription(784))).toEqual({
      parameters: 784 * 32 + 32 + 64 + 320 + 10,
      buffers: 65,
      modules: 6,
      tied: 0,
    });
    expect(mlpModuleDescription(784)).not.toHaveProperty("tied");
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

describe("a PyTorch module with tied parameters and buffers", () => {
  it("counts each tied tensor once, where the description gives its shape", () => {
    // The batch norm's 33 buffer elements (16 + 16 + a scalar counter) once, not twice.
    expect(countModuleElements(tiedDescription())).toEqual({
      parameters: TIED_PARAMETERS,
      buffers: 33,
      modules: 7,
      tied: 6,
    });
  });

  it("accepts the worker's count, and keeps the lower bound exact", async () => {
    const topology = tiedDescription();
    expect(check(await torchNet({ topology, parameterCount: TIED_WORKER_COUNT }))).toEqual([]);
    expect(check(await torchNet({ topology, parameterCount: TIED_PARAMETERS }))).toEqual([]);
    expect(check(await torchNet({ topology, parameterCount: TIED_PARAMETERS - 1 }))).toEqual([
      `predicate.architectures[0].parameterCount: tiny-net@28x28x1: is ${TIED_PARAMETERS - 1}, but the module ` +
        `description has ${TIED_PARAMETERS} parameters and 33 buffer elements (tied tensors counted once), ` +
        `so between ${TIED_PARAMETERS} and ${TIED_PARAMETERS + 33}`,
    ]);
  });

  it("refuses the worker's count when the shared tensors are described at every holder, as before ties", async () => {
    const repeated = tiedDescription();
    repeated.children.decoder = linear(16, 16);
    repeated.children.norm_again = batchNorm(16);
    const [error] = check(await torchNet({ topology: repeated, parameterCount: TIED_WORKER_COUNT }));
    // The encoder's weight (256) and the batch norm's weight and bias (32) a second time.
    expect(error).toContain(`has ${TIED_PARAMETERS + 256 + 32} parameters and 66 buffer elements, so between`);
  });

  it("refuses a tie to a tensor the description does not hold, a tie to a tie, and a name both held and tied", () => {
    const dangling = tiedDescription();
    dangling.children.decoder!.tied = { weight: "encoder.weights" };
    expect(countModuleElements(dangling)).toBeNull();
    expect(moduleDescriptionProblem(dangling)).toBe(
      'children.decoder.tied.weight: is tied to "encoder.weights", which no module of the description holds in ' +
        "its parameters or buffers; a tie names the dotted path of the tensor's first holder (named_parameters() order)",
    );
    const chained = tiedDescription();
    chained.children.head!.tied = { extra: "decoder.weight" };
    expect(moduleDescriptionProblem(chained)).toMatch(/^children\.head\.tied\.extra: is tied to "decoder\.weight", /);
    const both = tiedDescription();
    both.children.decoder!.parameters.weight = [16, 16];
    expect(moduleDescriptionProblem(both)).toBe(
      'children.decoder.tied.weight: "weight" is both described in this module and tied to "encoder.weight"; ' +
        "describe it in one place only",
    );
    expect(moduleDescriptionProblem(tiedDescription())).toBeNull();
  });

  it("refuses a description with a dangling tie as a torch-module topology, saying why", async () => {
    const dangling = tiedDescription();
    dangling.children.norm_again!.tied!.running_var = "norm.running_variance";
    const [error] = check(await torchNet({ topology: dangling, parameterCount: TIED_WORKER_COUNT }));
    expect(error).toMatch(
      /^predicate\.architectures\[0\]\.topology: tiny-net@28x28x1: is not a PyTorch module description .*: children\.norm_again\.tied\.running_var: is tied to "norm\.running_variance"/,
    );
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
