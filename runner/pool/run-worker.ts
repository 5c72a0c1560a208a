// A worker thread of `rethink-bench run`: one TF.js instance that trains tasks one at a time
// and reports every epoch and every finished run to the main thread.
import { parentPort, workerData } from "node:worker_threads";
import type { Architecture, Task } from "../../schema/index.js";
import { runResult } from "../assemble.js";
import { corruptDataset } from "../corruptions.js";
import type { Dataset } from "../datasets/dataset.js";
import { datasetRecord, loadDataset } from "../datasets/index.js";
import { CliError } from "../errors.js";
import { type ArchitectureBuilder, describeArchitecture, loadArchitecture } from "../models/index.js";
import { initBackend, type RunOutcome, trainRun } from "../train/index.js";
import type { FromWorker, ToWorker, WorkerConfig } from "./messages.js";

const config = workerData as WorkerConfig;
const port = parentPort!;
const post = (message: FromWorker) => port.postMessage(message);

function fatal(error: unknown): void {
  const exitCode = error instanceof CliError ? error.exitCode : 70;
  const message =
    error instanceof CliError
      ? error.message
      : `unexpected error in a worker thread (a bug; please report it): ${(error as Error).stack ?? String(error)}`;
  post({ type: "fatal", message, exitCode });
}

/** Memoizes one promise per key: a dataset or model is loaded once per worker. */
function memo<T>(cache: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let value = cache.get(key);
  if (!value) {
    value = load();
    cache.set(key, value);
  }
  return value;
}

const datasets = new Map<string, Promise<Dataset>>();
const builders = new Map<string, Promise<ArchitectureBuilder>>();
const descriptions = new Map<string, Promise<Architecture>>();

async function runTask(task: Task, userModel: ArchitectureBuilder | null): Promise<void> {
  let dataset: Dataset;
  let builder: ArchitectureBuilder;
  let architecture: Architecture;
  try {
    dataset = await memo(datasets, `${task.dataset.id}/${task.dataset.trainSize}/${task.dataset.testSize}`, () =>
      loadDataset(task.dataset, { ...config.data, onProgress: (message) => post({ type: "progress", message }) }),
    );
    builder =
      userModel ??
      (await memo(builders, task.architecture, () => loadArchitecture({ kind: "builtin", id: task.architecture })));
    architecture = await memo(descriptions, `${builder.id}@${dataset.shape.join("x")}`, () =>
      describeArchitecture(builder, dataset.shape, dataset.classes),
    );
  } catch (error) {
    fatal(error);
    return;
  }

  post({ type: "started", task, architecture, dataset: datasetRecord(dataset) });
  const corrupted = corruptDataset(dataset, task.corruption, task.seed);
  let outcome: RunOutcome;
  try {
    outcome = await trainRun(
      task,
      builder,
      { shape: corrupted.shape, classes: corrupted.classes, train: corrupted.train, test: corrupted.test },
      {
        onEpoch: (point) => post({ type: "epoch", task, point }),
      },
    );
  } catch (error) {
    // trainRun reports NaN losses and out-of-memory itself; anything else still ends only this run.
    outcome = {
      status: "failed",
      failure: `training stopped: ${(error as Error).message}`.slice(0, 2000),
      curve: [],
      predictions: null,
    };
  }
  post({ type: "done", run: runResult(task, architecture, outcome) });
}

async function main(): Promise<void> {
  let userModel: ArchitectureBuilder | null;
  try {
    const backend = await initBackend(config.backend);
    userModel = config.model ? await loadArchitecture(config.model) : null;
    post({ type: "ready", backend, architectureId: userModel?.id ?? null });
  } catch (error) {
    fatal(error);
    return;
  }
  // Tasks arrive one at a time; chaining keeps them strictly sequential in this thread.
  let queue = Promise.resolve();
  port.on("message", (message: ToWorker) => {
    queue = queue.then(() => runTask(message.task, userModel));
  });
}

void main();
