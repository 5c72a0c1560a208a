// GET /reproductions/{id}: one stored reproduction with its verdicts and its envelope exactly as
// verified, whatever its submission's status (it may be the evidence that hid it).
import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { ReproductionId, ReproductionSummary } from "../../../../schema/index.js";
import { findReproduction } from "../../../db/queries/reproductions.js";
import type { AppEnv } from "../../../env.js";
import { problem, problemResponses } from "../../../problem.js";
import { defineRoute, PUBLIC } from "../define-route.js";
import { jsonResponse } from "../responses.js";

const route = defineRoute({
  method: "get",
  path: "/{id}",
  operationId: "getReproduction",
  summary: "A reproduction, with its signed envelope",
  security: PUBLIC,
  request: { params: z.object({ id: ReproductionId }) },
  responses: {
    200: jsonResponse(ReproductionSummary, "The reproduction."),
    ...problemResponses("invalid-request", "not-found", "rate-limited", "database-unavailable"),
  },
});

export function registerGetReproduction(router: OpenAPIHono<AppEnv>) {
  return router.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const found = await findReproduction(c.var.db, id);
    if (!found) return problem(c, "not-found", `no reproduction ${id}`);
    return c.json(ReproductionSummary.parse(found), 200);
  });
}
