// measureProblems on hand-made measures: what it accepts, and each inconsistency it names, with
// the expected numbers worked out in the comments.
import { describe, expect, it } from "vitest";
import { DEFAULT_MEASURE_SETTINGS, MeasureSettings, measureProblems, RunMeasures } from "./measures.js";

const settings = DEFAULT_MEASURE_SETTINGS;
/** ln 4 = 1.3862943611198906, so 2·3 − 2·ln 4 = 6 − 2.772588722239781 = 3.227411277760219. */
const CONSISTENT: RunMeasures = {
  parameterCount: 500,
  frobeniusSquared: 40,
  distanceFromInit: 4,
  logSpectralProduct: 3,
  logSpectralOverMargin: 3.227411277760219,
  logPathL2: 2,
  margin: 4,
  // 10⁻² is a point of the default bisection grid: ln 10⁻⁴ + 128 · ln 10⁴ / 2⁸.
  flatnessSigma: 0.01,
  adversarialSharpness: 0.3,
  seconds: 1.5,
};
const evidence = { settings, parameterCount: 500 };

describe("measureProblems", () => {
  it("accepts consistent measures, and parses them and the default settings", () => {
    expect(RunMeasures.parse(CONSISTENT)).toEqual(CONSISTENT);
    expect(MeasureSettings.parse(settings)).toEqual(settings);
    expect(measureProblems(CONSISTENT, evidence)).toEqual([]);
    // Without a positive margin the ratio is undefined and must be null.
    expect(measureProblems({ ...CONSISTENT, margin: -0.5, logSpectralOverMargin: null }, evidence)).toEqual([]);
    expect(measureProblems({ ...CONSISTENT, logSpectralProduct: null, logSpectralOverMargin: null }, evidence)).toEqual(
      [],
    );
  });

  it("names a parameter count other than the architecture's", () => {
    expect(measureProblems({ ...CONSISTENT, parameterCount: 501 }, evidence)).toEqual([
      "parameterCount is 501, but the architecture has 500 parameters",
    ]);
  });

  it("names a spectral ratio that is not made of its two parts, and one that should be null", () => {
    // Off by 1e-6: far beyond the 1e-9 relative tolerance (3.2e-9 here).
    expect(measureProblems({ ...CONSISTENT, logSpectralOverMargin: 3.227412277760219 }, evidence)).toEqual([
      "logSpectralOverMargin is 3.227412277760219, but 2·logSpectralProduct − 2·ln(margin) is 3.227411277760219",
    ]);
    expect(measureProblems({ ...CONSISTENT, logSpectralOverMargin: null }, evidence)).toEqual([
      "logSpectralOverMargin is null, but 2·logSpectralProduct − 2·ln(margin) is 3.227411277760219",
    ]);
    expect(measureProblems({ ...CONSISTENT, margin: 0 }, evidence)).toEqual([
      "logSpectralOverMargin must be null unless the margin is positive and logSpectralProduct defined",
    ]);
  });

  it("names a flatness σ outside the bisection's range, but not its ends", () => {
    expect(measureProblems({ ...CONSISTENT, flatnessSigma: 1 }, evidence)).toEqual([]);
    expect(measureProblems({ ...CONSISTENT, flatnessSigma: 1e-4 }, evidence)).toEqual([]);
    expect(measureProblems({ ...CONSISTENT, flatnessSigma: 1.01 }, evidence)).toEqual([
      "flatnessSigma 1.01 is outside the search range [0.0001, 1]",
    ]);
    expect(measureProblems({ ...CONSISTENT, flatnessSigma: 5e-5 }, evidence)).toEqual([
      "flatnessSigma 0.00005 is outside the search range [0.0001, 1]",
    ]);
  });

  it("names a flatness σ that the bisection cannot give", () => {
    // ln 0.1 = ln 10⁻⁴ + 192 · ln 10⁴ / 256: on the grid; 0.02 lies between k = 169 and 170.
    expect(measureProblems({ ...CONSISTENT, flatnessSigma: 0.1 }, evidence)).toEqual([]);
    const [problem, ...rest] = measureProblems({ ...CONSISTENT, flatnessSigma: 0.02 }, evidence);
    expect(rest).toEqual([]);
    expect(problem).toMatch(
      /^flatnessSigma 0\.02 is not a value the bisection gives: with 8 steps between 0\.0001 and 1/,
    );
  });

  it("checks the margin's sign against the share of wrong training predictions", () => {
    // 100 examples, quantile 0.1: type 7 reads the sorted margins at 0-based positions
    // ⌊99 · 0.1⌋ = 9 and 10. Up to 9 wrong, both are right examples' margins (≥ 0); from 11
    // wrong, both are wrong ones' (≤ 0); with exactly 10 wrong, position 9 is ≤ 0 and 10 is ≥ 0.
    const train = (errors: number) => ({ ...evidence, train: { examples: 100, errors } });
    const negative = { ...CONSISTENT, margin: -0.1, logSpectralOverMargin: null };
    expect(measureProblems(negative, train(9))).toEqual([
      "margin is -0.1, but the predictions get only 9 of 100 training examples wrong, so the 0.1 quantile " +
        "of the margins cannot be negative",
    ]);
    expect(measureProblems(negative, train(10))).toEqual([]);
    expect(measureProblems(negative, train(11))).toEqual([]);
    expect(measureProblems(CONSISTENT, train(9))).toEqual([]);
    expect(measureProblems(CONSISTENT, train(10))).toEqual([]);
    expect(measureProblems(CONSISTENT, train(11))).toEqual([
      "margin is 4, but the predictions get 11 of 100 training examples wrong, so the 0.1 quantile of the " +
        "margins cannot be positive",
    ]);
    // Within the slack of two forward passes that round differently (1e-4): a fitted run's margin near 0.
    expect(measureProblems({ ...negative, margin: -5e-5 }, train(0))).toEqual([]);
    // No margin (not finite): nothing to check.
    expect(measureProblems({ ...negative, margin: null }, train(50))).toEqual([]);
  });
});
