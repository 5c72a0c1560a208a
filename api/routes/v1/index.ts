// /api/v1: every resource, mounted as its own sub-app (and described in one OpenAPI document).
import { architectureRoutes } from "./architectures/index.js";
import { healthRoutes } from "./health.js";
import { leaderboardRoutes } from "./leaderboard/index.js";
import { moderationRoutes } from "./moderation/index.js";
import type { ResolvedOptions } from "./options.js";
import { newRouter } from "./shared.js";
import { submissionRoutes } from "./submissions/index.js";
import { suiteRoutes } from "./suites/index.js";

export type { ResolvedOptions } from "./options.js";

export function v1Routes(options: ResolvedOptions) {
  return newRouter()
    .route("/health", healthRoutes())
    .route("/submissions", submissionRoutes(options))
    .route("/leaderboard", leaderboardRoutes(options))
    .route("/architectures", architectureRoutes(options))
    .route("/suites", suiteRoutes(options))
    .route("/moderation", moderationRoutes(options));
}
