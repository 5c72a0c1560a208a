// The measure charts' data: medians per label-corruption level on the architecture page, series and log axes on the
// insight page's scatters.
import { describe, expect, it } from "vitest";
import { type BoardMeasureRun, type Corruption, MEASURES, type RunCurve, type RunMeasures } from "../schema/index.js";
import { measureScatter, measureSweep } from "./measure-figures.js";

const measuresOf = (frobeniusSquared: number, margin: number | null): RunMeasures => ({
  parameterCount: 1000,
  frobeniusSquared,
  distanceFromInit: 1,
  logSpectralProduct: 2,
  logSpectralOverMargin: null,
  logPathL2: null,
  margin,
  flatnessSigma: 0.01,
  adversarialSharpness: 0.1,
  seconds: 1,
});

function curve(
  corruption: Corruption,
  measures: RunMeasures | null,
  genGap: number,
  options: Partial<Pick<RunCurve, "regularizer" | "status" | "slotRole">> = {},
): RunCurve {
  return {
    submissionId: `sub_${"0".repeat(32)}`,
    suite: { id: "quick", version: 2 },
    dataset: "mnist-10k",
    corruption,
    regularizer: options.regularizer ?? "none",
    seed: 0,
    status: options.status ?? "ok",
    slotRole: options.slotRole ?? "standing",
    reproductions: { exact: 0, notReproduced: 0, consistent: 0, inconsistent: 0, verified: false },
    derived: {
      epochsToFit: 3,
      stepsToFit: 30,
      finalTrainAcc: 1,
      finalTestAcc: 1 - genGap,
      genGap,
      slowdown: null,
      wallSeconds: 1,
    },
    measures,
    curve: [],
  };
}

const FROBENIUS = MEASURES.findIndex((m) => m.key === "frobeniusSquared");
const MARGIN = MEASURES.findIndex((m) => m.key === "margin");

describe("measureSweep", () => {
  it("takes the median per label-corruption level over standing ok runs without regularizer", () => {
    const sweep = measureSweep([
      curve({ kind: "random" }, measuresOf(40, -0.5), 0.9),
      curve({ kind: "true" }, measuresOf(10, 2), 0.02),
      curve({ kind: "true" }, measuresOf(14, null), 0.04),
      curve({ kind: "true" }, measuresOf(30, 4), 0.06),
      // Left out: a regularizer, a replicate, a failed run, a run without measures, an input corruption.
      curve({ kind: "true" }, measuresOf(1000, 9), 0.5, { regularizer: "wd" }),
      curve({ kind: "true" }, measuresOf(1000, 9), 0.5, { slotRole: "replicate" }),
      curve({ kind: "true" }, measuresOf(1000, 9), 0.5, { status: "failed" }),
      curve({ kind: "partial", p: 0.4 }, null, 0.5),
      curve({ kind: "gaussian" }, measuresOf(1000, 9), 0.5),
    ]);
    expect(sweep.map((p) => [p.level, p.name, p.runs, p.colorVar])).toEqual([
      [0, "true labels", 3, "--series-true"],
      [1, "random labels", 1, "--series-random"],
    ]);
    // True labels: Frobenius 10, 14, 30 → 14; margins 2 and 4 (one undefined) → 3; gaps 0.02, 0.04, 0.06 → 0.04.
    expect(sweep[0]!.medians[FROBENIUS]).toBe(14);
    expect(sweep[0]!.medians[MARGIN]).toBe(3);
    expect(sweep[0]!.genGap).toBeCloseTo(0.04, 12);
    expect(sweep[1]!.medians[MARGIN]).toBe(-0.5);
    // logPathL2 is null in every run: no median.
    expect(sweep[0]!.medians[MEASURES.findIndex((m) => m.key === "logPathL2")]).toBeNull();
  });
});

describe("measureScatter", () => {
  const board = (corruption: Corruption, measures: RunMeasures, genGap: number): BoardMeasureRun => ({
    submissionId: `sub_${"0".repeat(32)}`,
    position: 0,
    architecture: { fingerprint: "f".repeat(64), name: "mlp", parameterCount: 1000 },
    backend: "cpu",
    corruption,
    corruptionLevel: null,
    regularizer: "none",
    seed: 0,
    finalTrainAcc: 1,
    finalTestAcc: 1 - genGap,
    genGap,
    measures,
  });

  it("makes one series per corruption in sweep order and a log axis only for positive values over a decade", () => {
    const data = measureScatter([
      board({ kind: "random" }, { ...measuresOf(500, -1), flatnessSigma: 0.001 }, 0.9),
      board({ kind: "true" }, measuresOf(5, 2), 0.01),
      board({ kind: "partial", p: 0.4 }, measuresOf(20, 1), 0.4),
      board({ kind: "true" }, measuresOf(6, 2.5), 0.02),
    ]);
    expect(data.series.map((s) => s.label)).toEqual(["true", "partial-0.4", "random"]);
    expect(data.runs.map((r) => r.series)).toEqual([2, 0, 1, 0]);
    expect(data.runs[0]!.values[FROBENIUS]).toBe(500);
    const log = Object.fromEntries(data.measures.map((m) => [m.key, m.log]));
    // Frobenius 5…500 and σ 0.001…0.01 span a decade; the margin has a negative value; the count is constant.
    expect(log).toMatchObject({ frobeniusSquared: true, flatnessSigma: true, margin: false, parameterCount: false });
  });
});
