// The engine options' checks that need no Python: which engine, which device, and what belongs with which.
import { describe, expect, it } from "vitest";
import { UsageError } from "../errors.js";
import { defaultTorchWorkers, engineChoice, engineIdentity, resolveEngine } from "./engine-options.js";

describe("resolveEngine", () => {
  it("defaults to TF.js, which records no engine in the checkpoint identity", async () => {
    const engine = await resolveEngine({}, null);
    expect(engine).toEqual({ kind: "tfjs" });
    expect(engineChoice(engine)).toEqual({ kind: "tfjs" });
    expect(engineIdentity(engine)).toEqual({});
  });

  it.each([
    [{ engine: "jax" }, null, /unknown engine "jax"; valid engines: tfjs, torch/],
    [{ engine: "torch", device: "gpu" }, null, /unknown device "gpu"; valid devices: auto, cpu, cuda, cuda:N, mps/],
    [{ python: "/usr/bin/python3" }, null, /--python belongs with --engine torch/],
    [{ engine: "tfjs", device: "cpu", python: "python3" }, null, /--python and --device belong with --engine torch/],
    [
      {},
      { kind: "torch-module", path: "/n/net.py", factory: "make" },
      /\/n\/net\.py:make is a PyTorch module.*--engine torch/,
    ],
  ] as const)("refuses %o with a usage error that says what to do", async (options, model, message) => {
    const attempt = resolveEngine(options, model);
    await expect(attempt).rejects.toThrow(UsageError);
    await expect(attempt).rejects.toThrow(message);
  });
});

describe("engine defaults", () => {
  it("starts one worker per core on the CPU and one on a GPU", () => {
    expect(defaultTorchWorkers("cuda:0")).toBe(1);
    expect(defaultTorchWorkers("mps")).toBe(1);
    expect(defaultTorchWorkers("cpu")).toBeGreaterThanOrEqual(1);
  });

  it("puts the torch engine and its device into the checkpoint identity", () => {
    const engine = {
      kind: "torch",
      python: "python3",
      device: "cuda:0",
      probe: {} as never,
    } as const;
    expect(engineIdentity(engine)).toEqual({ engine: { kind: "torch", device: "cuda:0" } });
    expect(engineChoice(engine)).toEqual({ kind: "torch", python: "python3", device: "cuda:0" });
  });
});
