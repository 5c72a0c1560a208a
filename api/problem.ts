// The catalog of API errors: one stable `type` URI, status and title per kind, answered as
// RFC 9457 application/problem+json and parsed through the contract's Problem schema.
import type { Context } from "hono";
import { type BundleErrorCode, type PathError, Problem } from "../schema/index.js";

/** Problem `type` URIs are this base plus the code, e.g. `…/problems/bad-signature`. */
const PROBLEM_BASE = "https://rethink-bench.org/problems/";

const BUNDLE_PROBLEMS = {
  "bad-json": { status: 400, title: "Malformed JSON" },
  "bad-envelope": { status: 400, title: "Not a DSSE envelope" },
  "bad-base64": { status: 400, title: "Malformed base64" },
  "wrong-payload-type": { status: 422, title: "Wrong payload type" },
  "bad-payload": { status: 422, title: "Unreadable payload" },
  "hostile-structure": { status: 422, title: "Payload structure not allowed" },
  "bad-name": { status: 422, title: "Name with characters not allowed" },
  "wrong-statement-type": { status: 422, title: "Not an in-toto Statement v1" },
  "wrong-predicate-type": { status: 422, title: "Not a rethink-bench result" },
  "keyid-mismatch": { status: 422, title: "Key id does not match the key" },
  "bad-signature": { status: 422, title: "Signature does not verify" },
  "non-canonical": { status: 422, title: "Payload is not canonical JSON" },
  "bad-predicate": { status: 422, title: "Invalid result" },
  inconsistent: { status: 422, title: "Inconsistent result" },
} as const satisfies Record<BundleErrorCode, { status: number; title: string }>;

const PROBLEMS = {
  ...BUNDLE_PROBLEMS,
  "unknown-suite": { status: 422, title: "Unknown suite" },
  "unstorable-text": { status: 422, title: "Text that cannot be stored" },
  "wrong-architecture": { status: 422, title: "Architecture the server identifies otherwise" },
  "protocol-violation": { status: 422, title: "Runs outside the suite's protocol" },
  "unscorable-dataset": { status: 422, title: "Dataset this server cannot score" },
  "wrong-score": { status: 422, title: "Dataset files or accuracies the server's own scoring contradicts" },
  // A reproduction of a result this server does not hold: nothing to compare it with. 422, not
  // 404: the request's URL exists, the body names something unknown (as with unknown-suite).
  "unknown-original": { status: 422, title: "Reproduction of a result this server does not have" },
  "wrong-verdict": { status: 422, title: "Verdicts the server's own comparison with the original contradicts" },
  "invalid-request": { status: 400, title: "Invalid request" },
  unauthorized: { status: 401, title: "Unauthorized" },
  "not-found": { status: 404, title: "Not found" },
  "submission-hidden": { status: 410, title: "Submission hidden by moderation" },
  "payload-too-large": { status: 413, title: "Payload too large" },
  "unsupported-media-type": { status: 415, title: "Unsupported media type" },
  "rate-limited": { status: 429, title: "Too many requests" },
  internal: { status: 500, title: "Internal error" },
  "database-unavailable": { status: 503, title: "Database unavailable" },
} as const;

export type ProblemCode = keyof typeof PROBLEMS;

/** The problem body for a code, parsed through the contract before it leaves. */
function problemBody(
  code: ProblemCode,
  detail: string,
  options: { instance?: string; errors?: PathError[] } = {},
): Problem {
  const { status, title } = PROBLEMS[code];
  return Problem.parse({
    type: PROBLEM_BASE + code,
    title,
    status,
    detail,
    code,
    ...(options.instance ? { instance: options.instance } : {}),
    ...(options.errors?.length ? { errors: options.errors } : {}),
  });
}

type Catalog = typeof PROBLEMS;
export type ProblemStatus<C extends ProblemCode> = Catalog[C]["status"];

/**
 * An application/problem+json response, typed with its status so that routes declare
 * every problem they can answer.
 *
 * @example
 * return problem(c, "not-found", `no submission ${id}`)
 */
export function problem<C extends ProblemCode>(
  c: Context,
  code: C,
  detail: string,
  options: { errors?: PathError[]; headers?: Record<string, string> } = {},
) {
  const body = problemBody(code, detail, { instance: c.req.path, errors: options.errors });
  return c.json(body, PROBLEMS[code].status as ProblemStatus<C>, {
    "content-type": "application/problem+json",
    ...options.headers,
  });
}

/**
 * OpenAPI response entries for problems, one per status (codes that share a status are
 * listed together in its description).
 *
 * @example
 * responses: { 200: …, ...problemResponses("invalid-request", "not-found") }
 */
export function problemResponses<C extends ProblemCode>(...codes: C[]) {
  const byStatus = new Map<number, ProblemCode[]>();
  for (const code of codes) byStatus.set(PROBLEMS[code].status, [...(byStatus.get(PROBLEMS[code].status) ?? []), code]);
  return Object.fromEntries(
    [...byStatus].map(([status, group]) => [
      status,
      {
        description: group.map((code) => `${PROBLEMS[code].title} (\`${code}\`)`).join("; "),
        content: { "application/problem+json": { schema: Problem } },
      },
    ]),
  ) as {
    [S in ProblemStatus<C>]: {
      description: string;
      content: { "application/problem+json": { schema: typeof Problem } };
    };
  };
}
