// /leaderboard
import { database } from "../../../middleware/database.js";
import type { ResolvedOptions } from "../options.js";
import { newRouter } from "../shared.js";
import { registerGetLeaderboard } from "./get.js";

export function leaderboardRoutes(options: ResolvedOptions) {
  const router = newRouter();
  router.use("*", database(options.database));
  registerGetLeaderboard(router);
  return router;
}
