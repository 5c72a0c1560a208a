// `rethink-bench tasks export` / `tasks import`: a suite's tasks as a folder that Python-only
// machines train with worker.py (Slurm arrays, Kubernetes Indexed Jobs), and the signed bundle
// of their results, checked as `run` and the leaderboard check a bundle.
import { createHash } from "node:crypto";
import { mkdir, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import writeFileAtomic from "write-file-atomic";
import { canonicalDigest, type Envelope, openBundle, type ResultPredicate, type Task } from "../../schema/index.js";
import { writeSignedBundle } from "../assemble.js";
import { CliError, InputError, UsageError, VerificationError } from "../errors.js";
import { loadOrCreateKey } from "../keys.js";
import { checkInputFits } from "../models/input-fit.js";
import { parseModelSpec } from "../models/spec.js";
import { readTopologyFile } from "../models/topology-file.js";
import { idFromPath } from "../models/user.js";
import { configDir } from "../paths.js";
import { resolveSuite, selectTasks } from "../suite-choice.js";
import { summaryTable } from "../summary.js";
import { type ExportModel, exportIdentity, exportTasks, moduleIdentity } from "../torch/export.js";
import { type ImportedTasks, readExportResults, type WorkerFigures } from "../torch/import.js";
import { datasetLoadOptions, parseWholeNumber } from "./option-parsers.js";
import { openAndAudit, registryFrom } from "./verify.js";

export interface TasksExportOptions {
  suite: string;
  model?: string;
  architecture?: string;
  dataset?: string;
  seed?: string;
  out: string;
  dataDir?: string;
  download: boolean;
}

/** The largest seed a task may have (the contract's Task.seed). */
const MAX_SEED = 2 ** 31 - 1;

/** `--model file.py:factory` (a PyTorch module), or what `run --model` takes (a TF.js architecture). */
function exportModel(model: string | undefined): ExportModel {
  if (!model) return { kind: "tfjs", spec: null };
  const spec = parseModelSpec(model);
  return spec.kind === "torch-module" ? { ...spec } : { kind: "tfjs", spec };
}

/** A user model's identity for the export folder: the file's SHA-256 (and the factory's name). */
async function modelKey(model: ExportModel): Promise<string | null> {
  if (model.kind === "tfjs" && (!model.spec || model.spec.kind === "builtin" || model.spec.kind === "topology"))
    return null;
  const path = model.kind === "torch-module" ? model.path : (model.spec as { path: string }).path;
  const bytes = await readFile(path).catch((error: NodeJS.ErrnoException) => {
    throw new InputError(`cannot read --model ${path}: ${error.code ?? error.message}`, { cause: error });
  });
  const digest = createHash("sha256").update(bytes).digest("hex");
  return model.kind === "torch-module" ? `file:${digest}:${model.factory}` : `file:${digest}`;
}

export async function tasksExportCommand(options: TasksExportOptions): Promise<void> {
  const suite = resolveSuite(options.suite);
  const seeds = options.seed === undefined ? undefined : [parseWholeNumber(options.seed, "--seed", 0, MAX_SEED)];
  const model = exportModel(options.model);
  if (options.architecture !== undefined) {
    if (options.model)
      throw new UsageError("--architecture picks one of the suite's built-ins; --model exports yours instead");
    if (!suite.architectures.some((a) => a.id === options.architecture))
      throw new UsageError(
        `suite ${suite.id} has no architecture "${options.architecture}"; ` +
          `it has: ${suite.architectures.map((a) => a.id).join(", ")}`,
      );
  }
  // As in `run`: a topology file whose input shape the suite's datasets do not fit fails before any export.
  if (model.kind === "tfjs" && model.spec?.kind === "layers-json")
    checkInputFits(await readTopologyFile(model.spec.path), model.spec.path, suite, options.dataset);
  const userId =
    model.kind === "torch-module"
      ? moduleIdentity(model.path, model.factory).id
      : model.spec && model.spec.kind !== "builtin" && model.spec.kind !== "topology"
        ? idFromPath(model.spec.path)
        : null;
  const architectures = userId ? [userId] : options.architecture ? [options.architecture] : undefined;
  const tasks: Task[] = selectTasks(suite, {
    ...(architectures ? { architectures } : {}),
    ...(options.dataset ? { dataset: options.dataset } : {}),
    ...(seeds ? { seeds } : {}),
  });
  const key = await modelKey(model);
  const identity = await exportIdentity(
    suite,
    key ? [key] : (architectures ?? suite.architectures.map((a) => a.id)),
    options.dataset ?? null,
    seeds ?? suite.seeds,
  );
  const say = (message: string) => process.stderr.write(`${message}\n`);
  const dir = resolve(options.out);
  const entries = await exportTasks({ suite, tasks, model, identity, dir, data: datasetLoadOptions(options), say });
  process.stdout.write(
    `Exported ${entries.length} tasks of suite ${suite.id} v${suite.version} to ${dir}\n` +
      `Train them where Python and torch are (see ${join(dir, "README.md")} for Slurm and Kubernetes):\n` +
      `  python3 ${join(dir, "worker.py")} --dir ${dir} --all --device cuda\n` +
      `then copy ${join(dir, "results")} back here and run: rethink-bench tasks import ${dir}\n`,
  );
}

export interface TasksImportOptions {
  out: string;
  name?: string;
  json?: boolean;
  dataDir?: string;
}

/** Where `tasks import` notes the bundle it wrote, so that importing the same results again reuses it. */
const IMPORTED_FILE = "imported.json";

/**
 * The problem of a refused bundle, with the task and result file it comes from: paths such as
 * `predicate.runs[3].curve[9].trainAcc` point at a run, and runs are in the tasks' order.
 */
function refusal(detail: string, tasks: ImportedTasks["tasks"]): VerificationError {
  const run = /runs\[(\d+)\]/.exec(detail);
  const task = run ? tasks[Number(run[1])] : undefined;
  const where = task ? `task ${task.index} (${task.key}, results/${task.index}.json): ` : "";
  return new VerificationError(
    `the results do not pass the checks a leaderboard makes, so no bundle was written: ${where}${detail}` +
      (task ? `\nDelete results/${task.index}.json and run that task again` : ""),
  );
}

/** The figures line: examples per second of training per architecture, and the summed training time. */
export function figuresText(figures: WorkerFigures, backendDetail: string): string {
  const rows = figures.architectures.map(
    (a) =>
      `  ${a.id}: ${Math.round(a.examplesPerSecond)} examples/s (${a.runs} run${a.runs === 1 ? "" : "s"}, ` +
      `${a.examples} examples in ${a.wallSeconds.toFixed(1)} s)`,
  );
  return [
    `Worker figures on ${backendDetail} (training time only):`,
    ...rows,
    `  suite: ${figures.wallSeconds.toFixed(1)} s of training summed over the tasks`,
  ].join("\n");
}

export async function tasksImportCommand(dir: string, options: TasksImportOptions): Promise<void> {
  const folder = resolve(dir);
  const imported = await readExportResults(folder);
  const { signer } = await loadOrCreateKey(configDir());
  // The same results, signer and name make the same bundle: a second import finds the first's.
  const identity = await canonicalDigest({
    runs: imported.runs,
    environment: imported.environment,
    keyid: signer.keyid,
    name: options.name ?? null,
    out: resolve(options.out),
  });
  const previous = await readFile(join(folder, IMPORTED_FILE), "utf8")
    .then((text) => JSON.parse(text) as { identity?: string; bundle?: string })
    .catch(() => null);
  let bundlePath: string;
  let runs: ResultPredicate["runs"] | null = null;
  if (previous?.identity === identity && previous.bundle) {
    const opened = await readFile(previous.bundle, "utf8").then(openBundle, () => null);
    if (opened?.ok) runs = opened.statement.predicate.runs;
  }
  const fresh = runs === null;
  if (!fresh) {
    bundlePath = previous!.bundle!;
  } else {
    const registryFor = registryFrom(options.dataDir);
    const check = async (envelope: Envelope) => {
      const opened = await openAndAudit(envelope, registryFor);
      if (!opened.ok) throw refusal(`${opened.code}: ${opened.detail}`, imported.tasks);
      // Only a bundle that passed gets a folder.
      await mkdir(resolve(options.out), { recursive: true });
    };
    try {
      let predicate: ResultPredicate;
      ({ bundlePath, predicate } = await writeSignedBundle({
        suite: imported.suite,
        environment: imported.environment,
        signer,
        name: options.name,
        runs: imported.runs,
        out: options.out,
        stem: imported.suite.id,
        check,
      }));
      runs = predicate.runs;
    } catch (error) {
      if (error instanceof CliError || (error as NodeJS.ErrnoException).code) throw error;
      // signResult refuses a predicate that is not a valid, self-consistent result.
      throw refusal((error as Error).message, imported.tasks);
    }
    await writeFileAtomic(join(folder, IMPORTED_FILE), `${JSON.stringify({ identity, bundle: bundlePath })}\n`);
  }
  const figures = figuresText(imported.figures, imported.environment.backendDetail);
  if (options.json) {
    process.stderr.write(`${figures}\n`);
    process.stdout.write(
      `${JSON.stringify({ bundle: bundlePath, fresh, runs: imported.runs.length, figures: imported.figures })}\n`,
    );
    return;
  }
  process.stdout.write(
    `${summaryTable(runs!)}\n\n${figures}\n\n` +
      `${fresh ? "Signed bundle" : "Already imported, same results: signed bundle"}: ${bundlePath}\n` +
      `Verify it with: rethink-bench verify ${bundlePath}\n`,
  );
}
