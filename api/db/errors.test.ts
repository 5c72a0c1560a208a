import { describe, expect, it } from "vitest";
import { isDatabaseUnavailable } from "./errors.js";

describe("isDatabaseUnavailable", () => {
  it("recognizes refused connections, dropped connections and server shutdown, through causes", () => {
    expect(
      isDatabaseUnavailable(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" })),
    ).toBe(true);
    expect(isDatabaseUnavailable(new AggregateError([Object.assign(new Error("x"), { code: "ECONNREFUSED" })]))).toBe(
      true,
    );
    expect(
      isDatabaseUnavailable(
        new Error("Failed query: select 1", {
          cause: Object.assign(new Error("terminating connection"), { code: "57P01" }),
        }),
      ),
    ).toBe(true);
    expect(isDatabaseUnavailable(new Error("Connection terminated unexpectedly"))).toBe(true);
  });

  it("leaves bugs and data errors alone, even when a query's parameters mention a socket", () => {
    expect(isDatabaseUnavailable(Object.assign(new Error('relation "runz" does not exist'), { code: "42P01" }))).toBe(
      false,
    );
    expect(
      isDatabaseUnavailable(
        new Error("Failed query: insert into t values ($1)\nparams: WebSocket Connection terminated"),
      ),
    ).toBe(false);
    expect(isDatabaseUnavailable(new TypeError("x is undefined"))).toBe(false);
    expect(isDatabaseUnavailable(null)).toBe(false);
  });
});
