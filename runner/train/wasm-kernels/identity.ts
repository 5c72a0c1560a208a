// Identity on wasm that shares its input's data instead of copying it.
import type { TensorInfo } from "@tensorflow/tfjs";
import * as tf from "@tensorflow/tfjs";
import type { Kernels } from "./kernels.js";

/**
 * Identity shares its input's data, as the cpu backend's does. The stock wasm kernel copies
 * it, and the engine clones (runs Identity on) every tensor it saves for the backward pass.
 * Sharing is safe because no kernel writes into its inputs: a variable's `assign` swaps in
 * new data rather than overwriting it.
 */
export function identity(k: Kernels, x: TensorInfo): TensorInfo {
  if (x.dtype === "string") return k.call(tf.Identity)({ x });
  k.backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}
