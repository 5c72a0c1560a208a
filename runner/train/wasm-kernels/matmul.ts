// Matrix products on wasm (BatchMatMul, _FusedMatMul) arranged so XNNPACK packs the cheaper
// operand and never takes the stock kernels' slow transposed path.
import type { NamedAttrMap, NamedTensorInfoMap, TensorInfo } from "@tensorflow/tfjs";
import * as tf from "@tensorflow/tfjs";
import type { Kernels } from "./kernels.js";

/**
 * Right operands already multiplied untransposed. XNNPACK keeps the packed form of a right
 * operand until its tensor is disposed, so a weight read again unchanged (every batch of an
 * evaluation) is packed only once if it stays on the right.
 */
const packedRightOperands = new WeakSet<object>();

/**
 * A matrix product (BatchMatMul or _FusedMatMul) computed the cheap way on wasm:
 * - the stock kernels take a slow loop when a transpose flag is set, so operands are
 *   transposed explicitly first;
 * - XNNPACK packs the right operand B [K, N] whenever it is a new tensor, as every weight is
 *   after each step, at about 6.5 ns per element of B on the machines measured (2.6 ms for
 *   a 784×512 weight, against 3.9 ms for its product with a batch of 128). When A [M, K] is
 *   the smaller of the two (M < N: a batch of 128 against 512 units), C = A·B is computed as
 *   (Bᵀ·Aᵀ)ᵀ, which packs Aᵀ instead; bias and ReLU are then applied after the product. A
 *   right operand seen before stays on the right: its packing is cached.
 */
export function matMul(k: Kernels, name: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap): TensorInfo {
  const { a, b, bias, preluActivationWeights } = inputs as {
    a: TensorInfo;
    b: TensorInfo;
    bias?: TensorInfo;
    preluActivationWeights?: TensorInfo;
  };
  const rank = (t: TensorInfo) => t.shape.length;
  const batch = (t: TensorInfo) => t.shape.slice(0, -2).reduce((p, q) => p * q, 1);
  const swapLastPerm = (n: number) => [...Array(n).keys()].map((i) => (i < n - 2 ? i : i === n - 2 ? n - 1 : n - 2));
  const swapLast = (t: TensorInfo) => k.transpose(t, swapLastPerm(rank(t)));
  const transposeA = attrs.transposeA === true;
  const transposeB = attrs.transposeB === true;
  const rows = a.shape[rank(a) - (transposeA ? 1 : 2)]!;
  const columns = b.shape[rank(b) - (transposeB ? 2 : 1)]!;
  const activation = (attrs.activation as string | undefined) ?? "linear";
  const packed = !transposeB && packedRightOperands.has(b.dataId);
  if (!transposeB) packedRightOperands.add(b.dataId);
  const swap =
    !packed &&
    batch(a) === 1 &&
    batch(b) === 1 &&
    rows < columns &&
    (activation === "linear" || activation === "relu") &&
    !preluActivationWeights;

  if (!swap) {
    const aT = transposeA ? swapLast(a) : a;
    const bT = transposeB ? swapLast(b) : b;
    const out = k.call(name)({ ...inputs, a: aT, b: bT }, { ...attrs, transposeA: false, transposeB: false });
    if (aT !== a) k.dispose(aT);
    if (bT !== b) k.dispose(bT);
    return out;
  }
  // Cᵀ = Bᵀ·Aᵀ: an operand given transposed is used as it is.
  const left = transposeB ? b : swapLast(b);
  const right = transposeA ? a : swapLast(a);
  const productT = k.call(tf.BatchMatMul)({ a: left, b: right }, { transposeA: false, transposeB: false });
  let out = swapLast(productT);
  k.dispose(productT);
  if (left !== b) k.dispose(left);
  if (right !== a) k.dispose(right);
  if (bias) {
    const biased = k.call(tf.Add)({ a: out, b: bias });
    k.dispose(out);
    out = biased;
  }
  if (activation === "relu") {
    const activated = k.call(tf.Relu)({ x: out });
    k.dispose(out);
    out = activated;
  }
  return out;
}
