// The report's Table 1 rows and its verdicts on the paper's claims about regularization, on worked
// cases whose figures (and the noise margins they are judged against) are computed by hand below.
import { describe, expect, it } from "vitest";
import { REGULARIZERS, type Regularizer, type RunResult, type Task } from "../../../schema/index.js";
import { runFromAccuracies } from "../../../tests/fixtures/curve-runs.js";
import {
  type AblationRow,
  ablationRows,
  noise,
  points,
  regularizerClaims,
  regularizerKind,
  type UnfittedRun,
} from "./regularizers.js";

const CONTEXT = { testSize: 1000, fitThreshold: 1, classes: 10, trainSize: 1000 };

/** A row as ablationRows would give it, written out by hand. */
function row(
  architecture: string,
  regularizer: Regularizer,
  truth: [number, number] | null,
  random: (Omit<NonNullable<AblationRow["random"]>, "unfitted"> & { unfitted?: UnfittedRun[] }) | null,
): AblationRow {
  return {
    architecture,
    name: architecture === "mlp" ? "MLP" : "AlexNet",
    regularizer,
    truth: truth && { train: truth[0], test: truth[1] },
    random: random && { unfitted: [], ...random },
  };
}

const R = REGULARIZERS;
const fitted = (epochsToFit: number) => ({ train: 1, test: 0.1, epochsToFit });

describe("regularizerKind", () => {
  it("reads each regularizer set of the suites from its settings", () => {
    expect(regularizerKind(R.none)).toBe("none");
    expect(regularizerKind(R.weightDecay)).toBe("wd");
    expect(regularizerKind(R.crop)).toBe("crop");
    expect(regularizerKind(R.cropWeightDecay)).toBe("crop+wd");
    expect(regularizerKind(R.dropout)).toBe("dropout");
    expect(regularizerKind(R.earlyStopping)).toBe("early-stop");
    expect(regularizerKind(R.batchNorm)).toBe("bn");
    expect(regularizerKind(R.noBatchNorm)).toBe("no-bn");
  });

  it("does not go by the name, and calls a mix it has no column for 'other'", () => {
    expect(regularizerKind({ ...R.none, name: "l2", weightDecay: 1e-3 })).toBe("wd");
    expect(regularizerKind({ ...R.dropout, weightDecay: 1e-3 })).toBe("other");
    expect(regularizerKind({ ...R.dropout, batchNorm: "on" })).toBe("other");
  });
});

describe("noise and points", () => {
  it("is two standard errors of a difference of two binomial accuracies", () => {
    // 2·√(0.9·0.1/1000 + 0.9·0.1/1000) = 2·√0.00018 = 0.026833
    expect(noise(0.9, 0.9, 1000)).toBeCloseTo(0.026833, 5);
    // 2·√(0.5·0.5/100 + 1·0/100) = 2·0.05 = 0.1
    expect(noise(0.5, 1, 100)).toBeCloseTo(0.1, 10);
  });

  it("writes signed percentage points with a real minus sign, and no sign on a rounded zero", () => {
    expect(points(0.021)).toBe("+2.1");
    expect(points(-0.004)).toBe("−0.4");
    expect(points(0.0004)).toBe("0.0");
    expect(points(-0.12345, 2)).toBe("−12.35");
  });
});

describe("ablationRows", () => {
  const base: Omit<Task, "regularizer" | "corruption"> = {
    suite: { id: "regularizers", version: 1 },
    architecture: "mlp-1x512",
    dataset: { id: "mnist-10k", trainSize: 100, testSize: 100 },
    seed: 0,
    optimizer: { kind: "sgd-momentum", learningRate: 0.05, momentum: 0.9, decayPerEpoch: 1, batchSize: 50 },
    epochs: 10,
    fitThreshold: 1,
  };
  /** A finished run whose training accuracy follows `trainAccs`, its test accuracy `testAccs`. */
  function run(
    corruption: "true" | "random",
    regularizer: Regularizer,
    trainAccs: number[],
    testAcc: number,
    valAccs?: number[],
  ): RunResult {
    return runFromAccuracies({ ...base, corruption: { kind: corruption }, regularizer }, trainAccs, testAcc, valAccs);
  }

  const runs = [
    run("true", R.none, [0.6, 1, 1, 1, 1], 0.85),
    run("random", R.none, [0.2, 0.5, 0.9, 1, 1, 1, 1], 0.12),
    run("true", R.earlyStopping, [0.6, 1, 1, 1, 1], 0.84, [0.7, 0.8, 0.8, 0.8, 0.8]),
    // Validation accuracy never beats its first epoch: patience 5 ends the run after epoch 6.
    run("random", R.earlyStopping, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6], 0.09, [0.2, 0.1, 0.1, 0.1, 0.1, 0.1]),
    // The whole 10-epoch budget without reaching 100%.
    run("random", R.dropout, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95], 0.11),
  ];
  const rows = ablationRows({ architectures: [{ id: "mlp-1x512", name: "MLP 1×512" }], runs });

  it("gives one row per architecture and regularizer set, in the order of the runs", () => {
    expect(rows.map((r) => r.regularizer.name)).toEqual(["none", "early-stop", "dropout"]);
    expect(rows.every((r) => r.name === "MLP 1×512")).toBe(true);
  });

  it("reads the final accuracies and the epoch random labels were first fitted", () => {
    expect(rows[0]!.truth).toEqual({ train: 1, test: 0.85 });
    expect(rows[0]!.random).toEqual({ train: 1, test: 0.12, epochsToFit: 4, unfitted: [] });
  });

  it("says how an unfitted random-label run ended: patience, or the budget", () => {
    expect(rows[1]!.random).toEqual({
      train: 0.6,
      test: 0.09,
      epochsToFit: Number.POSITIVE_INFINITY,
      unfitted: [{ seed: 0, epochs: 6, reason: "patience", trainAcc: 0.6, bestTrainAcc: 0.6 }],
    });
    expect(rows[2]!.truth).toBeNull();
    expect(rows[2]!.random!.unfitted).toEqual([
      { seed: 0, epochs: 10, reason: "budget", trainAcc: 0.95, bestTrainAcc: 0.95 },
    ]);
  });
});

describe("claim (a): augmentation helps more than weight decay", () => {
  const claim = (rows: AblationRow[]) => regularizerClaims(rows, CONTEXT)[0]!;

  it("agrees when crops beat weight decay by more than the noise", () => {
    // crop − wd = 0.93 − 0.88 = 0.05 > 2·√(0.93·0.07/1000 + 0.88·0.12/1000) = 0.0261
    const c = claim([
      row("mlp", R.none, [1, 0.88], null),
      row("mlp", R.crop, [1, 0.93], null),
      row("mlp", R.weightDecay, [1, 0.88], null),
    ]);
    expect(c.verdict).toBe("agrees");
    expect(c.text).toContain("MLP: crops +5.0 points of test accuracy, weight decay 0.0");
    expect(c.text).toContain("crops ahead by 5.0 points, beyond the ±2.6 of noise");
    // The paper's own figures, from Table 1: AlexNet 79.66 − 76.07 and 77.36 − 76.07.
    expect(c.text).toContain("AlexNet +3.59 points with crops, +1.29 with weight decay");
  });

  it("disagrees when weight decay beats crops by more than the noise", () => {
    // crop − wd = 0.85 − 0.90 = −0.05 < −2·√(0.85·0.15/1000 + 0.9·0.1/1000) = −0.0295 (±2.9 points)
    const c = claim([
      row("mlp", R.none, [1, 0.88], null),
      row("mlp", R.crop, [1, 0.85], null),
      row("mlp", R.weightDecay, [1, 0.9], null),
    ]);
    expect(c.verdict).toBe("disagrees");
    expect(c.text).toContain("weight decay ahead by 5.0 points, beyond the ±2.9 of noise");
  });

  it("has no verdict within the noise, and a partial one when the architectures differ", () => {
    const mlp = [
      row("mlp", R.none, [1, 0.88], null),
      row("mlp", R.crop, [1, 0.89], null),
      row("mlp", R.weightDecay, [1, 0.88], null),
    ];
    expect(claim(mlp).verdict).toBe("inconclusive");
    const alex = [
      row("alex", R.none, [1, 0.9], null),
      row("alex", R.crop, [1, 0.96], null),
      row("alex", R.weightDecay, [1, 0.9], null),
    ];
    const c = claim([...mlp, ...alex]);
    expect(c.verdict).toBe("partly agrees");
    expect(c.text).toContain("MLP: crops +1.0");
    expect(c.text).toContain("AlexNet: crops +6.0");
  });

  it("has no verdict for an architecture whose true-label run without a regularizer did not fit", () => {
    const c = claim([
      row("alex", R.none, [0.1, 0.1], null),
      row("alex", R.crop, [1, 0.948], null),
      row("alex", R.weightDecay, [0.1, 0.1], null),
    ]);
    expect(c.verdict).toBe("not tested");
    expect(c.text).toContain("AlexNet: no verdict, its true-label run without a regularizer did not fit");
    expect(c.text).not.toContain("+84.8");
  });

  it("is not tested without crops and weight decay on true labels", () => {
    expect(claim([row("mlp", R.none, [1, 0.88], null)]).verdict).toBe("not tested");
  });
});

describe("claim (b): random labels are still fitted with regularizers on", () => {
  const claim = (rows: AblationRow[]) => regularizerClaims(rows, CONTEXT)[1]!;

  it("agrees when every explicit regularizer fitted random labels, early stopping aside", () => {
    const c = claim([
      row("mlp", R.none, null, fitted(40)),
      row("mlp", R.weightDecay, null, fitted(45)),
      row("mlp", R.crop, null, { train: 1, test: 0.08, epochsToFit: 60 }),
      row("mlp", R.earlyStopping, null, {
        train: 0.3,
        test: 0.1,
        epochsToFit: Number.POSITIVE_INFINITY,
        unfitted: [{ seed: 0, epochs: 9, reason: "patience", trainAcc: 0.3, bestTrainAcc: 0.3 }],
      }),
    ]);
    expect(c.verdict).toBe("agrees");
    expect(c.text).toContain("for 2 of 2 architecture–regularizer pairs");
    expect(c.text).toContain("MLP fitted them with `wd` and `crop` in 45–60 epochs (40 without)");
    expect(c.text).toContain("Their test accuracy was 8.0%–10.0% (chance: 10%)");
    expect(c.text).toContain("MLP stopped by its patience at epoch 9, at 30.0% training accuracy");
    // Appendix E, as the paper reports it.
    expect(c.text).toContain("AlexNet with weight decay did not converge");
  });

  it("agrees only partly when one regularizer kept random labels from fitting in the budget", () => {
    const c = claim([
      row("mlp", R.weightDecay, null, fitted(45)),
      row("alex", R.cropWeightDecay, null, {
        train: 0.93,
        test: 0.1,
        epochsToFit: Number.POSITIVE_INFINITY,
        unfitted: [{ seed: 0, epochs: 100, reason: "budget", trainAcc: 0.93, bestTrainAcc: 0.995 }],
      }),
    ]);
    expect(c.verdict).toBe("partly agrees");
    // Its best epoch, 99.5%, clears the 99.21% that Appendix E reports for MLP 1x512 with weight decay.
    expect(c.text).toContain("With the bar at 99.21%");
    expect(c.text).toContain("2 of 2 pairs reach it on their best epoch");
    expect(c.text).toContain("for 1 of 2 architecture–regularizer pairs");
    expect(c.text).toContain(
      "AlexNet did not with `crop+wd` (its 100-epoch budget ran out, at 93.0% training accuracy; best 99.5%)",
    );
  });

  it("disagrees when no regularized run fitted random labels", () => {
    const unfitted = {
      train: 0.5,
      test: 0.1,
      epochsToFit: Number.POSITIVE_INFINITY,
      unfitted: [{ seed: 0, epochs: 100, reason: "budget" as const, trainAcc: 0.5, bestTrainAcc: 0.7 }],
    };
    expect(claim([row("mlp", R.none, null, fitted(40)), row("mlp", R.dropout, null, unfitted)]).verdict).toBe(
      "disagrees",
    );
  });
});

describe("claim (c): early stopping and batch norm help a little", () => {
  const claim = (rows: AblationRow[]) => regularizerClaims(rows, CONTEXT)[2]!;

  it("agrees when both help beyond the noise, partly when one makes no difference", () => {
    // bn: 0.95 − 0.92 = 0.03 > 2·√(0.95·0.05/1000 + 0.92·0.08/1000) = 0.0220
    // early-stop: 0.925 − 0.92 = 0.005 < 2·√(0.925·0.075/1000 + 0.92·0.08/1000) = 0.0239
    const none = row("alex", R.none, [1, 0.92], null);
    expect(claim([none, row("alex", R.batchNorm, [1, 0.95], null)]).verdict).toBe("agrees");
    const c = claim([none, row("alex", R.batchNorm, [1, 0.95], null), row("alex", R.earlyStopping, [1, 0.925], null)]);
    expect(c.verdict).toBe("partly agrees");
    expect(c.text).toContain("`bn` on AlexNet helped (+3.0 points of test accuracy, noise ±2.2; gap −3.0)");
    expect(c.text).toContain("`early-stop` on AlexNet made no difference beyond noise (+0.5 points");
    expect(c.text).toContain("trains on 900 of its 1,000 training digits");
    // The paper's batch-norm figure, from Table 1: 85.75 − 82.00.
    expect(c.text).toContain("batch norm +3.75 points of test accuracy for Inception");
  });

  it("disagrees when batch norm hurt beyond the noise", () => {
    // 0.88 − 0.92 = −0.04 < −2·√(0.88·0.12/1000 + 0.92·0.08/1000) = −0.0268
    const c = claim([row("alex", R.none, [1, 0.92], null), row("alex", R.batchNorm, [1, 0.88], null)]);
    expect(c.verdict).toBe("disagrees");
    expect(c.text).toContain("`bn` on AlexNet hurt (−4.0 points");
  });
});

describe("claim (d): the architecture matters more than the regularizers", () => {
  const claim = (rows: AblationRow[]) => regularizerClaims(rows, CONTEXT)[3]!;

  it("agrees when the architectures differ by more than any regularizer changes", () => {
    const c = claim([
      row("mlp", R.none, [1, 0.5], null),
      row("mlp", R.weightDecay, [1, 0.51], null),
      row("alex", R.none, [1, 0.76], null),
      row("alex", R.crop, [1, 0.79], null),
    ]);
    expect(c.verdict).toBe("agrees");
    expect(c.text).toContain("AlexNet and MLP differ by 26.0 points of test accuracy with no regularizer");
    expect(c.text).toContain("the largest change a regularizer makes is +3.0 (`crop` on AlexNet)");
  });

  it("disagrees when a regularizer changes more than the architecture, and says the spread is noise", () => {
    // Spread 0.927 − 0.889 = 0.038 > 2·√(0.927·0.073/1000 + 0.889·0.111/1000) = 0.0253; crop: −0.05.
    const c = claim([
      row("mlp", R.none, [1, 0.889], null),
      row("mlp", R.crop, [1, 0.839], null),
      row("alex", R.none, [1, 0.927], null),
    ]);
    expect(c.verdict).toBe("disagrees");
    expect(c.text).toContain("differ by 3.8 points");
    expect(c.text).not.toContain("within the");
    expect(c.text).toContain("is −5.0 (`crop` on MLP)");
  });

  it("leaves out an architecture that did not fit its true labels", () => {
    const c = claim([
      row("mlp", R.none, [1, 0.862], null),
      row("mlp", R.crop, [0.994, 0.924], null),
      row("alex", R.none, [0.1, 0.1], null),
      row("alex", R.crop, [1, 0.948], null),
    ]);
    expect(c.verdict).toBe("not tested");
    expect(c.text).toContain("Left out: AlexNet: no verdict");
  });

  it("is not tested with one architecture", () => {
    expect(claim([row("mlp", R.none, [1, 0.5], null), row("mlp", R.crop, [1, 0.6], null)]).verdict).toBe("not tested");
  });
});
