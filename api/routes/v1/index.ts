// /api/v1: every resource, mounted as its own sub-app (and described in one OpenAPI document).
// Every resource but /health reads or writes the database: one middleware lends it per request.
// Board and architecture reads go through the edge cache first (the Worker's Cache API, or serve's memory).
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv, ResolvedOptions } from "../../env.js";
import { database } from "../../middleware/database.js";
import { edgeCache } from "../../middleware/edge-cache.js";
import { registerGetArchitecture } from "./architectures/get.js";
import { registerRenameArchitecture } from "./architectures/rename.js";
import { healthRoutes } from "./health.js";
import { registerGetLeaderboard } from "./leaderboard/get.js";
import { registerGetBoardMeasures } from "./leaderboard/measures.js";
import { registerListModeration } from "./moderation/list.js";
import { registerGetReproduction } from "./reproductions/get.js";
import { registerPostReproduction } from "./reproductions/post.js";
import { registerGetReproductionQueue } from "./reproductions/queue.js";
import { newRouter } from "./router.js";
import { registerGetSubmission } from "./submissions/get.js";
import { registerListSubmissions } from "./submissions/list.js";
import { registerModerateSubmission } from "./submissions/moderate.js";
import { registerPostSubmission } from "./submissions/post.js";
import { registerListSubmissionReproductions } from "./submissions/reproductions.js";
import { registerListSuites } from "./suites/list.js";

/** A resource's sub-app: a router with each of its routes registered. */
function resource(...routes: ((router: OpenAPIHono<AppEnv>) => unknown)[]): OpenAPIHono<AppEnv> {
  const router = newRouter();
  for (const register of routes) register(router);
  return router;
}

export function v1Routes(options: ResolvedOptions) {
  const resources = {
    "/submissions": resource(
      (router) => registerPostSubmission(router, options),
      registerListSubmissions,
      registerGetSubmission,
      (router) => registerModerateSubmission(router, options),
      registerListSubmissionReproductions,
    ),
    // The queue before /{id}: "queue" is no reproduction id, but the literal path should win plainly.
    "/reproductions": resource(
      (router) => registerPostReproduction(router, options),
      (router) => registerGetReproductionQueue(router, options),
      registerGetReproduction,
    ),
    "/leaderboard": resource(
      (router) => registerGetLeaderboard(router, options),
      (router) => registerGetBoardMeasures(router, options),
    ),
    "/architectures": resource(registerGetArchitecture, (router) => registerRenameArchitecture(router, options)),
    "/suites": resource(registerListSuites),
    "/moderation": resource(registerListModeration),
  };
  const v1 = newRouter().route("/health", healthRoutes());
  const withDatabase = database(options.database);
  // A cached read is answered before a database is opened; the pages use a cache of their own.
  const cached = edgeCache("rethink-bench-api", options);
  v1.use("/leaderboard/*", cached).use("/architectures/*", cached);
  for (const [path, routes] of Object.entries(resources)) v1.use(`${path}/*`, withDatabase).route(path, routes);
  return v1;
}
