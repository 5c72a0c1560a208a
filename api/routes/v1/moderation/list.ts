// GET /moderation: the public audit trail of every hide and show of a submission and every rename
// of an architecture, newest first.
import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { ModerationLog } from "../../../../schema/index.js";
import { csvResponse, toCsv } from "../../../csv.js";
import { decodeCursor, encodeCursor } from "../../../cursor.js";
import { listModerationActions } from "../../../db/queries/moderation.js";
import type { AppEnv } from "../../../env.js";
import { problem, problemResponses } from "../../../problem.js";
import { defineRoute, PUBLIC } from "../define-route.js";
import { Cursor, Format, Limit, pageSize } from "../list-query.js";
import { listResponse } from "../responses.js";

const BeforeCursor = z.strictObject({ before: z.number().int().positive() });

const route = defineRoute({
  method: "get",
  path: "/",
  operationId: "listModerationActions",
  summary: "The moderation audit trail",
  security: PUBLIC,
  request: { query: z.object({ limit: Limit, cursor: Cursor, format: Format }) },
  responses: {
    200: listResponse(ModerationLog, "A page of moderation actions."),
    ...problemResponses("invalid-request", "rate-limited", "database-unavailable"),
  },
});

export function registerListModeration(router: OpenAPIHono<AppEnv>) {
  return router.openapi(route, async (c) => {
    const { limit, cursor, format } = c.req.valid("query");
    const start = cursor === undefined ? undefined : decodeCursor(cursor, BeforeCursor);
    if (start === null)
      return problem(c, "invalid-request", "query.cursor: not a cursor this server wrote", {
        errors: [{ path: "query.cursor", message: "unknown cursor" }],
      });
    const page = await listModerationActions(c.var.db, { limit: pageSize(limit, format), before: start?.before });
    const body = ModerationLog.parse({
      actions: page.actions,
      nextCursor: page.next === null ? null : encodeCursor({ before: page.next }),
    });
    if (format === "csv") {
      const header = [
        "id",
        "submission_id",
        "architecture_fingerprint",
        "action",
        "previous_name",
        "name",
        "reason",
        "reproduction_id",
        "created_at",
      ];
      const rows = body.actions.map((a) => [
        a.id,
        a.submissionId,
        a.architectureFingerprint,
        a.action,
        a.previousName,
        a.name,
        a.reason,
        a.reproductionId,
        a.createdAt,
      ]);
      return csvResponse(c, "moderation.csv", toCsv(header, rows));
    }
    return c.json(body, 200);
  });
}
