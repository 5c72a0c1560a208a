// Which two engines must agree bit for bit: what makes an environment the same engine, and the
// comparison mode (exact or within tolerance) a reproduction on another environment gets.
import type { ComparisonMode, Environment, Hardware, ReproducedOriginal, TorchEngine } from "./contract/index.js";

/**
 * What makes two environments the same engine, on which runs must agree bit for bit. An
 * `Environment` is one, and so is a reproduction's `original`; `engine` and `hardware` matter
 * only on torch-cpu.
 */
export type EngineIdentity = Pick<Environment, "backend" | "runnerVersion" | "tfjsVersion"> & {
  engine?: Pick<TorchEngine, "torchVersion" | "threads"> | undefined;
  hardware?: Pick<Hardware, "cpuModel"> | undefined;
};

/**
 * Backends that promise no bit-for-bit equality between two runs. Native TensorFlow (tfjs-node,
 * CPU or CUDA): its thread pools, oneDNN and cuDNN kernels may sum in another order from run to
 * run or machine to machine (docs/determinism.md). PyTorch on CUDA: even with deterministic
 * algorithms, cuBLAS and cuDNN pick kernels by GPU model and library version, and atomics-based
 * reductions remain in some ops; on MPS, Apple documents no determinism at all. Even the same
 * engine is compared within tolerance there.
 */
const NOT_BIT_FOR_BIT: ReadonlySet<Environment["backend"]> = new Set(["tensorflow", "torch-cuda", "torch-mps"]);

/**
 * On torch-cpu, bit-for-bit equality also needs the same torch build (its kernels), the same
 * intra-op thread count (how reductions are split) and the same CPU model (which SIMD paths
 * oneDNN and ATen dispatch to). A side that does not say counts as different.
 */
function sameTorchCpu(a: EngineIdentity, b: EngineIdentity): boolean {
  if (!a.engine || !b.engine || !a.hardware || !b.hardware) return false;
  return (
    a.engine.torchVersion === b.engine.torchVersion &&
    a.engine.threads === b.engine.threads &&
    a.hardware.cpuModel === b.hardware.cpuModel
  );
}

/**
 * `exact` when both ran the same bit-for-bit backend (wasm, cpu, torch-cpu) with the same
 * rethink-bench and TF.js versions (and on torch-cpu the same torch version, thread count and
 * CPU model), `tolerance` otherwise: another engine, or native TensorFlow, PyTorch on CUDA or
 * PyTorch on MPS on either side.
 *
 * @example
 * comparisonMode({ backend: "wasm", runnerVersion: "0.4.0", tfjsVersion: "4.22.0" }, same) // "exact"
 * comparisonMode({ backend: "tensorflow", runnerVersion: "0.4.0", tfjsVersion: "4.22.0" }, same) // "tolerance"
 * comparisonMode(torchCpuEnvironment, { ...torchCpuEnvironment, engine: { ...engine, threads: 4 } }) // "tolerance"
 */
export function comparisonMode(original: EngineIdentity, reproducer: EngineIdentity): ComparisonMode {
  return !NOT_BIT_FOR_BIT.has(original.backend) &&
    original.backend === reproducer.backend &&
    original.runnerVersion === reproducer.runnerVersion &&
    original.tfjsVersion === reproducer.tfjsVersion &&
    (original.backend !== "torch-cpu" || sameTorchCpu(original, reproducer))
    ? "exact"
    : "tolerance";
}

/**
 * What a reproduction's `original` says about its engine beyond backend and versions: for a
 * PyTorch original its engine record and hardware (what `comparisonMode` reads on torch-cpu),
 * nothing for a TF.js one. Spread it into `ReproducedOriginal`.
 *
 * @example
 * const original = { submissionId, payloadSha256, submitterKeyid, suite, backend, runnerVersion, tfjsVersion,
 *   ...originalEngineFields(result.environment) };
 */
export function originalEngineFields(environment: Environment): Pick<ReproducedOriginal, "engine" | "hardware"> {
  return environment.engine ? { engine: environment.engine, hardware: environment.hardware } : {};
}

/** The engine as a refusal names it: backend and versions (and on PyTorch its build, threads and CPU). */
export function describeEngine(engine: EngineIdentity): string {
  const torch = engine.engine
    ? `, PyTorch ${engine.engine.torchVersion}, ${engine.engine.threads} thread${engine.engine.threads === 1 ? "" : "s"}` +
      (engine.hardware ? `, ${engine.hardware.cpuModel || "unnamed CPU"}` : "")
    : "";
  return `${engine.backend} (rethink-bench ${engine.runnerVersion}, TF.js ${engine.tfjsVersion}${torch})`;
}
