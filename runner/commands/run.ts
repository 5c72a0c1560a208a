// `rethink-bench run`: train a suite's tasks on worker threads, checkpoint each finished run,
// then sign the results into a bundle and print the summary.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { canonicalDigest, type Environment, type Suite, type Task, taskKey } from "../../schema/index.js";
import { writeSignedBundle } from "../assemble.js";
import { openRunStore, type RunIdentity, type RunStore, type StoredRun } from "../checkpoints.js";
import { verifyDataset } from "../datasets/index.js";
import { describeHardware } from "../environment.js";
import { InputError, NotSentError, UsageError, VerificationError } from "../errors.js";
import { loadOrCreateKey } from "../keys.js";
import { checkInputFits } from "../models/input-fit.js";
import { type ModelSpec, parseModelSpec } from "../models/spec.js";
import { readTopologyFile } from "../models/topology-file.js";
import { Outbox } from "../outbox.js";
import { RUNNER_VERSION } from "../package-info.js";
import { configDir, dataDir } from "../paths.js";
import { Interrupted, WorkerPool } from "../pool/worker-pool.js";
import { createProgress } from "../progress.js";
import { resolveSuite, selectTasks } from "../suite-choice.js";
import { runSummary, summaryTable } from "../summary.js";
import { torchEnvironment } from "../torch/environment.js";
import { BACKEND_CHOICES, type BackendChoice, nativeTensorflowInstalled } from "../train/backend-choice.js";
import {
  defaultTorchWorkers,
  type EngineOptions,
  engineChoice,
  engineIdentity,
  type ResolvedEngine,
  resolveEngine,
} from "./engine-options.js";
import { datasetLoadOptions, parseWholeNumber } from "./option-parsers.js";
import { isLeaderboardAt, type LocalServer, serveUntilSignal, startLocalServer } from "./serve.js";
import { apiBase, submitFile } from "./submit.js";

export interface RunOptions extends EngineOptions {
  suite: string;
  model?: string;
  /** Train only this one of the suite's built-in architectures. */
  architecture?: string;
  dataset?: string;
  backend: string;
  workers?: string;
  seed?: string;
  dataDir?: string;
  out: string;
  json?: boolean;
  name?: string;
  download: boolean;
}

/** What happens to the bundle after the run. */
export interface PublishOptions {
  /** Submit to this leaderboard (true: the default one). */
  submit?: string | boolean;
  /** Submit to a local leaderboard on `port`, starting one if none runs there, and keep serving. */
  serve?: boolean;
  port: string;
}

/**
 * `run`, then publish: with --serve the results land on a local leaderboard (started before
 * training, so a busy port fails fast, and kept serving afterwards); with --submit they go
 * to a remote one, through the outbox if it cannot take them now.
 */
export async function runAndPublishCommand(options: RunOptions & PublishOptions): Promise<void> {
  if (options.serve && options.submit)
    throw new UsageError("use --serve (a local leaderboard) or --submit (a remote one), not both");
  let local: LocalServer | null = null;
  let target = options.submit ? apiBase(options.submit === true ? undefined : options.submit) : null;
  if (options.serve) {
    target = `http://127.0.0.1:${options.port}`;
    if (await isLeaderboardAt(target)) {
      process.stderr.write(`A rethink-bench leaderboard already runs at ${target}/: the results go there.\n`);
    } else {
      local = await startLocalServer({ port: options.port, host: "127.0.0.1" });
      target = local.url;
      process.stderr.write(
        `Local leaderboard at ${target}/ (database: ${local.where}); it keeps serving after the run.\n`,
      );
    }
  }
  try {
    const { bundlePath, runs } = await runCommand(options);
    if (!target) return;
    const { line, outcome } = await submitFile(bundlePath, target, new Outbox(join(dataDir(), "outbox")));
    const say = (text: string) => (options.json ? process.stderr : process.stdout).write(`${text}\n`);
    say(line);
    if (outcome === "refused") throw new VerificationError("the leaderboard refused the bundle");
    if (outcome === "unavailable")
      throw new NotSentError("the bundle waits in the outbox: rethink-bench submit --retry");
    if (local) {
      const { suite, dataset } = runs[0]!.run.task;
      say(
        `Your results are on the leaderboard: ${target}/?suite=${suite.id}&version=${suite.version}` +
          `&dataset=${dataset.id} (Ctrl-C stops the server)`,
      );
      await serveUntilSignal(local);
      local = null;
    }
  } finally {
    await local?.close();
  }
}

/** What `run` produced, for commands that continue from it (submit, serve). */
export interface RunResultFiles {
  bundlePath: string;
  runs: StoredRun[];
}

/** The largest seed a task may have (the contract's Task.seed). */
const MAX_SEED = 2 ** 31 - 1;

/** tfjs-node trains with every core by itself: one worker is right there, one per core otherwise. */
export function defaultWorkers(backend: BackendChoice): number {
  return backend === "tensorflow" || (backend === "auto" && nativeTensorflowInstalled()) ? 1 : availableParallelism();
}

/** Worker threads for `run` and `reproduce`: --workers when given, else the engine's and backend's default. */
export function workerCount(workers: string | undefined, engine: ResolvedEngine, backend: BackendChoice): number {
  if (workers !== undefined) return parseWholeNumber(workers, "--workers", 1);
  return engine.kind === "torch" ? defaultTorchWorkers(engine.device) : defaultWorkers(backend);
}

async function runIdentity(
  suite: Suite,
  options: RunOptions,
  model: ModelSpec | null,
  backend: BackendChoice,
  engine: ResolvedEngine,
  seeds: number[] | undefined,
): Promise<RunIdentity> {
  let models = options.architecture ? [options.architecture] : suite.architectures.map((a) => a.id);
  if (model && "path" in model) {
    const bytes = await readFile(model.path).catch((error: NodeJS.ErrnoException) => {
      throw new InputError(`cannot read --model ${model.path}: ${error.code ?? error.message}`, { cause: error });
    });
    const digest = createHash("sha256").update(bytes).digest("hex");
    // Another factory of the same Python file is another architecture.
    models = [model.kind === "torch-module" ? `file:${digest}:${model.factory}` : `file:${digest}`];
  }
  return {
    suite: { id: suite.id, version: suite.version, digest: await canonicalDigest(suite) },
    models,
    dataset: options.dataset ?? null,
    seeds: seeds ?? suite.seeds,
    backend,
    ...engineIdentity(engine),
  };
}

async function runCommand(options: RunOptions): Promise<RunResultFiles> {
  const suite = resolveSuite(options.suite);
  if (!(BACKEND_CHOICES as readonly string[]).includes(options.backend))
    throw new UsageError(`unknown backend "${options.backend}"; valid backends: ${BACKEND_CHOICES.join(", ")}`);
  const backend = options.backend as BackendChoice;
  const seeds = options.seed === undefined ? undefined : [parseWholeNumber(options.seed, "--seed", 0, MAX_SEED)];
  const model = options.model ? parseModelSpec(options.model) : null;
  if (options.architecture !== undefined) {
    if (model) throw new UsageError("--architecture picks one of the suite's built-ins; --model trains yours instead");
    if (!suite.architectures.some((a) => a.id === options.architecture))
      throw new UsageError(
        `suite ${suite.id} has no architecture "${options.architecture}"; ` +
          `it has: ${suite.architectures.map((a) => a.id).join(", ")}`,
      );
  }
  // Checks the dataset and seed filters before anything slow happens (with --model, before the threads start).
  selectTasks(suite, { ...(options.dataset ? { dataset: options.dataset } : {}), ...(seeds ? { seeds } : {}) });
  // A topology file whose input shape a dataset of the run does not fit fails now, not after downloads and threads.
  if (model?.kind === "layers-json") {
    const document = await readTopologyFile(model.path);
    checkInputFits(document, model.path, suite, options.dataset);
    // Told once here; the worker threads read the file again without saying it.
    for (const note of document.notes) process.stderr.write(`${note}\n`);
  }
  if (options.workers !== undefined) parseWholeNumber(options.workers, "--workers", 1);
  const engine = await resolveEngine(options, model);
  const workers = workerCount(options.workers, engine, backend);

  // Progress and notes go to stderr; stdout carries only the summary (or the --json document).
  const say = (message: string) => process.stderr.write(`${message}\n`);
  const { onProgress, ...data } = datasetLoadOptions(options);

  // Find (and if needed download) and verify each dataset's files up front: a missing or
  // corrupt dataset fails here, with its instructions, before any thread starts.
  for (const spec of suite.datasets.filter((d) => !options.dataset || d.id === options.dataset)) {
    await verifyDataset(spec, { ...data, onProgress });
  }
  const { signer } = await loadOrCreateKey(configDir());

  const identity = await runIdentity(suite, options, model, backend, engine, seeds);
  const { store, finished } = await openRunStore(options.out, identity, say, "its run trains again");

  const selection = (architectureId: string | null) =>
    selectTasks(suite, {
      ...((architectureId ?? options.architecture) ? { architectures: [architectureId ?? options.architecture!] } : {}),
      ...(options.dataset ? { dataset: options.dataset } : {}),
      ...(seeds ? { seeds } : {}),
    });
  let tasks: Task[] = model ? [] : selection(null);
  let remaining = tasks.filter((task) => !finished.has(taskKey(task)));
  let environment = store.environment;

  if (model || remaining.length > 0) {
    const size = Math.max(1, Math.min(workers, model ? workers : remaining.length));
    say(
      `Starting ${size} worker thread${size === 1 ? "" : "s"} ` +
        `(${engine.kind === "torch" ? `PyTorch on ${engine.device}, each with its Python worker` : `backend: ${backend}`})…`,
    );
    const pool = await WorkerPool.start(size, {
      backend,
      engine: engineChoice(engine),
      model,
      data,
      measures: suite.measures ?? null,
    });
    try {
      if (model) {
        tasks = selection(pool.architectureId);
        remaining = tasks.filter((task) => !finished.has(taskKey(task)));
      }
      environment = hereEnvironment(pool);
      await store.checkEnvironment(environment, finished.size);
      const done = tasks.length - remaining.length;
      say(
        `Suite ${suite.id} v${suite.version}: ${tasks.length} runs on ${environment.backendDetail}` +
          `${done ? `, ${done} already finished in ${store.dir}` : ""}.`,
      );
      await trainAll(pool, remaining, {
        total: tasks.length,
        finished: done,
        slots: size,
        store,
        finishedRuns: finished,
      });
    } finally {
      await pool.close();
    }
  }
  if (!environment) throw new Error(`no environment recorded in ${store.dir} although every run is finished`);

  const runs = tasks.map((task) => finished.get(taskKey(task))!);
  const { bundlePath, predicate } = await writeSignedBundle({
    suite,
    environment,
    signer,
    name: options.name,
    runs,
    out: options.out,
    stem: suite.id,
  });

  if (options.json) {
    process.stdout.write(`${JSON.stringify({ bundle: bundlePath, runs: predicate.runs.map(runSummary) })}\n`);
  } else {
    process.stdout.write(
      `${summaryTable(predicate.runs)}\n\nSigned bundle: ${bundlePath}\n` +
        `Verify it with: rethink-bench verify ${bundlePath}\n`,
    );
  }
  return { bundlePath, runs };
}

export interface TrainAllOptions {
  total: number;
  finished: number;
  slots: number;
  store: RunStore;
  finishedRuns: Map<string, StoredRun>;
}

/**
 * The environment of a pool's runs: TF.js's backend and this machine, or on the torch engine the
 * Python worker's engine record and machine (runner/torch/environment.ts).
 */
export function hereEnvironment(pool: WorkerPool): Environment {
  if (pool.torch) return torchEnvironment(pool.torch, pool.backend.tfjsVersion, RUNNER_VERSION);
  return {
    runnerVersion: RUNNER_VERSION,
    tfjsVersion: pool.backend.tfjsVersion,
    backend: pool.backend.backend,
    backendDetail: pool.backend.detail,
    hardware: describeHardware(pool.backend.gpu),
  };
}

/** Trains the remaining tasks with live progress; Ctrl-C stops cleanly with every finished run saved. */
export async function trainAll(pool: WorkerPool, tasks: Task[], options: TrainAllOptions): Promise<void> {
  const progress = createProgress({
    total: options.total,
    finished: options.finished,
    slots: options.slots,
    stream: process.stderr,
  });
  const controller = new AbortController();
  const interrupt = () => controller.abort();
  process.once("SIGINT", interrupt);
  process.once("SIGTERM", interrupt);
  try {
    await pool.run(
      tasks,
      {
        onStart: (slot, task) => progress.start(slot, task),
        onEpoch: (slot, task, point) => progress.epoch(slot, task, point),
        onProgress: (message) => progress.log(message),
        onDone: async (slot, finished) => {
          await options.store.save(finished);
          options.finishedRuns.set(taskKey(finished.run.task), finished);
          progress.done(slot, finished.run);
        },
      },
      controller.signal,
    );
  } catch (error) {
    if (error instanceof Interrupted) {
      throw new Interrupted(
        `interrupted: ${options.finishedRuns.size} of ${options.total} runs are saved in ${options.store.dir}; ` +
          `run the same command again to resume`,
      );
    }
    throw error;
  } finally {
    progress.stop();
    process.off("SIGINT", interrupt);
    process.off("SIGTERM", interrupt);
  }
}
