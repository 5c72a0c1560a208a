// Runs independent tasks on N worker threads, one task per thread at a time, so a CPU-only
// machine uses all its cores (the wasm backend is single-threaded). A thread that dies
// mid-run (say, out of memory) ends that run as failed and is replaced; the suite goes on.
import { Worker } from "node:worker_threads";
import type { Architecture, DatasetRecord, EpochPoint, Task } from "../../schema/index.js";
import { runResult } from "../assemble.js";
import type { StoredRun } from "../checkpoints.js";
import { CliError } from "../errors.js";
import type { BackendInfo } from "../train/index.js";
import type { FromWorker, TorchReady, WorkerConfig } from "./messages.js";

/** A finished (or failed) run with the records its bundle needs. */
export type FinishedRun = StoredRun;

export interface PoolEvents {
  onStart(slot: number, task: Task): void;
  onEpoch(slot: number, task: Task, point: EpochPoint): void;
  /** Must persist the run before resolving: the slot gets its next task only then. */
  onDone(slot: number, finished: FinishedRun): Promise<void>;
  onProgress(message: string): void;
}

/** The run was interrupted (Ctrl-C): finished runs are saved, the rest will resume. */
export class Interrupted extends CliError {
  constructor(message = "interrupted") {
    super(message, 130);
  }
}

const WORKER_URL = new URL("./run-worker.js", import.meta.url);

interface Slot {
  worker: Worker;
  task: Task | null;
  started: { architecture: Architecture; dataset: DatasetRecord } | null;
  curve: EpochPoint[];
}

interface Ready {
  backend: BackendInfo;
  architectureId: string | null;
  torch: TorchReady | null;
}

/** How long a closing thread may take to stop its Python child before it is terminated anyway. */
const CLOSE_TIMEOUT_MS = 10_000;

function spawn(config: WorkerConfig): { worker: Worker; ready: Promise<Ready> } {
  const worker = new Worker(WORKER_URL, { workerData: config });
  const ready = new Promise<Ready>((resolve, reject) => {
    const onMessage = (message: FromWorker) => {
      if (message.type === "ready") {
        worker.off("message", onMessage);
        resolve(message);
      } else if (message.type === "fatal") {
        reject(new CliError(message.message, message.exitCode));
      }
    };
    worker.on("message", onMessage);
    worker.once("error", (error) =>
      reject(new CliError(`a worker thread failed to start: ${error.message}`, 70, { cause: error })),
    );
  });
  return { worker, ready };
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private closing = false;

  private constructor(
    private readonly config: WorkerConfig,
    readonly backend: BackendInfo,
    /** The user-supplied model's id, or null when the tasks name builtin architectures. */
    readonly architectureId: string | null,
    /** The PyTorch engine and machine the first thread's Python child reported; null on TF.js. */
    readonly torch: TorchReady | null,
  ) {}

  /** Starts `size` workers and waits until each has its backend (and user model) ready. */
  static async start(size: number, config: WorkerConfig): Promise<WorkerPool> {
    const spawned = Array.from({ length: size }, () => spawn(config));
    try {
      const ready = await Promise.all(spawned.map((s) => s.ready));
      const pool = new WorkerPool(config, ready[0]!.backend, ready[0]!.architectureId, ready[0]!.torch);
      for (const { worker } of spawned) pool.slots.push({ worker, task: null, started: null, curve: [] });
      return pool;
    } catch (error) {
      await Promise.all(spawned.map((s) => closeWorker(s.worker)));
      throw error;
    }
  }

  /**
   * Trains every task, calling `events` as runs progress. Resolves when all are done;
   * rejects with Interrupted when `signal` aborts, or with a worker's fatal error.
   */
  run(tasks: Task[], events: PoolEvents, signal: AbortSignal): Promise<void> {
    const queue = [...tasks];
    let pending = tasks.length;
    // This call's listeners come off the workers when it settles, so that a later call on the
    // same pool does not also hear them.
    const detach: Array<() => void> = [];
    return new Promise<void>((resolve, reject) => {
      if (pending === 0) return resolve();
      signal.addEventListener("abort", () => reject(new Interrupted()), { once: true });

      const next = (index: number) => {
        const slot = this.slots[index]!;
        const task = queue.shift() ?? null;
        Object.assign(slot, { task, started: null, curve: [] });
        if (!task) return;
        events.onStart(index, task);
        slot.worker.postMessage({ type: "run", task });
      };

      const finish = (index: number, finished: FinishedRun) => {
        events.onDone(index, finished).then(() => {
          pending--;
          if (pending === 0) resolve();
          else next(index);
        }, reject);
      };

      // A thread that dies while training: record the run as failed with the epochs it
      // reported, start a fresh thread, and go on.
      const replace = async (index: number, reason: string) => {
        const slot = this.slots[index]!;
        if (this.closing || signal.aborted || !slot.task) return;
        if (!slot.started) return reject(new CliError(`a worker thread died before training began: ${reason}`, 70));
        const { task, started, curve } = slot;
        const run = runResult(task, started.architecture, {
          status: "failed",
          failure: `the worker thread died: ${reason}`.slice(0, 2000),
          curve,
          predictions: null,
          measures: null,
        });
        slot.task = null;
        const fresh = spawn(this.config);
        slot.worker = fresh.worker;
        try {
          await fresh.ready;
        } catch (error) {
          return reject(error);
        }
        listen(index);
        finish(index, { run, ...started });
      };

      const listen = (index: number) => {
        const slot = this.slots[index]!;
        const worker = slot.worker;
        const onMessage = (message: FromWorker) => {
          switch (message.type) {
            case "progress":
              return events.onProgress(message.message);
            case "started":
              slot.started = { architecture: message.architecture, dataset: message.dataset };
              return;
            case "epoch":
              slot.curve.push(message.point);
              return events.onEpoch(index, message.task, message.point);
            case "fatal":
              return reject(new CliError(message.message, message.exitCode));
            case "done":
              if (!slot.started) return reject(new Error("a worker finished a run it never started"));
              return finish(index, { run: message.run, ...slot.started });
            case "ready":
              return;
          }
        };
        const onError = (error: Error) => void replace(index, error.message);
        const onExit = (code: number) => {
          if (slot.worker === worker) void replace(index, `exit code ${code}`);
        };
        worker.on("message", onMessage);
        worker.once("error", onError);
        worker.once("exit", onExit);
        detach.push(() => {
          worker.off("message", onMessage);
          worker.off("error", onError);
          worker.off("exit", onExit);
        });
      };

      this.slots.forEach((_, index) => {
        listen(index);
        next(index);
      });
    }).finally(() => {
      for (const off of detach) off();
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.slots.map((slot) => closeWorker(slot.worker)));
  }
}

/**
 * Ends a thread: first asks it to stop its Python child (on the torch engine a child would
 * otherwise train on, orphaned), waiting at most CLOSE_TIMEOUT_MS, then terminates it.
 */
async function closeWorker(worker: Worker): Promise<void> {
  await new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      worker.off("message", onMessage);
      worker.off("exit", done);
      resolve();
    };
    const onMessage = (message: FromWorker) => {
      if (message.type === "closed") done();
    };
    const timer = setTimeout(done, CLOSE_TIMEOUT_MS);
    worker.on("message", onMessage);
    worker.once("exit", done);
    try {
      worker.postMessage({ type: "close" });
    } catch {
      done(); // the thread is already gone
    }
  });
  await worker.terminate();
}
