// Choosing runs: --runs lists as the submission page numbers them, and a sample that every
// reproducer of the same submission draws alike.
import { describe, expect, it } from "vitest";
import { UsageError } from "../errors.js";
import { parsePositions, samplePositions } from "./positions.js";

describe("parsePositions", () => {
  it("reads all, single positions and inclusive ranges, sorted and each once", () => {
    expect(parsePositions("all", 4)).toEqual([0, 1, 2, 3]);
    expect(parsePositions("3", 10)).toEqual([3]);
    expect(parsePositions("5-7,0,2,6", 10)).toEqual([0, 2, 5, 6, 7]);
    expect(parsePositions(" 1 - 2 , 9", 10)).toEqual([1, 2, 9]);
  });

  it.each([
    ["x", /"x" is neither/],
    ["1,,2", /"" is neither/],
    ["4-2", /runs backwards/],
    ["10", /has 10 runs \(positions 0 to 9\), no run 10/],
    ["8-12", /no run 12/],
  ])("refuses %j", (list, message) => {
    expect(() => parsePositions(list, 10)).toThrow(UsageError);
    expect(() => parsePositions(list, 10)).toThrow(message);
  });
});

describe("samplePositions", () => {
  const digest = "ab".repeat(32);
  it("draws k distinct positions of those given, sorted, the same for the same digest and seed", () => {
    const from = [0, 2, 4, 6, 8, 10, 12];
    const sample = samplePositions(3, from, digest, 7);
    expect(sample).toHaveLength(3);
    expect(new Set(sample).size).toBe(3);
    for (const p of sample) expect(from).toContain(p);
    expect([...sample].sort((a, b) => a - b)).toEqual(sample);
    expect(samplePositions(3, from, digest, 7)).toEqual(sample);
  });

  it("depends on the digest and on the seed, and keeps every position when k covers them", () => {
    const from = Array.from({ length: 40 }, (_, i) => i);
    const draws = new Set(["00", "11", "22", "33"].map((d) => samplePositions(5, from, d.repeat(32), 0).join()));
    expect(draws.size).toBeGreaterThan(1);
    const seeds = new Set([1, 2, 3, 4].map((seed) => samplePositions(5, from, digest, seed).join()));
    expect(seeds.size).toBeGreaterThan(1);
    expect(samplePositions(9, [1, 5, 7], digest, 0)).toEqual([1, 5, 7]);
  });
});
