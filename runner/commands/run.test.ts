// workerCount: how many worker threads `run` and `reproduce` start, given --workers or not.
import { availableParallelism } from "node:os";
import { describe, expect, it } from "vitest";
import { TORCH_CPU_ENGINE } from "../../tests/fixtures/torch-module.js";
import type { ResolvedEngine } from "./engine-options.js";
import { workerCount } from "./run.js";

const hardware = { platform: "linux", arch: "x64", cpuModel: "CPU", cpuCount: 2, memoryBytes: 1, gpu: null };
const torchOn = (device: string): ResolvedEngine => ({
  kind: "torch",
  python: "/usr/bin/python3",
  device,
  probe: { engine: { ...TORCH_CPU_ENGINE, device }, hardware },
});

describe("workerCount", () => {
  it("takes --workers as given on either engine", () => {
    expect(workerCount("3", { kind: "tfjs" }, "wasm")).toBe(3);
    expect(workerCount("2", torchOn("cuda:0"), "wasm")).toBe(2);
  });

  it("starts one thread per core for wasm and torch on the CPU, and one for a GPU", () => {
    expect(workerCount(undefined, { kind: "tfjs" }, "wasm")).toBe(availableParallelism());
    expect(workerCount(undefined, torchOn("cpu"), "wasm")).toBe(availableParallelism());
    expect(workerCount(undefined, torchOn("cuda:0"), "wasm")).toBe(1);
    expect(workerCount(undefined, { kind: "tfjs" }, "tensorflow")).toBe(1);
  });

  it("refuses a count below one, naming the option", () => {
    expect(() => workerCount("0", { kind: "tfjs" }, "wasm")).toThrow(/--workers/);
  });
});
