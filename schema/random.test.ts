// The seeded generator is deterministic per (seed, stream) and statistically sane.
import { describe, expect, it } from "vitest";
import { Rng } from "./random.js";

describe("Rng", () => {
  it("repeats exactly for the same seed and stream, and differs across streams and seeds", () => {
    const draw = (seed: number, stream: string) => {
      const rng = Rng.create(seed, stream);
      return Array.from({ length: 5 }, () => rng.int(1000));
    };
    expect(draw(1, "a")).toEqual(draw(1, "a"));
    expect(draw(1, "a")).not.toEqual(draw(1, "b"));
    expect(draw(1, "a")).not.toEqual(draw(2, "a"));
  });

  it("pins the stream: these numbers must never change, or every corruption changes", () => {
    const rng = Rng.create(0, "pin");
    expect(Array.from({ length: 4 }, () => rng.int(1_000_000))).toMatchInlineSnapshot(`
      [
        63152,
        582613,
        689543,
        602952,
      ]
    `);
    expect(Rng.create(0, "pin").permutation(8)).toMatchInlineSnapshot(`
      Uint32Array [
        1,
        3,
        7,
        6,
        2,
        5,
        4,
        0,
      ]
    `);
  });

  it("draws uniform integers and standard normals", () => {
    const rng = Rng.create(3, "stats");
    const counts = new Array(10).fill(0);
    const n = 100_000;
    let sum = 0;
    let squares = 0;
    for (let i = 0; i < n; i++) {
      counts[rng.int(10)]++;
      const z = rng.normal();
      sum += z;
      squares += z * z;
    }
    // Each count is Binomial(n, 0.1): sd ≈ 95, so ±500 is more than 5 sd.
    for (const c of counts) expect(Math.abs(c - n / 10)).toBeLessThan(500);
    expect(Math.abs(sum / n)).toBeLessThan(0.02);
    expect(Math.abs(squares / n - 1)).toBeLessThan(0.03);
  });

  it("produces permutations", () => {
    const p = Rng.create(5, "perm").permutation(1000);
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });
});
