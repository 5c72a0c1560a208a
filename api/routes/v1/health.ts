// GET /health: the trivial route (no database), for uptime checks and as the benchmark's baseline.
import { Health } from "../../../schema/index.js";
import { problemResponses } from "../../problem.js";
import { defineRoute, PUBLIC } from "./define-route.js";
import { jsonResponse } from "./responses.js";
import { newRouter } from "./router.js";

const route = defineRoute({
  method: "get",
  path: "/",
  operationId: "getHealth",
  summary: "Is the API up?",
  security: PUBLIC,
  description: "Answers without touching the database.",
  // Every /api route is rate limited per address (api/app.ts), this one included.
  responses: { 200: jsonResponse(Health, "The API is up."), ...problemResponses("rate-limited") },
});

export function healthRoutes() {
  return newRouter().openapi(route, (c) => c.json(Health.parse({ status: "ok", service: "rethink-bench" }), 200));
}
