// `tasks export`: a self-contained folder of a suite's tasks for the PyTorch worker on machines
// without Node.js (tasks.json, the prepared data, worker.py, a README, a Slurm script and a Kubernetes Job),
// and export.json, which records what `tasks import` needs to turn the results into a bundle.
import { copyFile, mkdir, readdir, readFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import writeFileAtomic from "write-file-atomic";
import { z } from "zod";
import {
  Architecture,
  canonicalDigest,
  canonicalJson,
  DatasetRecord,
  InputShape,
  type Suite,
  Suite as SuiteSchema,
  type Task,
  taskKey,
} from "../../schema/index.js";
import type { Dataset } from "../datasets/dataset.js";
import { datasetRecord, type LoadOptions, loadDataset, verifyDataset } from "../datasets/index.js";
import { InputError, UsageError } from "../errors.js";
import { memo } from "../memo.js";
import { type ArchitectureBuilder, describeArchitecture, loadArchitecture, type ModelSpec } from "../models/index.js";
import { modelInputShape } from "../models/input-shape.js";
import { idFromPath } from "../models/user.js";
import { RUNNER_VERSION } from "../package-info.js";
import { initBackend } from "../train/index.js";
import { exportReadme, kubernetesJob, slurmScript } from "./export-readme.js";
import { torchModelSource, torchTaskInput } from "./prepare.js";
import { workerScriptPath } from "./process.js";
import { type TorchModelSource, type TorchTaskEntry, writeTask, writeTaskList } from "./task-files.js";

export const EXPORT_FORMAT = "rethink-bench-torch-export";

/** What makes two exports the same: exporting again into the folder of an equal one resumes it. */
export const ExportIdentity = z.strictObject({
  runnerVersion: z.string(),
  suite: z.strictObject({ id: z.string(), version: z.number(), digest: z.string() }),
  /** Built-in ids, or `file:<sha256>` of a user's model file (with `:factory` for a PyTorch module). */
  models: z.array(z.string()),
  dataset: z.string().nullable(),
  seeds: z.array(z.number()),
});
export type ExportIdentity = z.infer<typeof ExportIdentity>;

/**
 * A PyTorch module architecture before any result: the worker describes the module, so its
 * fingerprint, parameter count and topology (the module description) come from the results.
 */
export const PendingModule = z.strictObject({ id: z.string(), name: z.string(), inputShape: InputShape });
export type PendingModule = z.infer<typeof PendingModule>;

/**
 * export.json. `tasks` is null while the export is being written (the folder is claimed for its
 * identity first, so an interrupted export resumes and a different one is refused).
 */
export const ExportManifest = z.strictObject({
  format: z.literal(EXPORT_FORMAT),
  version: z.literal(1),
  identity: ExportIdentity,
  /** The TF.js version that built the canonical topologies here (the bundle's `tfjsVersion`). */
  tfjsVersion: z.string(),
  suite: SuiteSchema,
  architectures: z.array(Architecture),
  modules: z.array(PendingModule),
  datasets: z.array(DatasetRecord),
  tasks: z.array(z.strictObject({ index: z.number().int().nonnegative(), key: z.string() })).nullable(),
});
export type ExportManifest = z.infer<typeof ExportManifest>;

export const MANIFEST_FILE = "export.json";

/** The manifest of a task folder, or null when it has none; an unreadable one is an InputError. */
export async function readManifest(dir: string): Promise<ExportManifest | null> {
  const path = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new InputError(`cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${path} is not JSON (${(error as Error).message}); export into an empty folder again`, {
      cause: error,
    });
  }
  const parsed = ExportManifest.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError(
      `${path} is not an export manifest of this rethink-bench (${issue.path.join(".")}: ${issue.message}); ` +
        "export into an empty folder again",
    );
  }
  return parsed.data;
}

function describeIdentity(identity: ExportIdentity): string {
  const { suite, models, dataset, seeds } = identity;
  return (
    `suite ${suite.id} v${suite.version} (${models.join(", ")}` +
    `${dataset ? `, dataset ${dataset}` : ""}, seeds ${seeds.join(", ")}; rethink-bench ${identity.runnerVersion})`
  );
}

/**
 * Claims `dir` for an export of `identity`: an empty or absent folder, or one holding an export
 * of the same identity (its data and results are kept: exporting again resumes or refreshes it).
 * Anything else is a UsageError that says what the folder holds.
 */
async function claimFolder(dir: string, identity: ExportIdentity): Promise<ExportManifest | null> {
  const entries = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [] as string[];
    throw new InputError(`cannot read --out ${dir}: ${error.code ?? error.message}`, { cause: error });
  });
  if (entries.length === 0) return null;
  const manifest = entries.includes(MANIFEST_FILE) ? await readManifest(dir).catch(() => null) : null;
  if (!manifest)
    throw new UsageError(
      `${dir} is not empty and holds no export of rethink-bench tasks; export into an empty or new folder`,
    );
  if (canonicalJson(manifest.identity) !== canonicalJson(identity))
    throw new UsageError(
      `${dir} holds the export of ${describeIdentity(manifest.identity)}, not of ` +
        `${describeIdentity(identity)}; export into an empty or new folder (its results would belong to other tasks)`,
    );
  return manifest;
}

/** Where an exported architecture comes from: a TF.js builder, or a PyTorch module file. */
export type ExportModel =
  | { kind: "tfjs"; spec: ModelSpec | null }
  | { kind: "torch-module"; path: string; factory: string };

export interface ExportOptions {
  suite: Suite;
  /** The tasks to export, in the order their indices number them. */
  tasks: Task[];
  model: ExportModel;
  identity: ExportIdentity;
  dir: string;
  data: LoadOptions;
  say: (message: string) => void;
}

/** A torch-module architecture's id and name, from its file and factory (as `run --engine torch` names it). */
export function moduleIdentity(path: string, factory: string): { id: string; name: string } {
  return { id: idFromPath(path), name: `${basename(path)}:${factory}` };
}

/** The identity of an export: the suite (with its digest), its models, dataset and seeds. */
export async function exportIdentity(
  suite: Suite,
  models: string[],
  dataset: string | null,
  seeds: number[],
): Promise<ExportIdentity> {
  return {
    runnerVersion: RUNNER_VERSION,
    suite: { id: suite.id, version: suite.version, digest: await canonicalDigest(suite) },
    models,
    dataset,
    seeds,
  };
}

/**
 * Writes (or completes) the export folder: every task's data through `writeTask` (content-addressed,
 * so a second export writes nothing new), tasks.json, worker.py, README.md, then export.json with
 * the task keys, which marks the export complete. Returns the task entries.
 */
export async function exportTasks(options: ExportOptions): Promise<TorchTaskEntry[]> {
  const { suite, tasks, model, identity, say } = options;
  const dir = resolve(options.dir);
  const previous = await claimFolder(dir, identity);
  if (previous) say(`${dir} holds this export already: its data and results are kept.`);
  for (const spec of suite.datasets.filter((d) => tasks.some((t) => t.dataset.id === d.id)))
    await verifyDataset(spec, options.data);
  // TF.js builds the canonical topologies on this side; the cpu backend is enough to build models.
  const { tfjsVersion } = await initBackend("cpu");
  const builder: ArchitectureBuilder | null =
    model.kind === "tfjs" ? (model.spec ? await loadArchitecture(model.spec) : null) : null;

  const manifest: ExportManifest = {
    format: EXPORT_FORMAT,
    version: 1,
    identity,
    tfjsVersion,
    suite,
    architectures: [],
    modules: [],
    datasets: [],
    tasks: null,
  };
  await mkdir(join(dir, "results"), { recursive: true });
  await mkdir(join(dir, "logs"), { recursive: true });
  await writeFileAtomic(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);

  const datasets = new Map<string, Promise<Dataset>>();
  const builders = new Map<string, Promise<ArchitectureBuilder>>();
  const architectures = new Map<string, Promise<Architecture>>();
  const modules = new Map<string, PendingModule>();
  const entries: TorchTaskEntry[] = [];
  for (const [index, task] of tasks.entries()) {
    const dataset = await memo(datasets, `${task.dataset.id}/${task.dataset.trainSize}/${task.dataset.testSize}`, () =>
      loadDataset(task.dataset, options.data),
    );
    const inputShape = modelInputShape(dataset.shape);
    let source: TorchModelSource;
    if (model.kind === "torch-module") {
      const { id, name } = moduleIdentity(model.path, model.factory);
      modules.set(`${id}@${inputShape.join("x")}`, { id, name, inputShape });
      source = { kind: "torch-module", path: model.path, factory: model.factory };
    } else {
      const taskBuilder =
        builder ??
        (await memo(builders, task.architecture, () => loadArchitecture({ kind: "builtin", id: task.architecture })));
      // The bundle's record (built without regularizers); awaited here so a bad model fails early.
      await memo(architectures, `${taskBuilder.id}@${inputShape.join("x")}`, () =>
        describeArchitecture(taskBuilder, dataset.shape, dataset.classes),
      );
      source = torchModelSource(taskBuilder, task, inputShape, dataset.classes);
    }
    entries.push(await writeTask(dir, index, torchTaskInput(task, dataset, source, suite.measures ?? null)));
    say(`[${index + 1}/${tasks.length}] prepared ${taskKey(task)}`);
  }
  await writeTaskList(dir, entries, RUNNER_VERSION);
  await copyFile(workerScriptPath(), join(dir, "worker.py"));
  const facts = {
    folder: basename(dir),
    suite,
    taskCount: entries.length,
    runnerVersion: RUNNER_VERSION,
    keys: entries.map((entry) => `${String(entry.index).padStart(4)}  ${entry.key}`),
  };
  await writeFileAtomic(join(dir, "README.md"), exportReadme(facts));
  await writeFileAtomic(join(dir, "run.sbatch"), `${slurmScript(facts)}\n`);
  await writeFileAtomic(join(dir, "job.yaml"), `${kubernetesJob(facts)}\n`);
  manifest.architectures = await Promise.all(architectures.values());
  manifest.modules = [...modules.values()];
  manifest.datasets = await Promise.all([...datasets.values()].map(async (d) => datasetRecord(await d)));
  manifest.tasks = entries.map((entry) => ({ index: entry.index, key: entry.key }));
  await writeFileAtomic(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return entries;
}
