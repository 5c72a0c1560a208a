// GET /reproductions/queue: what operator reproducers still have to run, oldest first: visible
// submissions with standing results no operator key has judged, and their positions.
import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { ReproductionQueue } from "../../../../schema/index.js";
import { queryReproductionQueue } from "../../../db/queries/reproductions.js";
import type { AppEnv, ResolvedOptions } from "../../../env.js";
import { problemResponses } from "../../../problem.js";
import { operatorKeysOf } from "../../../reproducer-keys.js";
import { defineRoute, PUBLIC } from "../define-route.js";
import { jsonResponse } from "../responses.js";

/** Most queue items one request returns. */
const MAX_ITEMS = 100;

const route = defineRoute({
  method: "get",
  path: "/queue",
  operationId: "getReproductionQueue",
  summary: "The reproduction queue of operator reproducers",
  security: PUBLIC,
  description:
    "Visible submissions that have standing results no operator reproducer key has given a verdict yet, oldest " +
    "received first, each with the positions of those runs; `length` counts every waiting submission and " +
    "`oldestReceivedAt` is when the oldest arrived. `rethink-bench reproduce --watch` works through it. A run " +
    "leaves the queue as soon as an operator key's attestation about it is stored (a submission hidden by a " +
    "not-reproduced verdict leaves it whole).",
  request: {
    query: z.object({
      limit: z.coerce
        .number()
        .int()
        .min(1)
        .max(MAX_ITEMS)
        .default(20)
        .describe(`submissions to return (1–${MAX_ITEMS}, default 20)`),
    }),
  },
  responses: {
    200: jsonResponse(ReproductionQueue, "The oldest waiting submissions and the queue's length."),
    ...problemResponses("invalid-request", "rate-limited", "database-unavailable"),
  },
});

export function registerGetReproductionQueue(router: OpenAPIHono<AppEnv>, options: ResolvedOptions) {
  return router.openapi(route, async (c) => {
    const { limit } = c.req.valid("query");
    const [queue, keys] = await Promise.all([queryReproductionQueue(c.var.db, limit), operatorKeysOf(options, c)]);
    return c.json(ReproductionQueue.parse({ ...queue, operatorKeys: keys.size }), 200);
  });
}
