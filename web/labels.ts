// How the pages name backends, architecture kinds and the PyTorch engine: one place, so that the
// board, the architecture page and the submission page say the same thing.
import type { Architecture, Environment, TorchEngine } from "../schema/index.js";

/** TF.js backends keep their own names (wasm, cpu, tensorflow); the PyTorch ones say the device type. */
const BACKEND_LABELS: Partial<Record<Environment["backend"], string>> = {
  "torch-cpu": "PyTorch (CPU)",
  "torch-cuda": "PyTorch (CUDA)",
  "torch-mps": "PyTorch (MPS)",
};

/**
 * A backend as the pages show it.
 *
 * @example
 * backendLabel("torch-cuda") // "PyTorch (CUDA)"
 * backendLabel("wasm") // "wasm"
 */
export function backendLabel(backend: Environment["backend"]): string {
  return BACKEND_LABELS[backend] ?? backend;
}

const KIND_NAMES: Record<Architecture["kind"], string> = {
  builtin: "built-in architecture",
  "layers-json": "TF.js layers model",
  "builder-module": "builder module",
  kernel: "kernel baseline",
  "torch-module": "PyTorch module",
};

/**
 * An architecture's kind as the pages name it.
 *
 * @example
 * kindName("torch-module") // "PyTorch module"
 */
export function kindName(kind: Architecture["kind"]): string {
  return KIND_NAMES[kind];
}

/**
 * The PyTorch engine's software in one line: torch, Python and numpy, then CUDA and cuDNN when
 * it had them, then the device and its name and the thread count.
 *
 * @example
 * engineSoftware(engine)
 * // "PyTorch 2.5.1 · Python 3.12.3 · numpy 2.1.3 · CUDA 12.4 · cuDNN 9.1.0 · cuda:0 (NVIDIA H100 80GB HBM3), 1 thread"
 */
export function engineSoftware(engine: TorchEngine): string {
  const parts = [
    `PyTorch ${engine.torchVersion}`,
    `Python ${engine.pythonVersion}`,
    `numpy ${engine.numpyVersion}`,
    engine.cudaVersion !== null && `CUDA ${engine.cudaVersion}`,
    engine.cudnnVersion !== null && `cuDNN ${engine.cudnnVersion}`,
  ].filter(Boolean);
  const device = engine.deviceName ? `${engine.device} (${engine.deviceName})` : engine.device;
  const threads = `${engine.threads} thread${engine.threads === 1 ? "" : "s"}`;
  const deterministic = engine.deterministic ? "" : ", not deterministic";
  return `${parts.join(" · ")} · ${device}, ${threads}${deterministic}`;
}
