// The set-up: our quick suite's data, models, optimizer and stopping beside the paper's Appendix A.
import { formatInteger } from "../../../web/index.js";
import { PAPER_SETUP, PARAMETERS, type PaperModel } from "../paper.js";
import { list, table } from "./format.js";
import type { ReportInput } from "./input.js";
import { paperModel, paperSchedule, regularizersRun, stoppingRule } from "./runs.js";

export function setup(input: ReportInput): string {
  const suite = input.quick.bundle.predicate.suite;
  const spec = suite.datasets[0]!;
  const archs = input.quick.architectures;
  const regularizers = regularizersRun(input.quick.bundle.predicate);
  const decay = suite.optimizer.decayPerEpoch === 1 ? "(constant)" : `×${suite.optimizer.decayPerEpoch} per epoch`;
  const rows: string[][] = [
    [
      "data",
      `\`${spec.id}\`: ${formatInteger(spec.trainSize)} training and ${formatInteger(spec.testSize)} test ` +
        "MNIST digits, 28×28×1, pixels in [0, 1]",
      `CIFAR-10: ${formatInteger(PAPER_SETUP.cifarTrainSize)} training ` +
        `and ${formatInteger(PAPER_SETUP.cifarTestSize)} test images, ` +
        "center-cropped to 28×28×3 and standardized per image (Appendix A)",
    ],
    [
      "models",
      archs.map((a) => `\`${a.id}\` (${formatInteger(a.parameterCount)} parameters)`).join(", "),
      archs
        .map((a) => paperModel(a.id))
        .filter((m): m is PaperModel => m !== null)
        .map((m) => `${m}${PARAMETERS[m] ? ` (${formatInteger(PARAMETERS[m])} parameters, Table 1)` : ""}`)
        .join(", "),
    ],
    [
      "optimizer",
      `SGD, momentum ${suite.optimizer.momentum}, learning rate ${suite.optimizer.learningRate} ${decay}, ` +
        `batch ${suite.optimizer.batchSize}`,
      `SGD, momentum ${PAPER_SETUP.momentum}, learning rate ${paperSchedule()}; batch size not stated (Appendix A)`,
    ],
    [
      "training",
      `at most ${suite.epochs} epochs; ${stoppingRule(input.quick.bundle.predicate)}`,
      "not stated; Figure 1a trains each condition until its loss is about 0",
    ],
    ["seeds", `${suite.seeds.length} (${suite.seeds.join(", ")})`, "not stated"],
    [
      "regularizers",
      regularizers.length === 0
        ? "none (the quick suite runs the randomization tests only; Table 1's ablations are the " +
          "`regularizers` suite's, below)"
        : `none and ${list(regularizers.map((r) => `\`${r}\``))}`,
      "none for the randomization tests; Table 1 ablates weight decay, random crops, batch norm",
    ],
  ];
  return [
    "## Set-up: ours and the paper's",
    "",
    table(["", `ours: \`quick\` suite v${suite.version}`, "paper"], rows),
    "",
  ].join("\n");
}
