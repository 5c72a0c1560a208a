// The handle our wasm training kernels work through: calls to the stock (or currently
// registered) wasm kernels, and the reshaping, padding and cropping helpers built on them.
import type { KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from "@tensorflow/tfjs";
import * as tf from "@tensorflow/tfjs";

/** The subset of the wasm backend's interface the kernels use. */
export interface WasmBackend {
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

/**
 * Runs wasm kernels for ours (the stock ones, as they were before ours replaced them, or those
 * registered now) and frees their results.
 */
export class Kernels {
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
