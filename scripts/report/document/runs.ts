// Reading the runs: the figures the sections print, from bundles, page data and the paper's models.
import {
  type ArchitectureDetail,
  type ConditionSummary,
  censoredMedian,
  corruptionLabel,
  EPOCHS_AFTER_FIT,
  type ResultPredicate,
  type RunResult,
  stopAfter,
} from "../../../schema/index.js";
import { formatThreshold } from "../../../web/index.js";
import { PAPER_MODEL_OF, PAPER_SETUP, type PaperModel } from "../paper.js";
import type { KernelResult } from "./input.js";

/** The runs of an architecture under one corruption and regularizer, over seeds. */
export function runsOf(
  predicate: ResultPredicate,
  architecture: string,
  corruption: string,
  regularizer = "none",
): RunResult[] {
  return predicate.runs.filter(
    (r) =>
      r.task.architecture === architecture &&
      corruptionLabel(r.task.corruption) === corruption &&
      r.task.regularizer.name === regularizer &&
      r.status === "ok",
  );
}

/** Median final train and test accuracy of those runs; null if none finished. */
export function accuracies(runs: readonly RunResult[]): { train: number; test: number } | null {
  // Finished runs only (runsOf keeps status ok), so no accuracy is null here.
  const train = censoredMedian(runs.map((r) => r.derived.finalTrainAcc));
  const test = censoredMedian(runs.map((r) => r.derived.finalTestAcc));
  return train === null || test === null ? null : { train, test };
}

/** Median steps to fit over runs, +∞ when at least half never fitted. */
export function medianSteps(runs: readonly RunResult[]): number | null {
  return censoredMedian(runs.map((r) => r.derived.stepsToFit));
}

export function plainSweep(detail: ArchitectureDetail): ConditionSummary[] {
  return detail.conditions
    .filter((c) => c.regularizer === "none" && c.corruptionLevel !== null)
    .sort((a, b) => a.corruptionLevel! - b.corruptionLevel!);
}

export function conditionAt(detail: ArchitectureDetail, level: number): ConditionSummary | undefined {
  return plainSweep(detail).find((c) => Math.abs(c.corruptionLevel! - level) < 1e-9);
}

/**
 * The stopping rule as the runs followed it: the shared rule of schema/stopping-rule.ts when some
 * run stopped because it stayed fitted, else that every run trained its whole budget.
 */
export function stoppingRule(predicate: ResultPredicate): string {
  const stoppedFitted = predicate.runs.some(
    (r) => r.status === "ok" && stopAfter(r.curve, r.task)?.reason === "fitted",
  );
  if (!stoppedFitted) return `every run trained its whole budget of ${predicate.suite.epochs} epochs`;
  return (
    `a run stops once its training accuracy has stayed at ${formatThreshold(predicate.suite.fitThreshold)} ` +
    `for ${EPOCHS_AFTER_FIT} epochs after the epoch that first reached it`
  );
}

/** Runs that ended with every training label fitted, out of all runs of the bundle (without a regularizer). */
export function fittedRuns(predicate: ResultPredicate, architecture?: string): { fitted: number; total: number } {
  const runs = predicate.runs.filter(
    (r) => r.task.regularizer.name === "none" && (architecture === undefined || r.task.architecture === architecture),
  );
  return {
    fitted: runs.filter(
      (r) => r.status === "ok" && r.derived.finalTrainAcc !== null && r.derived.finalTrainAcc >= r.task.fitThreshold,
    ).length,
    total: runs.length,
  };
}

export function allFitted(predicate: ResultPredicate, architecture?: string): boolean {
  const { fitted, total } = fittedRuns(predicate, architecture);
  return total > 0 && fitted === total;
}

/** Whether values rise (never fall) along the list, and by how much from first to last. */
export function rising(values: readonly (number | null)[]): "rises" | "does not rise monotonically" | "has gaps" {
  if (values.some((v) => v === null)) return "has gaps";
  return values.every((v, i) => i === 0 || v! >= values[i - 1]!) ? "rises" : "does not rise monotonically";
}

/**
 * Examples per second of one architecture's training in a bundle: examples seen over
 * training seconds, summed over its runs.
 */
export function examplesPerSecond(predicate: ResultPredicate, architecture: string): number | null {
  const runs = predicate.runs.filter(
    (r) => r.task.architecture === architecture && r.status === "ok" && r.curve.length > 0,
  );
  const examples = runs.reduce((sum, r) => sum + r.task.dataset.trainSize * r.curve.length, 0);
  const wall = runs.reduce((sum, r) => sum + r.curve.at(-1)!.wallSeconds, 0);
  return wall > 0 ? examples / wall : null;
}

export function paperModel(architecture: string): PaperModel | null {
  return PAPER_MODEL_OF[architecture]?.model ?? null;
}

/** The regularizer sets that a bundle's runs used, besides none. */
export function regularizersRun(predicate: ResultPredicate): string[] {
  return [...new Set(predicate.runs.map((r) => r.task.regularizer.name))].filter((name) => name !== "none");
}

/** Appendix A's learning rates by model and their decay. */
export function paperSchedule(): string {
  const rates = PAPER_SETUP.learningRates.map((r) => `${r.rate} (${r.models})`).join(" or ");
  return `${rates}, ×${PAPER_SETUP.decayPerEpoch} per epoch`;
}

/** The kernel width of the kernel bundle's architecture. */
export function kernelGamma(kernel: KernelResult): number {
  return Number(kernel.bundle.predicate.architectures[0]!.topology.gamma);
}
