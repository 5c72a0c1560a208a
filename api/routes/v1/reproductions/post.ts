// POST /reproductions: verify a signed reproduction attestation, check every verdict against the
// stored original, and store it in one transaction. 201 the first time, 200 with the same id
// afterwards. An operator key's "not reproduced" hides the submission at once.
import type { OpenAPIHono } from "@hono/zod-openapi";
import {
  auditReproduction,
  Envelope,
  findUnstorableText,
  openReproduction,
  type PathError,
  ReproductionReceipt,
  reproductionIdOf,
  utf8,
} from "../../../../schema/index.js";
import { findOriginal, storeReproduction, type VerifiedReproduction } from "../../../db/queries/reproductions.js";
import type { AppEnv, ResolvedOptions } from "../../../env.js";
import { MAX_BODY_BYTES } from "../../../limits.js";
import { RateGate, tooManyRequests } from "../../../middleware/rate-limit.js";
import { WorkBudget } from "../../../middleware/verification-budget.js";
import { type ProblemCode, problem, problemResponses } from "../../../problem.js";
import { operatorKeysOf } from "../../../reproducer-keys.js";
import { defineRoute, PUBLIC } from "../define-route.js";
import { jsonResponse } from "../responses.js";
import { signedBodyGuards } from "../signed-body.js";

const route = defineRoute({
  method: "post",
  path: "/",
  operationId: "createReproduction",
  summary: "Submit a signed reproduction attestation",
  security: PUBLIC,
  description:
    "The body is a DSSE envelope as `rethink-bench reproduce` writes it: an in-toto Statement about a stored " +
    "result's payload whose predicate gives, per reproduced run, the verdict and the reproducer's curve and " +
    "prediction digests. The server verifies the Ed25519 signature and the attestation's own consistency, finds " +
    "the original by its payload digest (`unknown-original`, 422, when it holds none), recomputes every verdict " +
    "and first divergence from the original's curves and predictions (`wrong-verdict`, 422, when one differs), " +
    "then stores the reproduction and its verdicts in one transaction. Only a key's first verdict on a run " +
    "counts; verdicts by keys other than the run's submitter count on the board (exact confirms, not reproduced " +
    "or inconsistent contests, consistent replicates). An exact verdict by one of the server's operator reproducer " +
    "keys verifies the run; a not-reproduced verdict by one hides the submission (a moderation event with the " +
    `reproduction as evidence, which an admin can reverse). At most ${MAX_BODY_BYTES} bytes.`,
  request: { body: { required: true, content: { "application/json": { schema: Envelope } } } },
  responses: {
    201: jsonResponse(ReproductionReceipt, "Stored; `Location` is the reproduction."),
    200: jsonResponse(ReproductionReceipt, "This attestation was already stored: the same id, nothing new stored."),
    ...problemResponses(
      "bad-json",
      "bad-envelope",
      "bad-base64",
      "payload-too-large",
      "unsupported-media-type",
      "wrong-payload-type",
      "bad-payload",
      "hostile-structure",
      "bad-name",
      "wrong-statement-type",
      "wrong-predicate-type",
      "keyid-mismatch",
      "bad-signature",
      "non-canonical",
      "bad-predicate",
      "inconsistent",
      "unstorable-text",
      "unknown-original",
      "wrong-verdict",
      "rate-limited",
      "database-unavailable",
    ),
  },
});

/** A refusal whose detail is the first error, with every error listed. */
function firstOf(errors: PathError[]): string {
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : "";
  return `${errors[0]!.path}: ${errors[0]!.message}${more}`;
}

type Opened =
  | ({ ok: true } & VerifiedReproduction)
  | { ok: false; code: ProblemCode; detail: string; errors: PathError[] };

/** The body as JSON, opened as an attestation (signature, schema, consistency) with text Postgres can store. */
async function openBody(body: Uint8Array): Promise<Opened> {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(body));
  } catch (error) {
    return {
      ok: false,
      code: "bad-json",
      detail: `the request body is not valid JSON: ${(error as Error).message}`,
      errors: [],
    };
  }
  const opened = await openReproduction(value);
  if (!opened.ok) {
    const first = opened.errors[0];
    const detail =
      opened.code === "bad-envelope" && first ? `${opened.detail}: ${first.path}: ${first.message}` : opened.detail;
    return { ok: false, code: opened.code, detail, errors: opened.errors };
  }
  const unstorable = findUnstorableText(opened.statement);
  if (unstorable.length > 0)
    return { ok: false, code: "unstorable-text", detail: firstOf(unstorable), errors: unstorable };
  const { envelope, statement, payloadSha256, keyid } = opened;
  return { ok: true, envelope, statement, payloadSha256, keyid };
}

export function registerPostReproduction(router: OpenAPIHono<AppEnv>, options: ResolvedOptions) {
  const perKey = new RateGate(options.rateLimits.submissionsPerKey, {
    kind: "submissionsPerKey",
    scope: "reproductions",
    limiterOf: options.rateLimiter,
  });
  const budget = new WorkBudget(options.rateLimits.verificationMs);
  // Documented from its definition; the raw body is parsed here, after the size and media type checks.
  router.openAPIRegistry.registerPath(route);
  return router.post(
    route.path,
    signedBodyGuards(options, budget, { document: "an attestation", requests: "reproductions" }),
    async (c) => {
      const address = options.clientAddress(c);
      // The checks are charged to the address's verification budget as they are done.
      const timed = async <T>(work: () => Promise<T>): Promise<T> => {
        const started = performance.now();
        try {
          return await work();
        } finally {
          budget.charge(address, performance.now() - started);
        }
      };
      const body = new Uint8Array(await c.req.arrayBuffer());
      const opened = await timed(() => openBody(body));
      if (!opened.ok) return problem(c, opened.code, opened.detail, { errors: opened.errors });
      const decision = await perKey.hit(c, opened.keyid);
      if (!decision.allowed) return tooManyRequests(c, decision, "reproductions signed by this key");

      const { predicate } = opened.statement;
      // Timed too: decoding the original's stored payload (up to the body limit) is work like verifying it.
      const original = await timed(() => findOriginal(c.var.db, predicate.original.payloadSha256));
      if (!original) {
        return problem(
          c,
          "unknown-original",
          `this server holds no result with payload digest ${predicate.original.payloadSha256} ` +
            `(${predicate.original.submissionId}): submit the original bundle first`,
          { errors: [{ path: "predicate.original.payloadSha256", message: "no stored submission has this digest" }] },
        );
      }
      const wrong = await timed(() => auditReproduction(predicate, original));
      if (wrong.length > 0) return problem(c, "wrong-verdict", firstOf(wrong), { errors: wrong });

      const operator = (await operatorKeysOf(options, c)).has(opened.keyid);
      const stored = await storeReproduction(c.var.db, opened, original, operator);
      const location = `/api/v1/reproductions/${stored.id}`;
      const receipt = ReproductionReceipt.parse({
        id: reproductionIdOf(opened.payloadSha256),
        payloadSha256: opened.payloadSha256,
        created: stored.created,
        submissionId: original.submissionId,
        reproducerKeyid: opened.keyid,
        // As stored: whether the key was an operator's when the attestation first arrived.
        operator: stored.operator,
        verdicts: stored.verdicts,
        hidden: stored.hidden,
        location,
      });
      return c.json(receipt, stored.created ? 201 : 200, { Location: location });
    },
  );
}
