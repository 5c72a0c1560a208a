// `tasks import`'s first half: read an export folder's results back, check each against its task
// and against each other (one engine identity, one description per PyTorch module), and turn
// them into the finished runs and environment that a signed bundle is assembled from.
import { join } from "node:path";
import {
  type Architecture,
  canonicalDigest,
  canonicalJson,
  type Environment,
  type JsonObject,
  NO_REGULARIZER,
  type Regularizer,
  type Suite,
  taskKey,
} from "../../schema/index.js";
import { runResult } from "../assemble.js";
import type { StoredRun } from "../checkpoints.js";
import { InputError } from "../errors.js";
import { RUNNER_VERSION } from "../package-info.js";
import { torchEnvironment } from "./environment.js";
import { MANIFEST_FILE, readManifest } from "./export.js";
import { readResult, readTaskList, resultOutcome, type TorchResult, type TorchTaskEntry } from "./task-files.js";

/** The most task names one message lists before summarizing the rest. */
const MAX_NAMED = 8;

function nameTasks(items: readonly { index: number; key: string }[]): string {
  const named = items.slice(0, MAX_NAMED).map(({ index, key }) => `${index} (${key})`);
  return `${named.join(", ")}${items.length > MAX_NAMED ? ` and ${items.length - MAX_NAMED} more` : ""}`;
}

/** Items by key, in first-seen order (Map.groupBy arrives only with Node 21). */
function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

/** The parts of a regularizer that shape a network (weight decay, crops and early stopping are the loop's). */
function shapingOf(regularizer: Regularizer): string {
  return canonicalJson({ dropout: regularizer.dropout, batchNorm: regularizer.batchNorm });
}

/** What one engine identity is: the engine record and the machine's kind (not its size). */
function engineIdentity(result: TorchResult): string {
  const { platform, arch, cpuModel, gpu } = result.hardware;
  return canonicalJson({ engine: result.engine, hardware: { platform, arch, cpuModel, gpu } });
}

function describeEngine(result: TorchResult): string {
  const { engine, hardware } = result;
  const threads = `${engine.threads} thread${engine.threads === 1 ? "" : "s"}`;
  return `PyTorch ${engine.torchVersion} on ${engine.device} (${engine.deviceName || hardware.cpuModel}, ${threads})`;
}

/** Per architecture: how fast the worker trained (training time only, the results' wallSeconds). */
export interface WorkerFigures {
  architectures: { id: string; runs: number; examples: number; wallSeconds: number; examplesPerSecond: number }[];
  /** The training time of every task, summed: the suite's wall time on one such worker. */
  wallSeconds: number;
}

/** The finished runs of an export folder, ready to be signed. */
export interface ImportedTasks {
  suite: Suite;
  environment: Environment;
  runs: StoredRun[];
  /** Index and key of each run, in the runs' order (to name a task in a later error). */
  tasks: { index: number; key: string }[];
  figures: WorkerFigures;
}

/** Examples trained per epoch: the `order` array's second dimension. */
function examplesPerEpoch(entry: TorchTaskEntry): number {
  return entry.arrays.order!.shape[1]!;
}

function workerFigures(entries: TorchTaskEntry[], results: TorchResult[]): WorkerFigures {
  const byArchitecture = new Map<string, WorkerFigures["architectures"][number]>();
  let total = 0;
  entries.forEach((entry, i) => {
    const curve = results[i]!.curve;
    const wallSeconds = curve.at(-1)?.wallSeconds ?? 0;
    const id = entry.task.architecture;
    const row = byArchitecture.get(id) ?? { id, runs: 0, examples: 0, wallSeconds: 0, examplesPerSecond: 0 };
    row.runs++;
    row.examples += examplesPerEpoch(entry) * curve.length;
    row.wallSeconds += wallSeconds;
    row.examplesPerSecond = row.wallSeconds > 0 ? row.examples / row.wallSeconds : 0;
    byArchitecture.set(id, row);
    total += wallSeconds;
  });
  return { architectures: [...byArchitecture.values()], wallSeconds: total };
}

/**
 * Reads `dir`'s export manifest, task list and every result, and checks: the export is complete
 * and from this version of rethink-bench; every task has a result (else an InputError naming the
 * missing tasks); each result's index and key are its task's; all results share one engine
 * identity (else an InputError listing the groups); a PyTorch module is described identically by
 * every result (its fingerprint is the SHA-256 of that description); a topology's parameter
 * count on the worker is TF.js's. The runs' curves and predictions are checked by the caller as
 * the server checks a bundle.
 */
export async function readExportResults(dir: string): Promise<ImportedTasks> {
  const manifest = await readManifest(dir);
  if (!manifest)
    throw new InputError(`${dir} is not a folder written by rethink-bench tasks export: it has no ${MANIFEST_FILE}`);
  if (!manifest.tasks)
    throw new InputError(`the export into ${dir} did not finish; run the same rethink-bench tasks export again`);
  if (manifest.identity.runnerVersion !== RUNNER_VERSION)
    throw new InputError(
      `${dir} was exported by rethink-bench ${manifest.identity.runnerVersion}; this is ${RUNNER_VERSION}, whose ` +
        "tasks may be prepared differently: import with that version (npx rethink-bench@" +
        `${manifest.identity.runnerVersion} tasks import ${dir})`,
    );
  const { tasks: entries } = await readTaskList(dir);
  const listed = manifest.tasks.map(({ index, key }) => `${index} ${key}`).join("\n");
  if (entries.map((e) => `${e.index} ${e.key}`).join("\n") !== listed || entries.some((e, i) => e.index !== i))
    throw new InputError(
      `${join(dir, "tasks.json")} does not list the tasks ${MANIFEST_FILE} records; export into an empty folder again`,
    );
  for (const entry of entries)
    if (taskKey(entry.task) !== entry.key)
      throw new InputError(
        `task ${entry.index} of ${join(dir, "tasks.json")} is not the task its key ${entry.key} names`,
      );

  const results: TorchResult[] = [];
  const missing: TorchTaskEntry[] = [];
  for (const entry of entries) {
    const result = await readResult(dir, entry.index);
    if (result) results.push(result);
    else missing.push(entry);
  }
  if (missing.length > 0)
    throw new InputError(
      `${missing.length} of ${entries.length} tasks have no result in ${join(dir, "results")}: ` +
        `${nameTasks(missing)}. Run them (python3 ${join(dir, "worker.py")} --dir ${dir} --all, or --task I ` +
        "for each), copy results/ back, and import again",
    );
  entries.forEach((entry, i) => {
    const result = results[i]!;
    if (result.index !== entry.index || result.key !== entry.key)
      throw new InputError(
        `results/${entry.index}.json is the result of task ${result.index} (${result.key}), not of task ` +
          `${entry.index} (${entry.key}); delete it and run that task again`,
      );
  });

  const groups = groupBy(results, engineIdentity);
  if (groups.size > 1) {
    const lines = [...groups.values()].map((group) => {
      const { engine, hardware } = group[0]!;
      const cpu = engine.device === "cpu" ? "" : ` with CPU ${hardware.cpuModel}`;
      return `${describeEngine(group[0]!)}${cpu}: tasks ${nameTasks(group)}`;
    });
    throw new InputError(
      `the results come from ${groups.size} different engines or machines, and a bundle records one:\n  ` +
        `${lines.join("\n  ")}\nTrain the differing tasks again on the same kind of node as the others ` +
        "(delete their results/<index>.json first) and import again",
    );
  }

  const architectures = await architectureRecords(manifest, entries, results);
  const datasets = new Map(manifest.datasets.map((d) => [d.id, d]));
  const runs = entries.map((entry, i): StoredRun => {
    const dataset = datasets.get(entry.task.dataset.id);
    const architecture = architectures.get(`${entry.task.architecture}/${entry.task.dataset.id}`);
    if (!dataset || !architecture)
      throw new InputError(`${MANIFEST_FILE} in ${dir} lacks the records of task ${entry.index} (${entry.key})`);
    return { run: runResult(entry.task, architecture, resultOutcome(results[i]!)), architecture, dataset };
  });
  return {
    suite: manifest.suite,
    environment: torchEnvironment(results[0]!, manifest.tfjsVersion, manifest.identity.runnerVersion),
    runs,
    tasks: entries.map(({ index, key }) => ({ index, key })),
    figures: workerFigures(entries, results),
  };
}

/**
 * Each task's architecture record by `<architecture id>/<dataset id>`: the TF.js topology's from
 * the manifest (its parameter count must be the worker's), or a PyTorch module's from the
 * description its results agree on.
 */
async function architectureRecords(
  manifest: NonNullable<Awaited<ReturnType<typeof readManifest>>>,
  entries: TorchTaskEntry[],
  results: TorchResult[],
): Promise<Map<string, Architecture>> {
  const shapeOf = new Map(manifest.datasets.map((d) => [d.id, d.shape]));
  const byKey = new Map<string, Architecture>();
  const modules = new Map<string, { entry: TorchTaskEntry; description: string; parameterCount: number }[]>();
  entries.forEach((entry, i) => {
    const result = results[i]!;
    const key = `${entry.task.architecture}/${entry.task.dataset.id}`;
    if (entry.model.kind === "torch-module") {
      if (!result.description)
        throw new InputError(`the result of task ${entry.index} (${entry.key}) has no module description`);
      const list = modules.get(key) ?? [];
      list.push({ entry, description: canonicalJson(result.description), parameterCount: result.parameterCount });
      modules.set(key, list);
      return;
    }
    const shape = shapeOf.get(entry.task.dataset.id)?.join("x");
    const record = manifest.architectures.find(
      (a) => a.id === entry.task.architecture && a.inputShape.join("x") === entry.inputShape.join("x"),
    );
    if (!record || !shape)
      throw new InputError(`export.json lacks the architecture record of task ${entry.index} (${entry.key})`);
    // Only batch norm's setting changes the weights; compare where the task built the record's network.
    const unregularized = entry.task.regularizer.batchNorm === NO_REGULARIZER.batchNorm;
    if (unregularized && result.parameterCount !== record.parameterCount)
      throw new InputError(
        `task ${entry.index} (${entry.key}): the worker built ${record.id} with ${result.parameterCount} ` +
          `parameters, TF.js with ${record.parameterCount}; the worker and this rethink-bench disagree ` +
          "(use the worker.py of this export)",
      );
    byKey.set(key, record);
  });
  for (const [key, list] of modules) {
    // Dropout and batch norm shape a module (the rest of a regularizer is the loop's): every task
    // with the same of them must describe it alike, and the record is the module built without them.
    const shaping = (item: (typeof list)[number]) => shapingOf(item.entry.task.regularizer);
    for (const sameShape of groupBy(list, shaping).values()) {
      const variants = groupBy(sameShape, (item) => `${item.description}\n${item.parameterCount}`);
      if (variants.size > 1) {
        const groups = [...variants.values()].map((group) => `tasks ${nameTasks(group.map((g) => g.entry))}`);
        throw new InputError(
          `the results describe the PyTorch module of ${key.split("/")[0]} in ${variants.size} different ways ` +
            `for the same regularizer: ${groups.join("; ")}; its factory must build the same module for every ` +
            "task of a regularizer (use the seed for weights only)",
        );
      }
    }
    const plain = shapingOf(NO_REGULARIZER);
    // As `run` does, the record is the module built without a regularizer (every suite has such runs).
    const bare = list.find((item) => shaping(item) === plain);
    if (!bare)
      throw new InputError(
        `no task of ${key.split("/")[0]} in ${MANIFEST_FILE} trains it without dropout and batch norm, ` +
          "so its description as an architecture is unknown; export the whole suite",
      );
    const { entry, description, parameterCount } = bare;
    const pending = manifest.modules.find(
      (m) => m.id === entry.task.architecture && m.inputShape.join("x") === entry.inputShape.join("x"),
    );
    if (!pending) throw new InputError(`export.json lacks the module record of task ${entry.index} (${entry.key})`);
    const topology = JSON.parse(description) as JsonObject;
    byKey.set(key, {
      ...pending,
      kind: "torch-module",
      fingerprint: await canonicalDigest(topology),
      parameterCount,
      topology,
    });
  }
  return byKey;
}
