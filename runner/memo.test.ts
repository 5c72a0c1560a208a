// memo: one load per key, shared by callers that ask before it settles.
import { describe, expect, it } from "vitest";
import { memo } from "./memo.js";

describe("memo", () => {
  it("loads each key once, even for callers that ask while the load is pending", async () => {
    const cache = new Map<string, Promise<string>>();
    const loads: string[] = [];
    const load = (key: string) => () => {
      loads.push(key);
      return Promise.resolve(`${key}!`);
    };
    const values = await Promise.all([
      memo(cache, "a", load("a")),
      memo(cache, "a", load("a")),
      memo(cache, "b", load("b")),
    ]);
    expect(values).toEqual(["a!", "a!", "b!"]);
    expect(await memo(cache, "a", load("a"))).toBe("a!");
    expect(loads).toEqual(["a", "b"]);
  });
});
