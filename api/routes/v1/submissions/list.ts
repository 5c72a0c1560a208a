// GET /submissions: visible submissions, newest first, filtered by suite, architecture or
// submitter; JSON pages or CSV.
import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { PositiveInt, Sha256Hex, Slug, SubmissionId, SubmissionList } from "../../../../schema/index.js";
import { csvResponse, toCsv } from "../../../csv.js";
import { decodeCursor, encodeCursor } from "../../../cursor.js";
import { listSubmissions } from "../../../db/queries/submissions.js";
import type { AppEnv } from "../../../env.js";
import { problem, problemResponses } from "../../../problem.js";
import { defineRoute, PUBLIC } from "../define-route.js";
import { Cursor, Format, Limit, pageSize } from "../list-query.js";
import { listResponse } from "../responses.js";

const SubmissionCursor = z.strictObject({ id: SubmissionId });

const route = defineRoute({
  method: "get",
  path: "/",
  operationId: "listSubmissions",
  summary: "Visible submissions, newest first",
  security: PUBLIC,
  request: {
    query: z.object({
      suite: Slug.optional().describe("suite id"),
      version: z.coerce.number().pipe(PositiveInt).optional().describe("suite version"),
      architecture: Sha256Hex.optional().describe("architecture fingerprint"),
      submitter: Sha256Hex.optional().describe("submitter keyid"),
      limit: Limit,
      cursor: Cursor,
      format: Format,
    }),
  },
  responses: {
    200: listResponse(SubmissionList, "A page of submissions."),
    ...problemResponses("invalid-request", "rate-limited", "database-unavailable"),
  },
});

export function registerListSubmissions(router: OpenAPIHono<AppEnv>) {
  return router.openapi(route, async (c) => {
    const { limit, cursor, format, ...filter } = c.req.valid("query");
    const after = cursor === undefined ? undefined : decodeCursor(cursor, SubmissionCursor);
    if (after === null)
      return problem(c, "invalid-request", "query.cursor: not a cursor this server wrote", {
        errors: [{ path: "query.cursor", message: "unknown cursor" }],
      });
    const page = await listSubmissions(c.var.db, filter, { limit: pageSize(limit, format), after });
    const body = SubmissionList.parse({
      submissions: page.submissions,
      nextCursor: page.next && encodeCursor(page.next),
    });
    if (format === "csv") {
      const header = [
        "id",
        "payload_sha256",
        "submitter_keyid",
        "submitter_name",
        "suite_id",
        "suite_version",
        "runner_version",
        "tfjs_version",
        "backend",
        "backend_detail",
        "cpu_model",
        "gpu",
        "architectures",
        "runs",
        "created_at",
        "received_at",
      ];
      const rows = body.submissions.map((s) => [
        s.id,
        s.payloadSha256,
        s.submitter.keyid,
        s.submitter.name,
        s.suite.id,
        s.suite.version,
        s.runnerVersion,
        s.tfjsVersion,
        s.backend,
        s.backendDetail,
        s.hardware.cpuModel,
        s.hardware.gpu,
        s.architectures.join(" "),
        s.runs,
        s.createdAt,
        s.receivedAt,
      ]);
      return csvResponse(
        c,
        `submissions${filter.suite ? `-${filter.suite}` : ""}${filter.version ? `-v${filter.version}` : ""}.csv`,
        toCsv(header, rows),
      );
    }
    return c.json(body, 200);
  });
}
