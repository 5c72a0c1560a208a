// measureCorrelations and measureVerdict on a board of six runs whose τ were counted by hand, pair by pair.
import { describe, expect, it } from "vitest";
import type { BoardMeasureRun, Corruption, MeasureKey, RunMeasures } from "../schema/index.js";
import { measureCorrelations, measureVerdict } from "./measures.js";
import { erfc } from "./stats.js";

const A = { fingerprint: "a".repeat(64), name: "arch-a", parameterCount: 100 };
const B = { fingerprint: "b".repeat(64), name: "arch-b", parameterCount: 200 };
const CORRUPTIONS: Corruption[] = [{ kind: "true" }, { kind: "partial", p: 0.5 }, { kind: "random" }];
const LEVELS = [0, 0.5, 1];

type Values = Omit<RunMeasures, "seconds">;

function run(
  architecture: typeof A,
  level: number,
  genGap: number,
  values: Partial<Values>,
  options: { seed?: number; regularizer?: string } = {},
): BoardMeasureRun {
  return {
    submissionId: `sub_${"0".repeat(32)}`,
    position: level * 2,
    architecture,
    backend: "cpu",
    corruption: CORRUPTIONS[level]!,
    corruptionLevel: LEVELS[level]!,
    regularizer: options.regularizer ?? "none",
    seed: options.seed ?? 0,
    finalTrainAcc: 1,
    finalTestAcc: 1 - genGap,
    genGap,
    measures: {
      parameterCount: architecture.parameterCount,
      frobeniusSquared: 1,
      distanceFromInit: 1,
      logSpectralProduct: null,
      logSpectralOverMargin: null,
      logPathL2: null,
      margin: null,
      flatnessSigma: 0.5,
      adversarialSharpness: 0,
      seconds: 0.1,
      ...values,
    },
  };
}

// Two architectures × three corruption levels, one seed. Gaps: A 0.1, 0.4, 0.8; B 0.2, 0.5, 0.9.
// distanceFromInit and flatnessSigma stay at their constant defaults, logSpectralOverMargin and logPathL2 null.
const BOARD: BoardMeasureRun[] = [
  run(A, 0, 0.1, { frobeniusSquared: 10, logSpectralProduct: 10, margin: 0.9, adversarialSharpness: 0.3 }),
  run(A, 1, 0.4, { frobeniusSquared: 20, logSpectralProduct: 20, margin: 0.6, adversarialSharpness: 0.2 }),
  run(A, 2, 0.8, { frobeniusSquared: 30, logSpectralProduct: 30, margin: 0.2, adversarialSharpness: 0.1 }),
  run(B, 0, 0.2, { frobeniusSquared: 5, logSpectralProduct: 5, margin: 0.8, adversarialSharpness: 0.35 }),
  run(B, 1, 0.5, { frobeniusSquared: 25, logSpectralProduct: 25, margin: 0.5, adversarialSharpness: 0.25 }),
  // The spectral product is undefined for this run: it drops out of that measure only.
  run(B, 2, 0.9, { frobeniusSquared: 35, logSpectralProduct: null, margin: 0.1, adversarialSharpness: 0.05 }),
];

/** Two-sided p of the normal approximation without ties: S / sqrt(n(n − 1)(2n + 5)/18). */
function pWithoutTies(s: number, n: number): number {
  return erfc(Math.abs(s) / Math.sqrt((n * (n - 1) * (2 * n + 5)) / 18) / Math.SQRT2);
}

function byKey(key: MeasureKey) {
  const correlation = measureCorrelations(BOARD).find((c) => c.measure.key === key);
  if (!correlation) throw new Error(`no correlation for ${key}`);
  return correlation;
}

describe("measureCorrelations", () => {
  it("ranks by overall oriented τ, best first, undefined τ last in catalog order", () => {
    expect(measureCorrelations(BOARD).map((c) => c.measure.key)).toEqual([
      "margin", // +1
      "frobeniusSquared", // 13/15
      "logSpectralProduct", // 8/10
      "parameterCount", // 3/√135 ≈ 0.26
      "adversarialSharpness", // −11/15
      "distanceFromInit",
      "logSpectralOverMargin",
      "logPathL2",
      "flatnessSigma",
    ]);
  });

  it("counts the Frobenius norm's pairs: one inversion among 15 (B's 5 below A's 10 while its gap is above)", () => {
    const { overall, corruptionAxis, architectureAxis } = byKey("frobeniusSquared");
    // Sorted by value: 5 (0.2), 10 (0.1), 20 (0.4), 25 (0.5), 30 (0.8), 35 (0.9).
    expect(overall).toMatchObject({ n: 6, concordant: 14, discordant: 1 });
    expect(overall.tau).toBeCloseTo(13 / 15, 12);
    expect(overall.pValue).toBeCloseTo(pWithoutTies(13, 6), 12);
    // Within A and within B the norm grows with the gap: τ = 1 in both.
    expect(corruptionAxis).toEqual({ tau: 1, groups: 2 });
    // Per corruption level: true labels −1 (10 vs 5 against 0.1 vs 0.2), 50% +1, random +1.
    expect(architectureAxis.groups).toBe(3);
    expect(architectureAxis.tau).toBeCloseTo(1 / 3, 12);
  });

  it("orients a measure whose larger values mean simpler networks (margin: direction −1)", () => {
    const { overall, corruptionAxis, architectureAxis } = byKey("margin");
    // Margins fall exactly as gaps rise: every one of the 15 pairs concordant once negated.
    expect(overall).toMatchObject({ tau: 1, n: 6, concordant: 15, discordant: 0 });
    expect(overall.pValue).toBeCloseTo(pWithoutTies(15, 6), 12);
    expect(corruptionAxis).toEqual({ tau: 1, groups: 2 });
    expect(architectureAxis).toEqual({ tau: 1, groups: 3 });
  });

  it("leaves a run out of a measure it has no value of, and a group of one out of the granulated τ", () => {
    const { overall, corruptionAxis, architectureAxis } = byKey("logSpectralProduct");
    // 5 (0.2), 10 (0.1), 20 (0.4), 25 (0.5), 30 (0.8): one inversion among 10 pairs.
    expect(overall).toMatchObject({ n: 5, concordant: 9, discordant: 1 });
    expect(overall.tau).toBeCloseTo(0.8, 12);
    expect(corruptionAxis).toEqual({ tau: 1, groups: 2 });
    // Random labels keep only A's run: a group of one. True labels −1, 50% +1: mean 0 over 2 groups.
    expect(architectureAxis).toEqual({ tau: 0, groups: 2 });
  });

  it("gives parameter count no τ within an architecture, where it is constant, but one across architectures", () => {
    const { overall, corruptionAxis, architectureAxis } = byKey("parameterCount");
    // 100 × 3 against 200 × 3: 6 pairs tied in the count; of A's gaps against B's, (0.4, 0.2), (0.8, 0.2) and
    // (0.8, 0.5) are discordant, the other 6 concordant. τ-b = (6 − 3) / √((15 − 6)(15 − 0)).
    expect(overall).toMatchObject({ n: 6, concordant: 6, discordant: 3 });
    expect(overall.tau).toBeCloseTo(3 / Math.sqrt(135), 12);
    expect(corruptionAxis).toEqual({ tau: null, groups: 0 });
    // At every level B (200) has the larger gap.
    expect(architectureAxis).toEqual({ tau: 1, groups: 3 });
  });

  it("counts a negatively related measure as such: worst-case sharpness falls as the gap rises here", () => {
    const { overall } = byKey("adversarialSharpness");
    // Sorted by value: 0.05 (0.9), 0.1 (0.8), 0.2 (0.4), 0.25 (0.5), 0.3 (0.1), 0.35 (0.2): only (0.4, 0.5) and
    // (0.1, 0.2) are concordant.
    expect(overall).toMatchObject({ concordant: 2, discordant: 13 });
    expect(overall.tau).toBeCloseTo(-11 / 15, 12);
  });

  it("has no τ for a measure that is constant or null everywhere", () => {
    expect(byKey("flatnessSigma").overall).toMatchObject({ tau: null, n: 6 });
    expect(byKey("logPathL2").overall).toMatchObject({ tau: null, n: 0, pValue: null });
    expect(byKey("logPathL2").architectureAxis).toEqual({ tau: null, groups: 0 });
  });

  it("groups on the other axes: seeds and regularizers are never mixed within a granulated τ", () => {
    // Seed 1 reverses A's order; seed 0 keeps it: the corruption-axis τ averages +1 and −1 over 2 groups.
    const runs = [
      run(A, 0, 0.1, { frobeniusSquared: 1 }),
      run(A, 2, 0.8, { frobeniusSquared: 2 }),
      run(A, 0, 0.1, { frobeniusSquared: 2 }, { seed: 1 }),
      run(A, 2, 0.8, { frobeniusSquared: 1 }, { seed: 1 }),
      // Alone under its regularizer: contributes no group.
      run(A, 2, 0.7, { frobeniusSquared: 9 }, { regularizer: "wd" }),
    ];
    const frobenius = measureCorrelations(runs).find((c) => c.measure.key === "frobeniusSquared");
    expect(frobenius?.corruptionAxis).toEqual({ tau: 0, groups: 2 });
    // Every architecture-axis group holds one run (there is one architecture).
    expect(frobenius?.architectureAxis).toEqual({ tau: null, groups: 0 });
  });
});

describe("measureVerdict", () => {
  it("names the best measure with its τ, p and runs, and says parameter count cannot follow the gap", () => {
    const verdict = measureVerdict(measureCorrelations(BOARD), BOARD);
    // p for τ = 1 over 6 runs: erfc(15 / √(6·5·17/18) / √2) ≈ 0.0048.
    expect(pWithoutTies(15, 6)).toBeCloseTo(0.00483, 5);
    expect(verdict).toBe(
      "Output margin (10th percentile) predicts the generalization gap best on this board (τ = +1.00, p = 0.0048, " +
        "6 runs); parameter count predicts nothing within one architecture: it stays fixed across corruption levels " +
        "while the gap moves from 10.0 pp to 80.0 pp, so its granulated τ across corruption levels is undefined.",
    );
  });

  it("names a measure that is ahead with a significant τ, and says when no measure predicts the gap", () => {
    const inverted = BOARD.map((r) => ({ ...r, genGap: 1 - r.genGap }));
    // Now the margin's oriented τ is −1 and adversarialSharpness (+11/15) leads, p ≈ 0.039.
    expect(measureVerdict(measureCorrelations(inverted), inverted)).toMatch(
      /^Worst-case sharpness predicts the generalization gap best on this board \(τ = \+0\.73, p = 0\.039, 6 runs\);/,
    );
    const flat = BOARD.map((r) => ({ ...r, measures: { ...r.measures, adversarialSharpness: 0 } }));
    const reversed = flat.map((r) => ({ ...r, genGap: 1 - r.genGap }));
    // With sharpness constant, every defined τ against the reversed gaps is ≤ 0.
    expect(measureVerdict(measureCorrelations(reversed), reversed)).toMatch(
      /^No measure predicts the generalization gap on this board: the best, parameter count, has τ = −0\.26, p = /,
    );
  });

  it("says when the best τ is within what chance produces", () => {
    const onlyA = BOARD.slice(0, 3);
    // Over A's 3 runs the Frobenius norm, the spectral product and the margin all have τ = 1; the tie goes to the
    // catalog's first. S = 3, variance 3·2·11/18, p = erfc(3 / √(11/3) / √2) ≈ 0.12.
    expect(pWithoutTies(3, 3)).toBeCloseTo(0.117, 3);
    const verdict = measureVerdict(measureCorrelations(onlyA), onlyA);
    expect(verdict).toMatch(/^Sum of squared Frobenius norms predicts the generalization gap best on this board/);
    expect(verdict).toContain("(τ = +1.00, p = 0.12, 3 runs), which is within what chance produces;");
  });

  it("says what is missing on a board without runs or without two corruption levels of an architecture", () => {
    expect(measureVerdict([], [])).toBe("No runs with complexity measures on this board yet.");
    const single = [BOARD[0]!, BOARD[3]!];
    expect(measureVerdict(measureCorrelations(single), single)).toMatch(
      /no architecture has runs at two corruption levels yet, so whether parameter count predicts anything within/,
    );
  });
});
