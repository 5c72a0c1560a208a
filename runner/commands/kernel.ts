// `rethink-bench kernel`: the minimum-norm Gaussian-kernel interpolation of the paper's §5 on
// n training images: training error (0 by construction), test error and RKHS norm; with
// --out, every randomization test of a suite as a signed, non-neural baseline bundle.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { totalmem } from "node:os";
import { dirname, join } from "node:path";
import Table from "cli-table3";
import {
  canonicalDigest,
  corruptionLabel,
  type Environment,
  KERNEL_ARCHITECTURE_ID,
  type Task,
  taskKey,
} from "../../schema/index.js";
import { writeSignedBundle } from "../assemble.js";
import { openRunStore, type RunIdentity, type StoredRun } from "../checkpoints.js";
import { corruptDataset } from "../corruptions.js";
import { type Dataset, datasetRecord, loadDataset, parseDatasetId } from "../datasets/index.js";
import { describeHardware } from "../environment.js";
import { InputError, UsageError } from "../errors.js";
import { loadOrCreateKey } from "../keys.js";
import { RUNNER_VERSION } from "../package-info.js";
import { configDir } from "../paths.js";
import { interpolate, type KernelOutcome, type KernelSystem, prepareKernel } from "../science/kernel.js";
import { isKernelTask, kernelArchitecture, kernelRunResult } from "../science/kernel-run.js";
import { resolveSuite, selectTasks } from "../suite-choice.js";
import { datasetLoadOptions, parseWholeNumber } from "./option-parsers.js";

export interface KernelOptions {
  dataset?: string;
  n?: string;
  test?: string;
  gamma: string;
  suite?: string;
  seed?: string;
  out?: string;
  name?: string;
  dataDir?: string;
  download: boolean;
  json?: boolean;
}

/** What `kernel --json` prints without --out. */
export interface KernelReport {
  dataset: string;
  n: number;
  test: number;
  gamma: number;
  trainError: number;
  testError: number;
  norm: number;
  maxTrainResidual: number;
  seconds: { kernel: number; factor: number; solve: number };
}

const DEFAULT_TRAIN_SIZE = 1000;
/** mnist-10k's whole test split. */
const DEFAULT_TEST_SIZE = 2000;

function parseGamma(value: string): number {
  const gamma = Number(value);
  if (!Number.isFinite(gamma) || gamma <= 0) throw new UsageError(`--gamma must be a positive number, got "${value}"`);
  return gamma;
}

/**
 * Refuses sizes whose float64 matrices (K, its Cholesky factor, the test kernel) cannot fit in this
 * machine's memory.
 */
function checkMemory(trainSize: number, testSize: number): void {
  const bytes = 8 * (2 * trainSize * trainSize + testSize * trainSize);
  if (bytes > 0.8 * totalmem()) {
    throw new UsageError(
      `n = ${trainSize} needs about ${(bytes / 2 ** 30).toFixed(1)} GiB for its kernel matrices, ` +
        `more than this machine's ${(totalmem() / 2 ** 30).toFixed(1)} GiB allow; use a smaller n`,
    );
  }
}

function mlMatrixVersion(): string {
  const entry = createRequire(import.meta.url).resolve("ml-matrix");
  return (JSON.parse(readFileSync(join(dirname(entry), "package.json"), "utf8")) as { version: string }).version;
}

const percent = (fraction: number) => `${(100 * fraction).toFixed(2)}%`;

export async function kernelCommand(options: KernelOptions): Promise<void> {
  const gamma = parseGamma(options.gamma);
  if (options.out !== undefined) return writeKernelBundle(options, gamma);
  for (const option of ["suite", "seed", "name"] as const) {
    if (options[option] !== undefined)
      throw new UsageError(`--${option} only applies with --out (a bundle of a suite's runs)`);
  }
  const id = parseDatasetId(options.dataset ?? "mnist-10k");
  const n = options.n === undefined ? DEFAULT_TRAIN_SIZE : parseWholeNumber(options.n, "--n", 1);
  const testSize = options.test === undefined ? DEFAULT_TEST_SIZE : parseWholeNumber(options.test, "--test", 1);
  checkMemory(n, testSize);
  const data = await loadDataset({ id, trainSize: n, testSize }, datasetLoadOptions(options));
  const prepared = prepareKernel(data.train, data.test, gamma);
  if (!prepared.ok) throw new InputError(`${id} with n = ${n}: ${prepared.message}`);
  const outcome = interpolate(prepared.system, data.train.labels, data.test.labels, data.classes);
  const report: KernelReport = {
    dataset: id,
    n,
    test: testSize,
    gamma,
    trainError: outcome.trainError,
    testError: outcome.testError,
    norm: outcome.norm,
    maxTrainResidual: outcome.maxTrainResidual,
    seconds: { ...prepared.system.seconds, solve: outcome.solveSeconds },
  };
  if (options.json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return;
  }
  const s = report.seconds;
  const kernel = `exp(−${gamma}·‖x − x′‖²)`;
  process.stdout.write(
    `${[
      `Minimum-norm kernel interpolation (Zhang et al. 2017, §5): K α = Y with one-hot targets,`,
      `Gaussian kernel ${kernel} on [0, 1] pixels, solved by a float64 Cholesky factorization.`,
      `dataset      ${id}: ${n} training images, ${testSize} test images`,
      `train error  ${percent(report.trainError)}   (max |Kα − Y| = ${report.maxTrainResidual.toExponential(1)})`,
      `test error   ${percent(report.testError)}`,
      `norm         ${report.norm.toFixed(2)}   (sqrt(tr(αᵀKα)), the interpolant's RKHS norm)`,
      `time         kernel matrices ${s.kernel.toFixed(1)} s · Cholesky ${s.factor.toFixed(1)} s · ` +
        `solve and predict ${s.solve.toFixed(1)} s`,
    ].join("\n")}\n`,
  );
}

/** The kernel system of the last images seen: label corruptions reuse it, input corruptions rebuild it. */
interface CachedSystem {
  train: Float32Array;
  test: Float32Array;
  system: KernelSystem;
}

/** Solves every kernel task of one dataset, reusing the factorization while only the labels change. */
async function solveTasks(
  dataset: Dataset,
  tasks: Task[],
  gamma: number,
  done: (task: Task, result: { outcome: KernelOutcome; wallSeconds: number } | { failure: string }) => Promise<void>,
): Promise<void> {
  let cached: CachedSystem | null = null;
  for (const task of tasks) {
    const corrupted = corruptDataset(dataset, task.corruption, task.seed);
    if (!cached || cached.train !== corrupted.train.images || cached.test !== corrupted.test.images) {
      cached = null; // frees the previous matrices before building the next
      const prepared = prepareKernel(corrupted.train, corrupted.test, gamma);
      if (!prepared.ok) {
        await done(task, { failure: prepared.message });
        continue;
      }
      cached = { train: corrupted.train.images, test: corrupted.test.images, system: prepared.system };
    }
    const outcome = interpolate(cached.system, corrupted.train.labels, corrupted.test.labels, corrupted.classes);
    await done(task, {
      outcome,
      wallSeconds: cached.system.seconds.kernel + cached.system.seconds.factor + outcome.solveSeconds,
    });
  }
}

/** `kernel --out`: one run per unregularized task of the suite, checkpointed per run, signed into a bundle. */
async function writeKernelBundle(options: KernelOptions, gamma: number): Promise<void> {
  for (const option of ["n", "test"] as const) {
    if (options[option] !== undefined)
      throw new UsageError(`--${option} cannot be combined with --out: a bundle's sizes are its suite's (--suite)`);
  }
  const suite = resolveSuite(options.suite ?? "quick");
  const seeds = options.seed === undefined ? undefined : [parseWholeNumber(options.seed, "--seed", 0)];
  const tasks = selectTasks(suite, {
    architectures: [KERNEL_ARCHITECTURE_ID],
    ...(options.dataset ? { dataset: options.dataset } : {}),
    ...(seeds ? { seeds } : {}),
  }).filter(isKernelTask);
  if (tasks.length === 0)
    throw new UsageError(`suite ${suite.id} has no randomization test without regularizers for the kernel to run`);
  for (const spec of suite.datasets) checkMemory(spec.trainSize, spec.testSize);
  const say = (message: string) => {
    if (!options.json || process.stderr.isTTY) process.stderr.write(`${message}\n`);
  };

  const { signer } = await loadOrCreateKey(configDir());
  const environment: Environment = {
    runnerVersion: RUNNER_VERSION,
    tfjsVersion: "none",
    backend: "none",
    backendDetail: `ml-matrix ${mlMatrixVersion()}: float64 Cholesky, one thread`,
    hardware: describeHardware(null),
  };
  const identity: RunIdentity = {
    suite: { id: suite.id, version: suite.version, digest: await canonicalDigest(suite) },
    models: [`${KERNEL_ARCHITECTURE_ID}:gamma=${gamma}`],
    dataset: options.dataset ?? null,
    seeds: seeds ?? suite.seeds,
    backend: "none",
  };
  const { store, finished } = await openRunStore(options.out!, identity, say, "its run is solved again");
  await store.checkEnvironment(environment, finished.size);

  for (const spec of suite.datasets) {
    const datasetTasks = tasks.filter((task) => task.dataset.id === spec.id && !finished.has(taskKey(task)));
    if (datasetTasks.length === 0) continue;
    const dataset = await loadDataset(spec, datasetLoadOptions(options));
    const architecture = await kernelArchitecture(dataset.shape, dataset.classes, spec.trainSize, gamma);
    await solveTasks(dataset, datasetTasks, gamma, async (task, result) => {
      const stored: StoredRun = {
        run: kernelRunResult(task, architecture, result),
        architecture,
        dataset: datasetRecord(dataset),
      };
      await store.save(stored);
      finished.set(taskKey(task), stored);
      const { status, failure, derived } = stored.run;
      const outcome =
        status === "ok"
          ? `train error ${percent(1 - derived.finalTrainAcc!)} · test error ${percent(1 - derived.finalTestAcc!)}` +
            ` · ${derived.wallSeconds.toFixed(1)} s`
          : `FAILED: ${failure}`;
      say(`[${finished.size}/${tasks.length}] ${taskKey(task)}: ${outcome}`);
    });
  }

  const { bundlePath, predicate } = await writeSignedBundle({
    suite,
    environment,
    signer,
    name: options.name,
    runs: tasks.map((task) => finished.get(taskKey(task))!),
    out: options.out!,
    stem: `${suite.id}-${KERNEL_ARCHITECTURE_ID}`,
  });

  const rows = predicate.runs.map((run) => ({
    corruption: corruptionLabel(run.task.corruption),
    dataset: run.task.dataset.id,
    seed: run.task.seed,
    trainError: run.derived.finalTrainAcc === null ? null : 1 - run.derived.finalTrainAcc,
    testError: run.derived.finalTestAcc === null ? null : 1 - run.derived.finalTestAcc,
    wallSeconds: run.derived.wallSeconds,
  }));
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ bundle: bundlePath, runs: rows })}\n`);
    return;
  }
  const table = new Table({
    head: ["dataset", "corruption", "seed", "train error", "test error", "seconds"],
    style: { head: [], border: [] },
  });
  for (const row of rows) {
    table.push([
      row.dataset,
      row.corruption,
      row.seed,
      row.trainError === null ? "failed" : percent(row.trainError),
      row.testError === null ? "—" : percent(row.testError),
      row.wallSeconds.toFixed(1),
    ]);
  }
  process.stdout.write(
    `${table.toString()}\n\nSigned bundle: ${bundlePath}\nVerify it with: rethink-bench verify ${bundlePath}\n`,
  );
}
