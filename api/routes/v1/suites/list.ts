// GET /suites: the suites this server ranks, with their digests and submission counts.
import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { SuiteList } from "../../../../schema/index.js";
import { csvResponse, toCsv } from "../../../csv.js";
import { countSubmissionsBySuite } from "../../../db/queries/submissions.js";
import type { AppEnv } from "../../../env.js";
import { knownSuites } from "../../../known-suites.js";
import { problemResponses } from "../../../problem.js";
import { defineRoute, PUBLIC } from "../define-route.js";
import { Format } from "../list-query.js";
import { listResponse } from "../responses.js";

const route = defineRoute({
  method: "get",
  path: "/",
  operationId: "listSuites",
  summary: "The suites this server ranks",
  security: PUBLIC,
  request: { query: z.object({ format: Format }) },
  responses: {
    200: listResponse(SuiteList, "Every suite with its digest and number of visible submissions."),
    ...problemResponses("invalid-request", "rate-limited", "database-unavailable"),
  },
});

export function registerListSuites(router: OpenAPIHono<AppEnv>) {
  return router.openapi(route, async (c) => {
    const counts = await countSubmissionsBySuite(c.var.db);
    const body = SuiteList.parse({
      suites: (await knownSuites()).map(({ suite, digest }) => ({
        suite,
        digest,
        submissions: counts.get(`${suite.id}@${suite.version}`) ?? 0,
      })),
    });
    if (c.req.valid("query").format === "csv") {
      const header = [
        "suite_id",
        "suite_version",
        "title",
        "digest",
        "datasets",
        "architectures",
        "conditions",
        "seeds",
        "epochs",
        "fit_threshold",
        "submissions",
      ];
      const rows = body.suites.map(({ suite, digest, submissions }) => [
        suite.id,
        suite.version,
        suite.title,
        digest,
        suite.datasets.map((d) => `${d.id}:${d.trainSize}/${d.testSize}`).join(" "),
        suite.architectures.map((a) => a.id).join(" "),
        suite.conditions.length,
        suite.seeds.join(" "),
        suite.epochs,
        suite.fitThreshold,
        submissions,
      ]);
      return csvResponse(c, "suites.csv", toCsv(header, rows));
    }
    return c.json(body, 200);
  });
}
