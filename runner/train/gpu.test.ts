// The recorded GPU says what was detected: nvidia-smi's name, an unnamed CUDA device only
// when TensorFlow reports one, and nothing when TensorFlow trains on the CPU.
import { describe, expect, it } from "vitest";
import { type CommandRunner, describeGpu } from "./gpu.js";

const failing: CommandRunner = async () => {
  throw new Error("spawn nvidia-smi ENOENT");
};

describe("describeGpu", () => {
  it("names the GPU TensorFlow reports by nvidia-smi's first line", async () => {
    const calls: Array<[string, readonly string[]]> = [];
    const run: CommandRunner = async (file, args) => {
      calls.push([file, args]);
      return "NVIDIA H100 80GB HBM3\nNVIDIA H100 80GB HBM3\n";
    };
    expect(await describeGpu(true, run)).toBe("NVIDIA H100 80GB HBM3");
    expect(calls).toEqual([["nvidia-smi", ["--query-gpu=name", "--format=csv,noheader"]]]);
  });

  it("says the device is unnamed, and why, when nvidia-smi fails", async () => {
    expect(await describeGpu(true, failing)).toBe("CUDA device (name unknown: nvidia-smi failed)");
    expect(await describeGpu(true, async () => "\n")).toBe("CUDA device (name unknown: nvidia-smi printed no name)");
  });

  it("records no GPU when TensorFlow reports none, without asking nvidia-smi", async () => {
    let asked = false;
    const run: CommandRunner = async () => {
      asked = true;
      return "NVIDIA H100 80GB HBM3\n";
    };
    expect(await describeGpu(false, run)).toBeNull();
    expect(await describeGpu(false, failing)).toBeNull();
    expect(asked).toBe(false);
  });
});
