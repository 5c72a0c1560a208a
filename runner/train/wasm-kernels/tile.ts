// Tile on wasm when it only broadcasts (batch-norm gradients), as one product with ones.
import type { NamedAttrMap, TensorInfo } from "@tensorflow/tfjs";
import * as tf from "@tensorflow/tfjs";
import type { Kernels } from "./kernels.js";

/**
 * Tile that only broadcasts: every repeated axis has size 1, and all repeated axes come
 * before every axis of size > 1 (how batch-norm gradients spread per-channel values over a
 * batch, e.g. [1, 1, 1, C] → [1, 1, B, C]). That is the product ones[R, 1] · x[1, M]; the
 * stock kernel copies element by element.
 */
export function tileBroadcast(k: Kernels, x: TensorInfo, attrs: NamedAttrMap): TensorInfo {
  const reps = attrs.reps as number[];
  const repeated = reps.flatMap((r, axis) => (r > 1 ? [axis] : []));
  const kept = x.shape.flatMap((d, axis) => (d > 1 ? [axis] : []));
  const broadcast =
    x.dtype === "float32" &&
    repeated.length > 0 &&
    repeated.every((axis) => x.shape[axis] === 1) &&
    (kept.length === 0 || Math.max(...repeated) < Math.min(...kept));
  if (!broadcast) return k.call(tf.Tile)({ x }, attrs);
  const rows = reps.reduce((p, q) => p * q, 1);
  const columns = x.shape.reduce((p, q) => p * q, 1);
  const ones = k.fill([1, rows, 1], 1);
  const flat = k.reshape(x, [1, 1, columns]);
  const product = k.call(tf.BatchMatMul)({ a: ones, b: flat }, { transposeA: false, transposeB: false });
  const out = k.reshape(
    product,
    x.shape.map((d, axis) => d * reps[axis]!),
  );
  k.dispose(ones, flat, product);
  return out;
}
