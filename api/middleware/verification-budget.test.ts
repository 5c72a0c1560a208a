import { describe, expect, it } from "vitest";
import { WorkBudget } from "./verification-budget.js";

describe("WorkBudget", () => {
  it("allows work while less than `limit` ms is spent in the window, per key, until the window ends", () => {
    const budget = new WorkBudget({ limit: 1000, windowSeconds: 60 });
    expect(budget.check("a", 0)).toEqual({ allowed: true, limit: 1000, remaining: 1000, resetSeconds: 60 });
    budget.charge("a", 400, 0);
    expect(budget.check("a", 10_000)).toEqual({ allowed: true, limit: 1000, remaining: 600, resetSeconds: 50 });
    // The charge that crosses the limit is recorded in full; from then on the key waits.
    budget.charge("a", 700.6, 20_000);
    expect(budget.check("a", 20_000)).toEqual({ allowed: false, limit: 1000, remaining: 0, resetSeconds: 40 });
    expect(budget.check("b", 20_000).allowed).toBe(true);
    expect(budget.check("a", 59_500)).toMatchObject({ allowed: false, resetSeconds: 1 });
    expect(budget.check("a", 60_000)).toMatchObject({ allowed: true, remaining: 1000 });
  });

  it("starts a new window with the first charge after the old one ended", () => {
    const budget = new WorkBudget({ limit: 100, windowSeconds: 10 });
    budget.charge("a", 150, 0);
    budget.charge("a", 50, 12_000);
    expect(budget.check("a", 13_000)).toEqual({ allowed: true, limit: 100, remaining: 50, resetSeconds: 9 });
  });

  it("refuses a budget that could never allow anything", () => {
    expect(() => new WorkBudget({ limit: 0, windowSeconds: 60 })).toThrow(RangeError);
  });
});
