// What every v1 route shares: a router whose validation errors are problems, the paging and
// format query parameters, and the JSON/CSV response descriptions.
import { type Hook, OpenAPIHono, z } from "@hono/zod-openapi";
import { formatPath } from "../../../schema/index.js";
import type { AppEnv } from "../../env.js";
import { problem } from "../../problem.js";

/** Longest page any list returns. */
export const MAX_PAGE = 1000;

/** Query and path parameters that fail their schema: 400 with every failing parameter. */
const validationHook: Hook<unknown, AppEnv, string, unknown> = (result, c) => {
  if (result.success) return;
  const where = result.target === "param" ? "path" : result.target;
  const errors = result.error.issues.map((issue) => ({
    path: formatPath([where, ...issue.path]),
    message: issue.message,
  }));
  return problem(c, "invalid-request", `${errors[0]!.path}: ${errors[0]!.message}`, { errors });
};

export function newRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
}

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

export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } };
}

/** A list's 200: JSON by default, CSV with `format=csv`. */
export function listResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema }, "text/csv": { schema: z.string() } } };
}
