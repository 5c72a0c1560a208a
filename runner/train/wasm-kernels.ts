// Training kernels for the wasm backend: the one it lacks (Conv2DBackpropFilter), composed
// from kernels it has, and replacements for stock kernels whose training-time paths are slow
// (or, for MaxPoolGrad, wrong). Each is checked against the cpu backend in
// wasm-kernels.test.ts; each one's measured effect is in docs/performance.md.

import type { KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from "@tensorflow/tfjs";
import * as tf from "@tensorflow/tfjs";

const { backend_util } = tf;
type Conv2DInfo = ReturnType<typeof backend_util.computeConv2DInfo>;
type ExplicitPadding = Extract<Parameters<typeof backend_util.computeConv2DInfo>[4], number[][]>;

/** The subset of the wasm backend's interface the kernels use. */
interface WasmBackend {
  disposeData(dataId: object): boolean;
  incRef(dataId: object): void;
  makeOutput(
    shape: number[],
    dtype: "float32" | "int32",
    memoryOffset?: number,
    values?: Int32Array | Float32Array,
  ): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

type Call = (inputs: NamedTensorInfoMap, attrs?: NamedAttrMap) => TensorInfo;

/** Runs wasm kernels for ours (the stock ones, as they were before ours replaced them, or those registered now) and frees their results. */
class Kernels {
  constructor(
    private readonly stock: ReadonlyMap<string, KernelFunc>,
    readonly backend: WasmBackend,
  ) {}

  call(name: string): Call {
    return this.bind(name, this.stock.get(name));
  }

  /**
   * Runs the kernel registered under `name` now: ours where it is registered, else the stock
   * one. The helpers below use it, so a kernel of ours left out of the registration (to
   * measure its effect) is left out inside our other kernels too.
   */
  registered(name: string): Call {
    return this.bind(name, tf.getKernel(name, "wasm")?.kernelFunc);
  }

  private bind(name: string, kernel: KernelFunc | undefined): Call {
    if (!kernel) throw new Error(`the wasm backend has no ${name} kernel`);
    return (inputs, attrs = {}) => kernel({ inputs, attrs, backend: this.backend as never }) as TensorInfo;
  }

  dispose(...infos: TensorInfo[]): void {
    for (const info of infos) this.backend.disposeData(info.dataId);
  }

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.call(tf.Reshape)({ x }, { shape });
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.call(tf.Transpose)({ x }, { perm });
  }

  pad(x: TensorInfo, paddings: Array<[number, number]>, constantValue = 0): TensorInfo {
    return this.call(tf.PadV2)({ x }, { paddings, constantValue });
  }

  fill(shape: number[], value: number): TensorInfo {
    return this.call(tf.Fill)({}, { shape, value, dtype: "float32" });
  }

  slice(x: TensorInfo, begin: number[], size: number[]): TensorInfo {
    return this.registered(tf.Slice)({ x }, { begin, size });
  }

  identity(x: TensorInfo): TensorInfo {
    return this.registered(tf.Identity)({ x });
  }

  /** Pads (positive amounts) or crops (negative amounts) the two spatial axes of an NHWC tensor. */
  padOrCrop(x: TensorInfo, top: number, bottom: number, left: number, right: number, constantValue = 0): TensorInfo {
    const [b, h, w, c] = x.shape as [number, number, number, number];
    const cropTop = Math.max(-top, 0);
    const cropLeft = Math.max(-left, 0);
    const croppedH = h - cropTop - Math.max(-bottom, 0);
    const croppedW = w - cropLeft - Math.max(-right, 0);
    let out = x;
    if (croppedH !== h || croppedW !== w) out = this.slice(x, [0, cropTop, cropLeft, 0], [b, croppedH, croppedW, c]);
    if (top > 0 || bottom > 0 || left > 0 || right > 0) {
      const padded = this.pad(
        out,
        [
          [0, 0],
          [Math.max(top, 0), Math.max(bottom, 0)],
          [Math.max(left, 0), Math.max(right, 0)],
          [0, 0],
        ],
        constantValue,
      );
      if (out !== x) this.dispose(out);
      out = padded;
    }
    return out === x ? this.identity(x) : out;
  }

  /**
   * Inserts `strideH - 1` zero rows and `strideW - 1` zero columns after every row and
   * column of an NHWC tensor: [B, H, W, C] → [B, H·strideH, W·strideW, C]. The trailing zeros
   * are left for the caller to crop.
   */
  dilate(x: TensorInfo, strideH: number, strideW: number): TensorInfo {
    const [b, h, w, c] = x.shape as [number, number, number, number];
    if (strideH === 1 && strideW === 1) return this.identity(x);
    // Pads of rank 3 only: columns first, then rows.
    const columns = this.reshape(x, [b * h * w, 1, c]);
    const wideColumns = this.pad(columns, [
      [0, 0],
      [0, strideW - 1],
      [0, 0],
    ]);
    const rows = this.reshape(wideColumns, [b * h, 1, w * strideW * c]);
    const wideRows = this.pad(rows, [
      [0, 0],
      [0, strideH - 1],
      [0, 0],
    ]);
    const out = this.reshape(wideRows, [b, h * strideH, w * strideW, c]);
    this.dispose(columns, wideColumns, rows, wideRows);
    return out;
  }
}

interface Conv2DBackpropAttrs {
  strides: [number, number] | number;
  pad: "valid" | "same" | number | ExplicitPadding;
  dataFormat: "NHWC" | "NCHW";
  dimRoundingMode?: "floor" | "round" | "ceil";
}

function convInfoOf(xShape: number[], filterShape: number[], attrs: Conv2DBackpropAttrs): Conv2DInfo {
  const info = backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    backend_util.convertConv2DDataFormat(attrs.dataFormat),
  );
  if (info.dataFormat !== "channelsLast")
    throw new Error("the wasm training kernels support channels-last (NHWC) data only");
  return info;
}

/**
 * dW[kh,kw,ci,co] = Σ_{b,oh,ow} x[b, oh·s+kh−top, ow·s+kw−left, ci] · dy[b,oh,ow,co]: an
 * ordinary convolution of x seen as [Ci, H, W, B] with dy seen as a [OH, OW, B, Co] filter,
 * dilated by the forward stride; its [Ci, KH, KW, Co] output is transposed back.
 */
function conv2dBackpropFilter(
  k: Kernels,
  x: TensorInfo,
  dy: TensorInfo,
  attrs: Conv2DBackpropAttrs & { filterShape: number[] },
): TensorInfo {
  const info = convInfoOf(x.shape, attrs.filterShape, attrs);
  const { strideHeight, strideWidth, filterHeight, filterWidth, inHeight, inWidth, outHeight, outWidth } = info;
  const { top, left } = info.padInfo;
  // Rows and columns past the last window the forward pass read: padding when positive,
  // unread input (to crop) when negative.
  const bottom = filterHeight + (outHeight - 1) * strideHeight - inHeight - top;
  const right = filterWidth + (outWidth - 1) * strideWidth - inWidth - left;
  const xT = k.transpose(x, [3, 1, 2, 0]);
  const xFramed = k.padOrCrop(xT, top, bottom, left, right);
  const dyT = k.transpose(dy, [1, 2, 0, 3]);
  const conv = k.call(tf.Conv2D)({ x: xFramed, filter: dyT }, {
    strides: [1, 1],
    dilations: [strideHeight, strideWidth],
    pad: "valid",
    dataFormat: "NHWC",
    dimRoundingMode: undefined,
  } as unknown as NamedAttrMap);
  const dw = k.transpose(conv, [1, 2, 0, 3]);
  k.dispose(xT, xFramed, dyT, conv);
  return dw;
}

/**
 * dx = the stride-1 convolution of dy, dilated by the forward stride, with the filter
 * flipped in space and its channel axes swapped.
 */
function conv2dBackpropInput(
  k: Kernels,
  dy: TensorInfo,
  filter: TensorInfo,
  attrs: Conv2DBackpropAttrs & { inputShape: number[] },
): TensorInfo {
  const info = convInfoOf(attrs.inputShape, filter.shape, attrs);
  const { strideHeight, strideWidth, filterHeight, filterWidth, inHeight, inWidth, outHeight, outWidth } = info;
  const { top, left } = info.padInfo;
  const dilated = k.dilate(dy, strideHeight, strideWidth);
  // The dilated dy has (strideH − 1) trailing zero rows beyond its last real row.
  const padTop = filterHeight - 1 - top;
  const padBottom = inHeight - 1 - (outHeight - 1) * strideHeight + top - (strideHeight - 1);
  const padLeft = filterWidth - 1 - left;
  const padRight = inWidth - 1 - (outWidth - 1) * strideWidth + left - (strideWidth - 1);
  const framed = k.padOrCrop(dilated, padTop, padBottom, padLeft, padRight);
  const flipped = k.call(tf.Reverse)({ x: filter }, { dims: [0, 1] });
  const swapped = k.transpose(flipped, [0, 1, 3, 2]);
  const dx = k.call(tf.Conv2D)({ x: framed, filter: swapped }, {
    strides: [1, 1],
    dilations: [1, 1],
    pad: "valid",
    dataFormat: "NHWC",
    dimRoundingMode: undefined,
  } as unknown as NamedAttrMap);
  k.dispose(dilated, framed, flipped, swapped);
  return dx;
}

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
function matMul(k: Kernels, name: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap): TensorInfo {
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

/**
 * The number of leading axes a reduction covers when it covers exactly the leading axes
 * (e.g. axes [0, 1, 2] of a 4-D tensor); 0 otherwise.
 */
function leadingAxes(axis: number | number[] | null | undefined, shape: number[]): number {
  if (axis === null || axis === undefined) return 0;
  const axes = [...new Set((Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + shape.length : a)))].sort(
    (p, q) => p - q,
  );
  const covered = axes.every((a, i) => a === i) ? axes.length : 0;
  return covered > 0 && covered < shape.length ? covered : 0;
}

/**
 * Sum (or mean) over leading axes, e.g. a bias gradient summed over batch and space. The
 * stock kernels first transpose the whole tensor to make those axes innermost. Here x is
 * seen as [R1, R2, 1, M] (R1 the first axis, R2 the other reduced ones); an average pool
 * over R2 and a product with ones over R1 reduce it without moving it.
 */
function reduceLeading(k: Kernels, name: "Sum" | "Mean", x: TensorInfo, attrs: NamedAttrMap): TensorInfo {
  const { axis, keepDims } = attrs as { axis: number | number[]; keepDims: boolean };
  const count = leadingAxes(axis, x.shape);
  // Over one axis (a dense layer's bias gradient) the stock transpose-then-reduce is cheaper:
  // the product with ones would repack its [R, M] operand (0.8 against 0.3 ms for [128, 512]).
  if (count < 2 || x.dtype !== "float32") return k.call(name)({ x }, attrs);
  const first = x.shape[0]!;
  const inner = x.shape.slice(1, count).reduce((p, q) => p * q, 1);
  const rest = x.shape.slice(count);
  const columns = rest.reduce((p, q) => p * q, 1);
  const grid = k.reshape(x, [first, inner, 1, columns]);
  const pooled = k.call(tf.AvgPool)({ x: grid }, {
    filterSize: [inner, 1],
    strides: [1, 1],
    pad: "valid",
  } as unknown as NamedAttrMap);
  const rows = k.reshape(pooled, [1, first, columns]);
  // The pool averaged over `inner`; a sum scales the weights back by it.
  const weights = k.fill([1, 1, first], name === "Mean" ? 1 / first : inner);
  const product = k.call(tf.BatchMatMul)({ a: weights, b: rows }, { transposeA: false, transposeB: false });
  const out = k.reshape(product, keepDims ? [...x.shape.slice(0, count).map(() => 1), ...rest] : rest);
  k.dispose(grid, pooled, rows, weights, product);
  return out;
}

/**
 * The gradient of a max pool, routed as in TensorFlow and the cpu backend to the first
 * maximum of each window in row-major order. The stock MaxPoolGrad (and MaxPoolWithArgmax)
 * of tfjs-backend-wasm 4.22 route it wrongly when a window's maximum is ≤ 0, which after a
 * ReLU means every all-zero window. Compositions of wasm kernels that get it right (one-hot
 * depthwise convolutions, ArgMax, ScatterNd) cost more than this plain loop over the wasm
 * heap, which reads each input once per window tap, like the cpu backend's kernel.
 */
function maxPoolGrad(k: Kernels, dy: TensorInfo, input: TensorInfo, attrs: NamedAttrMap): TensorInfo {
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

/**
 * Tile that only broadcasts: every repeated axis has size 1, and all repeated axes come
 * before every axis of size > 1 (how batch-norm gradients spread per-channel values over a
 * batch, e.g. [1, 1, 1, C] → [1, 1, B, C]). That is the product ones[R, 1] · x[1, M]; the
 * stock kernel copies element by element.
 */
function tileBroadcast(k: Kernels, x: TensorInfo, attrs: NamedAttrMap): TensorInfo {
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

/**
 * Identity shares its input's data, as the cpu backend's does. The stock wasm kernel copies
 * it, and the engine clones (runs Identity on) every tensor it saves for the backward pass.
 * Sharing is safe because no kernel writes into its inputs: a variable's `assign` swaps in
 * new data rather than overwriting it.
 */
function identity(k: Kernels, x: TensorInfo): TensorInfo {
  if (x.dtype === "string") return k.call(tf.Identity)({ x });
  k.backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

const size = (shape: readonly number[]) => shape.reduce((p, q) => p * q, 1);

/**
 * GatherV2 without batch dimensions, e.g. a training batch's images gathered by example id:
 * every index selects a contiguous block of the input, copied whole. The stock kernel copies
 * element by element (~2.5 ms for 128 MNIST images, ~0.1 ms here).
 */
function gather(k: Kernels, x: TensorInfo, indices: TensorInfo, attrs: NamedAttrMap): TensorInfo {
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
function slice(k: Kernels, x: TensorInfo, attrs: NamedAttrMap): TensorInfo {
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

/**
 * The training kernels, as functions of the stock kernels. Names are tfjs-core's kernel
 * names; each entry replaces (or adds) the wasm kernel of that name.
 */
const TRAINING_KERNELS: Record<string, (k: Kernels, inputs: NamedTensorInfoMap, attrs: NamedAttrMap) => TensorInfo> = {
  [tf.Conv2DBackpropFilter]: (k, { x, dy }, attrs) =>
    conv2dBackpropFilter(k, x!, dy!, attrs as unknown as Conv2DBackpropAttrs & { filterShape: number[] }),
  [tf.Conv2DBackpropInput]: (k, { dy, filter }, attrs) =>
    conv2dBackpropInput(k, dy!, filter!, attrs as unknown as Conv2DBackpropAttrs & { inputShape: number[] }),
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
