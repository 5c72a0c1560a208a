// Training a submission's chosen runs again on this machine: one worker pool per model spec,
// the same live progress as `run`, and checkpoints keyed by the original's payload digest, so
// an interrupted reproduction resumes without training a finished run twice.
import { type Environment, type Task, taskKey } from "../../schema/index.js";
import { openRunStore, type RunIdentity, type StoredRun } from "../checkpoints.js";
import { engineChoice, engineIdentity, type ResolvedEngine } from "../commands/engine-options.js";
import { hereEnvironment, trainAll } from "../commands/run.js";
import type { LoadOptions } from "../datasets/index.js";
import { verifyDataset } from "../datasets/index.js";
import { VerificationError } from "../errors.js";
import { TORCH_DIED } from "../pool/torch-runner.js";
import { WorkerPool } from "../pool/worker-pool.js";
import type { BackendChoice } from "../train/backend-choice.js";
import { checkRebuilt, modelIdentity, planRebuild } from "./rebuild.js";
import type { Original } from "./target.js";

export interface TrainOptions {
  backend: BackendChoice;
  /** TF.js, or the PyTorch engine on a resolved device. */
  engine: ResolvedEngine;
  workers: number;
  /** A builder module's file, for architectures a bundle cannot carry. */
  model?: string;
  out: string;
  data: LoadOptions;
  say: (message: string) => void;
  /** Hears this machine's environment once it is known, before anything trains. */
  onEnvironment: (environment: Environment) => void;
}

/** The reproduced runs by position, the environment that trained them, and the runs this machine could not train. */
export interface Trained {
  runs: Map<number, StoredRun>;
  environment: Environment;
  /** Runs that failed for a reason of this machine (out of memory, a worker thread that died), with the reason. */
  unfinished: { position: number; failure: string }[];
}

/**
 * Failures that come from the machine, not from the run: the training loop's out-of-memory ending,
 * the pool's dead worker thread and a dead PyTorch worker process (runner/train/loop.ts,
 * runner/pool/worker-pool.ts, runner/pool/torch-runner.ts). Such a reproduction says nothing
 * about the original, so it is never signed as "not reproduced" (an operator key's verdict would
 * take an honest result off the board). A NaN loss is the run's own.
 */
const MACHINE_FAILURE = new RegExp(`^(out of memory in epoch |the worker thread died: |${TORCH_DIED})`);

/**
 * Trains the original's runs at `positions` (those already in the checkpoints are read back),
 * after checking every dataset and every rebuilt architecture up front.
 */
export async function trainPositions(original: Original, positions: number[], options: TrainOptions): Promise<Trained> {
  const { predicate } = original.statement;
  const { say } = options;
  const groups = planRebuild(predicate, positions, options.model);
  const taskAt = (position: number): Task => predicate.runs[position]!.task;

  // What cannot work fails here, before any thread starts: a missing dataset, a wrong --model.
  const datasets = new Map(positions.map((p) => [taskAt(p).dataset.id, taskAt(p).dataset]));
  for (const dataset of datasets.values()) await verifyDataset(dataset, options.data);
  const { onProgress: _onProgress, ...workerData } = options.data;
  const engine = engineChoice(options.engine);
  await checkRebuilt(predicate, groups, { engine, data: options.data });

  const models: string[] = [];
  for (const group of groups) models.push(...(await modelIdentity(group)));
  const identity: RunIdentity = {
    suite: { id: predicate.suite.id, version: predicate.suite.version, digest: predicate.suiteDigest },
    models: models.sort(),
    dataset: null,
    seeds: [],
    backend: options.backend,
    ...engineIdentity(options.engine),
    reproduces: original.payloadSha256,
  };
  const { store, finished } = await openRunStore(options.out, identity, say, "its run trains again");
  const total = positions.length;
  const done = () => positions.filter((p) => finished.has(taskKey(taskAt(p)))).length;
  let environment = store.environment;
  let announced = false;
  const announce = (here: Environment) => {
    if (!announced) options.onEnvironment(here);
    announced = true;
  };
  if (environment && done() === total) announce(environment);

  for (const group of groups) {
    const remaining = group.positions.map(taskAt).filter((task) => !finished.has(taskKey(task)));
    if (remaining.length === 0) continue;
    const size = Math.max(1, Math.min(options.workers, remaining.length));
    const on = engine.kind === "torch" ? `PyTorch on ${engine.device}` : `backend: ${options.backend}`;
    say(`Starting ${size} worker thread${size === 1 ? "" : "s"} (${on})…`);
    const pool = await WorkerPool.start(size, {
      backend: options.backend,
      engine,
      model: group.model,
      data: workerData,
      // The original's suite settings: the measures are part of each run's outcome digest.
      measures: predicate.suite.measures ?? null,
    });
    try {
      const here: Environment = hereEnvironment(pool);
      await store.checkEnvironment(here, finished.size);
      announce(here);
      environment = here;
      const before = done();
      if (before) say(`${before} of ${total} runs already finished in ${store.dir}.`);
      await trainAll(pool, remaining, { total, finished: before, slots: size, store, finishedRuns: finished });
    } finally {
      await pool.close();
    }
  }
  if (!environment) throw new Error(`no environment recorded in ${store.dir} although every run is finished`);

  const runs = new Map<number, StoredRun>();
  const unfinished: Trained["unfinished"] = [];
  for (const position of positions) {
    const stored = finished.get(taskKey(taskAt(position)))!;
    if (stored.run.status === "failed" && MACHINE_FAILURE.test(stored.run.failure ?? "")) {
      unfinished.push({ position, failure: stored.run.failure! });
      await store.setAside(stored.run.task, "machine-failure");
      continue;
    }
    const signed = predicate.runs[position]!.architectureFingerprint;
    // A built-in this version builds differently would train another network: never compare that.
    if (stored.run.architectureFingerprint !== signed)
      throw new VerificationError(
        `run ${position} trained an architecture with fingerprint ${stored.run.architectureFingerprint.slice(0, 12)}…, ` +
          `but the original signed ${signed.slice(0, 12)}…; this version of rethink-bench builds it differently`,
      );
    runs.set(position, stored);
  }
  return { runs, environment, unfinished };
}
