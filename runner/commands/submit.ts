// `rethink-bench submit FILE... | --retry`: send signed bundles and reproduction attestations to
// a leaderboard. What cannot be sent now (network error, 5xx, 429) waits in the outbox; what the
// server refuses (4xx) is shown with the server's reason and kept.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  openBundle,
  openReproduction,
  Problem,
  peekPredicateType,
  REPRODUCTION_PREDICATE_TYPE,
  ReproductionReceipt,
} from "../../schema/index.js";
import { type ApiClient, createApiClient, type SubmissionBody } from "../api-client/index.js";
import { CliError, InputError, NotSentError, VerificationError } from "../errors.js";
import { Outbox } from "../outbox.js";
import { DEFAULT_API_URL } from "../package-info.js";
import { dataDir } from "../paths.js";

export interface SubmitOptions {
  api?: string;
  retry?: boolean;
}

/** How long one POST may take before the bundle goes to the outbox. */
const REQUEST_TIMEOUT_MS = 60_000;

export type Delivery =
  | {
      kind: "accepted";
      id: string;
      created: boolean;
      url: string;
      reproduction?: ReproductionReceipt;
      /** The board pages that show the submission at once (its receipt's `boards`), by dataset. */
      boards?: { dataset: string; url: string }[];
    }
  | { kind: "refused"; status: number; detail: string }
  | { kind: "unavailable"; reason: string };

/** The leaderboard base URL: --api, else $RETHINK_BENCH_API, else the package's default. */
export function apiBase(api?: string): string {
  return (api ?? process.env.RETHINK_BENCH_API ?? DEFAULT_API_URL).replace(/\/+$/, "");
}

/** Why a request got no answer: the network error's code (ECONNREFUSED, …) or its message. */
function unreachable(base: string, error: unknown): Delivery {
  if (error instanceof SyntaxError)
    return { kind: "unavailable", reason: `${base} answered with a body that is not JSON` };
  const cause = (error as { cause?: { code?: string } }).cause?.code;
  return { kind: "unavailable", reason: `cannot reach ${base}: ${cause ?? (error as Error).message}` };
}

/** A problem+json answer as one line: title, detail and each failing path; else the bare status. */
function problemLine(status: number, body: unknown): string {
  const problem = Problem.safeParse(body);
  if (!problem.success) return `HTTP ${status}`;
  const { title, detail, errors } = problem.data;
  const errorList = errors?.length ? ` (${errors.map((e) => `${e.path}: ${e.message}`).join("; ")})` : "";
  return `${title}: ${detail}${errorList}`;
}

/** A refusal, or for 408, 429 and 5xx an answer to try again later. */
function notAccepted(base: string, response: Response, body: unknown): Delivery {
  const detail = problemLine(response.status, body);
  if (response.status === 429 || response.status === 408 || response.status >= 500) {
    const retryAfter = response.headers.get("retry-after");
    return {
      kind: "unavailable",
      reason: `${base} answered ${response.status} (${detail})${retryAfter ? `; retry after ${retryAfter} s` : ""}`,
    };
  }
  return { kind: "refused", status: response.status, detail };
}

/**
 * POSTs one reproduction attestation to `${base}/api/v1/reproductions`, byte for byte, and reads
 * the answer as the contract's ReproductionReceipt or Problem.
 */
async function deliverReproduction(base: string, text: string): Promise<Delivery> {
  let response: Response;
  let body: unknown;
  try {
    response = await fetch(`${base}/api/v1/reproductions`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, application/problem+json" },
      body: text,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    body = await response.json();
  } catch (error) {
    return unreachable(base, error);
  }
  if (!response.ok) return notAccepted(base, response, body);
  const receipt = ReproductionReceipt.safeParse(body);
  if (!receipt.success)
    return { kind: "unavailable", reason: `${base} answered ${response.status} without a reproduction receipt` };
  return {
    kind: "accepted",
    id: receipt.data.id,
    created: receipt.data.created,
    url: `${base}/submissions/${encodeURIComponent(receipt.data.submissionId)}`,
    reproduction: receipt.data,
  };
}

/** Sends a signed file's text to the route its predicate type belongs to. */
function deliver(base: string, text: string): Promise<Delivery> {
  return isReproduction(text) ? deliverReproduction(base, text) : deliverResult(base, text);
}

function isReproduction(text: string): boolean {
  try {
    return peekPredicateType(JSON.parse(text)) === REPRODUCTION_PREDICATE_TYPE;
  } catch {
    return false;
  }
}

/**
 * POSTs one bundle to `${base}/api/v1/submissions` through the generated client and classifies
 * the answer. The file's text is sent byte for byte, exactly as it was verified.
 */
async function deliverResult(base: string, bundleText: string): Promise<Delivery> {
  let answer: Awaited<ReturnType<ApiClient["POST"]>>;
  try {
    answer = await createApiClient(base).POST("/api/v1/submissions", {
      body: JSON.parse(bundleText) as SubmissionBody,
      bodySerializer: () => bundleText,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    return unreachable(base, error);
  }
  const { data, error, response } = answer;
  if (data !== undefined) {
    if (typeof data.id !== "string")
      return { kind: "unavailable", reason: `${base} answered ${response.status} without a submission id` };
    // A server older than the receipt's `boards` sends none: the submission's link is then all there is.
    const listed = "boards" in data && Array.isArray(data.boards) ? data.boards : [];
    const boards = listed.map((board) => ({ dataset: board.dataset, url: `${base}${board.page}` }));
    return {
      kind: "accepted",
      id: data.id,
      created: response.status === 201,
      url: `${base}/submissions/${encodeURIComponent(data.id)}`,
      ...(boards.length > 0 ? { boards } : {}),
    };
  }
  return notAccepted(base, response, error);
}

async function readBundle(file: string): Promise<{ text: string; id: string }> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new InputError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
      cause: error,
    });
  }
  const opened = isReproduction(text) ? await openReproduction(JSON.parse(text)) : await openBundle(text);
  if (!opened.ok)
    throw new VerificationError(`${file} is not a valid bundle (${opened.code}: ${opened.detail}); nothing was sent`);
  return { text, id: opened.payloadSha256 };
}

/** What the server said about an accepted reproduction, after the arrow of the line. */
function receiptNote(delivery: Delivery): string {
  if (delivery.kind !== "accepted" || !delivery.reproduction) return "";
  const { verdicts, operator, hidden } = delivery.reproduction;
  const counts =
    `${verdicts.exact} exact, ${verdicts.notReproduced} not reproduced` +
    (verdicts.consistent || verdicts.inconsistent
      ? `, ${verdicts.consistent} consistent, ${verdicts.inconsistent} inconsistent`
      : "");
  return ` (${counts}${operator ? "; an operator reproducer's verdict" : ""}${hidden ? "; the submission is now hidden" : ""})`;
}

/**
 * The board pages of an accepted submission, one line each after the submission's: links that
 * read the board fresh (`after=<id>`), so the submitter sees it before the edge cache expires.
 */
function boardLines(delivery: Delivery): string {
  if (delivery.kind !== "accepted" || !delivery.boards) return "";
  return delivery.boards.map((board) => `\n  on the ${board.dataset} board now: ${board.url}`).join("");
}

/**
 * Sends one bundle file, queuing it in the outbox when the server cannot take it now.
 * Returns a line for the user; throws nothing for server answers.
 */
export async function submitFile(
  file: string,
  base: string,
  outbox: Outbox,
): Promise<{ line: string; outcome: Delivery["kind"]; delivery: Delivery }> {
  const { text, id } = await readBundle(file);
  const delivery = await deliver(base, text);
  switch (delivery.kind) {
    case "accepted":
      return {
        line:
          `${delivery.created ? "submitted" : "already on the board"}: ${file} → ${delivery.url}` +
          `${receiptNote(delivery)}${boardLines(delivery)}`,
        outcome: "accepted",
        delivery,
      };
    case "refused":
      return {
        line: `refused (HTTP ${delivery.status}): ${file}: ${delivery.detail}. The bundle is unchanged.`,
        outcome: "refused",
        delivery,
      };
    case "unavailable": {
      const queued = await outbox.add(id, text, base, delivery.reason);
      return {
        line: `not sent: ${delivery.reason}. Queued as ${queued}; send it later with: rethink-bench submit --retry`,
        outcome: "unavailable",
        delivery,
      };
    }
  }
}

/**
 * Sends every outboxed bundle and attestation once (with `onlyReproductions`, the attestations
 * alone); delivered ones leave the outbox, refused ones move to rejected/.
 */
export async function retryOutbox(
  outbox: Outbox,
  api: string | undefined,
  onlyReproductions = false,
): Promise<{ line: string; outcome: Delivery["kind"] }[]> {
  const results: { line: string; outcome: Delivery["kind"] }[] = [];
  for (const entry of await outbox.list()) {
    const base = api ? apiBase(api) : entry.api || apiBase();
    const text = await readFile(entry.bundlePath, "utf8");
    if (onlyReproductions && !isReproduction(text)) continue;
    const delivery = await deliver(base, text);
    if (delivery.kind === "accepted") {
      await outbox.remove(entry.id);
      const verdict = delivery.created ? "submitted" : "already on the board";
      results.push({
        line: `${verdict}: ${entry.id.slice(0, 12)} → ${delivery.url}${receiptNote(delivery)}${boardLines(delivery)}`,
        outcome: "accepted",
      });
    } else if (delivery.kind === "refused") {
      const kept = await outbox.reject(entry.id, delivery.detail);
      results.push({
        line: `refused (HTTP ${delivery.status}): ${delivery.detail}. Kept at ${kept}`,
        outcome: "refused",
      });
    } else {
      await outbox.add(entry.id, text, base, delivery.reason);
      results.push({
        line: `still not sent: ${delivery.reason} (attempt ${entry.attempts + 1}); it stays in the outbox`,
        outcome: "unavailable",
      });
    }
  }
  return results;
}

export async function submitCommand(files: string[], options: SubmitOptions): Promise<void> {
  const outbox = new Outbox(join(dataDir(), "outbox"));
  if (!options.retry && files.length === 0)
    throw new CliError("name at least one bundle file, or use --retry to send the outbox", 2);
  const results = options.retry ? await retryOutbox(outbox, options.api) : [];
  for (const file of files) results.push(await submitFile(file, apiBase(options.api), outbox));
  if (options.retry && results.length === 0) process.stdout.write("The outbox is empty: nothing to send.\n");
  for (const { line } of results) process.stdout.write(`${line}\n`);
  const refused = results.filter((r) => r.outcome === "refused").length;
  const unsent = results.filter((r) => r.outcome === "unavailable").length;
  if (refused > 0)
    throw new VerificationError(`${refused} bundle${refused === 1 ? " was" : "s were"} refused by the server`);
  if (unsent > 0)
    throw new NotSentError(`${unsent} bundle${unsent === 1 ? " waits" : "s wait"} in the outbox (${outbox.dir})`);
}
