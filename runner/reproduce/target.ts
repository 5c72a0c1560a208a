// What `reproduce TARGET` names: a submission id (fetched from the API), a submission's URL (its
// origin is the API), or a bundle file; and the original result it resolves to, verified and
// audited exactly as `verify` checks a bundle.
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { Envelope, type Statement, SubmissionId, submissionIdOf } from "../../schema/index.js";
import { openAndAudit, registryFrom } from "../commands/verify.js";
import { CliError, InputError, VerificationError } from "../errors.js";

/** Where the original comes from. */
export type Target = { kind: "file"; path: string } | { kind: "submission"; id: string; api: string };

/** A verified original: its envelope, statement, content address and where it came from. */
export interface Original {
  envelope: Envelope;
  statement: Statement;
  payloadSha256: string;
  keyid: string;
  submissionId: string;
  /** The file path or URL it was read from, for messages. */
  source: string;
}

const SUBMISSION_ID = /^sub_[0-9a-f]{32}$/;
/** A submission page (`/submissions/sub_…`) or its API resource (`/api/v1/submissions/sub_…`), under any base path. */
const SUBMISSION_PATH = /^(.*?)(?:\/api\/v1)?\/submissions\/(sub_[0-9a-f]{32})\/?$/;

/** How long fetching one submission may take. */
const FETCH_TIMEOUT_MS = 60_000;

/**
 * Reads TARGET: `sub_…` is a submission on `api`; an http(s) URL of a submission page or API
 * resource names its own API (scheme, host and any base path before `/submissions`); anything
 * else is a bundle file.
 *
 * @example
 * parseTarget("https://board.example/submissions/sub_3f2a…", "https://rethink-bench.org")
 * // { kind: "submission", id: "sub_3f2a…", api: "https://board.example" }
 */
export function parseTarget(target: string, api: string): Target {
  if (SUBMISSION_ID.test(target)) return { kind: "submission", id: target, api };
  if (/^https?:\/\//i.test(target)) {
    let url: URL;
    try {
      url = new URL(target);
    } catch (error) {
      throw new CliError(`"${target}" is not a valid URL`, 2, { cause: error });
    }
    const match = SUBMISSION_PATH.exec(url.pathname);
    if (!match)
      throw new CliError(
        `${target} is not a submission's URL: expected …/submissions/sub_<32 hex digits> ` +
          `or …/api/v1/submissions/sub_<32 hex digits>`,
        2,
      );
    return { kind: "submission", id: match[2]!, api: `${url.origin}${match[1]}` };
  }
  return { kind: "file", path: target };
}

// Only what reproduce needs of SubmissionDetail, so that a server adding fields stays readable.
const DetailEnvelope = z.object({ id: SubmissionId, envelope: Envelope });

async function fetchEnvelope(id: string, api: string): Promise<{ value: unknown; source: string }> {
  const source = `${api}/api/v1/submissions/${id}`;
  let response: Response;
  try {
    response = await fetch(source, {
      headers: { accept: "application/json" },
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code;
    // 75: try again later, as for a bundle the server could not take now.
    throw new CliError(`cannot reach ${api}: ${code ?? (error as Error).message}`, 75, { cause: error });
  }
  if (response.status === 404) throw new InputError(`${api} has no submission ${id}`);
  if (!response.ok) throw new CliError(`${source} answered HTTP ${response.status}; try again later`, 75);
  const detail = DetailEnvelope.safeParse(await response.json().catch(() => null));
  if (!detail.success) throw new InputError(`${source} did not answer with a submission and its envelope`);
  return { value: detail.data.envelope, source };
}

async function readEnvelope(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new InputError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
      cause: error,
    });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(`${path} is not JSON: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * The original a target names, verified as `verify` does (signature, schema, suite, audit):
 * nothing is trained again for a result that would not stand on the board.
 */
export async function loadOriginal(target: Target, options: { dataDir?: string }): Promise<Original> {
  const { value, source } =
    target.kind === "file"
      ? { value: await readEnvelope(target.path), source: target.path }
      : await fetchEnvelope(target.id, target.api);
  const opened = await openAndAudit(value, registryFrom(options.dataDir));
  if (!opened.ok)
    throw new VerificationError(`the original ${source} does not verify: ${opened.code}: ${opened.detail}`);
  const submissionId = submissionIdOf(opened.payloadSha256);
  if (target.kind === "submission" && submissionId !== target.id)
    throw new VerificationError(`${source} sent the envelope of ${submissionId}, not of ${target.id}`);
  return {
    envelope: opened.envelope,
    statement: opened.statement,
    payloadSha256: opened.payloadSha256,
    keyid: opened.keyid,
    submissionId,
    source,
  };
}
