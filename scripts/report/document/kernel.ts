// Minimum-norm kernel interpolation (§5): the quick suite's baseline and growing MNIST solves beside Table 3.

import type { BaselineRow } from "../../../schema/index.js";
import { corruptionName, formatInteger, formatPercentValue, NONE } from "../../../web/index.js";
import { KERNEL } from "../paper.js";
import { percent, seconds, table } from "./format.js";
import type { ReportInput } from "./input.js";
import { allFitted, fittedRuns, kernelGamma } from "./runs.js";

export function kernelSection(input: ReportInput): string {
  const k = input.kernel;
  const p = k.bundle.predicate;
  const rows = p.runs.map((r) => [
    corruptionName(r.task.corruption),
    r.derived.finalTrainAcc === null ? "failed" : percent(1 - r.derived.finalTrainAcc, 2),
    r.derived.finalTestAcc === null ? NONE : percent(1 - r.derived.finalTestAcc, 2),
    seconds(r.derived.wallSeconds),
  ]);
  const sizes = [...k.sizes].sort((a, b) => a.output.n - b.output.n);
  const sizeRows = [
    ...sizes.map((s) => [
      `ours: \`${s.output.dataset}\``,
      formatInteger(s.output.n),
      formatInteger(s.output.test),
      percent(s.output.trainError, 2),
      percent(s.output.testError, 2),
      s.output.norm.toFixed(1),
      seconds(s.output.seconds.kernel + s.output.seconds.factor + s.output.seconds.solve),
    ]),
    [
      "paper: MNIST (Table 3, §5)",
      formatInteger(KERNEL.mnistTrainSize),
      formatInteger(KERNEL.mnistTestSize),
      percent(KERNEL.mnistTrainError, 0),
      percent(KERNEL.mnistTestError, 1),
      `≈ ${KERNEL.mnistNorm}`,
      KERNEL.solveTime,
    ],
  ];
  const truth = p.runs.find((r) => r.task.corruption.kind === "true");
  const random = p.runs.find((r) => r.task.corruption.kind === "random");
  const interpolates = allFitted(p)
    ? "it interpolates every labelling, random ones included (training error 0 on every run), " +
      "and only its test error changes"
    : `${fittedRuns(p).fitted} of ${fittedRuns(p).total} runs interpolate their training labels`;
  const gap = (row: BaselineRow) =>
    row.genGap.median === null ? NONE : `${formatPercentValue(row.genGap.median)} percentage points`;
  const testAccuracy = (row: BaselineRow) => (row.testAccuracy === null ? NONE : percent(row.testAccuracy));
  const testSizes = [...new Set(sizes.map((s) => `${formatInteger(s.output.test)} test digits`))];
  return [
    "## Minimum-norm kernel interpolation (§5)",
    "",
    "`rethink-bench kernel` solves K α = Y for one-hot targets " +
      `with the Gaussian kernel exp(−${kernelGamma(k)}·‖x − x′‖²) on [0, 1] pixels ` +
      "(a float64 Cholesky factorization), the paper's §5 construction. " +
      `Run on every task of the quick suite, it is that board's non-neural baseline: ${interpolates}. ` +
      "Its page draws Figure 1c only: a closed-form solve has no learning curve and no SGD steps.",
    "",
    `![Figure 1c for the kernel baseline: test error against label corruption](${input.imageDir}/${k.image})`,
    "",
    table(["corruption", "training error", "test error", "wall time"], rows, ["l", "r", "r", "r"]),
    "",
    truth && random && truth.derived.finalTestAcc !== null && random.derived.finalTestAcc !== null
      ? `On true labels it reaches ${percent(1 - truth.derived.finalTestAcc, 2)} test error ` +
        `with ${formatInteger(p.datasets[0]!.trainSize)} training digits; ` +
        `on random labels ${percent(1 - random.derived.finalTestAcc, 2)}, ` +
        `chance being ${percent(1 - 1 / p.datasets[0]!.classes, 0)}.`
      : "",
    "",
    k.board.baseline
      ? "On the local leaderboard the bundle is listed under **Non-neural baselines**, " +
        `outside the ranking of the ${k.board.ranked} trained architectures: ` +
        `generalization gap ${gap(k.board.baseline)}, test accuracy ${testAccuracy(k.board.baseline)}, ` +
        "steps to fit shown as not applicable."
      : "The local leaderboard did not list the kernel as a baseline.",
    "",
    `With more training digits (${testSizes.join(", ")} each time), against the paper's solve on all of MNIST:`,
    "",
    table(["", "n (training)", "test images", "training error", "test error", "RKHS norm", "time"], sizeRows, [
      "l",
      "r",
      "r",
      "r",
      "r",
      "r",
      "r",
    ]),
  ].join("\n");
}
