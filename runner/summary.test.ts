// The end-of-run table and JSON rows say what the runs measured.
import { describe, expect, it } from "vitest";
import { makePredicate, newSigner } from "../tests/fixtures/bundles.js";
import { runSummary, summaryTable } from "./summary.js";

describe("summary", () => {
  it("prints one row per architecture and corruption with fit, accuracies and slowdown", async () => {
    const predicate = await makePredicate(await newSigner(), { seeds: [0], fitEpochs: { true: 10, random: 20 } });
    const text = summaryTable(predicate.runs);
    const rows = text.split("\n").filter((line) => line.includes("mlp-1x512"));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/true .*\b10\b.*\b20\b.*1\.000.*0\.800.*0\.200.*1\.00/);
    expect(rows[1]).toMatch(/random .*\b20\b.*\b40\b.*1\.000.*0\.100.*0\.900.*2\.00/);
  });

  it("shows a censored run as '> budget'", async () => {
    const predicate = await makePredicate(await newSigner(), { seeds: [0], fitEpochs: { random: null } });
    const row = summaryTable(predicate.runs)
      .split("\n")
      .find((line) => line.includes("random"))!;
    expect(row).toContain("> 100");
  });

  it("shows a run that early stopping ended before it fitted as 'stopped at N', not '> budget'", async () => {
    const predicate = await makePredicate(await newSigner(), { seeds: [0], fitEpochs: { random: null } });
    const random = predicate.runs.find((run) => run.task.corruption.kind === "random")!;
    random.curve = random.curve.slice(0, 12);
    const row = summaryTable(predicate.runs)
      .split("\n")
      .find((line) => line.includes("random"))!;
    expect(row).toContain("stopped at 12");
    expect(row).not.toContain("> 100");
  });

  it("gives the JSON row the fields `run --json` documents", async () => {
    const predicate = await makePredicate(await newSigner(), { seeds: [0] });
    expect(runSummary(predicate.runs[1]!)).toEqual({
      architecture: "mlp-1x512",
      fingerprint: predicate.architectures[0]!.fingerprint,
      dataset: "mnist-10k",
      corruption: "random",
      level: null,
      regularizer: "none",
      seed: 0,
      epochsToFit: 20,
      stepsToFit: 40,
      finalTrainAcc: 1,
      finalTestAcc: 0.1,
      genGap: 0.9,
      slowdown: 2,
      status: "ok",
    });
  });
});
