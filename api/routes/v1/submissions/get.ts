// GET /submissions/{id}: everything stored about a submission, with its envelope exactly as
// verified. A hidden submission answers 410 with the moderation reason.
import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { SubmissionDetail, SubmissionId } from "../../../../schema/index.js";
import { findSubmission } from "../../../db/queries/submissions.js";
import type { AppEnv } from "../../../env.js";
import { problem, problemResponses } from "../../../problem.js";
import { defineRoute, PUBLIC } from "../define-route.js";
import { jsonResponse } from "../responses.js";

const route = defineRoute({
  method: "get",
  path: "/{id}",
  operationId: "getSubmission",
  summary: "A submission, with its signed envelope",
  security: PUBLIC,
  request: { params: z.object({ id: SubmissionId }) },
  responses: {
    200: jsonResponse(SubmissionDetail, "The submission."),
    ...problemResponses("invalid-request", "not-found", "submission-hidden", "rate-limited", "database-unavailable"),
  },
});

export function registerGetSubmission(router: OpenAPIHono<AppEnv>) {
  return router.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const submission = await findSubmission(c.var.db, id, { envelope: true });
    if (!submission) return problem(c, "not-found", `no submission ${id}`);
    if (submission.status === "hidden") {
      const hidden = submission.moderation.findLast((m) => m.action === "hide");
      const when = hidden?.createdAt ?? "an unknown date";
      const why = hidden?.reason ?? "no reason recorded";
      return problem(c, "submission-hidden", `submission ${id} was hidden by moderation on ${when}: ${why}`);
    }
    return c.json(SubmissionDetail.parse(submission), 200);
  });
}
