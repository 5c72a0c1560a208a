// The leaderboard API as the CLI calls it: openapi-fetch, typed by the types that
// openapi-typescript generates from the API's own OpenAPI document (openapi.ts beside this file,
// kept current by `npm run lint:openapi`), so a path, body or answer the API does not describe
// fails to compile.
import createClient from "openapi-fetch";
import type { paths } from "./openapi.js";

export type { components, operations, paths } from "./openapi.js";

/** A client of one leaderboard, e.g. `https://rethink-bench.org` (the API is under `/api/v1`). */
export type ApiClient = ReturnType<typeof createClient<paths>>;

/** The body `POST /api/v1/submissions` takes: a DSSE envelope. */
export type SubmissionBody = paths["/api/v1/submissions"]["post"]["requestBody"]["content"]["application/json"];

/**
 * A typed client of the leaderboard at `base` (scheme, host and port; no trailing slash).
 *
 * @example
 * const { data, error, response } = await createApiClient("http://127.0.0.1:8787").GET("/api/v1/health");
 */
export function createApiClient(base: string): ApiClient {
  return createClient<paths>({
    baseUrl: base,
    headers: { accept: "application/json, application/problem+json" },
  });
}
