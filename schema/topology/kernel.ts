// The kernel baseline's fixed description: the only topology that makes an architecture of kind
// "kernel", written by the runner and recognized (with its parameter count) by the server.
import { canonicalJson } from "../canonical.js";
import type { JsonObject } from "../contract/index.js";

/**
 * The kernel baseline's id on the board; no other kind of architecture may take it.
 *
 * @example
 * KERNEL_ARCHITECTURE_ID // "rbf-kernel"
 */
export const KERNEL_ARCHITECTURE_ID = "rbf-kernel";

/** What varies between kernel baselines; everything else in the description is fixed text. */
export interface KernelSettings {
  gamma: number;
  inputShape: readonly number[];
  classes: number;
  trainingPoints: number;
}

/**
 * The topology of a minimum-norm Gaussian-kernel interpolation (paper §5). The fitted function
 * depends on the n training images, so n is part of the model; `loss` says what the curve's
 * losses mean for this row: squared error, not the networks' cross-entropy.
 *
 * @example
 * kernelTopology({ gamma: 0.02, inputShape: [28, 28, 1], classes: 10, trainingPoints: 1000 }).kind
 * // "minimum-norm-kernel-interpolation"
 */
export function kernelTopology(settings: KernelSettings): JsonObject {
  return {
    kind: "minimum-norm-kernel-interpolation",
    kernel: "gaussian: exp(-gamma * ||x - x'||^2) on pixels in [0, 1]",
    gamma: settings.gamma,
    inputShape: [...settings.inputShape],
    classes: settings.classes,
    trainingPoints: settings.trainingPoints,
    targets: "one-hot",
    solution: "alpha = K^-1 Y by Cholesky in float64; f(x) = sum_i alpha_i K(x_i, x)",
    loss: "mean over examples of sum over classes of (f_c(x) - y_c)^2",
  };
}

const isPositiveInt = (value: unknown): value is number =>
  typeof value === "number" && Number.isSafeInteger(value) && value > 0;

/**
 * The settings of a topology that is exactly the kernel baseline's description (every fixed
 * text, no other key, a positive γ and positive integer sizes), or null for anything else.
 *
 * @example
 * kernelSettingsOf(kernelTopology(settings)) // settings
 * kernelSettingsOf({ class_name: "Sequential", config: {} }) // null
 */
export function kernelSettingsOf(topology: JsonObject): KernelSettings | null {
  const { gamma, inputShape, classes, trainingPoints } = topology;
  if (typeof gamma !== "number" || !(gamma > 0) || !isPositiveInt(classes) || !isPositiveInt(trainingPoints))
    return null;
  if (!Array.isArray(inputShape) || inputShape.length !== 3 || !inputShape.every(isPositiveInt)) return null;
  const settings: KernelSettings = { gamma, inputShape: inputShape as number[], classes, trainingPoints };
  return canonicalJson(kernelTopology(settings)) === canonicalJson(topology) ? settings : null;
}

/**
 * A kernel baseline's parameter count: the n × classes coefficients α.
 *
 * @example
 * kernelParameterCount({ gamma: 0.02, inputShape: [28, 28, 1], classes: 10, trainingPoints: 250 }) // 2500
 */
export function kernelParameterCount(settings: KernelSettings): number {
  return settings.trainingPoints * settings.classes;
}
