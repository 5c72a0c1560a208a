// The end-of-run report: one row per architecture × dataset × condition, medians over seeds,
// and the per-run JSON summary of `run --json`.
import Table from "cli-table3";
import { censoredMedian, corruptionLabel, corruptionLevel, type RunResult } from "../schema/index.js";

/** The median of a figure that is not censored (null: a failed run, left out). */
function median(values: (number | null)[]): number | null {
  return censoredMedian(values.filter((v): v is number => v !== null));
}

/** A censored median for the table: +∞ (never fitted) is null, shown as "> budget". */
function fittedMedian(values: (number | null)[]): number | null {
  const m = censoredMedian(values);
  return m !== null && Number.isFinite(m) ? m : null;
}

const fixed = (digits: number) => (value: number | null) => (value === null ? "—" : value.toFixed(digits));

/** The summary table, as text with one header row. */
export function summaryTable(runs: readonly RunResult[]): string {
  const groups = new Map<string, RunResult[]>();
  for (const run of runs) {
    const { task } = run;
    const key = [task.architecture, task.dataset.id, corruptionLabel(task.corruption), task.regularizer.name].join(
      "\u0000",
    );
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  const showRegularizer = runs.some((run) => run.task.regularizer.name !== "none");
  const head = [
    "architecture",
    "dataset",
    "corruption",
    ...(showRegularizer ? ["regularizer"] : []),
    "seeds",
    "epochs to fit",
    "steps to fit",
    "train acc",
    "test acc",
    "gen gap",
    "slowdown",
  ];
  const table = new Table({
    head,
    style: { head: [], border: [], compact: true },
    colAligns: head.map((_, i) => (i < (showRegularizer ? 4 : 3) ? "left" : "right")),
  });
  for (const group of groups.values()) {
    const { task } = group[0]!;
    const ok = group.filter((run) => run.status === "ok");
    const failed = group.length - ok.length;
    const epochs = fittedMedian(ok.map((run) => run.derived.epochsToFit));
    const steps = fittedMedian(ok.map((run) => run.derived.stepsToFit));
    // Not fitted: past the budget, or stopped before it by early stopping (the budget would mislead).
    const lastEpoch = Math.max(0, ...ok.map((run) => run.curve.length));
    const censored =
      ok.length === 0 || epochs !== null
        ? "—"
        : lastEpoch < task.epochs
          ? `stopped at ${lastEpoch}`
          : `> ${task.epochs}`;
    table.push([
      task.architecture,
      task.dataset.id,
      corruptionLabel(task.corruption),
      ...(showRegularizer ? [task.regularizer.name] : []),
      `${group.length}${failed ? ` (${failed} failed)` : ""}`,
      epochs === null ? censored : String(epochs),
      steps === null ? censored : String(steps),
      fixed(3)(median(ok.map((run) => run.derived.finalTrainAcc))),
      fixed(3)(median(ok.map((run) => run.derived.finalTestAcc))),
      fixed(3)(median(ok.map((run) => run.derived.genGap))),
      fixed(2)(median(ok.map((run) => run.derived.slowdown))),
    ]);
  }
  return table.toString();
}

/** One run as `run --json` prints it. */
export function runSummary(run: RunResult) {
  return {
    architecture: run.task.architecture,
    fingerprint: run.architectureFingerprint,
    dataset: run.task.dataset.id,
    corruption: run.task.corruption.kind,
    level: run.task.corruption.kind === "partial" ? corruptionLevel(run.task.corruption) : null,
    regularizer: run.task.regularizer.name,
    seed: run.task.seed,
    epochsToFit: run.derived.epochsToFit,
    stepsToFit: run.derived.stepsToFit,
    finalTrainAcc: run.derived.finalTrainAcc,
    finalTestAcc: run.derived.finalTestAcc,
    genGap: run.derived.genGap,
    slowdown: run.derived.slowdown,
    status: run.status,
  };
}
