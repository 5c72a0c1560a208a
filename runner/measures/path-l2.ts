// The path-ℓ2 norm (Neyshabur, Tomioka & Srebro 2015) of a TF.js network: one forward pass of an
// all-ones input through the network with every kernel squared and every bias zeroed.
import * as tf from "@tensorflow/tfjs";

/**
 * Layers the path norm is defined through. Each maps non-negative inputs to non-negative outputs
 * linearly (ReLU and linear activations are the identity there; dropout is in inference mode),
 * except max pooling, which passes its window's heaviest path sum (docs/measures.md).
 */
const PATH_LAYERS = new Set([
  "InputLayer",
  "Dense",
  "Conv2D",
  "DepthwiseConv2D",
  "BatchNormalization",
  "Activation",
  "ReLU",
  "Flatten",
  "Reshape",
  "Dropout",
  "SeededDropout",
  "SpatialDropout2D",
  "MaxPooling2D",
  "Add",
  "Concatenate",
]);

/** Activations that are the identity on non-negative values. */
const PATH_ACTIVATIONS = new Set([undefined, null, "relu", "linear"]);

/** Why the path norm is not defined for this model, or null when it is. */
export function pathL2Refusal(model: tf.LayersModel, probabilities: boolean): string | null {
  if (probabilities) return "the model outputs probabilities, not logits";
  for (const layer of model.layers) {
    const kind = layer.getClassName();
    if (!PATH_LAYERS.has(kind)) return `layer ${layer.name} is a ${kind}`;
    const config = layer.getConfig() as { activation?: string | null; maxValue?: number | null };
    if (!PATH_ACTIVATIONS.has(config.activation)) return `layer ${layer.name} has activation ${config.activation}`;
    if (kind === "ReLU" && config.maxValue != null) return `layer ${layer.name} is a capped ReLU`;
  }
  return null;
}

/** The value a weight takes in the squared network g, given the layer it belongs to. */
function squaredWeight(layer: tf.layers.Layer, weight: tf.LayerVariable, value: tf.Tensor): tf.Tensor {
  const name = weight.originalName.split("/").at(-1)!;
  if (layer.getClassName() !== "BatchNormalization") {
    // Kernels (dense, convolution, depthwise) squared elementwise; biases zero.
    return weight.shape.length >= 2 ? tf.square(value) : tf.zerosLike(value);
  }
  // Batch norm in inference: γ(x − μ)/√(σ² + ε) + β. g reduces it to x·γ²/(σ² + ε): μ = β = 0 and
  // γ ← γ²/√(σ² + ε); without a γ (scale: false) the variance takes it: σ² ← (σ² + ε)² − ε.
  const epsilon = (layer.getConfig() as { epsilon: number }).epsilon;
  const variance = layer.weights.find((w) => w.originalName.endsWith("moving_variance"))!;
  const scaled = layer.weights.some((w) => w.originalName.endsWith("gamma"));
  if (name === "gamma") return tf.div(tf.square(value), tf.sqrt(tf.add(variance.read(), epsilon)));
  if (name === "beta" || name === "moving_mean") return tf.zerosLike(value);
  if (name === "moving_variance" && !scaled) return tf.sub(tf.square(tf.add(value, epsilon)), epsilon);
  return tf.clone(value);
}

/**
 * ln of the path-ℓ2 norm: ½·ln Σₖ gₖ(1), g the network in inference mode with every kernel
 * squared, biases (and batch-norm βs and means) zero, each batch norm reduced to γ²/(σ² + ε),
 * on one all-ones input. Null when a layer is outside the whitelist, the output is a softmax, or
 * the sum is 0 or not finite. The model's weights are restored before it returns.
 *
 * @example
 * logPathL2(model, false) // 0.5 · ln Σ over input→output paths of Π w²
 */
export function logPathL2(model: tf.LayersModel, probabilities: boolean): number | null {
  if (pathL2Refusal(model, probabilities) !== null) return null;
  const saved = model.layers.flatMap((layer) => layer.weights.map((w) => ({ w, value: tf.clone(w.read()) })));
  try {
    const squared = tf.tidy(() =>
      model.layers.flatMap((layer) => layer.weights.map((w) => squaredWeight(layer, w, w.read()))),
    );
    // Computed for every weight first, then written: a batch norm's γ reads its own variance.
    let k = 0;
    for (const layer of model.layers) for (const w of layer.weights) w.write(squared[k++]!);
    tf.dispose(squared);
    const shape = model.inputs[0]!.shape.slice(1) as number[];
    const total = tf.tidy(() => tf.sum(model.apply(tf.ones([1, ...shape]), { training: false }) as tf.Tensor));
    const sum = total.dataSync()[0]!;
    total.dispose();
    return sum > 0 && Number.isFinite(sum) ? 0.5 * Math.log(sum) : null;
  } finally {
    for (const { w, value } of saved) w.write(value);
    tf.dispose(saved.map((s) => s.value));
  }
}
