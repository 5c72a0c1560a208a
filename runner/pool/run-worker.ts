// A worker thread of `rethink-bench run`: one TF.js instance that trains tasks one at a time
// (or, on the torch engine, prepares them and has its own Python child train them) and reports
// every epoch and every finished run to the main thread.
import { parentPort, workerData } from "node:worker_threads";
import type { Architecture, Task } from "../../schema/index.js";
import { runResult } from "../assemble.js";
import { corruptDataset } from "../corruptions.js";
import type { Dataset } from "../datasets/dataset.js";
import { datasetRecord, loadDataset } from "../datasets/index.js";
import { CliError } from "../errors.js";
import { memo } from "../memo.js";
import {
  type ArchitectureBuilder,
  describeArchitecture,
  loadArchitecture,
  RegularizerNotApplicable,
} from "../models/index.js";
import { idFromPath } from "../models/user.js";
import { torchModelSource } from "../torch/prepare.js";
import { initBackend, type RunOutcome, trainRun } from "../train/index.js";
import type { FromWorker, ToWorker, WorkerConfig } from "./messages.js";
import { TorchRunner } from "./torch-runner.js";

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

const datasets = new Map<string, Promise<Dataset>>();
const builders = new Map<string, Promise<ArchitectureBuilder>>();
const descriptions = new Map<string, Promise<Architecture>>();

/** The thread's Python child on the torch engine; null on TF.js. */
let torch: TorchRunner | null = null;
let closing = false;

/**
 * Trains one task on the torch engine: the network (a topology built with the task's regularizer,
 * or the user's PyTorch module) and the task's data go to the Python child through the folder.
 */
async function trainTorch(task: Task, builder: ArchitectureBuilder | null, dataset: Dataset): Promise<RunOutcome> {
  const model = config.model?.kind === "torch-module" ? config.model : null;
  let source: Parameters<TorchRunner["train"]>[2];
  try {
    source = model
      ? { kind: "torch-module", path: model.path, factory: model.factory }
      : torchModelSource(builder!, task, dataset.shape, dataset.classes);
  } catch (error) {
    // As on TF.js (runner/train/loop.ts): a model that cannot take this regularizer fails this run only.
    if (error instanceof RegularizerNotApplicable)
      return { status: "failed", failure: error.message, curve: [], predictions: null, measures: null };
    throw error;
  }
  return torch!.train(task, dataset, source, (point) => post({ type: "epoch", task, point }), config.measures ?? null);
}

async function runTask(task: Task, userModel: ArchitectureBuilder | null): Promise<void> {
  if (closing) return;
  let dataset: Dataset;
  let builder: ArchitectureBuilder | null = null;
  let architecture: Architecture;
  try {
    dataset = await memo(datasets, `${task.dataset.id}/${task.dataset.trainSize}/${task.dataset.testSize}`, () =>
      loadDataset(task.dataset, { ...config.data, onProgress: (message) => post({ type: "progress", message }) }),
    );
    const module = config.model?.kind === "torch-module" ? config.model : null;
    if (module) {
      // A PyTorch module has no TF.js build: the Python child describes it.
      architecture = await memo(descriptions, `torch-module@${dataset.shape.join("x")}`, () =>
        torch!.describeModule(module, dataset, task),
      );
    } else {
      const loaded =
        userModel ??
        (await memo(builders, task.architecture, () => loadArchitecture({ kind: "builtin", id: task.architecture })));
      builder = loaded;
      architecture = await memo(descriptions, `${loaded.id}@${dataset.shape.join("x")}`, () =>
        describeArchitecture(loaded, dataset.shape, dataset.classes),
      );
    }
  } catch (error) {
    if (!closing) fatal(error);
    return;
  }

  post({ type: "started", task, architecture, dataset: datasetRecord(dataset) });
  let outcome: RunOutcome;
  try {
    if (torch) {
      outcome = await trainTorch(task, builder, dataset);
    } else {
      const corrupted = corruptDataset(dataset, task.corruption, task.seed);
      outcome = await trainRun(
        task,
        builder!,
        { shape: corrupted.shape, classes: corrupted.classes, train: corrupted.train, test: corrupted.test },
        {
          onEpoch: (point) => post({ type: "epoch", task, point }),
        },
        config.measures ?? null,
      );
    }
  } catch (error) {
    if (closing) return;
    // The torch engine's model errors (an unsupported layer, a failing factory) stop every run alike.
    if (error instanceof CliError) {
      fatal(error);
      return;
    }
    // trainRun reports NaN losses and out-of-memory itself; anything else still ends only this run.
    outcome = {
      status: "failed",
      failure: `training stopped: ${(error as Error).message}`.slice(0, 2000),
      curve: [],
      predictions: null,
      measures: null,
    };
  }
  post({ type: "done", run: runResult(task, architecture, outcome) });
}

/** The thread's user model, loaded before it says it is ready (tasks only come after that). */
let userModel: ArchitectureBuilder | null = null;
/** The Python child starting or started (null on TF.js), for `close` to stop even mid-start. */
let torchStarting: Promise<TorchRunner | null> = Promise.resolve(null);

async function main(): Promise<void> {
  try {
    const backend = await initBackend(config.backend);
    const module = config.model?.kind === "torch-module" ? config.model : null;
    userModel = config.model && !module ? await loadArchitecture(config.model) : null;
    if (config.engine?.kind === "torch") {
      torchStarting = TorchRunner.start(config.engine);
      torch = await torchStarting;
    }
    if (closing) return;
    post({
      type: "ready",
      backend,
      architectureId: userModel?.id ?? (module ? idFromPath(module.path) : null),
      torch: torch?.ready ?? null,
    });
  } catch (error) {
    if (!closing) fatal(error);
  }
}

// Listening from the start, so that `close` is answered whatever state the thread is in.
// Tasks arrive one at a time; chaining keeps them strictly sequential in this thread.
let queue = Promise.resolve();
port.on("message", (message: ToWorker) => {
  if (message.type === "close") {
    // Answered at once, not after the queue: a training child is killed, not waited for.
    closing = true;
    void torchStarting
      .then((runner) => runner?.close())
      .catch(() => undefined)
      .finally(() => post({ type: "closed" }));
    return;
  }
  queue = queue.then(() => runTask(message.task, userModel));
});

void main();
