// The narrowed fractions: the numbers each accepts, and one bound style in its JSON Schema.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { FractionBelowOne, OpenFraction, PositiveFraction } from "./common.js";

const accepts = (schema: z.ZodType, values: number[]) => values.map((value) => schema.safeParse(value).success);
const PROBES = [-0.1, 0, 1e-9, 0.5, 1 - 1e-9, 1, 1.1];

describe("narrowed fractions", () => {
  it("accept exactly the interval each names", () => {
    //                                -0.1   0     ε     0.5   1-ε   1      1.1
    expect(accepts(OpenFraction, PROBES)).toEqual([false, false, true, true, true, false, false]);
    expect(accepts(FractionBelowOne, PROBES)).toEqual([false, true, true, true, true, false, false]);
    expect(accepts(PositiveFraction, PROBES)).toEqual([false, false, true, true, true, true, false]);
  });

  it("state each bound once in JSON Schema (never minimum beside exclusiveMinimum)", () => {
    expect(z.toJSONSchema(OpenFraction)).toMatchObject({ exclusiveMinimum: 0, exclusiveMaximum: 1 });
    expect(z.toJSONSchema(FractionBelowOne)).toMatchObject({ minimum: 0, exclusiveMaximum: 1 });
    expect(z.toJSONSchema(PositiveFraction)).toMatchObject({ exclusiveMinimum: 0, maximum: 1 });
    for (const schema of [OpenFraction, FractionBelowOne, PositiveFraction]) {
      const json = z.toJSONSchema(schema) as Record<string, unknown>;
      expect("minimum" in json && "exclusiveMinimum" in json).toBe(false);
      expect("maximum" in json && "exclusiveMaximum" in json).toBe(false);
    }
  });
});
