// POST /architectures/{fingerprint}/name: a moderator renames an architecture, with a recorded
// reason. An architecture's display name comes from its first accepted submission; later
// bundles cannot change it, only this route can. Needs the admin bearer token.
import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { ArchitectureRenameRequest, ModerationAction, Sha256Hex } from "../../../../schema/index.js";
import { renameArchitecture } from "../../../db/queries/architectures.js";
import type { AppEnv, ResolvedOptions } from "../../../env.js";
import { adminOnly } from "../../../middleware/admin.js";
import { problem } from "../../../problem.js";
import { ADMIN, defineRoute } from "../define-route.js";
import { ADMIN_WRITE_PROBLEMS, jsonResponse } from "../responses.js";

const route = defineRoute({
  method: "post",
  path: "/{fingerprint}/name",
  operationId: "renameArchitecture",
  summary: "Rename an architecture (admin)",
  security: ADMIN,
  request: {
    params: z.object({ fingerprint: Sha256Hex.describe("SHA-256 of the architecture's canonical topology JSON") }),
    body: { required: true, content: { "application/json": { schema: ArchitectureRenameRequest } } },
  },
  responses: {
    201: jsonResponse(ModerationAction, "Recorded in the audit trail; the architecture shows the new name."),
    ...ADMIN_WRITE_PROBLEMS,
  },
});

export function registerRenameArchitecture(router: OpenAPIHono<AppEnv>, options: ResolvedOptions) {
  return router.openapi({ ...route, middleware: [adminOnly(options.adminToken)] }, async (c) => {
    const { fingerprint } = c.req.valid("param");
    const { name, reason } = c.req.valid("json");
    const recorded = await renameArchitecture(c.var.db, fingerprint, name, reason);
    if (!recorded) return problem(c, "not-found", `no architecture with fingerprint ${fingerprint}`);
    return c.json(ModerationAction.parse(recorded), 201);
  });
}
