// Moderation is for whoever holds the admin bearer secret. The comparison takes the same time
// whatever the guess: both sides are hashed to 32 bytes and every byte is compared.
import { createMiddleware } from "hono/factory";
import type { AppEnv, AppOptions } from "../env.js";
import { problem } from "../problem.js";

async function digest(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

/** Constant-time equality of two secrets (through their SHA-256). */
async function sameSecret(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([digest(given), digest(expected)]);
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

export function adminOnly(adminToken: AppOptions["adminToken"]) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const expected = adminToken(c);
    const header = c.req.header("authorization") ?? "";
    // RFC 9110 §11.1: the scheme is case-insensitive ("bearer", "BEARER"), followed by 1*SP.
    const given = /^bearer +(\S(?:.*\S)?) *$/i.exec(header)?.[1];
    const challenge = { "WWW-Authenticate": 'Bearer realm="rethink-bench moderation"' };
    if (!expected)
      return problem(c, "unauthorized", "moderation is not enabled on this server (no admin token is configured)", {
        headers: challenge,
      });
    if (!given || !(await sameSecret(given, expected)))
      return problem(c, "unauthorized", "moderation needs the admin bearer token", { headers: challenge });
    await next();
  });
}
