// POST /submissions/{id}/moderation: hide a submission from the board, or show it again,
// with a recorded reason. Needs the admin bearer token. Nothing is deleted.
import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { ModerationAction, ModerationRequest, SubmissionId } from "../../../../schema/index.js";
import { moderateSubmission } from "../../../db/queries/moderation.js";
import type { AppEnv, ResolvedOptions } from "../../../env.js";
import { adminOnly } from "../../../middleware/admin.js";
import { problem } from "../../../problem.js";
import { ADMIN, defineRoute } from "../define-route.js";
import { ADMIN_WRITE_PROBLEMS, jsonResponse } from "../responses.js";

const route = defineRoute({
  method: "post",
  path: "/{id}/moderation",
  operationId: "moderateSubmission",
  summary: "Hide or show a submission (admin)",
  security: ADMIN,
  request: {
    params: z.object({ id: SubmissionId }),
    body: { required: true, content: { "application/json": { schema: ModerationRequest } } },
  },
  responses: {
    201: jsonResponse(ModerationAction, "Recorded in the audit trail; the submission's status changed."),
    ...ADMIN_WRITE_PROBLEMS,
  },
});

export function registerModerateSubmission(router: OpenAPIHono<AppEnv>, options: ResolvedOptions) {
  return router.openapi({ ...route, middleware: [adminOnly(options.adminToken)] }, async (c) => {
    const { id } = c.req.valid("param");
    const { action, reason } = c.req.valid("json");
    const recorded = await moderateSubmission(c.var.db, id, action, reason);
    if (!recorded) return problem(c, "not-found", `no submission ${id}`);
    return c.json(ModerationAction.parse(recorded), 201);
  });
}
