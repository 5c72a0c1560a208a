// How a v1 route describes its responses in the OpenAPI document: a 200 as JSON, or for a list
// JSON or CSV; the problems every admin write can answer.
import { z } from "@hono/zod-openapi";
import { problemResponses } from "../../problem.js";

export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } };
}

/** A list's 200: JSON by default, CSV with `format=csv`. */
export function listResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema }, "text/csv": { schema: z.string() } } };
}

/** The problems of an admin write (moderation): bad body, no or wrong token, unknown target, limits. */
export const ADMIN_WRITE_PROBLEMS = problemResponses(
  "invalid-request",
  "bad-json",
  "unauthorized",
  "not-found",
  "unsupported-media-type",
  "rate-limited",
  "database-unavailable",
);
