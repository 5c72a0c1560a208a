// /moderation
import { database } from "../../../middleware/database.js";
import type { ResolvedOptions } from "../options.js";
import { newRouter } from "../shared.js";
import { registerListModeration } from "./list.js";

export function moderationRoutes(options: ResolvedOptions) {
  const router = newRouter();
  router.use("*", database(options.database));
  registerListModeration(router);
  return router;
}
