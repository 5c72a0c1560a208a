// kendallTau (web/stats.ts) against SciPy's kendalltau (τ-b, asymptotic p-value) under Debian's /usr/bin/python3,
// on inputs with ties in either variable, in both, and none; scripts/setup-system.sh installs python3-scipy.
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { kendallTau } from "../../web/stats.js";

const PYTHON = process.env.RETHINK_BENCH_PYTHON ?? "/usr/bin/python3";

// Reads [[x, y], …] as JSON on stdin and prints [[tau, p], …]; a constant variable gives NaN, printed as null.
const SCRIPT = `
import json, math, sys
from scipy.stats import kendalltau
out = []
for x, y in json.load(sys.stdin):
    r = kendalltau(x, y, variant="b", method="asymptotic")
    out.append([None if math.isnan(v) else float(v) for v in (r[0], r[1])])
print(json.dumps(out))
`;

function scipyKendall(inputs: readonly (readonly [number[], number[]])[]): [number | null, number | null][] {
  try {
    const stdout = execFileSync(PYTHON, ["-c", SCRIPT], { input: JSON.stringify(inputs), encoding: "utf8" });
    return JSON.parse(stdout) as [number | null, number | null][];
  } catch (error) {
    throw new Error(
      `SciPy's kendalltau under ${PYTHON} failed; install python3-scipy (npm run setup:system or ` +
        "scripts/setup-system.sh), or point RETHINK_BENCH_PYTHON at a Python that has scipy",
      { cause: error },
    );
  }
}

/** A seeded linear congruential sequence of small integers: many ties, reproducible. */
function integers(n: number, seed: number, range: number): number[] {
  let state = seed;
  return Array.from({ length: n }, () => {
    // Exact 32-bit arithmetic (a float product would round); the high bits, since the low bits of a
    // power-of-two LCG cycle with a short period.
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 16) % range;
  });
}

const INPUTS: [string, number[], number[]][] = [
  ["no ties", [1, 2, 3, 4, 5, 6, 7], [3, 1, 2, 7, 5, 4, 6]],
  ["ties in x", [1, 1, 2, 2, 3, 3, 4], [0.1, 0.5, 0.2, 0.9, 0.3, 0.4, 0.8]],
  ["ties in y", [0.3, 0.1, 0.7, 0.2, 0.9, 0.5], [1, 1, 1, 2, 2, 3]],
  ["ties in both, joint ties", [1, 1, 1, 2, 2, 3, 3, 3, 4], [5, 5, 6, 6, 5, 7, 7, 8, 8]],
  ["negative, with ties", [10, 20, 20, 30, 40, 40, 50], [0.9, 0.8, 0.8, 0.5, 0.5, 0.1, 0.2]],
  ["a parameter count against gaps", [100, 100, 100, 200, 200, 200], [0.1, 0.4, 0.8, 0.2, 0.5, 0.9]],
  ["40 small integers", integers(40, 7, 6), integers(40, 11, 4)],
  ["three pairs", [1, 2, 3], [2, 3, 1]],
];

describe("kendallTau against scipy.stats.kendalltau (variant 'b', method 'asymptotic')", () => {
  const reference = scipyKendall(INPUTS.map(([, x, y]) => [x, y] as const));

  it.each(INPUTS.map((input, i) => [input[0], input, i] as const))("%s", (_name, [, x, y], i) => {
    const [tau, p] = reference[i]!;
    const ours = kendallTau(x, y);
    expect(tau).not.toBeNull();
    expect(ours.tau).toBeCloseTo(tau!, 12);
    // erfc's fit has a fractional error below 1.2e-7: the p-values agree to that, relative.
    expect(ours.pValue).not.toBeNull();
    expect(Math.abs(ours.pValue! - p!)).toBeLessThan(1e-6 * Math.max(p!, 1e-3));
  });

  it("agrees that τ is undefined for a constant variable", () => {
    const [[tau, p]] = scipyKendall([
      [
        [2, 2, 2, 2],
        [1, 2, 3, 4],
      ],
    ]) as [[number | null, number | null]];
    expect(tau).toBeNull();
    expect(p).toBeNull();
    expect(kendallTau([2, 2, 2, 2], [1, 2, 3, 4])).toMatchObject({ tau: null, pValue: null });
  });
});
