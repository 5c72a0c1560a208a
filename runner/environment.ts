// The machine a run happened on, as the bundle records it next to the backend.
import { availableParallelism, cpus, totalmem } from "node:os";
import type { Environment } from "../schema/index.js";

/** Platform, CPU model and count, memory, and the GPU the backend reported (if any). */
export function describeHardware(gpu: string | null): Environment["hardware"] {
  const model = cpus()[0]?.model.trim() || "unknown CPU";
  return {
    platform: process.platform,
    arch: process.arch,
    cpuModel: model.slice(0, 120),
    cpuCount: availableParallelism(),
    memoryBytes: totalmem(),
    gpu,
  };
}
