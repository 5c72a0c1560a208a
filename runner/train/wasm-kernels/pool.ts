// MaxPoolGrad on wasm: a plain loop over the heap that routes gradients as cpu and TensorFlow do.
import type { NamedAttrMap, TensorInfo } from "@tensorflow/tfjs";
import * as tf from "@tensorflow/tfjs";
import type { Kernels } from "./kernels.js";

const { backend_util } = tf;

/**
 * The gradient of a max pool, routed as in TensorFlow and the cpu backend to the first
 * maximum of each window in row-major order. The stock MaxPoolGrad (and MaxPoolWithArgmax)
 * of tfjs-backend-wasm 4.22 route it wrongly when a window's maximum is ≤ 0, which after a
 * ReLU means every all-zero window. Compositions of wasm kernels that get it right (one-hot
 * depthwise convolutions, ArgMax, ScatterNd) cost more than this plain loop over the wasm
 * heap, which reads each input once per window tap, like the cpu backend's kernel.
 */
export function maxPoolGrad(k: Kernels, dy: TensorInfo, input: TensorInfo, attrs: NamedAttrMap): TensorInfo {
  const info = backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize as [number, number],
    attrs.strides as [number, number],
    1,
    attrs.pad as "same" | "valid",
    attrs.dimRoundingMode as "floor" | undefined,
  );
  const {
    batchSize,
    inHeight,
    inWidth,
    inChannels: channels,
    outHeight,
    outWidth,
    strideHeight,
    strideWidth,
    filterHeight,
    filterWidth,
  } = info;
  const { top, left } = info.padInfo;
  const dx = k.backend.makeOutput(input.shape, "float32");
  // Views of the wasm heap, taken after the last allocation (an allocation may move the heap).
  const x = k.backend.typedArrayFromHeap(input) as Float32Array;
  const g = k.backend.typedArrayFromHeap(dy) as Float32Array;
  const out = k.backend.typedArrayFromHeap(dx) as Float32Array;
  out.fill(0);
  // One row of windows at a time, tap by tap (row-major within each window, as cpu does), so
  // that the inner loop runs over whole rows of channels.
  const rowLength = outWidth * channels;
  const best = new Float32Array(rowLength);
  const where = new Int32Array(rowLength);
  let windows = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let r = 0; r < outHeight; r++, windows += rowLength) {
      best.fill(-Infinity);
      where.fill(-1);
      const rowStart = r * strideHeight - top;
      for (let i = Math.max(rowStart, 0); i < Math.min(rowStart + filterHeight, inHeight); i++) {
        const inputRow = (b * inHeight + i) * inWidth * channels;
        for (let tap = 0; tap < filterWidth; tap++) {
          for (let c = 0; c < outWidth; c++) {
            const j = c * strideWidth - left + tap;
            if (j < 0 || j >= inWidth) continue;
            const pixel = inputRow + j * channels;
            const window = c * channels;
            for (let ch = 0; ch < channels; ch++) {
              const value = x[pixel + ch]!;
              // Strictly greater: ties keep the earlier position.
              if (value > best[window + ch]!) {
                best[window + ch] = value;
                where[window + ch] = pixel + ch;
              }
            }
          }
        }
      }
      for (let t = 0; t < rowLength; t++) {
        const at = where[t]!;
        if (at >= 0) out[at] = out[at]! + g[windows + t]!;
      }
    }
  }
  return dx;
}
