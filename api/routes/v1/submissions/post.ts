// POST /submissions: verify a signed bundle, check it against a suite this server ranks,
// and store it in one transaction. 201 the first time, 200 with the same id afterwards.
import type { OpenAPIHono } from "@hono/zod-openapi";
import { Envelope, SubmissionReceipt } from "../../../../schema/index.js";
import { boardLinks } from "../../../board-links.js";
import { storeSubmission } from "../../../db/queries/submissions.js";
import type { AppEnv, ResolvedOptions } from "../../../env.js";
import { MAX_BODY_BYTES } from "../../../limits.js";
import { RateGate, tooManyRequests } from "../../../middleware/rate-limit.js";
import { WorkBudget } from "../../../middleware/verification-budget.js";
import { problem, problemResponses } from "../../../problem.js";
import { verifySubmission } from "../../../verify-submission.js";
import { defineRoute, PUBLIC } from "../define-route.js";
import { jsonResponse } from "../responses.js";
import { signedBodyGuards } from "../signed-body.js";

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
    `submitter, architectures, submission and runs in one transaction. At most ${MAX_BODY_BYTES} bytes. ` +
    "`boards` links each board the runs are on (page and API) with `after=<id>`, URLs that read the board " +
    "fresh and so show the submission at once; other URLs of a board may be cached for up to 10 seconds.",
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
  const perKey = new RateGate(options.rateLimits.submissionsPerKey, {
    kind: "submissionsPerKey",
    scope: "submissions",
    limiterOf: options.rateLimiter,
  });
  const budget = new WorkBudget(options.rateLimits.verificationMs);
  const verify = options.verify ?? verifySubmission;
  // The route is documented from its definition, but its body is not parsed by a validator: the
  // raw bytes go to `verify` (on Node a worker thread), which parses and checks them off the
  // event loop, cheapest checks first (api/verify-submission.ts).
  router.openAPIRegistry.registerPath(route);
  return router.post(
    route.path,
    signedBodyGuards(options, budget, { document: "a bundle", requests: "submissions" }),
    async (c) => {
      const verified = await verify(new Uint8Array(await c.req.arrayBuffer()));
      budget.charge(options.clientAddress(c), verified.workMs);
      if (!verified.ok) {
        const { code, detail, errors } = verified.problem;
        return problem(c, code, detail, { errors });
      }
      const { bundle } = verified;
      const { predicate } = bundle.statement;

      const decision = await perKey.hit(c, bundle.keyid);
      if (!decision.allowed) return tooManyRequests(c, decision, "submissions signed by this key");

      const stored = await storeSubmission(c.var.db, bundle);
      const location = `/api/v1/submissions/${stored.id}`;
      const suite = { id: predicate.suite.id, version: predicate.suite.version };
      // The suite's datasets that the runs are on, in suite order.
      const datasets = predicate.suite.datasets
        .map((d) => d.id)
        .filter((id) => predicate.runs.some((run) => run.task.dataset.id === id));
      const receipt = SubmissionReceipt.parse({
        id: stored.id,
        payloadSha256: bundle.payloadSha256,
        created: stored.created,
        status: stored.status,
        suite,
        architectures: predicate.architectures.map((a) => a.fingerprint),
        runs: predicate.runs.length,
        location,
        boards: boardLinks(stored.id, suite, datasets),
      });
      return c.json(receipt, stored.created ? 201 : 200, { Location: location });
    },
  );
}
