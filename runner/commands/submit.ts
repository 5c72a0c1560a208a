// `rethink-bench submit FILE... | --retry`: send signed bundles to a leaderboard. What cannot be
// sent now (network error, 5xx, 429) waits in the outbox; what the server refuses (4xx) is
// shown with the server's reason and kept.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { openBundle, Problem } from "../../schema/index.js";
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
  | { kind: "accepted"; id: string; created: boolean; url: string }
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

/**
 * POSTs one bundle to `${base}/api/v1/submissions` through the generated client and classifies
 * the answer. The file's text is sent byte for byte, exactly as it was verified.
 */
async function deliver(base: string, bundleText: string): Promise<Delivery> {
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
    return {
      kind: "accepted",
      id: data.id,
      created: response.status === 201,
      url: `${base}/submissions/${encodeURIComponent(data.id)}`,
    };
  }
  const detail = problemLine(response.status, error);
  if (response.status === 429 || response.status === 408 || response.status >= 500) {
    const retryAfter = response.headers.get("retry-after");
    return {
      kind: "unavailable",
      reason: `${base} answered ${response.status} (${detail})${retryAfter ? `; retry after ${retryAfter} s` : ""}`,
    };
  }
  return { kind: "refused", status: response.status, detail };
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
  const opened = await openBundle(text);
  if (!opened.ok)
    throw new VerificationError(`${file} is not a valid bundle (${opened.code}: ${opened.detail}); nothing was sent`);
  return { text, id: opened.payloadSha256 };
}

/**
 * Sends one bundle file, queuing it in the outbox when the server cannot take it now.
 * Returns a line for the user; throws nothing for server answers.
 */
export async function submitFile(
  file: string,
  base: string,
  outbox: Outbox,
): Promise<{ line: string; outcome: Delivery["kind"] }> {
  const { text, id } = await readBundle(file);
  const delivery = await deliver(base, text);
  switch (delivery.kind) {
    case "accepted":
      return {
        line: `${delivery.created ? "submitted" : "already on the board"}: ${file} → ${delivery.url}`,
        outcome: "accepted",
      };
    case "refused":
      return {
        line: `refused (HTTP ${delivery.status}): ${file}: ${delivery.detail}. The bundle is unchanged.`,
        outcome: "refused",
      };
    case "unavailable": {
      const queued = await outbox.add(id, text, base, delivery.reason);
      return {
        line: `not sent: ${delivery.reason}. Queued as ${queued}; send it later with: rethink-bench submit --retry`,
        outcome: "unavailable",
      };
    }
  }
}

/** Sends every outboxed bundle once; delivered ones leave the outbox, refused ones move to rejected/. */
async function retryOutbox(
  outbox: Outbox,
  api: string | undefined,
): Promise<{ line: string; outcome: Delivery["kind"] }[]> {
  const results: { line: string; outcome: Delivery["kind"] }[] = [];
  for (const entry of await outbox.list()) {
    const base = api ? apiBase(api) : entry.api || apiBase();
    const text = await readFile(entry.bundlePath, "utf8");
    const delivery = await deliver(base, text);
    if (delivery.kind === "accepted") {
      await outbox.remove(entry.id);
      const verdict = delivery.created ? "submitted" : "already on the board";
      results.push({
        line: `${verdict}: ${entry.id.slice(0, 12)} → ${delivery.url}`,
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
