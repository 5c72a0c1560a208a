// The names the pages give backends, kinds and the PyTorch engine, and the module tree they show
// for a PyTorch architecture.
import { describe, expect, it } from "vitest";
import { mlpModuleDescription, TORCH_CPU_ENGINE, TORCH_CUDA_ENGINE } from "../tests/fixtures/torch-module.js";
import { backendLabel, engineSoftware, kindName } from "./labels.js";
import { summarizeModule } from "./module-tree.js";

describe("labels", () => {
  it("names the PyTorch backends by device type and keeps TF.js backend names", () => {
    expect(["torch-cpu", "torch-cuda", "torch-mps", "wasm", "tensorflow"].map((b) => backendLabel(b as never))).toEqual(
      ["PyTorch (CPU)", "PyTorch (CUDA)", "PyTorch (MPS)", "wasm", "tensorflow"],
    );
    expect(kindName("torch-module")).toBe("PyTorch module");
    expect(kindName("layers-json")).toBe("TF.js layers model");
  });

  it("writes the engine's software, with CUDA and cuDNN only when it had them", () => {
    expect(engineSoftware(TORCH_CUDA_ENGINE)).toBe(
      "PyTorch 2.5.1+cu124 · Python 3.12.3 · numpy 2.1.3 · CUDA 12.4 · cuDNN 9.1.0 · cuda:0 (NVIDIA H100 80GB HBM3), 1 thread",
    );
    expect(engineSoftware({ ...TORCH_CPU_ENGINE, threads: 4, deterministic: false })).toBe(
      "PyTorch 1.13.0 · Python 3.11.2 · numpy 1.24.2 · cpu (Test CPU), 4 threads, not deterministic",
    );
  });
});

describe("summarizeModule", () => {
  it("lists the modules depth first in natural order, with settings and shapes", () => {
    const tree = summarizeModule(mlpModuleDescription(784))!;
    expect(tree.rootType).toBe("TinyNet");
    expect(tree.modules.map((m) => [m.path, m.type, m.depth])).toEqual([
      ["", "TinyNet", 0],
      ["bn", "BatchNorm1d", 1],
      ["fc1", "Linear", 1],
      ["fc2", "Linear", 1],
      ["flatten", "Flatten", 1],
      ["relu", "ReLU", 1],
    ]);
    const fc1 = tree.modules.find((m) => m.path === "fc1")!;
    expect(fc1).toMatchObject({
      qualifiedType: "torch.nn.modules.linear.Linear",
      settings: "in_features=784, out_features=32",
      parameters: "bias 32, weight 32×784",
      buffers: "",
    });
    expect(tree.modules.find((m) => m.path === "bn")!.buffers).toBe(
      "num_batches_tracked scalar, running_mean 32, running_var 32",
    );
    expect(tree.counts).toEqual([
      { type: "Linear", count: 2 },
      { type: "BatchNorm1d", count: 1 },
      { type: "Flatten", count: 1 },
      { type: "ReLU", count: 1 },
    ]);
  });

  it("orders an nn.Sequential's numbered children as numbers and names nested paths", () => {
    const leaf = { type: "torch.nn.modules.activation.ReLU", config: {}, parameters: {}, buffers: {}, children: {} };
    const children = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [String(i), leaf]));
    const tree = summarizeModule({
      type: "torch.nn.modules.container.Sequential",
      config: {},
      parameters: {},
      buffers: {},
      children: { features: { ...leaf, type: "torch.nn.modules.container.Sequential", children } },
    })!;
    expect(tree.modules.slice(2, 5).map((m) => m.path)).toEqual(["features.0", "features.1", "features.2"]);
    expect(tree.modules.at(-1)!.path).toBe("features.10");
  });

  it("is null for a TF.js topology", () => {
    expect(summarizeModule({ class_name: "Sequential", config: { layers: [] } })).toBeNull();
  });
});
