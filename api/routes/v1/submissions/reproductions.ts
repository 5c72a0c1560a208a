// GET /submissions/{id}/reproductions: every stored reproduction of a submission, oldest first,
// with their verdicts and envelopes. Listed for a hidden submission too: they may be why it was hidden.
import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { ReproductionList, SubmissionId } from "../../../../schema/index.js";
import { listReproductions } from "../../../db/queries/reproductions.js";
import { findSubmission } from "../../../db/queries/submissions.js";
import type { AppEnv } from "../../../env.js";
import { problem, problemResponses } from "../../../problem.js";
import { defineRoute, PUBLIC } from "../define-route.js";
import { jsonResponse } from "../responses.js";

const route = defineRoute({
  method: "get",
  path: "/{id}/reproductions",
  operationId: "listSubmissionReproductions",
  summary: "A submission's reproductions",
  security: PUBLIC,
  request: { params: z.object({ id: SubmissionId }) },
  responses: {
    200: jsonResponse(ReproductionList, "Its reproductions, oldest first."),
    ...problemResponses("invalid-request", "not-found", "rate-limited", "database-unavailable"),
  },
});

export function registerListSubmissionReproductions(router: OpenAPIHono<AppEnv>) {
  return router.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    if (!(await findSubmission(c.var.db, id))) return problem(c, "not-found", `no submission ${id}`);
    const reproductions = await listReproductions(c.var.db, id);
    return c.json(ReproductionList.parse({ reproductions }), 200);
  });
}
