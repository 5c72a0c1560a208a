import { describe, expect, it } from "vitest";
import { FixedWindowCounter } from "./rate-limit.js";

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
