import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import type { AppEnv } from "../env.js";
import type { SharedRateLimiter } from "../limits.js";
import { FixedWindowCounter, rateLimit } from "./rate-limit.js";

describe("FixedWindowCounter", () => {
  it("allows `limit` hits per key per window, then refuses until the window ends", () => {
    const counter = new FixedWindowCounter({ limit: 2, windowSeconds: 60 });
    expect(counter.hit("a", 0)).toEqual({ allowed: true, limit: 2, remaining: 1, resetSeconds: 60 });
    expect(counter.hit("a", 1000).allowed).toBe(true);
    expect(counter.hit("a", 30_000)).toEqual({ allowed: false, limit: 2, remaining: 0, resetSeconds: 30 });
    expect(counter.hit("b", 30_000).allowed).toBe(true);
    expect(counter.hit("a", 60_000)).toMatchObject({ allowed: true, remaining: 1 });
  });

  it("refuses a rule that could never allow anything", () => {
    expect(() => new FixedWindowCounter({ limit: 0, windowSeconds: 60 })).toThrow(RangeError);
  });
});

/** A stand-in for Cloudflare's binding: allows `allowed` calls in all, recording each key. */
function limiterAllowing(allowed: number): SharedRateLimiter & { keys: string[] } {
  const keys: string[] = [];
  return {
    keys,
    async limit({ key }) {
      keys.push(key);
      return { success: keys.length <= allowed };
    },
  };
}

describe("rateLimit with a shared limiter", () => {
  function appWith(limiter: SharedRateLimiter | undefined) {
    const app = new Hono<AppEnv>();
    const rule = { limit: 2, windowSeconds: 60 };
    app.use(
      rateLimit(rule, () => "203.0.113.7", "requests", { kind: "requests", scope: "api", limiterOf: () => limiter }),
    );
    app.get("/", (c) => c.text("ok"));
    return app;
  }

  it("asks the shared limiter under the scoped key, and answers its refusal with a 429 and Retry-After", async () => {
    const limiter = limiterAllowing(1);
    const app = appWith(limiter);
    const first = await app.request("/");
    expect(first.status).toBe(200);
    // It does not say what is left: only the limit.
    expect(first.headers.get("ratelimit-limit")).toBe("2");
    expect(first.headers.get("ratelimit-remaining")).toBeNull();
    const refused = await app.request("/");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("60");
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
    expect(limiter.keys).toEqual(["api:203.0.113.7", "api:203.0.113.7"]);
  });

  it("counts in this process when the entry has no shared limiter", async () => {
    const app = appWith(undefined);
    expect((await app.request("/")).headers.get("ratelimit-remaining")).toBe("1");
    expect((await app.request("/")).status).toBe(200);
    expect((await app.request("/")).status).toBe(429);
  });
});
