// Which rows an architecture's Table 1 has and in what order, with and without its suite, and
// how a regularizer set is put in words.
import { describe, expect, it } from "vitest";
import {
  type ArchitectureDetail,
  type ConditionSummary,
  findSuite,
  NO_REGULARIZER,
  type Spread,
} from "../../../schema/index.js";
import { describeRegularizer, table1Rows } from "./table-1.js";

const SPREAD: Spread = {
  q1: 0.5,
  median: 0.5,
  q3: 0.5,
  runs: 1,
  censoredRuns: 0,
  failedRuns: 0,
  seeds: 1,
  provisional: false,
};

function condition(kind: "true" | "random", regularizer: string): ConditionSummary {
  return {
    suite: { id: "regularizers", version: 1 },
    dataset: "mnist-10k",
    corruption: { kind },
    corruptionLevel: kind === "true" ? 0 : 1,
    regularizer,
    stepsToFit: SPREAD,
    epochsToFit: SPREAD,
    genGap: SPREAD,
    testError: SPREAD,
    trainAccuracy: SPREAD,
    slowdown: null,
    counts: {
      seeds: 1,
      standing: 1,
      confirmations: 0,
      contests: 0,
      replicates: 0,
      reproductions: 0,
      verified: 0,
      failed: 0,
      submissions: 1,
      keys: 1,
    },
  };
}

function detail(
  id: string,
  kind: ArchitectureDetail["architecture"]["kind"],
  conditions: ConditionSummary[],
): Pick<ArchitectureDetail, "architecture" | "conditions"> {
  const architecture: ArchitectureDetail["architecture"] = {
    fingerprint: "0".repeat(64),
    id,
    name: id,
    kind,
    inputShape: [28, 28, 1],
    parameterCount: 1,
    topology: {},
    firstSeenAt: "2026-11-27T00:00:00.000Z",
  };
  return { architecture, conditions };
}

const both = (...names: string[]) => names.flatMap((n) => [condition("true", n), condition("random", n)]);

describe("table1Rows", () => {
  it("follows the suite's order, and lists only the sets the suite applies to the architecture", () => {
    const suite = findSuite("paper")!; // none, wd, crop, crop+wd for all; no-bn for small-inception only
    const mlp = table1Rows(detail("mlp-1x512", "builtin", both("crop", "none", "wd")), suite);
    expect(mlp.model).toBe("MLP 1x512");
    expect(mlp.rows.map((r) => r.regularizer)).toEqual(["none", "wd", "crop", "crop+wd"]);
    // crop+wd has no results yet: a row without conditions.
    expect(mlp.rows[3]).toMatchObject({ trueLabels: undefined, randomLabels: undefined });
    expect(mlp.rows[1]!.paper?.trueLabels).toEqual({ train: 99.8, test: 50.39 });

    const inception = table1Rows(detail("small-inception", "builtin", both("none", "no-bn")), suite);
    expect(inception.rows.map((r) => r.regularizer)).toEqual(["none", "wd", "crop", "crop+wd", "no-bn"]);
    expect(inception.rows[4]!.paper?.model).toBe("Inception w/o BatchNorm");
  });

  it("without the suite, lists none first and the rest in the order of the results", () => {
    const rows = table1Rows(detail("small-alexnet", "builtin", both("wd", "none", "dropout")), undefined).rows;
    expect(rows.map((r) => r.regularizer)).toEqual(["none", "wd", "dropout"]);
    expect(rows.map((r) => r.definition)).toEqual([undefined, undefined, undefined]);
  });

  it("has no rows on a board without ablations, and no paper model for a user architecture", () => {
    expect(table1Rows(detail("mlp-1x512", "builtin", both("none")), findSuite("quick")).rows).toEqual([]);
    const user = table1Rows(detail("mlp-mine", "layers-json", both("none", "wd")), undefined);
    expect(user.model).toBeNull();
    expect(user.rows.map((r) => r.paper)).toEqual([null, null]);
  });
});

describe("describeRegularizer", () => {
  it("says what each set turns on, from its definition", () => {
    expect(describeRegularizer(NO_REGULARIZER)).toBe("every regularizer off");
    expect(describeRegularizer({ ...NO_REGULARIZER, name: "crop+wd", augmentation: "crop", weightDecay: 5e-4 })).toBe(
      "weight decay 0.0005, random crops",
    );
    expect(describeRegularizer({ ...NO_REGULARIZER, name: "early-stop", earlyStoppingPatience: 5 })).toBe(
      "early stopping, patience 5 epochs",
    );
    expect(describeRegularizer({ ...NO_REGULARIZER, name: "no-bn", batchNorm: "off" })).toBe("batch norm removed");
  });
});
