// The insight page's measures section as HTML: the ranking rows in the order given, the verdict, the export links
// in the page's scope, and what it says on a board without runs, verified-only or not.
import { describe, expect, it } from "vitest";
import type { BoardMeasureRun } from "../../schema/index.js";
import { measureScatter } from "../measure-figures.js";
import { measureCorrelations } from "../measures.js";
import { MeasuresSection, type MeasuresSectionProps } from "./insight-measures.js";

const BOARD = { suite: "quick", version: 2, dataset: "mnist-10k" };

function run(level: 0 | 1, frobeniusSquared: number, genGap: number): BoardMeasureRun {
  return {
    submissionId: `sub_${"0".repeat(32)}`,
    position: level,
    architecture: { fingerprint: "a".repeat(64), name: "mlp", parameterCount: 100 },
    backend: "cpu",
    corruption: level === 0 ? { kind: "true" } : { kind: "random" },
    corruptionLevel: level,
    regularizer: "none",
    seed: 0,
    finalTrainAcc: 1,
    finalTestAcc: 1 - genGap,
    genGap,
    measures: {
      parameterCount: 100,
      frobeniusSquared,
      distanceFromInit: 1,
      logSpectralProduct: null,
      logSpectralOverMargin: null,
      logPathL2: null,
      margin: null,
      flatnessSigma: 0.5,
      adversarialSharpness: 0,
      seconds: 0.1,
    },
  };
}

async function render(props: Partial<MeasuresSectionProps>): Promise<string> {
  const runs = props.runs ?? [];
  const element = MeasuresSection({
    board: BOARD,
    backend: null,
    verified: "all",
    partial: false,
    runs,
    correlations: measureCorrelations(runs),
    verdict: "THE VERDICT",
    scatter: measureScatter(runs),
    ...props,
  });
  return String(await element.toString());
}

describe("MeasuresSection", () => {
  it("lists the measures in the order given, with the verdict, a figure per measure and the export links", async () => {
    const runs = [run(0, 10, 0.05), run(1, 30, 0.9)];
    const correlations = measureCorrelations(runs);
    const html = await render({ runs, correlations });
    const order = [...html.matchAll(/<tr data-measure="(\w+)"/g)].map((m) => m[1]);
    expect(order).toEqual(correlations.map((c) => c.measure.key));
    // Frobenius rises with the gap over the two runs: τ = +1, ranked first.
    expect(order[0]).toBe("frobeniusSquared");
    expect(html).toContain("THE VERDICT");
    expect(html.match(/<canvas /g)).toHaveLength(correlations.length);
    expect(html).toContain(
      'href="/api/v1/leaderboard/measures?suite=quick&amp;version=2&amp;dataset=mnist-10k&amp;verified=all"',
    );
    expect(html).toContain("verified=all&amp;format=csv");
  });

  it("says when the ranking rests on part of a large board, and only then", async () => {
    const runs = [run(0, 10, 0.05), run(1, 30, 0.9)];
    expect(await render({ runs, partial: true })).toContain("This board is larger than one page");
    expect(await render({ runs, partial: false })).not.toContain("larger than one page");
  });

  it("says that measures nobody reproduced are the submitters' claims, unless the view is verified only", async () => {
    const runs = [run(0, 10, 0.05), run(1, 30, 0.9)];
    // The page escapes the apostrophe.
    expect(await render({ runs, verified: "all" })).toContain("Until then they are the submitter&#39;s claims.");
    expect(await render({ runs, verified: "only" })).not.toContain("Until then");
  });

  it("says a board has no runs yet, and that a verified-only view rests on verified results", async () => {
    expect(await render({})).toContain("No runs with complexity measures on this board yet");
    const verified = await render({ verified: "only" });
    expect(verified).toContain("No verified runs with complexity measures");
    expect(verified).toContain("verified results only");
    expect(verified).not.toContain("<table");
  });
});
