// Depthwise convolution gradients on wasm (the backend has neither), each composed from the
// stock DepthwiseConv2dNative and layout kernels.
import type { NamedAttrMap, TensorInfo } from "@tensorflow/tfjs";
import * as tf from "@tensorflow/tfjs";
import type { Conv2DInfo, ExplicitPadding } from "./conv.js";
import type { Kernels } from "./kernels.js";

const { backend_util } = tf;

/** tfjs-core's attributes of both depthwise gradient kernels (channels-last only). */
export interface DepthwiseBackpropAttrs {
  strides: [number, number] | number;
  dilations: [number, number] | number;
  pad: "valid" | "same" | number | ExplicitPadding;
  dimRoundingMode?: "floor" | "round" | "ceil";
}

function depthwiseInfoOf(xShape: number[], filterShape: number[], attrs: DepthwiseBackpropAttrs): Conv2DInfo {
  const info = backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    true,
  );
  // tfjs-core's depthwiseConv2d refuses both at once; the compositions below rely on it.
  if ((info.strideHeight > 1 || info.strideWidth > 1) && (info.dilationHeight > 1 || info.dilationWidth > 1))
    throw new Error(
      `depthwise convolution gradient: strides ${info.strideHeight}×${info.strideWidth} with dilations ` +
        `${info.dilationHeight}×${info.dilationWidth}; either the strides or the dilations must be 1`,
    );
  return info;
}

/**
 * dx[b,i,j,c] = Σ_{kh,kw,m} dy[b, (i+top−kh·d)/s, (j+left−kw·d)/s, c·dm+m] · f[kh,kw,c,m]: a
 * stride-1 depthwise convolution (multiplier 1) of dy, dilated by the forward stride, with the
 * filter flipped in space and seen as [KH, KW, C·dm, 1]; its C·dm channels are then summed in
 * groups of dm.
 */
export function depthwiseBackpropInput(
  k: Kernels,
  dy: TensorInfo,
  filter: TensorInfo,
  attrs: DepthwiseBackpropAttrs & { inputShape: number[] },
): TensorInfo {
  const info = depthwiseInfoOf(attrs.inputShape, filter.shape, attrs);
  const { strideHeight, strideWidth, inHeight, inWidth, outHeight, outWidth, batchSize, inChannels, outChannels } =
    info;
  const { effectiveFilterHeight, effectiveFilterWidth, dilationHeight, dilationWidth } = info;
  const { top, left } = info.padInfo;
  const multiplier = outChannels / inChannels;
  const dilated = k.dilate(dy, strideHeight, strideWidth);
  // The dilated dy ends in (stride − 1) zero rows; the frame makes a valid convolution with the
  // (dilated) filter give exactly inHeight × inWidth rows and columns.
  const framed = k.padOrCrop(
    dilated,
    effectiveFilterHeight - 1 - top,
    inHeight - outHeight * strideHeight + top,
    effectiveFilterWidth - 1 - left,
    inWidth - outWidth * strideWidth + left,
  );
  const flipped = k.call(tf.Reverse)({ x: filter }, { dims: [0, 1] });
  const perChannel = k.reshape(flipped, [info.filterHeight, info.filterWidth, outChannels, 1]);
  const conv = k.call(tf.DepthwiseConv2dNative)({ x: framed, filter: perChannel }, {
    strides: [1, 1],
    dilations: [dilationHeight, dilationWidth],
    pad: "valid",
    dataFormat: "NHWC",
    dimRoundingMode: undefined,
  } as unknown as NamedAttrMap);
  k.dispose(dilated, framed, flipped, perChannel);
  if (multiplier === 1) return conv;
  const grouped = k.reshape(conv, [batchSize, inHeight, inWidth, inChannels, multiplier]);
  const dx = k.call(tf.Sum)({ x: grouped }, { axis: [4], keepDims: false });
  k.dispose(conv, grouped);
  return dx;
}

/**
 * Examples per depthwise convolution in the filter gradient: about 2 MiB of framed input. One
 * convolution over a whole batch reads its B·C channels at a stride of B·C floats, and past a few
 * MiB that runs several times slower (128×28×28×16, 3×3, stride 1: 108 ms in one call, 38 ms in
 * eight), and slower than a plain loop over the heap (47 ms); below it the composition wins.
 */
const FRAMED_FLOATS_PER_CALL = 1 << 19;

/**
 * dW[kh,kw,c,m] = Σ_{b,oh,ow} x[b, oh·s+kh·d−top, ow·s+kw·d−left, c] · dy[b,oh,ow,c·dm+m]: for
 * each chunk of the batch, a depthwise convolution of x seen as one [H, W, B·C] image with dy seen
 * as an [OH, OW, B·C, dm] filter, strided by the forward dilation and dilated by the forward
 * stride; its [KH, KW, B·C·dm] output is summed over B, and the chunks' sums are added.
 */
export function depthwiseBackpropFilter(
  k: Kernels,
  x: TensorInfo,
  dy: TensorInfo,
  attrs: DepthwiseBackpropAttrs & { filterShape: number[] },
): TensorInfo {
  const info = depthwiseInfoOf(x.shape, attrs.filterShape, attrs);
  const { strideHeight, strideWidth, inHeight, inWidth, outHeight, outWidth, batchSize, inChannels } = info;
  const { top, left } = info.padInfo;
  // Rows and columns past the last tap the forward pass read: padding when positive, unread
  // input (to crop) when negative.
  const bottom = info.effectiveFilterHeight + (outHeight - 1) * strideHeight - inHeight - top;
  const right = info.effectiveFilterWidth + (outWidth - 1) * strideWidth - inWidth - left;
  const frame = { top, bottom, left, right };
  const perExample = (inHeight + top + bottom) * (inWidth + left + right) * inChannels;
  const chunk = Math.max(1, Math.min(batchSize, Math.floor(FRAMED_FLOATS_PER_CALL / perExample)));
  let total: TensorInfo | null = null;
  for (let start = 0; start < batchSize; start += chunk) {
    const size = Math.min(chunk, batchSize - start);
    const whole = size === batchSize;
    const xPart = whole ? x : k.slice(x, [start, 0, 0, 0], [size, ...x.shape.slice(1)]);
    const dyPart = whole ? dy : k.slice(dy, [start, 0, 0, 0], [size, ...dy.shape.slice(1)]);
    const part = filterGradientOf(k, xPart, dyPart, info, frame);
    if (!whole) k.dispose(xPart, dyPart);
    if (total === null) total = part;
    else {
      const sum = k.call(tf.Add)({ a: total, b: part });
      k.dispose(total, part);
      total = sum;
    }
  }
  const dw = k.reshape(total!, info.filterShape);
  k.dispose(total!);
  return dw;
}

/** One chunk's filter gradient, [KH·KW, C·dm], for x and dy of the chunk's examples. */
function filterGradientOf(
  k: Kernels,
  x: TensorInfo,
  dy: TensorInfo,
  info: Conv2DInfo,
  frame: { top: number; bottom: number; left: number; right: number },
): TensorInfo {
  const { strideHeight, strideWidth, dilationHeight, dilationWidth, inHeight, inWidth, outHeight, outWidth } = info;
  const { inChannels, outChannels, filterHeight, filterWidth } = info;
  const batchSize = x.shape[0]!;
  const xT = k.transpose(x, [1, 2, 0, 3]);
  const image = k.reshape(xT, [1, inHeight, inWidth, batchSize * inChannels]);
  const framed = k.padOrCrop(image, frame.top, frame.bottom, frame.left, frame.right);
  const dyT = k.transpose(dy, [1, 2, 0, 3]);
  const dyFilter = k.reshape(dyT, [outHeight, outWidth, batchSize * inChannels, outChannels / inChannels]);
  const conv = k.call(tf.DepthwiseConv2dNative)({ x: framed, filter: dyFilter }, {
    strides: [dilationHeight, dilationWidth],
    dilations: [strideHeight, strideWidth],
    pad: "valid",
    dataFormat: "NHWC",
    dimRoundingMode: undefined,
  } as unknown as NamedAttrMap);
  k.dispose(xT, image, framed, dyT, dyFilter);
  const perExample = k.reshape(conv, [filterHeight * filterWidth, batchSize, outChannels]);
  const summed =
    batchSize === 1
      ? k.reshape(perExample, [filterHeight * filterWidth, outChannels])
      : k.call(tf.Sum)({ x: perExample }, { axis: [1], keepDims: false });
  k.dispose(conv, perExample);
  return summed;
}
