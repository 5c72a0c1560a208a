// /suites
import { database } from "../../../middleware/database.js";
import type { ResolvedOptions } from "../options.js";
import { newRouter } from "../shared.js";
import { registerListSuites } from "./list.js";

export function suiteRoutes(options: ResolvedOptions) {
  const router = newRouter();
  router.use("*", database(options.database));
  registerListSuites(router);
  return router;
}
