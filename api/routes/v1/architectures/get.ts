// GET /architectures/{fingerprint}: an architecture's record, its results per condition and
// its newest runs with their learning curves.
import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { ArchitectureDetail, DatasetId, PositiveInt, Sha256Hex, Slug } from "../../../../schema/index.js";
import { AfterParam } from "../../../board-request.js";
import { findArchitecture } from "../../../db/queries/architectures.js";
import type { AppEnv } from "../../../env.js";
import { BOARD_CACHE_CONTROL } from "../../../middleware/edge-cache.js";
import { problem, problemResponses } from "../../../problem.js";
import { defineRoute, PUBLIC } from "../define-route.js";
import { jsonResponse } from "../responses.js";

const route = defineRoute({
  method: "get",
  path: "/{fingerprint}",
  operationId: "getArchitecture",
  summary: "An architecture: topology, results per condition, learning curves",
  security: PUBLIC,
  description:
    "Cached for a few seconds like the board (`Cache-Control: " +
    BOARD_CACHE_CONTROL +
    "`), at the edge per full URL: `after=<submission id>` makes a URL read fresh.",
  request: {
    params: z.object({ fingerprint: Sha256Hex.describe("SHA-256 of the architecture's canonical topology JSON") }),
    query: z.object({
      suite: Slug.optional().describe("only this suite id"),
      version: z.coerce.number().pipe(PositiveInt).optional().describe("only this suite version"),
      dataset: DatasetId.optional().describe("only this dataset"),
      after: AfterParam,
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
    const { suite, version, dataset } = c.req.valid("query");
    const detail = await findArchitecture(c.var.db, fingerprint, { suite, version, dataset });
    if (!detail) return problem(c, "not-found", `no architecture with fingerprint ${fingerprint}`);
    return c.json(ArchitectureDetail.parse(detail), 200, { "Cache-Control": BOARD_CACHE_CONTROL });
  });
}
