// `reproduce --watch`: the operator's daemon. It takes the oldest waiting submissions from
// `GET /api/v1/reproductions/queue`, reproduces the positions each still waits on, submits the
// attestation, and goes on; an empty queue backs off from --poll seconds up to ten minutes.
// Nothing is lost or repeated across a restart: finished runs are checkpointed per submission,
// and an attestation written but not sent waits in the outbox, which is sent before new work.
import { readFile } from "node:fs/promises";
import { type QueueItem, ReproductionQueue } from "../../schema/index.js";
import { retryOutbox } from "../commands/submit.js";
import { CliError, InputError, NotSentError, VerificationError } from "../errors.js";
import { Interrupted } from "../pool/worker-pool.js";
import { finalLine } from "./report.js";
import { type ReproduceContext, reproduceOriginal, reproductionJson } from "./reproduction.js";
import { loadOriginal } from "./target.js";

/** The longest wait between two looks at an empty queue. */
export const MAX_POLL_SECONDS = 600;
/** How many queue items one request asks for. */
const QUEUE_LIMIT = 10;
const REQUEST_TIMEOUT_MS = 60_000;

export interface WatchOptions {
  /** Drain the queue and exit instead of waiting for more. */
  once: boolean;
  pollSeconds: number;
}

/** The queue, or why it could not be read. */
async function fetchQueue(
  api: string,
): Promise<{ ok: true; queue: ReproductionQueue } | { ok: false; reason: string }> {
  let response: Response;
  let body: unknown;
  try {
    response = await fetch(`${api}/api/v1/reproductions/queue?limit=${QUEUE_LIMIT}`, {
      headers: { accept: "application/json" },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    body = await response.json();
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code;
    return { ok: false, reason: `cannot reach ${api}: ${code ?? (error as Error).message}` };
  }
  if (!response.ok) return { ok: false, reason: `${api} answered HTTP ${response.status} for the queue` };
  const queue = ReproductionQueue.safeParse(body);
  if (!queue.success)
    return { ok: false, reason: `${api} answered the queue with a body that is not a ReproductionQueue` };
  return { ok: true, queue: queue.data };
}

/** The original payload digests of the attestations waiting in the outbox (sent later, never redone). */
async function waitingInOutbox(context: ReproduceContext): Promise<Set<string>> {
  const waiting = new Set<string>();
  for (const entry of await context.outbox.list()) {
    try {
      const envelope = JSON.parse(await readFile(entry.bundlePath, "utf8")) as { payload: string };
      const statement = JSON.parse(Buffer.from(envelope.payload, "base64").toString("utf8")) as {
        predicate?: { original?: { payloadSha256?: unknown } };
      };
      const digest = statement.predicate?.original?.payloadSha256;
      if (typeof digest === "string") waiting.add(digest);
    } catch {
      // Not an attestation we can read: submit --retry reports it; the daemon goes on.
    }
  }
  return waiting;
}

/** Resolves after `seconds`, or rejects with Interrupted on Ctrl-C or kill. */
function sleep(seconds: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const stop = () => {
      clearTimeout(timer);
      reject(
        new Interrupted("interrupted while waiting for the queue; finished runs and unsent attestations are kept"),
      );
    };
    const timer = setTimeout(() => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    }, seconds * 1000);
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}

/**
 * Works through the queue at `api`. Each submission whose reproduction cannot start (a dataset
 * this machine lacks, a builder module without --model, an original that no longer verifies) is
 * reported and skipped for the rest of this process. With `once`, returns when nothing is left
 * to do, throwing if an item was skipped or an attestation could not be delivered.
 */
export async function watchQueue(api: string, context: ReproduceContext, options: WatchOptions): Promise<void> {
  const { say } = context;
  const skipped = new Map<string, string>();
  // What this process reproduced and delivered: a queue that lists it again (a server that does
  // not count this key as an operator's) must not make the daemon redo it in a loop.
  const delivered = new Set<string>();
  const itemKey = (i: QueueItem) => `${i.submissionId}:${i.positions.join(",")}`;
  let unsent = 0;
  let refused = 0;
  let wait = options.pollSeconds;
  say(
    `Watching the reproduction queue of ${api} as ${context.signer.keyid.slice(0, 16)}…${options.once ? " (--once)" : ""}.`,
  );
  for (;;) {
    // Attestations written but not sent go first: the queue still lists their submissions.
    for (const { line, outcome } of await retryOutbox(context.outbox, api, true)) {
      say(line);
      if (outcome === "refused") refused++;
    }
    const answer = await fetchQueue(api);
    let item: QueueItem | undefined;
    if (answer.ok) {
      const waiting = await waitingInOutbox(context);
      item = answer.queue.items.find(
        (i) => !skipped.has(i.submissionId) && !waiting.has(i.payloadSha256) && !delivered.has(itemKey(i)),
      );
      unsent = answer.queue.items.filter((i) => waiting.has(i.payloadSha256)).length;
    } else {
      say(`warning: ${answer.reason}`);
      if (options.once) throw new NotSentError(`the queue could not be read: ${answer.reason}`);
    }
    if (!item) {
      if (options.once) break;
      say(`Nothing to reproduce now; looking again in ${wait} s.`);
      await sleep(wait);
      wait = Math.min(wait * 2, MAX_POLL_SECONDS);
      continue;
    }
    wait = options.pollSeconds;
    try {
      const original = await loadOriginal({ kind: "submission", id: item.submissionId, api }, context.options);
      const reproduced = await reproduceOriginal(original, item.positions, {
        ...context,
        target: item.submissionId,
      });
      if (context.options.json) process.stdout.write(`${JSON.stringify(reproductionJson(reproduced))}\n`);
      else
        process.stdout.write(
          `${item.submissionId}: ${finalLine(reproduced.predicate)} → ${reproduced.attestationPath}\n`,
        );
      const { delivery } = reproduced;
      if (delivery?.kind === "refused") {
        refused++;
        skipped.set(item.submissionId, "the server refused its attestation");
      } else if (delivery?.kind === "accepted") {
        delivered.add(itemKey(item));
        if (delivery.reproduction && !delivery.reproduction.operator)
          say(
            `warning: ${api} does not count ${context.signer.keyid.slice(0, 16)}… as an operator reproducer key, ` +
              "so its queue will not shrink; give the server this keyid (rethink-bench keys) in REPRODUCER_KEYS",
          );
      }
    } catch (error) {
      if (error instanceof Interrupted || !(error instanceof CliError)) throw error;
      say(`skipped ${item.submissionId} until this daemon restarts: ${error.message}`);
      skipped.set(item.submissionId, error.message);
    }
  }
  if (refused > 0) throw new VerificationError(`${refused} attestation${refused === 1 ? " was" : "s were"} refused`);
  if (unsent > 0)
    throw new NotSentError(
      `${unsent} attestation${unsent === 1 ? " waits" : "s wait"} in the outbox (${context.outbox.dir})`,
    );
  if (skipped.size > 0)
    throw new InputError(
      `${skipped.size} submission${skipped.size === 1 ? "" : "s"} could not be reproduced here: ` +
        [...skipped].map(([id, why]) => `${id} (${why})`).join("; "),
    );
  say("The queue is drained.");
}
