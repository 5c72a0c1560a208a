// A Spread is provisional while it rests on fewer seeds than its suite lists (not a fixed count).
import { describe, expect, it } from "vitest";
import { spreadOf, suiteSeedCount } from "./spread.js";

/** A row as spreadColumns("steps", …) selects it, resting on `seeds` seeds. */
const row = (seeds: number) => ({
  stepsQuartiles: [10, 20, 30],
  stepsRuns: seeds,
  stepsCensored: 0,
  stepsFailed: 0,
  stepsSeeds: seeds,
});

describe("provisional figures", () => {
  it("reads each suite's own seed count", () => {
    // schema/suites: quick lists one seed; smoke, standard and paper three.
    expect(suiteSeedCount({ id: "quick", version: 2 })).toBe(1);
    expect(suiteSeedCount({ id: "smoke", version: 3 })).toBe(3);
    expect(suiteSeedCount({ id: "paper", version: 2 })).toBe(3);
    expect(suiteSeedCount({ id: "no-such-suite", version: 1 })).toBe(Number.POSITIVE_INFINITY);
  });

  it("is provisional below the suite's count and not at it", () => {
    expect(spreadOf(row(2), "steps", 3).provisional).toBe(true);
    expect(spreadOf(row(3), "steps", 3).provisional).toBe(false);
    expect(spreadOf(row(1), "steps", 1)).toEqual({
      q1: 10,
      median: 20,
      q3: 30,
      runs: 1,
      censoredRuns: 0,
      failedRuns: 0,
      seeds: 1,
      provisional: false,
    });
  });
});
