// A bundle's backend and engine record must agree, and a PyTorch module must come from the PyTorch
// engine: the checks alone, and as openEnvelope and signResult apply them to a whole bundle.
import { describe, expect, it } from "vitest";
import { makePredicate, newSigner, signRaw } from "../tests/fixtures/bundles.js";
import {
  mlpModuleDescription,
  mlpModuleParameterCount,
  TORCH_CPU_ENGINE,
  TORCH_CUDA_ENGINE,
} from "../tests/fixtures/torch-module.js";
import { openEnvelope, signResult } from "./bundle.js";
import { Environment, TorchEngine } from "./contract/index.js";
import { checkArchitectureEngines, checkEnvironment } from "./environment-checks.js";

const hardware = { platform: "linux", arch: "x64", cpuModel: "CPU", cpuCount: 2, memoryBytes: 2 ** 33, gpu: null };
const tfjs: Environment = {
  runnerVersion: "0.1.0",
  tfjsVersion: "4.22.0",
  backend: "wasm",
  backendDetail: "wasm (SIMD)",
  hardware,
};
const paths = (environment: Environment) => checkEnvironment(environment, "env").map((e) => e.path);

describe("the contract's engine record", () => {
  it("keeps environments without an engine valid, and takes a full torch record", () => {
    expect(Environment.safeParse(tfjs).success).toBe(true);
    const torch = { ...tfjs, backend: "torch-cuda", engine: TORCH_CUDA_ENGINE };
    expect(Environment.safeParse(torch).success).toBe(true);
  });

  it.each([
    ["a device that is no device", { device: "gpu" }],
    ["a device index out of form", { device: "cuda:x" }],
    ["no thread", { threads: 0 }],
    ["another engine's name", { name: "jax" }],
    ["a missing CUDA field (null is how to say none)", { cudaVersion: undefined }],
    ["an unknown field", { compiled: true }],
  ])("refuses %s", (_, change) => {
    expect(TorchEngine.safeParse({ ...TORCH_CPU_ENGINE, ...change }).success).toBe(false);
  });
});

describe("checkEnvironment", () => {
  it("accepts a TF.js backend without an engine and each torch backend with its device", () => {
    expect(paths(tfjs)).toEqual([]);
    expect(paths({ ...tfjs, backend: "none" })).toEqual([]);
    expect(paths({ ...tfjs, backend: "torch-cpu", engine: TORCH_CPU_ENGINE })).toEqual([]);
    expect(paths({ ...tfjs, backend: "torch-cuda", engine: { ...TORCH_CUDA_ENGINE, device: "cuda:3" } })).toEqual([]);
    expect(paths({ ...tfjs, backend: "torch-mps", engine: { ...TORCH_CPU_ENGINE, device: "mps" } })).toEqual([]);
  });

  it("refuses a torch backend without an engine, saying what to record", () => {
    const errors = checkEnvironment({ ...tfjs, backend: "torch-cpu" }, "predicate.environment");
    expect(errors).toHaveLength(1);
    expect(errors[0]!.path).toBe("predicate.environment.engine");
    expect(errors[0]!.message).toMatch(/^is missing: a torch-cpu bundle must record the PyTorch engine/);
    expect(errors[0]!.message).toContain("--engine torch");
  });

  it("refuses an engine record beside a TF.js backend", () => {
    const errors = checkEnvironment({ ...tfjs, engine: TORCH_CPU_ENGINE }, "env");
    expect(errors.map((e) => e.path)).toEqual(["env.engine"]);
    expect(errors[0]!.message).toMatch(/^must be absent: backend "wasm" is TF\.js's/);
  });

  it.each([
    ["torch-cpu", "cuda:0", 'backend torch-cpu trains on "cpu"'],
    ["torch-cuda", "cpu", "backend torch-cuda trains on cuda:N"],
    ["torch-mps", "cuda:0", 'backend torch-mps trains on "mps"'],
  ] as const)("refuses %s with device %s", (backend, device, says) => {
    const errors = checkEnvironment({ ...tfjs, backend, engine: { ...TORCH_CPU_ENGINE, device } }, "env");
    expect(errors.map((e) => e.path)).toEqual(["env.engine.device"]);
    expect(errors[0]!.message).toBe(`is "${device}", but ${says}`);
  });
});

describe("checkArchitectureEngines", () => {
  const architectures = [
    { id: "mlp-1x512", kind: "builtin" as const },
    { id: "tiny-net", kind: "torch-module" as const },
  ];

  it("lets the PyTorch engine train any kind, TF.js no PyTorch module", () => {
    const torch = { ...tfjs, backend: "torch-cpu" as const, engine: TORCH_CPU_ENGINE };
    expect(checkArchitectureEngines(architectures, torch, "predicate")).toEqual([]);
    const errors = checkArchitectureEngines(architectures, tfjs, "predicate");
    expect(errors.map((e) => e.path)).toEqual(["predicate.architectures[1].kind"]);
    expect(errors[0]!.message).toContain("tiny-net");
  });
});

describe("bundles with a PyTorch engine", () => {
  const torchNet = {
    id: "tiny-net",
    name: "Tiny net",
    topology: mlpModuleDescription(28 * 28),
    torchModule: { parameterCount: mlpModuleParameterCount(28 * 28) },
  };

  it("signs and opens a torch-cpu bundle with a built-in and a PyTorch module", async () => {
    const signer = await newSigner();
    const predicate = await makePredicate(signer, {
      engine: TORCH_CPU_ENGINE,
      architectures: [{ id: "mlp-1x512" }, torchNet],
    });
    expect(predicate.environment.backend).toBe("torch-cpu");
    const opened = await openEnvelope(await signResult(predicate, signer));
    expect(opened.ok && opened.statement.predicate.environment.engine).toEqual(TORCH_CPU_ENGINE);
  });

  it("opens a bundle whose backend and engine disagree as inconsistent, naming the field", async () => {
    const signer = await newSigner();
    const predicate = await makePredicate(signer, { engine: TORCH_CPU_ENGINE });
    predicate.environment.backend = "wasm";
    await expect(signResult(predicate, signer)).rejects.toThrow(/environment\.engine/);
    const opened = await openEnvelope(await signRaw(predicate, signer));
    expect(opened.ok).toBe(false);
    if (opened.ok) return;
    expect(opened.code).toBe("inconsistent");
    expect(opened.errors.map((e) => e.path)).toEqual(["predicate.environment.engine"]);
  });

  it("opens a PyTorch module in a TF.js bundle as inconsistent", async () => {
    const signer = await newSigner();
    const predicate = await makePredicate(signer, { engine: TORCH_CPU_ENGINE, architectures: [torchNet] });
    delete predicate.environment.engine;
    predicate.environment.backend = "wasm";
    const opened = await openEnvelope(await signRaw(predicate, signer));
    expect(opened.ok ? [] : opened.errors.map((e) => e.path)).toEqual(["predicate.architectures[0].kind"]);
  });
});
