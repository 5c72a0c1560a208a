// The paper's Table 1 as data: the figures of /work/shared/PAPER.md's Table 1 and Appendix E typed
// out again here, the nearest paper model of each built-in, and each regularizer set's column.
import { describe, expect, it } from "vitest";
import { paperModelOf, paperTable1Row } from "./paper-table-1.js";
import { ablatedRegularizers, suiteRegularizers } from "./regularizer-ablations.js";
import { findSuite } from "./suites/index.js";

describe("paperModelOf", () => {
  it("maps each built-in family to the paper's nearest model", () => {
    expect(paperModelOf("mlp-1x512")).toBe("MLP 1x512");
    expect(paperModelOf("mlp-3x512")).toBe("MLP 3x512");
    expect(paperModelOf("mlp-tiny")).toBe("MLP 1x512");
    expect(paperModelOf("small-alexnet")).toBe("AlexNet");
    expect(paperModelOf("small-alexnet-tiny")).toBe("AlexNet");
    expect(paperModelOf("small-inception")).toBe("Inception");
    expect(paperModelOf("resnet-18")).toBeNull();
  });
});

describe("paperTable1Row", () => {
  it("reads Table 1's neither and random-labels columns for no regularizer", () => {
    expect(paperTable1Row("AlexNet", "none")).toEqual({
      model: "AlexNet",
      column: "none",
      trueLabels: { train: 100, test: 76.07 },
      randomLabels: { train: 99.82, test: 9.86, converged: true },
    });
  });

  it("reads Appendix E's training accuracy on random labels with weight decay, and its failure", () => {
    expect(paperTable1Row("MLP 1x512", "wd")).toEqual({
      model: "MLP 1x512",
      column: "wd",
      trueLabels: { train: 99.8, test: 50.39 },
      randomLabels: { train: 99.21, test: null, converged: true },
    });
    // "AlexNet + wd failed to converge" on random labels.
    expect(paperTable1Row("AlexNet", "wd")?.randomLabels).toEqual({ train: null, test: null, converged: false });
    expect(paperTable1Row("Inception", "crop")?.randomLabels).toEqual({ train: 99.93, test: null, converged: true });
  });

  it("has crops for the convolutional models only, and no random-label figure for crop+wd", () => {
    expect(paperTable1Row("AlexNet", "crop+wd")).toEqual({
      model: "AlexNet",
      column: "crop+wd",
      trueLabels: { train: 99.9, test: 81.22 },
      randomLabels: null,
    });
    expect(paperTable1Row("MLP 1x512", "crop")).toEqual({
      model: "MLP 1x512",
      column: "crop",
      trueLabels: null,
      randomLabels: null,
    });
  });

  it("takes Inception without batch norm for no-bn, and nothing where the model has no such variant", () => {
    expect(paperTable1Row("Inception", "no-bn")).toEqual({
      model: "Inception w/o BatchNorm",
      column: "none",
      trueLabels: { train: 100, test: 82 },
      randomLabels: { train: 100, test: 10.12, converged: true },
    });
    expect(paperTable1Row("AlexNet", "no-bn")).toBeNull();
  });

  it("has no column for dropout, early stopping, added batch norm or an unknown name", () => {
    for (const name of ["dropout", "early-stop", "bn", "constructor", "toString"])
      expect(paperTable1Row("Inception", name), name).toBeNull();
  });
});

describe("suiteRegularizers", () => {
  it("lists the regularizer sets in suite order, none first where the suite starts with it", () => {
    expect(suiteRegularizers(findSuite("paper")!)).toEqual(["none", "wd", "crop", "crop+wd", "no-bn"]);
    expect(ablatedRegularizers(findSuite("paper")!)).toEqual(["wd", "crop", "crop+wd", "no-bn"]);
    expect(ablatedRegularizers(findSuite("quick")!)).toEqual([]);
    const regularizers = ablatedRegularizers(findSuite("regularizers")!);
    expect(regularizers.slice(0, 3)).toEqual(["wd", "crop", "crop+wd"]);
    expect(regularizers).not.toContain("none");
  });

  it("keeps a suite's order even when a later condition repeats a name", () => {
    const suite = {
      conditions: ["none", "crop", "none", "wd", "crop"].map((name) => ({ regularizer: { name } })),
    } as Parameters<typeof suiteRegularizers>[0];
    expect(suiteRegularizers(suite)).toEqual(["none", "crop", "wd"]);
    expect(ablatedRegularizers(suite)).toEqual(["crop", "wd"]);
  });
});
