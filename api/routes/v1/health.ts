// GET /health: the trivial route (no database), for uptime checks and as the benchmark's baseline.
import { createRoute } from "@hono/zod-openapi";
import { Health } from "../../../schema/index.js";
import { jsonResponse } from "./responses.js";
import { newRouter } from "./router.js";

const route = createRoute({
  method: "get",
  path: "/",
  summary: "Is the API up?",
  description: "Answers without touching the database.",
  responses: { 200: jsonResponse(Health, "The API is up.") },
});

export function healthRoutes() {
  return newRouter().openapi(route, (c) => c.json(Health.parse({ status: "ok", service: "rethink-bench" }), 200));
}
