// Past 350 lines on purpose: the whole folder format (inputs, results, measures) in one place.
// The task folder that the PyTorch worker (worker.py) reads and writes (docs/engines.md): tasks.json,
// content-addressed data blobs, copied torch modules, and one result file per task.
import { createHash } from "node:crypto";
import { mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { endianness } from "node:os";
import { basename, join } from "node:path";
import { z } from "zod";
import {
  Base64,
  EpochPoint,
  Hardware,
  InputShape,
  JsonObject,
  MeasureSettings,
  NonNegativeInt,
  PositiveInt,
  RunMeasures,
  Sha256Hex,
  Task,
  TorchEngine,
  taskKey,
} from "../../schema/index.js";
import type { ImageSet } from "../datasets/dataset.js";
import { InputError } from "../errors.js";
import type { RunOutcome } from "../train/index.js";

/** The `format` of tasks.json and its version: the worker refuses any other. */
export const TASKS_FORMAT = "rethink-bench-torch-tasks";
export const RESULT_FORMAT = "rethink-bench-torch-result";

/** Where an architecture comes from on the torch engine. */
export type TorchModelSource =
  | { kind: "topology"; topology: JsonObject }
  | { kind: "torch-module"; path: string /* absolute .py path, copied into DIR/models/ */; factory: string };

/** A task's data order, drawn on the Node side from the task seed (runner/train/schedule.ts). */
export interface TorchSchedule {
  /** Examples trained on per epoch. */
  count: number;
  /** epochs × count example ids, each epoch's in the order they are batched. */
  order: Uint32Array;
  /** epochs × count × 3 crop draws (top, left, mirror 0/1) per position of `order`; null without augmentation. */
  crops: Uint8Array | null;
  /** Example ids of the early-stopping split; null without early stopping. */
  validation: Uint32Array | null;
}

/** Everything one task folder entry is written from. */
export interface TorchTaskInput {
  task: Task;
  model: TorchModelSource;
  /** The model's input, channels last (CIFAR after its center crop: 28×28×3). */
  inputShape: InputShape;
  classes: number;
  preprocess: "none" | "cifar";
  framePadding: number;
  /** Training images (dataset shape, already corrupted) and their corrupted labels. */
  train: ImageSet;
  /** Test images and their true labels. */
  test: ImageSet;
  schedule: TorchSchedule;
  /** The suite's measure settings: the worker measures an ok run's final weights with them; absent or null: not. */
  measures?: MeasureSettings | null;
}

const ArrayRef = z.strictObject({
  file: z.string().regex(/^data\/[0-9a-f]{64}\.bin$/, 'must be "data/<sha256>.bin"'),
  dtype: z.enum(["float32", "uint8", "uint32"]),
  shape: z.array(NonNegativeInt).min(1).max(4),
  sha256: Sha256Hex,
});
type ArrayRef = z.infer<typeof ArrayRef>;

const PYTHON_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

const TorchModelRef = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("topology"), topology: JsonObject }),
  z.strictObject({
    kind: z.literal("torch-module"),
    file: z.string().regex(/^models\/[0-9a-f]{16}\/[A-Za-z_][A-Za-z0-9_]*\.py$/, 'must be "models/<hash>/<name>.py"'),
    factory: z.string().regex(PYTHON_IDENTIFIER, "must be a Python identifier"),
  }),
]);

/** One entry of tasks.json (docs/engines.md, "The task folder and the worker"). */
export const TorchTaskEntry = z.strictObject({
  index: NonNegativeInt,
  key: z.string().min(1),
  task: Task,
  model: TorchModelRef,
  inputShape: InputShape,
  classes: PositiveInt.max(256),
  preprocess: z.enum(["none", "cifar"]),
  framePadding: NonNegativeInt.max(64),
  arrays: z.strictObject({
    trainImages: ArrayRef,
    trainLabels: ArrayRef,
    testImages: ArrayRef,
    testLabels: ArrayRef,
    order: ArrayRef,
    crops: ArrayRef.optional(),
    validation: ArrayRef.optional(),
  }),
  /** The suite's measure settings (docs/measures.md); absent, the worker records no measures. */
  measures: MeasureSettings.optional(),
});
export type TorchTaskEntry = z.infer<typeof TorchTaskEntry>;

const TaskList = z.strictObject({
  format: z.literal(TASKS_FORMAT),
  version: z.literal(1),
  runnerVersion: z.string().min(1),
  tasks: z.array(TorchTaskEntry),
});

/** One task's outcome as the worker writes it to DIR/results/<index>.json (and sends it in --serve mode). */
export const TorchResult = z
  .strictObject({
    format: z.literal(RESULT_FORMAT),
    version: z.literal(1),
    index: NonNegativeInt,
    key: z.string().min(1),
    engine: TorchEngine,
    hardware: Hardware,
    parameterCount: NonNegativeInt,
    description: JsonObject.nullable(),
    status: z.enum(["ok", "failed"]),
    failure: z.string().nullable(),
    curve: z.array(EpochPoint),
    predictions: z.strictObject({ train: Base64, test: Base64 }).nullable(),
    /** The complexity measures of an ok run of a task with settings; absent in results of older workers. */
    measures: RunMeasures.nullable().optional(),
  })
  .refine((result) => (result.status === "ok") === (result.predictions !== null && result.failure === null), {
    message: 'status "ok" needs predictions and no failure; "failed" needs a failure and no predictions',
  })
  .refine((result) => result.status === "ok" || !result.measures, {
    message: 'a "failed" result has no measures',
  });
export type TorchResult = z.infer<typeof TorchResult>;

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Writes a file so that a reader never sees half of it: a temporary sibling, then a rename. */
async function writeAtomically(path: string, data: string | Uint8Array): Promise<void> {
  const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(temporary, data);
  await rename(temporary, path);
}

/** Writes one array as a content-addressed blob under DIR/data (kept when already there) and returns its reference. */
async function writeArray(
  dir: string,
  array: Float32Array | Uint8Array | Uint32Array,
  dtype: ArrayRef["dtype"],
  shape: number[],
): Promise<ArrayRef> {
  const elements = shape.reduce((a, b) => a * b, 1);
  if (array.length !== elements) {
    throw new Error(`an array of shape [${shape.join(", ")}] needs ${elements} elements, got ${array.length}`);
  }
  const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  const digest = sha256(bytes);
  const file = `data/${digest}.bin`;
  const path = join(dir, file);
  // Identical arrays (the test set, shared labels) are stored once; a blob of the right size is
  // taken as written, since its name is its content's digest and the worker checks it on read.
  const present = await stat(path).then(
    (s) => s.size === bytes.byteLength,
    () => false,
  );
  if (!present) await writeAtomically(path, bytes);
  return { file, dtype, shape, sha256: digest };
}

/** The images of a split in the dataset's shape: CIFAR's 32×32×3 before its crop, else the model's. */
function datasetShape(input: TorchTaskInput): InputShape {
  return input.preprocess === "cifar" ? [32, 32, input.inputShape[2]] : input.inputShape;
}

/**
 * Writes one task into the folder: its arrays as content-addressed blobs under DIR/data (skipped
 * when present), a torch module copied into DIR/models/<hash>/ under its own file name, and
 * returns the tasks.json entry (which `writeTaskList` then writes with the others).
 *
 * @example
 * const entry = await writeTask(dir, 0, await torchTaskInput(task, dataset, model));
 * await writeTaskList(dir, [entry], RUNNER_VERSION);
 */
export async function writeTask(dir: string, index: number, input: TorchTaskInput): Promise<TorchTaskEntry> {
  // The blobs are raw little-endian (what numpy's "<f4" reads); typed arrays use the host's order.
  if (endianness() !== "LE") throw new Error("the torch task folder is written on little-endian machines only");
  const { task, schedule } = input;
  await mkdir(join(dir, "data"), { recursive: true });
  await mkdir(join(dir, "results"), { recursive: true });
  const [h, w, c] = datasetShape(input);
  const { count } = schedule;
  const arrays: TorchTaskEntry["arrays"] = {
    trainImages: await writeArray(dir, input.train.images, "float32", [input.train.count, h, w, c]),
    trainLabels: await writeArray(dir, input.train.labels, "uint8", [input.train.count]),
    testImages: await writeArray(dir, input.test.images, "float32", [input.test.count, h, w, c]),
    testLabels: await writeArray(dir, input.test.labels, "uint8", [input.test.count]),
    order: await writeArray(dir, schedule.order, "uint32", [task.epochs, count]),
  };
  if (schedule.crops) arrays.crops = await writeArray(dir, schedule.crops, "uint8", [task.epochs, count, 3]);
  if (schedule.validation) {
    arrays.validation = await writeArray(dir, schedule.validation, "uint32", [schedule.validation.length]);
  }
  let model: TorchTaskEntry["model"];
  if (input.model.kind === "topology") {
    model = { kind: "topology", topology: input.model.topology };
  } else {
    const source = input.model.path;
    const name = basename(source);
    if (!/^[A-Za-z_][A-Za-z0-9_]*\.py$/.test(name)) {
      throw new InputError(`${source}: a torch module's file name must be a Python module name ending in .py`);
    }
    const bytes = await readFile(source).catch((error: unknown) => {
      throw new InputError(`${source}: cannot read the torch module (${(error as Error).message})`, { cause: error });
    });
    // A folder per content keeps the module's own name (its classes' qualified names, and so the
    // fingerprint, depend on it) while two different files of the same name never collide.
    const file = `models/${sha256(bytes).slice(0, 16)}/${name}`;
    await mkdir(join(dir, file, ".."), { recursive: true });
    if (!(await exists(join(dir, file)))) await writeAtomically(join(dir, file), bytes);
    model = { kind: "torch-module", file, factory: input.model.factory };
  }
  return TorchTaskEntry.parse({
    index,
    key: taskKey(task),
    task,
    model,
    inputShape: input.inputShape,
    classes: input.classes,
    preprocess: input.preprocess,
    framePadding: input.framePadding,
    arrays,
    ...(input.measures ? { measures: input.measures } : {}),
  });
}

/**
 * Writes DIR/tasks.json atomically (a temporary file, then a rename), so a worker never reads half a list.
 *
 * @example
 * await writeTaskList(dir, entries, RUNNER_VERSION);
 */
export async function writeTaskList(dir: string, entries: TorchTaskEntry[], runnerVersion: string): Promise<void> {
  entries.forEach((entry, i) => {
    if (entry.index !== i) throw new Error(`task entry ${i} has index ${entry.index}; entries must be in index order`);
  });
  await mkdir(join(dir, "results"), { recursive: true });
  const list = { format: TASKS_FORMAT, version: 1, runnerVersion, tasks: entries };
  await writeAtomically(join(dir, "tasks.json"), `${JSON.stringify(list)}\n`);
}

function issuesOf(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join(".") || "(top)"}: ${issue.message}`)
    .join("; ");
}

async function readJson(path: string, what: string): Promise<unknown | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new InputError(`${path}: cannot read ${what} (${(error as Error).message})`, { cause: error });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(`${path}: ${what} is not valid JSON (${(error as Error).message}); delete it to start over`, {
      cause: error,
    });
  }
}

/**
 * Reads and checks DIR/tasks.json. A missing or malformed file is an `InputError` naming it.
 *
 * @example
 * const { tasks } = await readTaskList(dir);
 */
export async function readTaskList(dir: string): Promise<{ runnerVersion: string; tasks: TorchTaskEntry[] }> {
  const path = join(dir, "tasks.json");
  const json = await readJson(path, "the task list");
  if (json === undefined) throw new InputError(`${path}: no task list here; is ${dir} a rethink-bench task folder?`);
  const parsed = TaskList.safeParse(json);
  if (!parsed.success) throw new InputError(`${path}: not a rethink-bench task list: ${issuesOf(parsed.error)}`);
  parsed.data.tasks.forEach((entry, i) => {
    if (entry.index !== i) throw new InputError(`${path}: task ${i} says it is task ${entry.index}`);
  });
  return { runnerVersion: parsed.data.runnerVersion, tasks: parsed.data.tasks };
}

/**
 * Reads DIR/results/<index>.json: null when absent (the task has not run), an `InputError`
 * naming the file when it is malformed.
 *
 * @example
 * const result = await readResult(dir, 0); // null until `worker.py --task 0` finished
 */
export async function readResult(dir: string, index: number): Promise<TorchResult | null> {
  const path = join(dir, "results", `${index}.json`);
  const json = await readJson(path, "a task result");
  if (json === undefined) return null;
  const parsed = TorchResult.safeParse(json);
  if (!parsed.success) {
    throw new InputError(
      `${path}: not a valid result of task ${index}: ${issuesOf(parsed.error)}; ` +
        `delete it and run the worker on task ${index} again`,
    );
  }
  if (parsed.data.index !== index) throw new InputError(`${path}: holds the result of task ${parsed.data.index}`);
  return parsed.data;
}

function decodePredictions(text: string): Uint8Array {
  const bytes = Buffer.from(text, "base64");
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * A worker result as the training loop's outcome: the same fields `trainRun` returns, the
 * predictions decoded from base64.
 *
 * @example
 * runResult(task, architecture, resultOutcome(result))
 */
export function resultOutcome(result: TorchResult): RunOutcome {
  return {
    status: result.status,
    failure: result.failure,
    curve: result.curve,
    predictions: result.predictions && {
      train: decodePredictions(result.predictions.train),
      test: decodePredictions(result.predictions.test),
    },
    measures: result.measures ?? null,
  };
}
