// The protocol a bundle's runs must follow beyond their schema: the suite's seeds, every condition
// for each architecture × dataset × seed the bundle covers, and curves that end where the
// stopping rule ends them. Without these a submitter could choose which runs and epochs to show.

import {
  expandSuite,
  measureProblems,
  type ResultPredicate,
  type Suite,
  type Task,
  taskKey,
} from "./contract/index.js";
import type { PathError } from "./signed-statement.js";
import { EPOCHS_AFTER_FIT, type Stop, type StoppingTask, stopAfter } from "./stopping-rule.js";
import { kernelSettingsOf } from "./topology/kernel.js";

/** Why the stopping rule ended a run where it did, for a message. */
function explainStop(stop: Stop, task: StoppingTask): string {
  switch (stop.reason) {
    case "fitted":
      return (
        `training accuracy reached the fit threshold ${task.fitThreshold} on epochs ` +
        `${stop.epoch - EPOCHS_AFTER_FIT} to ${stop.epoch}, the fitting epoch and ${EPOCHS_AFTER_FIT} more`
      );
    case "patience":
      return (
        `validation accuracy had not improved on its best for ${task.regularizer.earlyStoppingPatience} ` +
        "epochs (early stopping's patience)"
      );
    case "budget":
      return `that is the budget of ${task.epochs} epochs`;
  }
}

/** Why the stopping rule would have gone on after a curve's last epoch, for a message. */
function explainGoingOn(task: StoppingTask): string {
  const patience = task.regularizer.earlyStoppingPatience;
  return (
    `training accuracy had not reached the fit threshold ${task.fitThreshold} on ${EPOCHS_AFTER_FIT + 1} ` +
    "epochs in a row" +
    (patience === null ? "" : `, validation accuracy had improved within the last ${patience} epochs`) +
    ` and the budget is ${task.epochs} epochs`
  );
}

/**
 * Every way the runs of a bundle break the protocol of `suite` (the server's own copy of the
 * suite the bundle names; the bundle's runs must already be tasks of it, which `openEnvelope`
 * checks):
 * - each run's seed is one of the suite's seeds;
 * - for every (architecture, dataset, seed) the bundle covers, every condition of the suite
 *   that applies to that architecture has a run (a user-supplied architecture runs them all);
 * - each curve ends where the stopping rule (`stopAfter`) ends it: after the fitting epoch
 *   and EPOCHS_AFTER_FIT more when the run stays fitted, when early stopping's patience runs out
 *   on validation accuracy (so such runs must carry `valAcc` on every epoch), else at the
 *   budget. A failed run may end at any epoch up to that point, never after it;
 * - a kernel baseline's run has one point and interpolates exactly the run's training set;
 * - every other ok run carries complexity measures when the suite has measure settings (and no
 *   run does when it has none), consistent with what the server knows (`measureProblems`:
 *   parameter count, spectral ratio, σ range; the margin's sign against the predictions is
 *   checked where they are scored).
 * Each message names the run by its task key and says what was expected. Empty when the runs
 * follow the protocol.
 *
 * @example
 * checkProtocol(opened.statement.predicate, findSuite("smoke", 3)!) // []
 */
export function checkProtocol(
  predicate: Pick<ResultPredicate, "runs"> & Partial<Pick<ResultPredicate, "architectures">>,
  suite: Suite,
): PathError[] {
  const errors: PathError[] = [];
  const add = (path: string, message: string) => errors.push({ path: `predicate.${path}`, message });
  const suiteName = `suite ${suite.id} v${suite.version}`;
  const { runs } = predicate;
  // Architectures that are not trained by SGD, by fingerprint (checkArchitectures makes sure a kernel is one).
  const closedForm = new Map(
    (predicate.architectures ?? []).filter((a) => a.kind === "kernel").map((a) => [a.fingerprint, a.topology]),
  );
  const parameterCounts = new Map((predicate.architectures ?? []).map((a) => [a.fingerprint, a.parameterCount]));

  runs.forEach((run, i) => {
    if (!suite.seeds.includes(run.task.seed)) {
      add(
        `runs[${i}].task.seed`,
        `${taskKey(run.task)}: seed ${run.task.seed} is not one of ${suiteName}'s seeds (${suite.seeds.join(", ")})`,
      );
    }
  });

  // The suite's tasks for each (architecture, dataset, seed) that some run covers, by task key.
  const suiteArchitectures = new Set(suite.architectures.map((a) => a.id));
  const expected = new Map<string, Task>();
  const covered = new Map<string, Task[]>();
  for (const { task } of runs) {
    const group = `${task.architecture}/${task.dataset.id}/seed-${task.seed}`;
    if (covered.has(group)) continue;
    const tasks = expandSuite(suite, {
      seeds: [task.seed],
      ...(suiteArchitectures.has(task.architecture) ? {} : { architectures: [task.architecture] }),
    }).filter((t) => t.architecture === task.architecture && t.dataset.id === task.dataset.id);
    covered.set(group, tasks);
    for (const t of tasks) expected.set(taskKey(t), t);
  }
  const present = new Set(runs.map((run) => taskKey(run.task)));
  for (const [group, tasks] of covered) {
    const missing = tasks.map(taskKey).filter((key) => !present.has(key));
    for (const key of missing) {
      add(
        "runs",
        `${key} is missing: a bundle that covers ${group} must hold every condition of ${suiteName} ` +
          `that applies to ${group.split("/")[0]} (${tasks.length} runs; it has ${tasks.length - missing.length})`,
      );
    }
  }

  runs.forEach((run, i) => {
    const key = taskKey(run.task);
    // Not a task of the suite: openEnvelope's consistency check reports it. The suite's own task,
    // not the run's claim, says the budget, threshold and patience.
    const task = expected.get(key);
    if (!task) return;
    const kernelTopology = closedForm.get(run.architectureFingerprint);
    if (kernelTopology) {
      // Its parameter count is n × classes, so n must be the run's training set, not a smaller claim.
      const trainingPoints = kernelSettingsOf(kernelTopology)?.trainingPoints;
      if (trainingPoints !== undefined && trainingPoints !== run.task.dataset.trainSize)
        add(
          `runs[${i}].architectureFingerprint`,
          `${key}: the kernel interpolates ${trainingPoints} training points, but the run trains on ` +
            `${run.task.dataset.trainSize}`,
        );
      // The kernel baseline is solved in closed form: one "epoch", no stopping rule to replay.
      if (run.status === "ok" && run.curve.length !== 1)
        add(`runs[${i}].curve`, `${key}: a closed-form solution has one point, not ${run.curve.length}`);
      if (run.measures)
        add(`runs[${i}].measures`, `${key}: a closed-form solution has no weights to measure; leave measures out`);
      return;
    }
    if (run.status === "ok" && suite.measures && !run.measures)
      add(`runs[${i}].measures`, `${key}: ${suiteName} records complexity measures on every run; this run has none`);
    if (run.measures && !suite.measures)
      add(`runs[${i}].measures`, `${key}: ${suiteName} predates complexity measures; leave them out`);
    const parameterCount = parameterCounts.get(run.architectureFingerprint);
    if (run.measures && suite.measures && parameterCount !== undefined)
      for (const problem of measureProblems(run.measures, { settings: suite.measures, parameterCount }))
        add(`runs[${i}].measures`, `${key}: ${problem}`);
    if (task.regularizer.earlyStoppingPatience !== null) {
      const unmarked = run.curve.findIndex((point) => point.valAcc === undefined);
      if (unmarked !== -1) {
        add(
          `runs[${i}].curve[${unmarked}].valAcc`,
          `${key}: early stopping selects on validation accuracy, so every epoch must carry valAcc ` +
            "for the stopping point to be checked",
        );
        return;
      }
    }
    const stop = stopAfter(run.curve, task);
    const epochs = run.curve.length;
    if (stop !== null && stop.epoch < epochs) {
      add(
        `runs[${i}].curve`,
        `${key}: the curve has ${epochs} epochs, but the stopping rule ends the run after epoch ${stop.epoch}: ` +
          explainStop(stop, task),
      );
    } else if (stop === null && run.status === "ok") {
      add(
        `runs[${i}].curve`,
        `${key}: the curve ends after epoch ${epochs}, before the stopping rule ends the run: ${explainGoingOn(task)}`,
      );
    }
  });
  return errors;
}
