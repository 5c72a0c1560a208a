// Training kernels for the wasm backend: those it lacks (Conv2DBackpropFilter and both depthwise
// convolution gradients), composed from kernels it has, and replacements for stock kernels whose
// training-time paths are slow (or, for MaxPoolGrad, wrong). This is their registry; each family
// has its own module. Each kernel is checked against the cpu backend in index.test.ts (the
// depthwise ones in depthwise.test.ts); each one's measured effect is in docs/performance.md.
import type { KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from "@tensorflow/tfjs";
import * as tf from "@tensorflow/tfjs";
import { type Conv2DBackpropAttrs, conv2dBackpropFilter, conv2dBackpropInput } from "./conv.js";
import { type DepthwiseBackpropAttrs, depthwiseBackpropFilter, depthwiseBackpropInput } from "./depthwise.js";
import { gather, slice } from "./gather-slice.js";
import { identity } from "./identity.js";
import { Kernels, type WasmBackend } from "./kernels.js";
import { matMul } from "./matmul.js";
import { maxPoolGrad } from "./pool.js";
import { reduceLeading } from "./reduce.js";
import { tileBroadcast } from "./tile.js";

/**
 * The training kernels, as functions of the stock kernels. Names are tfjs-core's kernel
 * names; each entry replaces (or adds) the wasm kernel of that name.
 */
const TRAINING_KERNELS: Record<string, (k: Kernels, inputs: NamedTensorInfoMap, attrs: NamedAttrMap) => TensorInfo> = {
  [tf.Conv2DBackpropFilter]: (k, { x, dy }, attrs) =>
    conv2dBackpropFilter(k, x!, dy!, attrs as unknown as Conv2DBackpropAttrs & { filterShape: number[] }),
  [tf.Conv2DBackpropInput]: (k, { dy, filter }, attrs) =>
    conv2dBackpropInput(k, dy!, filter!, attrs as unknown as Conv2DBackpropAttrs & { inputShape: number[] }),
  [tf.DepthwiseConv2dNativeBackpropFilter]: (k, { x, dy }, attrs) =>
    depthwiseBackpropFilter(k, x!, dy!, attrs as unknown as DepthwiseBackpropAttrs & { filterShape: number[] }),
  [tf.DepthwiseConv2dNativeBackpropInput]: (k, { dy, filter }, attrs) =>
    depthwiseBackpropInput(k, dy!, filter!, attrs as unknown as DepthwiseBackpropAttrs & { inputShape: number[] }),
  [tf.BatchMatMul]: (k, inputs, attrs) => matMul(k, tf.BatchMatMul, inputs, attrs),
  [tf._FusedMatMul]: (k, inputs, attrs) => matMul(k, tf._FusedMatMul, inputs, attrs),
  [tf.Sum]: (k, { x }, attrs) => reduceLeading(k, "Sum", x!, attrs),
  [tf.Mean]: (k, { x }, attrs) => reduceLeading(k, "Mean", x!, attrs),
  [tf.Tile]: (k, { x }, attrs) => tileBroadcast(k, x!, attrs),
  [tf.MaxPoolGrad]: (k, { dy, input }, attrs) => maxPoolGrad(k, dy!, input!, attrs),
  [tf.Identity]: (k, { x }) => identity(k, x!),
  [tf.GatherV2]: (k, { x, indices }, attrs) => gather(k, x!, indices!, attrs),
  [tf.Slice]: (k, { x }, attrs) => slice(k, x!, attrs),
};

/** The kernel names `registerWasmTrainingKernels` adds or replaces. */
export const WASM_TRAINING_KERNELS: readonly string[] = Object.keys(TRAINING_KERNELS);

let registered = false;

/**
 * Registers the training kernels on the wasm backend, once per TF.js instance (a process or
 * a worker thread). Call after `tf.setBackend("wasm")` has resolved: the stock kernels must
 * have been set up by then, since ours call them. `names` picks a subset, for measuring each
 * kernel's effect (scripts/bench-train.ts); training uses them all.
 *
 * @example
 * await tf.setBackend("wasm"); registerWasmTrainingKernels();
 */
export function registerWasmTrainingKernels(names: readonly string[] = WASM_TRAINING_KERNELS): void {
  if (registered) return;
  const stock = new Map<string, KernelFunc>();
  for (const config of tf.getKernelsForBackend("wasm")) stock.set(config.kernelName, config.kernelFunc);
  for (const name of names) {
    const kernel = TRAINING_KERNELS[name];
    if (!kernel) throw new Error(`no wasm training kernel named ${name}`);
    if (stock.has(name)) tf.unregisterKernel(name, "wasm");
    const config: KernelConfig = {
      kernelName: name,
      backendName: "wasm",
      kernelFunc: ({ inputs, attrs, backend }) =>
        kernel(new Kernels(stock, backend as unknown as WasmBackend), inputs, attrs ?? {}),
    };
    tf.registerKernel(config);
  }
  registered = true;
}
