// The query parameters every v1 list takes: `limit`, `cursor` and `format` (JSON or CSV).
import { z } from "@hono/zod-openapi";

/** Longest page any list returns. */
export const MAX_PAGE = 1000;

/** `limit`: rows per page, 1 to MAX_PAGE; the default depends on the format. */
export const Limit = z.coerce
  .number()
  .int()
  .min(1)
  .max(MAX_PAGE)
  .optional()
  .describe(`rows per page (1–${MAX_PAGE}; default 50 for JSON, ${MAX_PAGE} for CSV)`);
export const Cursor = z.string().min(1).max(300).optional().describe("the nextCursor of the previous page");
export const Format = z.enum(["json", "csv"]).default("json").describe("json (default) or csv (a download)");

export function pageSize(limit: number | undefined, format: "json" | "csv"): number {
  return limit ?? (format === "csv" ? MAX_PAGE : 50);
}
