// How every v1 route is defined: createRoute, plus what the OpenAPI document must say of each
// operation for client generators and `npm run lint:openapi` (Redocly's recommended rules) to
// accept it: an operationId, who may call it (`security`), and at least one 4xx answer.
import { createRoute, type RouteConfig } from "@hono/zod-openapi";

/** One OpenAPI security requirement list, as an operation's `security` holds it. */
export type Security = { [scheme: string]: string[] }[];

/** The bearer scheme of moderation, registered in the document's components by api/app.ts. */
export const ADMIN_TOKEN_SCHEME = "adminToken";

/** Anyone may call it, with no credentials: the document says `security: []`. */
export const PUBLIC: Security = [];

/** Needs `Authorization: Bearer <ADMIN_TOKEN>`. */
export const ADMIN: Security = [{ [ADMIN_TOKEN_SCHEME]: [] }];

/**
 * A v1 route definition. The types require `operationId` (a lowerCamelCase verb phrase, unique
 * in the API: the method name in generated clients) and `security` (PUBLIC or ADMIN); the
 * definition is refused at start-up when its responses list no 4xx, or when an ADMIN route does
 * not list 401. List problems with `problemResponses(...)` from api/problem.ts.
 *
 * @example
 * const route = defineRoute({
 *   method: "get",
 *   path: "/{id}",
 *   operationId: "getSubmission",
 *   summary: "A submission",
 *   security: PUBLIC,
 *   request: { params: z.object({ id: SubmissionId }) },
 *   responses: { 200: jsonResponse(SubmissionDetail, "The submission."), ...problemResponses("not-found") },
 * });
 */
export function defineRoute<
  P extends string,
  R extends Omit<RouteConfig, "path"> & { path: P; operationId: string; security: Security },
>(config: R) {
  const where = `${config.method.toUpperCase()} ${config.path} (${config.operationId})`;
  if (!/^[a-z][A-Za-z0-9]*$/.test(config.operationId))
    throw new Error(`${where}: operationId must be lowerCamelCase letters and digits`);
  const statuses = Object.keys(config.responses);
  if (!statuses.some((status) => /^4(\d\d|XX)$/.test(status)))
    throw new Error(`${where}: list at least one 4xx response (problemResponses("invalid-request", …))`);
  if (config.security.length > 0 && !statuses.includes("401"))
    throw new Error(`${where}: a route that needs credentials must list 401 (problemResponses("unauthorized"))`);
  return createRoute(config);
}
