// The conventions every v1 operation follows in the OpenAPI document (operationId, security,
// 4xx answers, servers), held by defineRoute and checked on the whole generated document.
import { z } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";
import { createApp } from "../../app.js";
import { problemResponses } from "../../problem.js";
import { ADMIN, defineRoute, PUBLIC } from "./define-route.js";

const ok = { 200: { description: "ok", content: { "application/json": { schema: z.object({}) } } } };
const base = { method: "get" as const, path: "/x", summary: "x" };

interface Operation {
  operationId?: string;
  security?: Record<string, string[]>[];
  responses: Record<string, unknown>;
}

async function documentOf(options: Partial<Parameters<typeof createApp>[0]> = {}) {
  const app = createApp({
    database: () => {
      throw new Error("no database in this test");
    },
    clientAddress: () => "test",
    adminToken: () => undefined,
    ...options,
  });
  const response = await app.request("/api/v1/openapi.json");
  expect(response.status).toBe(200);
  return (await response.json()) as {
    servers: { url: string }[];
    info: { license?: { name: string }; contact?: { url: string } };
    paths: Record<string, Record<string, Operation>>;
    components: { securitySchemes: Record<string, { type: string; scheme: string }> };
  };
}

describe("defineRoute", () => {
  it("keeps a definition that names its operation, its security and a 4xx", () => {
    const route = defineRoute({
      ...base,
      operationId: "getX",
      security: PUBLIC,
      responses: { ...ok, ...problemResponses("not-found") },
    });
    expect(route.operationId).toBe("getX");
    expect(route.security).toEqual([]);
    expect(Object.keys(route.responses).sort()).toEqual(["200", "404"]);
  });

  it("refuses a route without a 4xx answer", () => {
    expect(() => defineRoute({ ...base, operationId: "getX", security: PUBLIC, responses: ok })).toThrow(
      "GET /x (getX): list at least one 4xx response",
    );
  });

  it("refuses a route that needs the admin token but does not list 401", () => {
    const responses = { ...ok, ...problemResponses("not-found") };
    expect(() => defineRoute({ ...base, operationId: "hideX", security: ADMIN, responses })).toThrow(
      "a route that needs credentials must list 401",
    );
  });

  it("refuses an operationId a client generator would mangle", () => {
    const responses = { ...ok, ...problemResponses("not-found") };
    expect(() => defineRoute({ ...base, operationId: "get-x", security: PUBLIC, responses })).toThrow(
      "operationId must be lowerCamelCase",
    );
  });
});

describe("the OpenAPI document", () => {
  it("gives every operation a unique operationId, its security and a 4xx answer", async () => {
    const doc = await documentOf();
    const operations = Object.values(doc.paths).flatMap((item) => Object.values(item));
    // The eight operations at the time of writing; routes added later must follow too.
    expect(operations.length).toBeGreaterThanOrEqual(8);
    const ids = operations.map((operation) => operation.operationId);
    expect(ids.every((id) => typeof id === "string")).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const operation of operations) {
      expect(operation.security, operation.operationId).toBeDefined();
      expect(
        Object.keys(operation.responses).some((status) => status.startsWith("4")),
        operation.operationId,
      ).toBe(true);
    }
  });

  it("declares the public reads open and moderation behind the registered bearer scheme", async () => {
    const doc = await documentOf();
    expect(doc.paths["/api/v1/leaderboard"]!.get!.security).toEqual([]);
    expect(doc.paths["/api/v1/submissions"]!.post!.security).toEqual([]);
    const moderate = doc.paths["/api/v1/submissions/{id}/moderation"]!.post!;
    expect(moderate.security).toEqual([{ adminToken: [] }]);
    expect(Object.keys(moderate.responses)).toContain("401");
    expect(doc.components.securitySchemes.adminToken).toMatchObject({ type: "http", scheme: "bearer" });
  });

  it("names the deployed and the local server by default, and the servers it is given otherwise", async () => {
    const byDefault = await documentOf();
    expect(byDefault.servers.map((server) => server.url)).toEqual([
      "https://rethink-bench.org",
      "http://127.0.0.1:8787",
    ]);
    expect(byDefault.info.license?.name).toBe("MIT");
    expect(byDefault.info.contact?.url).toBe("https://rethink-bench.org/protocol");
    const configured = await documentOf({ servers: [{ url: "https://board.example.org" }] });
    expect(configured.servers).toEqual([{ url: "https://board.example.org" }]);
  });
});
