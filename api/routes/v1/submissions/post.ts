// POST /submissions: verify a signed bundle, check it against a suite this server ranks,
// and store it in one transaction. 201 the first time, 200 with the same id afterwards.
import type { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { Envelope, formatPath, openEnvelope, SubmissionReceipt } from "../../../../schema/index.js";
import { storeSubmission } from "../../../db/queries/submissions.js";
import type { AppEnv, ResolvedOptions } from "../../../env.js";
import { findKnownSuite, knownSuiteNames } from "../../../known-suites.js";
import { MAX_BODY_BYTES } from "../../../limits.js";
import { FixedWindowCounter, rateLimit, tooManyRequests } from "../../../middleware/rate-limit.js";
import { problem, problemResponses } from "../../../problem.js";
import { findUnstorableText } from "../../../storable.js";
import { defineRoute, PUBLIC } from "../define-route.js";
import { jsonResponse } from "../responses.js";

const route = defineRoute({
  method: "post",
  path: "/",
  operationId: "createSubmission",
  summary: "Submit a signed result bundle",
  security: PUBLIC,
  description:
    "The body is a DSSE envelope as `rethink-bench run` writes it. The server verifies the Ed25519 signature, " +
    "validates the statement strictly, checks that its suite is one it ranks (same id, version and digest), " +
    "recomputes every derived metric from the curves and refuses a bundle whose claims differ, then stores " +
    `submitter, architectures, submission and runs in one transaction. At most ${MAX_BODY_BYTES} bytes.`,
  request: { body: { required: true, content: { "application/json": { schema: Envelope } } } },
  responses: {
    201: jsonResponse(SubmissionReceipt, "Stored; `Location` is the submission."),
    200: jsonResponse(SubmissionReceipt, "This bundle was already stored: the same id, nothing new stored."),
    ...problemResponses(
      "bad-json",
      "bad-envelope",
      "bad-base64",
      "payload-too-large",
      "unsupported-media-type",
      "wrong-payload-type",
      "bad-payload",
      "wrong-statement-type",
      "wrong-predicate-type",
      "keyid-mismatch",
      "bad-signature",
      "non-canonical",
      "bad-predicate",
      "inconsistent",
      "unknown-suite",
      "unstorable-text",
      "rate-limited",
      "database-unavailable",
    ),
  },
});

export function registerPostSubmission(router: OpenAPIHono<AppEnv>, options: ResolvedOptions) {
  const perKey = new FixedWindowCounter(options.rateLimits.submissionsPerKey);
  const middleware = [
    rateLimit(options.rateLimits.submissions, options.clientAddress, "submissions from this address"),
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => problem(c, "payload-too-large", `a bundle may be at most ${MAX_BODY_BYTES} bytes`),
    }),
  ];
  return router.openapi(
    { ...route, middleware },
    async (c) => {
      const opened = await openEnvelope(c.req.valid("json"));
      if (!opened.ok) return problem(c, opened.code, opened.detail, { errors: opened.errors });

      const { predicate } = opened.statement;
      const known = await findKnownSuite(predicate.suite.id, predicate.suite.version);
      if (!known) {
        const suite = `${predicate.suite.id} v${predicate.suite.version}`;
        const detail = `suite ${suite} is not one this server ranks (it knows ${await knownSuiteNames()})`;
        return problem(c, "unknown-suite", detail, {
          errors: [{ path: "predicate.suite", message: "unknown suite id and version" }],
        });
      }
      if (known.digest !== predicate.suiteDigest) {
        const suite = `${predicate.suite.id} v${predicate.suite.version}`;
        const detail = `the bundle's suite ${suite} differs from this server's definition (digest ${known.digest})`;
        return problem(c, "unknown-suite", detail, {
          errors: [{ path: "predicate.suiteDigest", message: `must be ${known.digest}` }],
        });
      }
      const unstorable = findUnstorableText(opened.statement);
      if (unstorable.length > 0)
        return problem(c, "unstorable-text", `${unstorable[0]!.path}: ${unstorable[0]!.message}`, {
          errors: unstorable,
        });

      const decision = perKey.hit(opened.keyid);
      if (!decision.allowed) return tooManyRequests(c, decision, "submissions signed by this key");

      const stored = await storeSubmission(c.var.db, opened);
      const location = `/api/v1/submissions/${stored.id}`;
      const receipt = SubmissionReceipt.parse({
        id: stored.id,
        payloadSha256: opened.payloadSha256,
        created: stored.created,
        status: stored.status,
        suite: { id: predicate.suite.id, version: predicate.suite.version },
        architectures: predicate.architectures.map((a) => a.fingerprint),
        runs: predicate.runs.length,
        location,
      });
      return c.json(receipt, stored.created ? 201 : 200, { Location: location });
    },
    (result, c) => {
      if (result.success) return;
      const errors = result.error.issues.map((issue) => ({
        path: formatPath(issue.path) || "(root)",
        message: issue.message,
      }));
      return problem(
        c,
        "bad-envelope",
        `not a DSSE envelope with one signature: ${errors[0]!.path}: ${errors[0]!.message}`,
        { errors },
      );
    },
  );
}
