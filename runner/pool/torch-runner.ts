// The torch engine inside one worker thread of `run`: a private task folder and the Python child
// (runner/torch/process.ts) that trains each task written into it; a dead child is started again.
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import {
  type Architecture,
  canonicalDigest,
  type EpochPoint,
  type MeasureSettings,
  NO_REGULARIZER,
  type Task,
} from "../../schema/index.js";
import type { Dataset } from "../datasets/dataset.js";
import { CliError, InputError } from "../errors.js";
import { modelInputShape } from "../models/input-shape.js";
import { idFromPath } from "../models/user.js";
import { RUNNER_VERSION } from "../package-info.js";
import { torchTaskInput } from "../torch/prepare.js";
import { TorchProcess, TorchProcessExited } from "../torch/process.js";
import {
  resultOutcome,
  type TorchModelSource,
  type TorchTaskEntry,
  writeTask,
  writeTaskList,
} from "../torch/task-files.js";
import type { RunOutcome } from "../train/index.js";
import type { TorchReady } from "./messages.js";

/**
 * How a run that lost its Python child ends (runner/reproduce/train.ts counts it as a failure of
 * the machine, like a dead worker thread, not of the run).
 */
export const TORCH_DIED = "the PyTorch worker process died: ";

/** A Python child on `device`: one intra-op thread on the CPU, where the pool runs one child per core. */
function startChild(options: { python: string; device: string }): Promise<TorchProcess> {
  return TorchProcess.start({ ...options, ...(options.device === "cpu" ? { threads: 1 } : {}) });
}

/** The one task the folder holds at a time is task 0. */
const INDEX = 0;

export class TorchRunner {
  private controller: AbortController | null = null;
  private closed = false;

  private constructor(
    private readonly options: { python: string; device: string },
    private child: TorchProcess | null,
    readonly ready: TorchReady,
    private readonly dir: string,
  ) {}

  /**
   * Starts the Python child on `device` and makes the private folder. The child's start-up errors are `CliError`s that say
   * how to fix them (runner/torch/process.ts).
   */
  static async start(options: { python: string; device: string }): Promise<TorchRunner> {
    const child = await startChild(options);
    const dir = await mkdtemp(join(tmpdir(), "rethink-bench-torch-"));
    return new TorchRunner(options, child, { engine: child.engine, hardware: child.hardware }, dir);
  }

  /** The child, started again if the last one died. */
  private async process(): Promise<TorchProcess> {
    if (this.closed) throw new Error("the PyTorch worker was closed");
    this.child ??= await startChild(this.options);
    return this.child;
  }

  /**
   * Writes `input` as the folder's only task (its blobs kept when the next task shares them, the
   * others removed, so the folder holds one task's data at most).
   */
  private async writeOnly(input: ReturnType<typeof torchTaskInput>): Promise<TorchTaskEntry> {
    const entry = await writeTask(this.dir, INDEX, input);
    await writeTaskList(this.dir, [entry], RUNNER_VERSION);
    const kept = new Set(Object.values(entry.arrays).map((ref) => basename(ref.file)));
    for (const name of await readdir(join(this.dir, "data"))) {
      if (!kept.has(name)) await rm(join(this.dir, "data", name), { force: true });
    }
    // A result left by the task before would otherwise be taken for this one's.
    await rm(join(this.dir, "results", `${INDEX}.json`), { force: true });
    return entry;
  }

  /**
   * The record of a PyTorch module architecture for a dataset: built by its factory without a
   * regularizer (as every architecture's identity is), described by the worker; the fingerprint is
   * the SHA-256 of the description's canonical JSON, checked here against the worker's.
   */
  async describeModule(spec: { path: string; factory: string }, dataset: Dataset, task: Task): Promise<Architecture> {
    const bare: Task = { ...task, corruption: { kind: "true" }, regularizer: NO_REGULARIZER, epochs: 1 };
    await this.writeOnly(torchTaskInput(bare, dataset, { kind: "torch-module", ...spec }));
    const described = await this.process()
      .then((child) => child.describe(this.dir, INDEX))
      .catch((error: unknown) => {
        // The worker names its copy of the file; the user knows it by the path they gave.
        if (error instanceof InputError)
          throw new InputError(`--model ${spec.path}:${spec.factory}: ${error.message}`, { cause: error });
        throw error;
      });
    if (!described.description) throw new Error(`the PyTorch worker described ${spec.path} without a module tree`);
    const fingerprint = await canonicalDigest(described.description);
    if (fingerprint !== described.fingerprint) {
      throw new CliError(
        `the PyTorch worker's fingerprint of ${spec.path} (${described.fingerprint.slice(0, 12)}…) is not the ` +
          `SHA-256 of its description's canonical JSON (${fingerprint.slice(0, 12)}…): worker.py and this ` +
          `rethink-bench disagree on canonical JSON (a bug; please report it)`,
        70,
      );
    }
    return {
      id: idFromPath(spec.path),
      name: `${basename(spec.path)}:${spec.factory}`,
      kind: "torch-module",
      inputShape: modelInputShape(dataset.shape),
      fingerprint,
      parameterCount: described.parameterCount,
      topology: described.description,
    };
  }

  /**
   * Trains one task in the child. A failed run (NaN loss, out of memory) is an outcome; so is a
   * child that died (its curve so far, then a fresh child for the next task). The worker's own
   * errors (an unsupported layer, a failing factory, a corrupt file) are `InputError`s for the
   * caller: no run of this model can get past them. With the suite's `measures` settings, an ok
   * run comes back with the complexity measures of its final weights.
   */
  async train(
    task: Task,
    dataset: Dataset,
    model: TorchModelSource,
    onEpoch: (point: EpochPoint) => void,
    measures: MeasureSettings | null = null,
  ): Promise<RunOutcome> {
    await this.writeOnly(torchTaskInput(task, dataset, model, measures));
    const curve: EpochPoint[] = [];
    this.controller = new AbortController();
    try {
      const child = await this.process();
      const result = await child.train(this.dir, INDEX, {
        onEpoch: (point) => {
          curve.push(point);
          onEpoch(point);
        },
        signal: this.controller.signal,
      });
      return resultOutcome(result);
    } catch (error) {
      if (error instanceof TorchProcessExited && !this.closed) {
        this.child = null;
        return {
          status: "failed",
          failure: `${TORCH_DIED}${error.message}`.slice(0, 2000),
          curve,
          predictions: null,
          measures: null,
        };
      }
      if (error instanceof CliError) throw error;
      throw new InputError(`the PyTorch worker could not train ${task.architecture}: ${(error as Error).message}`, {
        cause: error,
      });
    } finally {
      this.controller = null;
    }
  }

  /** Stops the child (killing it mid-task) and removes the folder. */
  async close(): Promise<void> {
    this.closed = true;
    this.controller?.abort(new Error("closed"));
    await this.child?.close();
    this.child = null;
    await rm(this.dir, { recursive: true, force: true });
  }
}
