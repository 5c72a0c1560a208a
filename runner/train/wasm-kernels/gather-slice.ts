// GatherV2 and Slice on wasm as whole contiguous blocks copied on the heap.
import type { NamedAttrMap, TensorInfo } from "@tensorflow/tfjs";
import * as tf from "@tensorflow/tfjs";
import type { Kernels } from "./kernels.js";

const size = (shape: readonly number[]) => shape.reduce((p, q) => p * q, 1);

/**
 * GatherV2 without batch dimensions, e.g. a training batch's images gathered by example id:
 * every index selects a contiguous block of the input, copied whole. The stock kernel copies
 * element by element (~2.5 ms for 128 MNIST images, ~0.1 ms here).
 */
export function gather(k: Kernels, x: TensorInfo, indices: TensorInfo, attrs: NamedAttrMap): TensorInfo {
  const { axis, batchDims } = attrs as { axis: number; batchDims: number };
  if (batchDims !== 0 || (x.dtype !== "float32" && x.dtype !== "int32") || indices.dtype !== "int32")
    return k.call(tf.GatherV2)({ x, indices }, attrs);
  const at = axis < 0 ? axis + x.shape.length : axis;
  const outer = size(x.shape.slice(0, at));
  const dim = x.shape[at]!;
  const inner = size(x.shape.slice(at + 1));
  const ids = k.backend.typedArrayFromHeap(indices) as Int32Array;
  // Indexed loops: for-of over a typed array is several times slower in V8.
  for (let i = 0; i < ids.length; i++) {
    if (!(ids[i]! >= 0 && ids[i]! < dim))
      throw new Error(`GatherV2: the index value ${ids[i]} is not in [0, ${dim - 1}]`);
  }
  const out = k.backend.makeOutput([...x.shape.slice(0, at), ...indices.shape, ...x.shape.slice(at + 1)], x.dtype);
  // Views of the wasm heap, taken after the last allocation (an allocation may move the heap).
  const from = k.backend.typedArrayFromHeap(x) as Float32Array;
  const to = k.backend.typedArrayFromHeap(out) as Float32Array;
  const picked = k.backend.typedArrayFromHeap(indices) as Int32Array;
  const count = picked.length;
  for (let o = 0; o < outer; o++) {
    const base = o * dim * inner;
    const offset = o * count * inner;
    if (inner === 1) {
      for (let i = 0; i < count; i++) to[offset + i] = from[base + picked[i]!]!;
    } else {
      for (let i = 0; i < count; i++) {
        const start = base + picked[i]! * inner;
        to.set(from.subarray(start, start + inner), offset + i * inner);
      }
    }
  }
  return out;
}

/**
 * Slice as runs of contiguous elements copied whole: the stock kernel first copies the whole
 * input out of the wasm heap (`readSync`), which for a 500-image slice of a 10,000-image
 * evaluation set costs twenty times the slice.
 */
export function slice(k: Kernels, x: TensorInfo, attrs: NamedAttrMap): TensorInfo {
  if ((x.dtype !== "float32" && x.dtype !== "int32") || x.shape.length === 0) return k.call(tf.Slice)({ x }, attrs);
  const [begin, sizes] = tf.slice_util.parseSliceParams(
    x as unknown as tf.Tensor,
    attrs.begin as number[],
    attrs.size as number[],
  ) as [number[], number[]];
  const shape = x.shape;
  const rank = shape.length;
  // The run: the trailing axes taken whole, plus the innermost axis that is cut.
  let cut = rank - 1;
  while (cut > 0 && begin[cut] === 0 && sizes[cut] === shape[cut]) cut--;
  const run = sizes[cut]! * size(shape.slice(cut + 1));
  const strides = shape.map((_, axis) => size(shape.slice(axis + 1)));
  const out = k.backend.makeOutput(sizes, x.dtype);
  const from = k.backend.typedArrayFromHeap(x) as Float32Array;
  const to = k.backend.typedArrayFromHeap(out) as Float32Array;
  const runs = size(sizes.slice(0, cut));
  const position = new Array<number>(cut).fill(0);
  for (let r = 0; r < runs; r++) {
    let start = begin[cut]! * strides[cut]!;
    for (let axis = 0; axis < cut; axis++) start += (begin[axis]! + position[axis]!) * strides[axis]!;
    to.set(from.subarray(start, start + run), r * run);
    // Odometer over the outer axes, last fastest.
    for (let axis = cut - 1; axis >= 0 && ++position[axis]! === sizes[axis]; axis--) position[axis] = 0;
  }
  return out;
}
