// /submissions: submit, list, read one, moderate.
import { database } from "../../../middleware/database.js";
import type { ResolvedOptions } from "../options.js";
import { newRouter } from "../shared.js";
import { registerGetSubmission } from "./get.js";
import { registerListSubmissions } from "./list.js";
import { registerModerateSubmission } from "./moderate.js";
import { registerPostSubmission } from "./post.js";

export function submissionRoutes(options: ResolvedOptions) {
  const router = newRouter();
  router.use("*", database(options.database));
  registerPostSubmission(router, options);
  registerListSubmissions(router);
  registerGetSubmission(router);
  registerModerateSubmission(router, options);
  return router;
}
