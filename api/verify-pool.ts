// Verification off Node's event loop: a small pool of worker threads, started on first use,
// each running verifySubmission on one body at a time; the others wait in a queue. While a
// thread spends seconds on a 14 MB bundle, the event loop keeps answering other requests.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { VerificationContext, VerificationResult, Verifier } from "./verify-submission.js";

/** A body to verify, as posted to a thread. */
export interface VerifyJob {
  id: number;
  body: Uint8Array | string;
  context: VerificationContext;
}

/** A thread's answer: the verdict, or the stack of an unexpected error (a bug). */
export type VerifyAnswer = { id: number; result: VerificationResult } | { id: number; error: string };

export interface VerifierPool {
  verify: Verifier;
  /** Ends the threads; jobs still queued or running are rejected. */
  close(): Promise<void>;
}

export interface VerifierPoolOptions {
  /** Most threads at once (default 2). */
  size?: number;
  /** The compiled worker script; default: verify-worker.js beside this module, or in dist/api. */
  script?: URL;
}

/**
 * Worker threads run JavaScript: the compiled verify-worker.js beside this module when running
 * the build, or dist/api/verify-worker.js when running the sources (tests, tsx) after a build.
 */
function verifyWorkerScript(): URL | undefined {
  const candidates = [
    new URL("./verify-worker.js", import.meta.url),
    new URL("../dist/api/verify-worker.js", import.meta.url),
  ];
  return candidates.find((url) => existsSync(fileURLToPath(url)));
}

interface Pending {
  job: VerifyJob;
  resolve(result: VerificationResult): void;
  reject(error: Error): void;
}

interface Thread {
  worker: Worker;
  running: Pending | null;
}

/**
 * A verifier that runs on up to `size` worker threads.
 *
 * @example
 * const pool = createVerifierPool({ size: 2 })
 * const result = await pool.verify(body)
 * await pool.close()
 */
export function createVerifierPool(options: VerifierPoolOptions = {}): VerifierPool {
  const size = options.size ?? 2;
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`a verifier pool needs at least one thread, not ${size}`);
  const script = options.script ?? verifyWorkerScript();
  if (!script)
    throw new Error("the verification worker (dist/api/verify-worker.js) is not built: run `npm run build` first");

  const threads: Thread[] = [];
  const queue: Pending[] = [];
  let nextId = 1;
  let closed = false;

  function retire(thread: Thread, error: Error) {
    const index = threads.indexOf(thread);
    if (index >= 0) threads.splice(index, 1);
    const running = thread.running;
    thread.running = null;
    running?.reject(error);
    pump();
  }

  function spawn(): Thread {
    const thread: Thread = { worker: new Worker(script!), running: null };
    thread.worker.on("message", (answer: VerifyAnswer) => {
      const running = thread.running;
      if (!running || running.job.id !== answer.id) return;
      thread.running = null;
      if ("error" in answer) running.reject(new Error(`verification failed unexpectedly: ${answer.error}`));
      else running.resolve(answer.result);
      pump();
    });
    thread.worker.on("error", (error) => retire(thread, new Error("a verification thread failed", { cause: error })));
    thread.worker.on("exit", (code) => {
      if (!closed) retire(thread, new Error(`a verification thread exited with code ${code}`));
    });
    threads.push(thread);
    return thread;
  }

  function pump() {
    while (queue.length > 0 && !closed) {
      const thread = threads.find((t) => t.running === null) ?? (threads.length < size ? spawn() : undefined);
      if (!thread) return;
      const pending = queue.shift()!;
      thread.running = pending;
      thread.worker.postMessage(pending.job);
    }
  }

  return {
    verify(body, context = {}) {
      if (closed) return Promise.reject(new Error("the verifier pool is closed"));
      return new Promise<VerificationResult>((resolve, reject) => {
        queue.push({ job: { id: nextId++, body, context }, resolve, reject });
        pump();
      });
    },
    async close() {
      closed = true;
      const error = new Error("the verifier pool closed before this verification finished");
      for (const pending of queue.splice(0)) pending.reject(error);
      await Promise.all(
        threads.splice(0).map((thread) => {
          thread.running?.reject(error);
          return thread.worker.terminate();
        }),
      );
    },
  };
}
