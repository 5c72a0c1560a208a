// Convolution gradients on wasm: Conv2DBackpropFilter (which the backend lacks) and
// Conv2DBackpropInput, each composed from the stock Conv2D and layout kernels.
import type { NamedAttrMap, TensorInfo } from "@tensorflow/tfjs";
import * as tf from "@tensorflow/tfjs";
import type { Kernels } from "./kernels.js";

const { backend_util } = tf;
/** A convolution's geometry, as tfjs-core computes it (shared with depthwise.ts). */
export type Conv2DInfo = ReturnType<typeof backend_util.computeConv2DInfo>;
/** Explicit per-side padding, one of tfjs-core's `pad` forms. */
export type ExplicitPadding = Extract<Parameters<typeof backend_util.computeConv2DInfo>[4], number[][]>;

export interface Conv2DBackpropAttrs {
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
export function conv2dBackpropFilter(
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
export function conv2dBackpropInput(
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
