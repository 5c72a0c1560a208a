// How a v1 route describes its 200 in the OpenAPI document: JSON, or for a list JSON or CSV.
import { z } from "@hono/zod-openapi";

export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } };
}

/** A list's 200: JSON by default, CSV with `format=csv`. */
export function listResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema }, "text/csv": { schema: z.string() } } };
}
