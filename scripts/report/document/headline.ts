// The headline: random labels memorized, test error against noise, the kernel's and Theorem 1's largest runs.
import { formatInteger } from "../../../web/index.js";
import { FIGURE_1C, KERNEL, TABLE_1, theoremWeights } from "../paper.js";
import { paperPercent, percent, ratio } from "./format.js";
import type { ReportInput } from "./input.js";
import { claimTitle, suiteClaims } from "./regularizers.js";
import { accuracies, allFitted, fittedRuns, medianSteps, paperModel, plainSweep, rising, runsOf } from "./runs.js";

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);

export function headline(input: ReportInput): string {
  const q = input.quick.bundle.predicate;
  const lines: string[] = [];
  for (const a of input.quick.architectures) {
    const random = runsOf(q, a.id, "random");
    const truth = runsOf(q, a.id, "true");
    const steps = medianSteps(random);
    const trueSteps = medianSteps(truth);
    const acc = accuracies(random);
    const model = paperModel(a.id);
    const paper = model ? TABLE_1[model].random : undefined;
    const fitted = steps !== null && Number.isFinite(steps);
    const reached = acc ? `training accuracy ${percent(acc.train)}, test ${percent(acc.test)}` : "no finished run";
    const speed =
      fitted && trueSteps !== null && Number.isFinite(trueSteps)
        ? `, fitted after ${formatInteger(steps)} SGD steps, ` +
          `${ratio(steps / trueSteps)} the ${formatInteger(trueSteps)} steps true labels take`
        : ", not fitted within the epoch budget";
    lines.push(
      `- **${a.name}** (\`${a.id}\`) **memorizes random labels**: ${reached}${speed}.` +
        (paper && model
          ? ` Paper, ${model} on CIFAR-10: ${paperPercent(paper[0])} / ${paperPercent(paper[1])} (Table 1).`
          : ""),
    );
  }
  for (const a of input.quick.architectures) {
    const sweep = plainSweep(a.detail);
    const first = sweep[0];
    const last = sweep.at(-1);
    const model = paperModel(a.id);
    const paper = model ? FIGURE_1C[model] : undefined;
    if (first?.testError.median != null && last?.testError.median != null) {
      const { fitted, total } = fittedRuns(input.quick.bundle.predicate, a.id);
      const fit = allFitted(input.quick.bundle.predicate, a.id)
        ? "while every run fits its training set"
        : `with ${fitted} of ${total} runs fitting their training set`;
      lines.push(
        `- **${a.name}**: **test error ${rising(sweep.map((c) => c.testError.median))} with label noise**, ` +
          `from ${percent(first.testError.median)} (true labels) ` +
          `to ${percent(last.testError.median)} (random labels), ${fit}.` +
          (paper && model
            ? ` Paper, ${model}: ${percent(paper[0]!, 0)} → ${percent(paper.at(-1)!, 0)} ` +
              "(Table 1; the ends of Figure 1c)."
            : ""),
      );
    }
  }
  const claims = suiteClaims(input.regularizers.bundle.predicate).filter((c) => c.verdict !== "not tested");
  if (claims.length > 0)
    lines.push(
      "- **Regularizers** (the `regularizers` suite, the paper's Table 1 on MNIST digits): against the paper's claims, " +
        `${claims
          .map(
            (c) =>
              `${c.verdict} that ${lowerFirst(
                claimTitle(c)
                  .replace(/^\([a-d]\) /, "")
                  .replace(/\.$/, ""),
              )}`,
          )
          .join("; ")} ` +
        "([Table 1](#table-1-training-and-test-accuracy)).",
    );
  const largest = [...input.kernel.sizes].sort((a, b) => b.output.n - a.output.n)[0];
  if (largest) {
    lines.push(
      `- **Kernel interpolation**: the minimum-norm Gaussian-kernel solution on ${formatInteger(largest.output.n)} ` +
        `training digits has training error ${percent(largest.output.trainError, 2)} ` +
        `and test error ${percent(largest.output.testError, 2)}. ` +
        `Paper: ${percent(KERNEL.mnistTestError)} test error on all ${formatInteger(KERNEL.mnistTrainSize)} ` +
        "MNIST digits (Table 3).",
    );
  }
  const biggest = [...input.theorem].sort((a, b) => b.output.n - a.output.n)[0];
  if (biggest) {
    const t = biggest.output;
    lines.push(
      `- **Theorem 1**: the ${formatInteger(t.weights)}-weight depth-two ReLU network ` +
        `(2n + d = ${formatInteger(theoremWeights(t.n, t.d))}) reproduces ${formatInteger(t.n)} ` +
        `arbitrary real labels of ${t.points === "random" ? "random points" : `${t.points} images`} (d = ${t.d}) ` +
        `with max |error| ${t.maxAbsError.toExponential(1)}, ${t.maxAbsError <= t.errorBound ? "within" : "beyond"} ` +
        `the rounding bound ${t.errorBound.toExponential(1)} of its triangular solve.`,
    );
  }
  return ["## Headline", "", ...lines].join("\n");
}
