// The admin bearer check: the scheme in any case (RFC 9110 §11.1), the token compared exactly.
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import type { AppEnv } from "../env.js";
import { adminOnly } from "./admin.js";

const TOKEN = "s3cret-token_0123456789";

function app(token: string | undefined) {
  return new Hono<AppEnv>().post(
    "/moderate",
    adminOnly(() => token),
    (c) => c.text("allowed"),
  );
}

async function statusWith(authorization: string | undefined, server = app(TOKEN)) {
  const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
  return (await server.request("/moderate", { method: "POST", headers })).status;
}

describe("adminOnly", () => {
  it("accepts the token after the scheme in any case", async () => {
    expect(await statusWith(`Bearer ${TOKEN}`)).toBe(200);
    expect(await statusWith(`bearer ${TOKEN}`)).toBe(200);
    expect(await statusWith(`BEARER ${TOKEN}`)).toBe(200);
    expect(await statusWith(`bEaReR  ${TOKEN}`)).toBe(200);
  });

  it("refuses a wrong, missing or differently cased token, another scheme, and a server without a token", async () => {
    expect(await statusWith(`Bearer ${TOKEN}x`)).toBe(401);
    expect(await statusWith(`Bearer ${TOKEN.toUpperCase()}`)).toBe(401);
    expect(await statusWith("Bearer ")).toBe(401);
    expect(await statusWith(`Basic ${TOKEN}`)).toBe(401);
    expect(await statusWith(`Bearer${TOKEN}`)).toBe(401);
    expect(await statusWith(undefined)).toBe(401);
    expect(await statusWith(`Bearer ${TOKEN}`, app(undefined))).toBe(401);
  });
});
