// GET /architectures/{fingerprint}: an architecture's record, its results per condition and
// its newest runs with their learning curves.
import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { ArchitectureDetail, DatasetId, PositiveInt, Sha256Hex, Slug } from "../../../../schema/index.js";
import { findArchitecture } from "../../../db/queries/architectures.js";
import type { AppEnv } from "../../../env.js";
import { problem, problemResponses } from "../../../problem.js";
import { defineRoute, PUBLIC } from "../define-route.js";
import { jsonResponse } from "../responses.js";

const route = defineRoute({
  method: "get",
  path: "/{fingerprint}",
  operationId: "getArchitecture",
  summary: "An architecture: topology, results per condition, learning curves",
  security: PUBLIC,
  request: {
    params: z.object({ fingerprint: Sha256Hex.describe("SHA-256 of the architecture's canonical topology JSON") }),
    query: z.object({
      suite: Slug.optional().describe("only this suite id"),
      version: z.coerce.number().pipe(PositiveInt).optional().describe("only this suite version"),
      dataset: DatasetId.optional().describe("only this dataset"),
    }),
  },
  responses: {
    200: jsonResponse(ArchitectureDetail, "The architecture."),
    ...problemResponses("invalid-request", "not-found", "rate-limited", "database-unavailable"),
  },
});

export function registerGetArchitecture(router: OpenAPIHono<AppEnv>) {
  return router.openapi(route, async (c) => {
    const { fingerprint } = c.req.valid("param");
    const detail = await findArchitecture(c.var.db, fingerprint, c.req.valid("query"));
    if (!detail) return problem(c, "not-found", `no architecture with fingerprint ${fingerprint}`);
    return c.json(ArchitectureDetail.parse(detail), 200);
  });
}
