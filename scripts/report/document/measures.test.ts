// The report's "Which complexity measure predicts the gap?" section on a hand-made board of four
// runs (two architectures × true and random labels), whose τ values are worked out in the comments.
import { describe, expect, it } from "vitest";
import type { BoardMeasureRun, Corruption, MeasureSettings, RunMeasures } from "../../../schema/index.js";
import { measureCorrelations } from "../../../web/index.js";
import { measuresSection, measuresTable, significantTau } from "./measures.js";

const A = { fingerprint: "a".repeat(64), name: "net A", parameterCount: 100 };
const B = { fingerprint: "b".repeat(64), name: "net B", parameterCount: 200 };

/** Every measure constant (so its τ is undefined) unless the run overrides it. */
const CONSTANT: RunMeasures = {
  parameterCount: 0,
  frobeniusSquared: 10,
  distanceFromInit: 1,
  logSpectralProduct: 0.5,
  logSpectralOverMargin: 1, // 2·0.5 − 2·ln 1
  logPathL2: null,
  margin: 1,
  flatnessSigma: 0.1,
  adversarialSharpness: 0.1,
  seconds: 0.5,
};

function run(
  architecture: typeof A,
  corruption: Corruption,
  genGap: number,
  measures: Partial<RunMeasures>,
  position: number,
): BoardMeasureRun {
  return {
    submissionId: `sub_${"0".repeat(32)}`,
    position,
    architecture,
    backend: "wasm",
    corruption,
    corruptionLevel: corruption.kind === "true" ? 0 : 1,
    regularizer: "none",
    seed: 0,
    finalTrainAcc: 1,
    finalTestAcc: 1 - genGap,
    genGap,
    measures: { ...CONSTANT, parameterCount: architecture.parameterCount, ...measures },
  };
}

const TRUE: Corruption = { kind: "true" };
const RANDOM: Corruption = { kind: "random" };

// By gap: A-true 0.02 < B-true 0.05 < A-random 0.80 < B-random 0.85.
// - flatness σ (direction −1): −0.5, −0.4, −0.1, −0.05 in that order: all 6 pairs concordant, τ = +1;
//   S = 6, var = n(n−1)(2n+5)/18 = 4·3·13/18 = 8.667, z = 6/2.944 = 2.038, p = 2·(1 − Φ(2.038)) = 0.0415.
//   Within each architecture (true vs random) and within each corruption (A vs B) τ = +1.
// - worst-case sharpness: 0.1, 0.3, 0.2, 0.4 in gap order: 5 concordant, 1 discordant, τ = 4/6 = +0.67.
// - parameter count: 100, 200, 100, 200: pairs (At,Bt) C, (At,Ar) tie, (At,Br) C, (Bt,Ar) D, (Bt,Br) tie,
//   (Ar,Br) C; τ-b = (3 − 1)/√((6 − 2)·6) = 0.408; constant within an architecture (no group), +1 within
//   each corruption.
// - path-ℓ2: only A has it, 2.0 on true and 1.0 on random labels: τ = −1 over 2 runs, no p-value.
// - the rest are constant: τ undefined, listed last in catalog order.
const RUNS: BoardMeasureRun[] = [
  run(A, TRUE, 0.02, { flatnessSigma: 0.5, adversarialSharpness: 0.1, logPathL2: 2 }, 0),
  run(B, TRUE, 0.05, { flatnessSigma: 0.4, adversarialSharpness: 0.3 }, 1),
  run(A, RANDOM, 0.8, { flatnessSigma: 0.1, adversarialSharpness: 0.2, logPathL2: 1 }, 2),
  run(B, RANDOM, 0.85, { flatnessSigma: 0.05, adversarialSharpness: 0.4 }, 3),
];

/** The table's body rows, cells trimmed. */
function rows(markdown: string): string[][] {
  return markdown
    .split("\n")
    .filter((line) => line.startsWith("| ") && !line.startsWith("| rank") && !line.startsWith("| ---"))
    .map((line) =>
      line
        .slice(2, -2)
        .split(" | ")
        .map((cell) => cell.trim()),
    );
}

describe("measuresTable", () => {
  it("ranks the measures by oriented τ with p, granulated τ and n, undefined ones last", () => {
    const body = rows(measuresTable(measureCorrelations(RUNS)));
    expect(body.map((r) => r[1])).toEqual([
      "PAC-Bayes flatness σ",
      "worst-case sharpness",
      "parameter count",
      "path-ℓ2 norm (ln)",
      "sum of squared Frobenius norms",
      "distance from initialization",
      "product of spectral norms (ln)",
      "spectral product over margin² (ln)",
      "output margin (10th percentile)",
    ]);
    expect(body[0]).toEqual([
      "1",
      "PAC-Bayes flatness σ",
      "sharpness",
      "+1.00",
      "0.042",
      "+1.00 (2 groups)",
      "+1.00 (2 groups)",
      "4",
    ]);
    expect(body[1]?.slice(0, 4)).toEqual(["2", "worst-case sharpness", "sharpness", "+0.67"]);
    expect(body[2]).toEqual([
      "3",
      "parameter count",
      "size",
      "+0.41",
      body[2]?.[4],
      "— (0 groups)",
      "+1.00 (2 groups)",
      "4",
    ]);
    expect(body[3]).toEqual(["4", "path-ℓ2 norm (ln)", "path", "−1.00", "—", "−1.00 (1 group)", "— (0 groups)", "2"]);
    // Constant measures have no τ and no rank.
    expect(body[4]?.slice(0, 5)).toEqual(["—", "sum of squared Frobenius norms", "norm", "—", "—"]);
  });
});

/** Settings unlike the defaults, so a sentence that ignored them would not match. */
const SETTINGS: MeasureSettings = {
  marginQuantile: 0.1,
  sharpnessExamples: 300,
  flatnessAccuracyDrop: 0.1,
  flatnessSamples: 2,
  flatnessSteps: 1,
  flatnessSigmaMin: 1e-4,
  flatnessSigmaMax: 1,
  sharpnessBox: 0.05,
  sharpnessSteps: 7,
};

describe("measuresSection", () => {
  const section = measuresSection([{ engine: "TF.js (wasm)", runs: RUNS }], SETTINGS);

  it("says what the board holds and gives its verdict and table", () => {
    expect(section).toMatch(/^## Which complexity measure predicts the gap\?/);
    expect(section).toContain("4 runs per engine (2 architectures × 2 corruptions × 1 seed)");
    expect(section).toContain("### TF.js (wasm)");
    expect(section).toContain("PAC-Bayes flatness σ predicts the generalization gap best on this board (τ = +1.00");
    // Parameter count cannot move within an architecture: the verdict gives the gap's widest range there.
    expect(section).toContain("from 5.0 pp to 85.0 pp");
  });

  it("sets each family beside Jiang et al. and says whether sharpness leads here too", () => {
    const sharpnessRow = section.split("\n").find((line) => line.startsWith("| sharpness |"));
    expect(sharpnessRow).toContain("PAC-Bayes flatness σ +1.00; worst-case sharpness +0.67");
    expect(section).toContain(
      "the best predictor is PAC-Bayes flatness σ (τ +1.00): as in Jiang et al., a sharpness measure leads",
    );
    expect(section).toContain("path-ℓ2 norm (ln) on TF.js (wasm): 2 of 4 runs");
  });

  it("says so when another family leads", () => {
    // The Frobenius norm made to follow the gap exactly: τ = +1, as flatness σ has.
    const reversed = RUNS.map((r) => ({ ...r, measures: { ...r.measures, frobeniusSquared: r.genGap * 100 } }));
    const other = measuresSection([{ engine: "PyTorch (torch-cpu)", runs: reversed }], SETTINGS);
    // Frobenius (+1, catalog position 1) ties flatness σ (+1, position 7) and comes first by catalog order.
    expect(other).toContain(
      "the best predictor is sum of squared Frobenius norms (τ +1.00): unlike Jiang et al., where sharpness leads, " +
        "the best is a norm measure; the first sharpness measure ranks 2",
    );
  });

  it("gives the τ that reaches p < 0.05 for the board's size", () => {
    // n = 18: 1.96·√(18·17·41/18) / (18·17/2) = 1.96·26.401 / 153 = 0.338.
    expect(significantTau(18)).toBeCloseTo(0.3382, 4);
    // n = 4: 1.96·√(4·3·13/18) / 6 = 1.96·2.944 / 6 = 0.96.
    expect(section).toContain("reaches p < 0.05 only from about 0.96");
  });

  it("states the suite's own measure settings", () => {
    expect(section).toContain(
      "Nine of their forty-odd, with cheaper settings (a 300-example subset, 2 noise draws, 1 bisection step, " +
        "a fixed sharpness box of ±5% and 7 ascent steps): [measures.md]",
    );
    const without = measuresSection([{ engine: "TF.js (wasm)", runs: RUNS }], undefined);
    expect(without).toContain("Nine of their forty-odd: [measures.md]");
  });

  it("says a group of two runs has τ −1 or +1, a tie dropping the group", () => {
    expect(section).toContain("whose τ can only be −1 or +1 (a tie leaves a group's τ undefined and the group out).");
  });
});
