import { describe, expect, it } from "vitest";
import {
  corruptionName,
  formatCorrelation,
  formatEpochs,
  formatGibibytes,
  formatInteger,
  formatMeasure,
  formatParameters,
  formatPercent,
  formatPercentValue,
  formatPoints,
  formatPointsChange,
  formatPValue,
  formatRatio,
  formatSeconds,
  formatThreshold,
  formatTimestamp,
  nounFor,
  plural,
} from "./format.js";

describe("number formats", () => {
  it("print each kind of figure with its unit and digits", () => {
    expect(formatInteger(1240.5)).toBe("1,241");
    expect(formatMeasure(407050)).toBe("407,050");
    expect(formatMeasure(-0.0123456)).toBe("−0.01235");
    expect(formatMeasure(2.5e-5)).toBe("2.5e−5");
    expect(formatMeasure(0.001)).toBe("0.001");
    expect(formatMeasure(-1.5)).toBe("−1.5");
    expect(formatMeasure(1.234e-7)).toBe("1.234e−7");
    expect(formatMeasure(120.0001)).toBe("120");
    expect(formatMeasure(31.41592)).toBe("31.42");
    expect(formatEpochs(12.5)).toBe("12.5");
    expect(formatEpochs(12)).toBe("12");
    expect(formatParameters(407050)).toBe("407K");
    expect(formatParameters(1654522)).toBe("1.65M");
    expect(formatPercent(0.8125)).toBe("81.3%");
    expect(formatPoints(0.184)).toBe("18.4 pp");
    expect(formatPoints(-0.02)).toBe("−2.0 pp");
    expect(formatPointsChange(-0.04)).toBe("−4.0");
    expect(formatPointsChange(0.0123)).toBe("+1.2");
    // 1 − 0.9 − (1 − 0.91) is 0.01000000000000001: a float difference prints as the points it is.
    expect(formatPointsChange(1 - 0.9 - (1 - 0.91))).toBe("+1.0");
    expect(formatPointsChange(0.0004)).toBe("±0.0");
    expect(formatPointsChange(-0.0004)).toBe("±0.0");
    expect(formatPercent(0.42)).toBe("42.0%");
    expect(formatPercentValue(0.0923)).toBe("9.2");
    expect(formatThreshold(1)).toBe("100%");
    expect(formatRatio(3.214)).toBe("3.2×");
    expect(formatRatio(12.6)).toBe("13×");
    expect(formatSeconds(0.84)).toBe("0.8 s");
    expect(formatSeconds(41.2)).toBe("41 s");
    expect(formatSeconds(150)).toBe("2.5 min");
    expect(formatSeconds(9000)).toBe("2.5 h");
    expect(formatGibibytes(8 * 2 ** 30)).toBe("8 GiB");
    expect(formatTimestamp("2026-11-27T05:38:04.000Z")).toBe("2026-11-27 05:38 UTC");
    expect(formatPValue(0.0004)).toBe("< 0.001");
    expect(formatPValue(0.2827)).toBe("0.28");
    expect(formatCorrelation(-0.4714)).toBe("−0.47");
    expect(formatCorrelation(0.333)).toBe("+0.33");
  });

  it("names corruptions as the paper's figures do", () => {
    expect(corruptionName({ kind: "partial", p: 0.2 })).toBe("20% random labels");
    expect(corruptionName({ kind: "gaussian" })).toBe("Gaussian inputs");
  });
});

describe("plurals", () => {
  it("put a noun in the number its count asks for", () => {
    expect(plural(1, "run")).toBe("1 run");
    expect(plural(0, "run")).toBe("0 runs");
    expect(plural(3, "seed")).toBe("3 seeds");
    expect(nounFor(1, "level")).toBe("level");
    expect(nounFor(2, "level")).toBe("levels");
  });
});
