// The kernel interpolation as a non-neural baseline row of the leaderboard: an architecture
// of kind "kernel", and one run per task of a suite whose curve is a single point.
import {
  type Architecture,
  canonicalDigest,
  type InputShape,
  KERNEL_ARCHITECTURE_ID,
  kernelParameterCount,
  kernelTopology,
  type RunResult,
  type Task,
} from "../../schema/index.js";
import { runResult } from "../assemble.js";
import type { KernelOutcome } from "./kernel.js";

/**
 * What a kernel baseline is, as the bundle records it. The fitted function depends on the
 * n training images, so n is part of the model (the parameter count is the n × classes
 * coefficients α). `loss` says what the curve's losses mean for this row: squared error,
 * the objective that K α = Y interpolates, not the networks' cross-entropy.
 *
 * @example
 * (await kernelArchitecture([28, 28, 1], 10, 1000, 0.02)).parameterCount // 10000
 */
export async function kernelArchitecture(
  inputShape: InputShape,
  classes: number,
  trainSize: number,
  gamma: number,
): Promise<Architecture> {
  // The description is schema's, so that the server recognizes it and derives the count itself.
  const settings = { gamma, inputShape, classes, trainingPoints: trainSize };
  const topology = kernelTopology(settings);
  return {
    id: KERNEL_ARCHITECTURE_ID,
    name: `Gaussian kernel, minimum norm (γ = ${gamma})`,
    kind: "kernel",
    inputShape: [...inputShape],
    fingerprint: await canonicalDigest(topology),
    parameterCount: kernelParameterCount(settings),
    topology,
  };
}

/**
 * Whether a suite task is one the kernel can run: the randomization tests without explicit
 * regularizers (a kernel has no weight decay, crops or dropout to turn on).
 */
export function isKernelTask(task: Task): boolean {
  return task.regularizer.name === "none";
}

/**
 * One suite run of the kernel. The curve has one point, "epoch 1": the closed-form solution
 * is reached in one solve. `wallSeconds` is what this run's solution costs from scratch:
 * building and factorizing K (measured once and shared by runs with the same images) plus
 * this run's solve and predictions.
 */
export function kernelRunResult(
  task: Task,
  architecture: Architecture,
  result: { outcome: KernelOutcome; wallSeconds: number } | { failure: string },
): RunResult {
  if ("failure" in result)
    return runResult(task, architecture, {
      status: "failed",
      failure: result.failure,
      curve: [],
      predictions: null,
      measures: null,
    });
  const { outcome, wallSeconds } = result;
  const curve = [
    {
      epoch: 1,
      trainLoss: outcome.trainSquaredLoss,
      trainAcc: outcome.trainAccuracy,
      testLoss: outcome.testSquaredLoss,
      testAcc: outcome.testAccuracy,
      wallSeconds,
    },
  ];
  // A closed-form solution has no trained weights to measure (the protocol refuses measures here).
  return runResult(task, architecture, {
    status: "ok",
    failure: null,
    curve,
    predictions: outcome.predictions,
    measures: null,
  });
}
