// /architectures
import { database } from "../../../middleware/database.js";
import type { ResolvedOptions } from "../options.js";
import { newRouter } from "../shared.js";
import { registerGetArchitecture } from "./get.js";

export function architectureRoutes(options: ResolvedOptions) {
  const router = newRouter();
  router.use("*", database(options.database));
  registerGetArchitecture(router);
  return router;
}
