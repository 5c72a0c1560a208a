// The environment record of PyTorch runs: backend by device, and the detail line bundles show.
import { describe, expect, it } from "vitest";
import type { Hardware, TorchEngine } from "../../schema/index.js";
import { Environment } from "../../schema/index.js";
import { TORCH_CPU_ENGINE } from "../../tests/fixtures/torch-module.js";
import { torchBackend, torchBackendDetail, torchEnvironment } from "./environment.js";

const cpu = TORCH_CPU_ENGINE;
const cuda: TorchEngine = {
  ...cpu,
  torchVersion: "2.5.1",
  cudaVersion: "12.4",
  cudnnVersion: "9.1",
  device: "cuda:0",
  deviceName: "NVIDIA H100 80GB HBM3",
};
const hardware: Hardware = {
  platform: "linux",
  arch: "x64",
  cpuModel: "Test CPU",
  cpuCount: 2,
  memoryBytes: 2 ** 33,
  gpu: null,
};

describe("torch environment", () => {
  it("names the backend by the device type", () => {
    expect(["cpu", "cuda:0", "cuda:3", "mps"].map(torchBackend)).toEqual([
      "torch-cpu",
      "torch-cuda",
      "torch-cuda",
      "torch-mps",
    ]);
  });

  it("describes the CPU by its threads and a GPU by its name, CUDA and cuDNN", () => {
    expect(torchBackendDetail(cpu)).toBe("PyTorch 1.13.0 on cpu (1 thread)");
    expect(torchBackendDetail({ ...cpu, threads: 4 })).toBe("PyTorch 1.13.0 on cpu (4 threads)");
    expect(torchBackendDetail(cuda)).toBe("PyTorch 2.5.1 on cuda:0 (NVIDIA H100 80GB HBM3, CUDA 12.4, cuDNN 9.1)");
    expect(torchBackendDetail({ ...cuda, cudnnVersion: null })).toBe(
      "PyTorch 2.5.1 on cuda:0 (NVIDIA H100 80GB HBM3, CUDA 12.4)",
    );
    expect(torchBackendDetail({ ...cpu, device: "mps", deviceName: "Apple M2" })).toBe(
      "PyTorch 1.13.0 on mps (Apple M2)",
    );
  });

  it("is an environment the contract accepts, carrying the worker's engine and machine", () => {
    const environment = torchEnvironment({ engine: cuda, hardware }, "4.22.0", "0.1.0");
    expect(Environment.parse(environment)).toEqual({
      runnerVersion: "0.1.0",
      tfjsVersion: "4.22.0",
      backend: "torch-cuda",
      backendDetail: "PyTorch 2.5.1 on cuda:0 (NVIDIA H100 80GB HBM3, CUDA 12.4, cuDNN 9.1)",
      engine: cuda,
      hardware,
    });
  });
});
