// One long-lived PyTorch worker (`python3 worker.py --serve`) driven over JSON lines: start-up
// checks with the fix in each error, then train and describe requests, one at a time.
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { type EpochPoint, Hardware, type JsonObject, TorchEngine } from "../../schema/index.js";
import { CliError, InputError, UsageError } from "../errors.js";
import { TorchResult } from "./task-files.js";

/** How to start a worker: the Python to run it with, the device, and intra-op threads (default 1 on CPU). */
export interface TorchProcessOptions {
  python: string;
  /** auto | cpu | cuda | cuda:N | mps */
  device: string;
  threads?: number;
}

/** What `describe` answers: the model as the worker builds it. */
export interface TorchDescription {
  parameterCount: number;
  /** SHA-256 of the canonical JSON of the topology, or of the module description. */
  fingerprint: string;
  /** The module description of a torch-module; null for a topology. */
  description: JsonObject | null;
  /** Per topology layer, its weights' shapes in TF.js layout ([] for a torch-module). */
  layers: number[][][];
}

/** The worker died (crashed, was killed, ran out of memory) while a request was open. */
export class TorchProcessExited extends Error {}

/** Exit codes of worker.py (docs/engines.md). */
const EXIT_NO_TORCH = 3;
const EXIT_NO_DEVICE = 4;
const EXIT_USAGE = 2;
const EXIT_BAD_FOLDER = 65;
/** What the error messages keep of the worker's stderr. */
const STDERR_TAIL = 4000;

/**
 * The worker.py to run: in a checkout, the source file runner/torch/worker.py (also from dist/, so a
 * bare `tsc` never leaves a stale copy in use); in the installed package, which ships no runner/,
 * the copy that `npm run build` puts beside this module (dist/runner/torch/worker.py).
 *
 * @example
 * spawn(defaultPython(), [workerScriptPath(), "--check"])
 */
export function workerScriptPath(): string {
  const source = fileURLToPath(new URL("../../../runner/torch/worker.py", import.meta.url));
  return existsSync(source) ? source : fileURLToPath(new URL("./worker.py", import.meta.url));
}

/**
 * The Python that runs the worker when --python is not given: $RETHINK_BENCH_PYTHON, else python3.
 *
 * @example
 * defaultPython() // "python3"
 */
export function defaultPython(): string {
  return process.env.RETHINK_BENCH_PYTHON || "python3";
}

type Line = { type: string; [key: string]: unknown };

interface Pending {
  index: number | null;
  onLine(line: Line): void;
  reject(error: Error): void;
}

/** The last part of a text, for error messages. */
function tail(text: string): string {
  const trimmed = text.trim();
  return trimmed.length > STDERR_TAIL ? `…${trimmed.slice(-STDERR_TAIL)}` : trimmed;
}

/**
 * A `worker.py --serve` child. Requests go one at a time (a second waits for the first); the
 * child keeps its data of the last task between requests.
 *
 * @example
 * const worker = await TorchProcess.start({ python: "python3", device: "cpu" });
 * const result = await worker.train(dir, 0, { onEpoch: (point) => console.log(point.trainAcc) });
 * await worker.close();
 */
export class TorchProcess {
  private pending: Pending | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private stderr = "";
  private exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly engine: TorchEngine,
    readonly hardware: Hardware,
    stderr: string,
    private readonly label: string,
  ) {
    this.stderr = stderr;
  }

  /**
   * Starts the worker and waits for its ready line. Each way it cannot start is a `CliError` that
   * says how to fix it: Python missing (--python, RETHINK_BENCH_PYTHON), torch or numpy missing or
   * torch older than 1.13 (pip install), the device absent (which devices exist).
   */
  static start(options: TorchProcessOptions): Promise<TorchProcess> {
    const args = [workerScriptPath(), "--serve", "--device", options.device];
    if (options.threads !== undefined) args.push("--threads", String(options.threads));
    const label = `${options.python} ${args[0]}`;
    return new Promise((resolve, reject) => {
      let child: ChildProcessWithoutNullStreams;
      try {
        child = spawn(options.python, args, { env: { ...process.env, PYTHONUNBUFFERED: "1" } });
      } catch (error) {
        reject(pythonMissing(options.python, error));
        return;
      }
      let stderr = "";
      let settled = false;
      const onStderr = (chunk: Buffer) => {
        stderr = (stderr + chunk.toString("utf8")).slice(-4 * STDERR_TAIL);
      };
      child.stderr.on("data", onStderr);
      const lines = createInterface({ input: child.stdout });
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        lines.close();
        child.kill("SIGKILL");
        reject(error);
      };
      child.on("error", (error: NodeJS.ErrnoException) => {
        fail(error.code === "ENOENT" || error.code === "EACCES" ? pythonMissing(options.python, error) : error);
      });
      // "close" comes after the exit and the end of stderr, which holds the worker's message.
      child.on("close", (code, signal) => {
        if (!settled) fail(startFailure(options, code, signal, stderr));
      });
      lines.once("line", (text) => {
        let ready: Line;
        try {
          ready = JSON.parse(text) as Line;
        } catch {
          fail(new Error(`${label} printed "${text.slice(0, 200)}" instead of its ready line`));
          return;
        }
        const engine = TorchEngine.safeParse(ready.engine);
        const hardware = Hardware.safeParse(ready.hardware);
        if (ready.type !== "ready" || !engine.success || !hardware.success) {
          fail(new Error(`${label} sent a malformed ready line: ${text.slice(0, 300)}`));
          return;
        }
        settled = true;
        child.stderr.off("data", onStderr);
        child.removeAllListeners("close");
        const worker = new TorchProcess(child, engine.data, hardware.data, stderr, label);
        worker.listen(lines);
        resolve(worker);
      });
    });
  }

  private listen(lines: ReturnType<typeof createInterface>): void {
    this.child.stderr.on("data", (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString("utf8")).slice(-4 * STDERR_TAIL);
    });
    lines.on("line", (text) => {
      if (text.trim() === "") return;
      let line: Line;
      try {
        line = JSON.parse(text) as Line;
      } catch {
        this.pending?.reject(new Error(`the PyTorch worker printed "${text.slice(0, 200)}" instead of a JSON line`));
        return;
      }
      this.pending?.onLine(line);
    });
    this.child.on("exit", (code, signal) => {
      this.exited = { code, signal };
    });
    // Writing to a worker that just died fails with EPIPE; the "close" below reports that death.
    this.child.stdin.on("error", () => undefined);
    // After the exit and the end of stderr, so the message carries the worker's last words.
    this.child.on("close", (code, signal) => {
      const reason = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      this.pending?.reject(
        new TorchProcessExited(`the PyTorch worker (${this.label}) ${reason}: ${tail(this.stderr) || "no message"}`),
      );
    });
  }

  /** Sends one request and settles by the handler of its answer lines; requests run one after another. */
  private request<T>(
    message: object,
    index: number,
    handle: (line: Line, resolve: (value: T) => void, reject: (error: Error) => void) => void,
    signal?: AbortSignal,
  ): Promise<T> {
    const run = () =>
      new Promise<T>((resolve, reject) => {
        if (this.exited) {
          reject(new TorchProcessExited(`the PyTorch worker (${this.label}) is no longer running`));
          return;
        }
        if (signal?.aborted) {
          reject(signal.reason);
          return;
        }
        const finish = () => {
          this.pending = null;
          signal?.removeEventListener("abort", onAbort);
        };
        const onAbort = () => {
          finish();
          // The worker cannot be interrupted between steps through its stdin; stopping it is the abort.
          this.child.kill("SIGKILL");
          reject(signal!.reason);
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        this.pending = {
          index,
          onLine: (line) => {
            if (line.type === "error") {
              finish();
              reject(new InputError(String(line.message)));
              return;
            }
            handle(
              line,
              (value) => {
                finish();
                resolve(value);
              },
              (error) => {
                finish();
                reject(error);
              },
            );
          },
          reject: (error) => {
            finish();
            reject(error);
          },
        };
        this.child.stdin.write(`${JSON.stringify(message)}\n`);
      });
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /**
   * Trains task `index` of the folder `dir`; resolves with the worker's result (a failed run is a
   * result, not an error). The worker's own errors (unsupported layer, failing factory, corrupt
   * data file) reject with an `InputError` carrying its message; a dying worker with
   * `TorchProcessExited`; an abort kills the worker and rejects with the signal's reason.
   */
  train(
    dir: string,
    index: number,
    hooks: { onEpoch?: (point: EpochPoint) => void; signal?: AbortSignal } = {},
  ): Promise<TorchResult> {
    return this.request<TorchResult>(
      { op: "train", dir, index },
      index,
      (line, resolve, reject) => {
        if (line.type === "epoch") {
          hooks.onEpoch?.(line.point as EpochPoint);
        } else if (line.type === "done") {
          const result = TorchResult.safeParse(line.result);
          if (result.success) resolve(result.data);
          else
            reject(new Error(`the PyTorch worker sent a malformed result for task ${index}: ${result.error.message}`));
        }
      },
      hooks.signal,
    );
  }

  /** Builds task `index`'s model in the worker and reports its fingerprint, parameter count and weight shapes. */
  describe(dir: string, index: number): Promise<TorchDescription> {
    return this.request<TorchDescription>({ op: "describe", dir, index }, index, (line, resolve) => {
      if (line.type === "described") {
        resolve({
          parameterCount: line.parameterCount as number,
          fingerprint: line.fingerprint as string,
          description: (line.description ?? null) as JsonObject | null,
          layers: line.layers as number[][][],
        });
      }
    });
  }

  /** Ends the worker: closes its stdin (it exits when it reads the end), kills it if it lingers. */
  async close(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  }
}

function pythonMissing(python: string, cause: unknown): CliError {
  return new UsageError(
    `cannot run Python "${python}" (${(cause as Error).message}): install Python 3.8+ with torch >= 1.13 and ` +
      `numpy, then pass its path with --python PATH or set RETHINK_BENCH_PYTHON`,
    { cause },
  );
}

/** The error of a worker that exited before its ready line, by its exit code (docs/engines.md). */
function startFailure(
  options: TorchProcessOptions,
  code: number | null,
  signal: NodeJS.Signals | null,
  stderr: string,
): CliError | Error {
  const message = tail(stderr);
  if (code === EXIT_NO_TORCH) {
    // The worker's message names what is missing and the pip command that installs it.
    return new CliError(`${options.python}: ${message || "torch or numpy is missing or too old"}`, EXIT_NO_TORCH);
  }
  if (code === EXIT_NO_DEVICE) {
    return new UsageError(`--device ${options.device}: ${message || "that device is not available"}`);
  }
  if (code === EXIT_USAGE || code === EXIT_BAD_FOLDER) return new UsageError(message || `worker usage error (${code})`);
  const reason = signal ? `was killed by ${signal}` : `exited with code ${code}`;
  return new Error(`the PyTorch worker (${options.python}) ${reason} before it was ready: ${message || "no message"}`);
}
