// Re-scoring a bundle's final predictions against labels the server derives itself, and checking
// its dataset files against the pinned digests: accuracies a submitter cannot simply claim.

import { decodeClasses } from "./bytes.js";
import { measureProblems, type ResultPredicate, type RunResult, taskKey } from "./contract/index.js";
import { type RunLabels, subsetLabels, trainingLabels } from "./datasets/labels.js";
import { DATASET_SHAPES } from "./datasets/pinned.js";
import type { DatasetRegistry, KnownDataset } from "./datasets/registry.js";
import type { PathError } from "./signed-statement.js";

type Run = ResultPredicate["runs"][number];

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** The bundle's dataset records that runs with status ok use, with those runs. */
function scoredDatasets(predicate: ResultPredicate) {
  return predicate.datasets.flatMap((record, index) => {
    const runs = predicate.runs.filter((run) => run.status === "ok" && run.task.dataset.id === record.id);
    return runs.length > 0 ? [{ record, index, runs }] : [];
  });
}

function describeRuns(runs: readonly Run[]): string {
  return `${plural(runs.length, "run")} with status ok (such as ${taskKey(runs[0]!.task)})`;
}

/**
 * The datasets of a bundle whose runs this server cannot score: those it does not know, and
 * those it knows the files of but holds no labels for. One error per dataset record, at its id;
 * empty when every run with status ok can be scored. The API answers these with their own
 * problem (the bundle is not wrong; this server cannot check it), before `scoreRuns`.
 *
 * @example
 * unscorableDatasets(cifarPredicate, defaultDatasetRegistry())[0]?.message
 * // "this server holds no labels for cifar10 …"
 */
export function unscorableDatasets(predicate: ResultPredicate, registry: DatasetRegistry): PathError[] {
  return scoredDatasets(predicate).flatMap(({ record, index, runs }): PathError[] => {
    const known = registry.get(record.id);
    const path = `predicate.datasets[${index}].id`;
    if (!known) {
      return [
        {
          path,
          message:
            `this server knows no dataset "${record.id}": it can neither check its files nor score ` +
            `the predictions of its ${describeRuns(runs)}`,
        },
      ];
    }
    if (!known.labels) {
      return [
        {
          path,
          message:
            `this server holds no labels for ${record.id}, so it cannot score the predictions of its ` +
            `${describeRuns(runs)}; its labels are not shipped with it ` +
            "(npm run labels:build makes them from the files)",
        },
      ];
    }
    return [];
  });
}

/** Where the bundle's record of a dataset differs from the files, classes and shape the server pins. */
function datasetMismatches(
  record: ResultPredicate["datasets"][number],
  index: number,
  known: KnownDataset,
): PathError[] {
  const errors: PathError[] = [];
  const at = `predicate.datasets[${index}]`;
  if (record.classes !== known.classes) {
    errors.push({ path: `${at}.classes`, message: `${record.id} has ${known.classes} classes, not ${record.classes}` });
  }
  const shape = record.id === "synthetic" ? undefined : DATASET_SHAPES[record.id];
  if (shape && record.shape.join("x") !== shape.join("x")) {
    errors.push({
      path: `${at}.shape`,
      message: `${record.id}'s images are ${shape.join("x")}, not ${record.shape.join("x")}`,
    });
  }
  const pinned = new Map(known.files.map((f) => [f.name, f.sha256]));
  const seen = new Set<string>();
  record.files.forEach((file, j) => {
    const sha256 = pinned.get(file.name);
    if (sha256 === undefined) {
      const names = known.files.map((f) => f.name).join(", ");
      errors.push({ path: `${at}.files[${j}].name`, message: `${file.name} is not a file of ${record.id} (${names})` });
    } else if (seen.has(file.name)) {
      errors.push({ path: `${at}.files[${j}].name`, message: `${file.name} is listed twice` });
    } else if (file.sha256 !== sha256) {
      errors.push({
        path: `${at}.files[${j}].sha256`,
        message:
          `${record.id}'s ${file.name} has SHA-256 ${file.sha256}, not the pinned ${sha256}: ` +
          `a different file under the same name`,
      });
    }
    seen.add(file.name);
  });
  const missing = known.files.filter((f) => !seen.has(f.name)).map((f) => f.name);
  if (missing.length > 0) {
    errors.push({ path: `${at}.files`, message: `lacks ${missing.join(", ")} of ${record.id}` });
  }
  return errors;
}

/** Errors where one split's predictions do not score the accuracy the run's last epoch claims. */
function scoreSplit(run: RunResult, i: number, split: "train" | "test", labels: Uint8Array): PathError[] {
  const metric = split === "train" ? "trainAcc" : "testAcc";
  const predictions = decodeClasses(run.predictions![split], labels.length);
  if (!predictions) {
    return [{ path: `predicate.runs[${i}].predictions.${split}`, message: `must encode ${labels.length} classes` }];
  }
  let correct = 0;
  for (let k = 0; k < labels.length; k++) if (predictions[k] === labels[k]) correct++;
  // The runner's accuracy is this same quotient of two exact integers, so equality is exact.
  const scored = correct / labels.length;
  const last = run.curve.length - 1;
  const claimed = run.curve[last]![metric];
  if (Object.is(scored, claimed)) return [];
  return [
    {
      path: `predicate.runs[${i}].curve[${last}].${metric}`,
      message:
        `${taskKey(run.task)}: the last epoch's ${metric} is ${claimed}, but the run's final ${split} predictions ` +
        `score ${scored} (${correct} of ${labels.length} correct) against the labels this server derives`,
    },
  ];
}

/**
 * Everything about a bundle's runs that the server checks against data it holds itself: each
 * dataset record that runs with status ok use must name exactly its pinned files (one error per
 * dataset, at the record), and each such run's decoded final predictions, scored against the
 * labels `runLabels` derives (the dataset's class-balanced subset, then the run's corruption
 * under its seed), must give exactly (`Object.is`) the training and test accuracy of the run's
 * last epoch; a run's output margin (measures) must then agree in sign with the share of training
 * examples those predictions get wrong. Failed runs have no predictions and are skipped. Datasets it cannot score are
 * reported as `unscorableDatasets` reports them, and the runs of a dataset whose files are not
 * the pinned ones are not scored (their labels would be another dataset's).
 *
 * @example
 * scoreRuns(statement.predicate, defaultDatasetRegistry()) // [] for an honest bundle
 */
export function scoreRuns(predicate: ResultPredicate, registry: DatasetRegistry): PathError[] {
  const errors = unscorableDatasets(predicate, registry);
  const scorable = new Map<string, KnownDataset>();
  for (const { record, index } of scoredDatasets(predicate)) {
    const known = registry.get(record.id);
    if (!known?.labels) continue;
    const mismatches = datasetMismatches(record, index, known);
    errors.push(...mismatches);
    if (mismatches.length === 0) scorable.set(record.id, known);
  }

  // Runs of one dataset share their subsets; only the corruption differs per run.
  const subsets = new Map<string, RunLabels>();
  predicate.runs.forEach((run, i) => {
    const known = scorable.get(run.task.dataset.id);
    if (run.status !== "ok" || !run.predictions || run.curve.length === 0 || !known?.labels) return;
    const { id, trainSize, testSize } = run.task.dataset;
    const pools = known.labels;
    if (trainSize > pools.train.length || testSize > pools.test.length) {
      errors.push({
        path: `predicate.runs[${i}].task.dataset`,
        message:
          `${taskKey(run.task)} asks for ${trainSize} training and ${testSize} test examples; ` +
          `${id} has ${pools.train.length} and ${pools.test.length}`,
      });
      return;
    }
    const key = `${trainSize}/${testSize}`;
    let subset = subsets.get(`${id}/${key}`);
    if (!subset) {
      subset = subsetLabels(id, pools, trainSize, testSize);
      subsets.set(`${id}/${key}`, subset);
    }
    const train = trainingLabels(subset.train, pools.classes, run.task.corruption, run.task.seed);
    const trainErrors = scoreSplit(run, i, "train", train);
    errors.push(...trainErrors, ...scoreSplit(run, i, "test", subset.test));
    // Once the predictions score what the run claims, its margin must agree with them.
    if (trainErrors.length === 0) errors.push(...marginSignErrors(predicate, run, i, train.length));
  });
  return errors;
}

/**
 * Where a run's margin contradicts its scored training predictions: the `train` evidence of
 * `measureProblems`, whose other checks `checkProtocol` has made already. The last epoch's
 * training accuracy equals the scored one exactly here, so it gives the count of wrong examples.
 */
function marginSignErrors(predicate: ResultPredicate, run: Run, i: number, examples: number): PathError[] {
  // Optional chains: callers that score curves alone (the runner's own prediction tests) pass a
  // predicate of datasets and runs.
  const settings = predicate.suite?.measures;
  const architecture = predicate.architectures?.find((a) => a.fingerprint === run.architectureFingerprint);
  if (!run.measures || !settings || !architecture) return [];
  const evidence = { settings, parameterCount: architecture.parameterCount };
  const correct = Math.round(run.curve[run.curve.length - 1]!.trainAcc * examples);
  const known = new Set(measureProblems(run.measures, evidence));
  return measureProblems(run.measures, { ...evidence, train: { examples, errors: examples - correct } })
    .filter((problem) => !known.has(problem))
    .map((problem) => ({ path: `predicate.runs[${i}].measures.margin`, message: `${taskKey(run.task)}: ${problem}` }));
}
