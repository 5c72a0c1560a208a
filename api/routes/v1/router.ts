// A v1 router whose query and path parameters that fail their schema answer a 400 problem
// naming every failing parameter.
import { type Hook, OpenAPIHono } from "@hono/zod-openapi";
import { formatPath } from "../../../schema/index.js";
import type { AppEnv } from "../../env.js";
import { problem } from "../../problem.js";

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
