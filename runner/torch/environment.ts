// The environment record of runs the PyTorch engine trained, for `run`, `reproduce` and `tasks import`
// alike: two bundles of the same machine and torch must say the same thing to compare like with like.
import type { Backend, Environment, Hardware, TorchEngine } from "../../schema/index.js";

/**
 * The backend of a torch device: torch-cuda, torch-mps or torch-cpu.
 *
 * @example
 * torchBackend("cuda:1") // "torch-cuda"
 */
export function torchBackend(device: string): Extract<Backend, `torch-${string}`> {
  const type = device.split(":")[0];
  return type === "cuda" ? "torch-cuda" : type === "mps" ? "torch-mps" : "torch-cpu";
}

/**
 * A human-readable line for the engine: torch version and device, then on CUDA the GPU, CUDA and
 * cuDNN versions, on MPS the device name, on the CPU the thread count.
 *
 * @example
 * torchBackendDetail(engine) // "PyTorch 1.13.0 on cpu (1 thread)"
 * torchBackendDetail(gpu) // "PyTorch 2.5.1 on cuda:0 (NVIDIA H100 80GB HBM3, CUDA 12.4, cuDNN 9.1)"
 */
export function torchBackendDetail(engine: TorchEngine): string {
  const backend = torchBackend(engine.device);
  const extras =
    backend === "torch-cuda"
      ? [
          engine.deviceName,
          engine.cudaVersion && `CUDA ${engine.cudaVersion}`,
          engine.cudnnVersion && `cuDNN ${engine.cudnnVersion}`,
        ]
      : backend === "torch-mps"
        ? [engine.deviceName]
        : [`${engine.threads} thread${engine.threads === 1 ? "" : "s"}`];
  return `PyTorch ${engine.torchVersion} on ${engine.device} (${extras.filter(Boolean).join(", ")})`;
}

/**
 * The bundle's environment for runs of the PyTorch engine: the backend by device type, the
 * worker's engine record and machine as its ready line (or result) reports them, and the TF.js
 * version that built the canonical topologies on the Node side.
 *
 * @example
 * torchEnvironment(process, tf.version.tfjs, RUNNER_VERSION).backend // "torch-cpu"
 */
export function torchEnvironment(
  worker: { engine: TorchEngine; hardware: Hardware },
  tfjsVersion: string,
  runnerVersion: string,
): Environment {
  return {
    runnerVersion,
    tfjsVersion,
    backend: torchBackend(worker.engine.device),
    backendDetail: torchBackendDetail(worker.engine),
    engine: worker.engine,
    hardware: worker.hardware,
  };
}
