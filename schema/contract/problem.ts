// RFC 9457 problem details: the only error shape the API speaks.
import { z } from "zod";

/**
 * An API error. `type` is a stable URI per kind of error, `code` its short name, and
 * `errors` lists the failing paths of a validation error.
 *
 * @example
 * Problem.parse(await response.json()).detail
 */
export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int().min(400).max(599),
    detail: z.string(),
    instance: z.string().optional(),
    code: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: "Problem" });
export type Problem = z.infer<typeof Problem>;
