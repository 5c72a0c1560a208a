// Chooses and starts the TF.js backend of this process or worker thread: native TensorFlow
// when its optional package is installed, else wasm (with our training kernels), else cpu.
import * as tf from "@tensorflow/tfjs";
import { UsageError } from "../errors.js";
import { type BackendChoice, NATIVE_PACKAGES } from "./backend-choice.js";
import { describeGpu } from "./gpu.js";
import { registerWasmTrainingKernels, WASM_TRAINING_KERNELS } from "./wasm-kernels/index.js";

/** The backend a process trains on, as a result bundle records it. */
export interface BackendInfo {
  backend: "tensorflow" | "wasm" | "cpu";
  /** Human-readable: package and version, SIMD/threads or CPU/GPU build. */
  detail: string;
  tfjsVersion: string;
  /** The GPU TensorFlow trains on, as `describeGpu` names it; null when training on the CPU. */
  gpu: string | null;
}

type Attempt = { ok: true; info: BackendInfo } | { ok: false; reason: string };

const TFJS_VERSION = tf.version.tfjs;

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message.split("\n")[0]! : String(error);
}

/**
 * Native TensorFlow through `@tensorflow/tfjs-node-gpu`, then `@tensorflow/tfjs-node`. The
 * specifiers are variables so that type-checking does not need them installed.
 */
async function tryTensorflow(): Promise<Attempt> {
  const reasons: string[] = [];
  for (const [pkg, cudaBuild] of NATIVE_PACKAGES) {
    try {
      const module = (await import(pkg)) as { version?: { "tfjs-node"?: string } };
      if (!(await tf.setBackend("tensorflow"))) throw new Error(`${pkg} loaded but its backend did not start`);
      const version = module.version?.["tfjs-node"] ?? TFJS_VERSION;
      // The CUDA build falls back to the CPU when TensorFlow finds no usable GPU.
      const onGpu = (tf.backend() as { isUsingGpuDevice?: boolean }).isUsingGpuDevice === true;
      const device = onGpu ? "CUDA" : cudaBuild ? "CPU: TensorFlow found no GPU" : "CPU";
      return {
        ok: true,
        info: {
          backend: "tensorflow",
          detail: `${pkg} ${version} (${device})`,
          tfjsVersion: TFJS_VERSION,
          gpu: await describeGpu(onGpu),
        },
      };
    } catch (error) {
      reasons.push(`${pkg}: ${reasonOf(error)}`);
    }
  }
  return { ok: false, reason: reasons.join("; ") };
}

async function tryWasm(kernels: readonly string[]): Promise<Attempt> {
  try {
    await import("@tensorflow/tfjs-backend-wasm");
    if (!(await tf.setBackend("wasm"))) throw new Error("the wasm backend did not start");
    registerWasmTrainingKernels(kernels);
    const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
    return {
      ok: true,
      info: {
        backend: "wasm",
        detail: `@tensorflow/tfjs-backend-wasm ${TFJS_VERSION}${simd ? " (SIMD)" : " (no SIMD)"}, 1 thread`,
        tfjsVersion: TFJS_VERSION,
        gpu: null,
      },
    };
  } catch (error) {
    return { ok: false, reason: reasonOf(error) };
  }
}

async function tryCpu(): Promise<Attempt> {
  if (!(await tf.setBackend("cpu"))) return { ok: false, reason: "the cpu backend did not start" };
  return {
    ok: true,
    info: {
      backend: "cpu",
      detail: `@tensorflow/tfjs-backend-cpu ${TFJS_VERSION} (pure JavaScript)`,
      tfjsVersion: TFJS_VERSION,
      gpu: null,
    },
  };
}

const HOW_TO_GET: Record<Exclude<BackendChoice, "auto">, string> = {
  tensorflow:
    "install @tensorflow/tfjs-node (or @tensorflow/tfjs-node-gpu for a CUDA GPU); its install downloads libtensorflow",
  wasm: "reinstall rethink-bench so that @tensorflow/tfjs-backend-wasm and its .wasm files are present",
  cpu: "this is a bug: the cpu backend ships with TensorFlow.js",
};

export interface BackendOptions {
  /** Which of our wasm training kernels to register (default: all); only for measuring each one's effect. */
  wasmKernels?: readonly string[];
}

/**
 * Starts the backend for this process or worker thread; call once before training. `auto`
 * takes the first that loads of tensorflow, wasm, cpu. A backend chosen by name that cannot
 * load is a `UsageError` that says why and how to get it.
 *
 * @example
 * const info = await initBackend("auto"); // { backend: "wasm", detail: "… (SIMD), 1 thread", … }
 */
export async function initBackend(choice: BackendChoice, options: BackendOptions = {}): Promise<BackendInfo> {
  // Production mode drops TF.js's debug checks and its console hint to install tfjs-node.
  tf.enableProdMode();
  const attempts = {
    tensorflow: tryTensorflow,
    wasm: () => tryWasm(options.wasmKernels ?? WASM_TRAINING_KERNELS),
    cpu: tryCpu,
  };
  const order: Array<Exclude<BackendChoice, "auto">> = choice === "auto" ? ["tensorflow", "wasm", "cpu"] : [choice];
  const reasons: string[] = [];
  for (const name of order) {
    const attempt = await attempts[name]();
    if (attempt.ok) return attempt.info;
    reasons.push(`${name}: ${attempt.reason}`);
  }
  const last = order.at(-1)!;
  throw new UsageError(`the ${choice} backend cannot start (${reasons.join("; ")}); to use it, ${HOW_TO_GET[last]}`);
}
