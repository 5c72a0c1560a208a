// Figure 1a: learning curves, epochs and steps to fit, and the order of fitting beside the paper's.
import { censoredMedian, corruptionLabel } from "../../../schema/index.js";
import { corruptionName, formatInteger, kendallTau, NONE } from "../../../web/index.js";
import { FIGURE_1A_KILOSTEPS } from "../paper.js";
import { percent, table } from "./format.js";
import type { ReportInput } from "./input.js";
import { accuracies, fittedRuns, medianSteps, runsOf } from "./runs.js";

export function figure1a(input: ReportInput): string {
  const q = input.quick.bundle.predicate;
  const parts: string[] = [
    "## Figure 1a: learning curves",
    "",
    "Training accuracy on the whole (corrupted) training set after each epoch, one line per randomization test, " +
      "as the architecture pages draw it. " +
      "The paper plots small Inception's training loss against thousands of steps on CIFAR-10: " +
      "every condition is driven to about zero loss, true labels first and random labels last. " +
      `Here ${fittedRuns(q).fitted} of ${fittedRuns(q).total} runs fitted their training set; ` +
      "the order of fitting is compared below each table.",
    "",
  ];
  for (const a of input.quick.architectures) {
    parts.push(
      `![Figure 1a for ${a.name}: training accuracy by epoch per corruption](${input.imageDir}/${a.images["1a"]})`,
      "",
    );
    const corruptions = [
      ...new Map(
        q.runs
          .filter((r) => r.task.architecture === a.id && r.task.regularizer.name === "none")
          .map((r) => [corruptionLabel(r.task.corruption), r.task.corruption]),
      ).values(),
    ];
    const rows = corruptions.map((c) => {
      const runs = runsOf(q, a.id, corruptionLabel(c));
      const steps = medianSteps(runs);
      const epochs = censoredMedian(runs.map((r) => r.derived.epochsToFit));
      const acc = accuracies(runs);
      const paper = FIGURE_1A_KILOSTEPS[corruptionLabel(c)];
      return [
        corruptionName(c),
        epochs === null ? NONE : Number.isFinite(epochs) ? formatInteger(epochs) : "not fitted",
        steps === null ? NONE : Number.isFinite(steps) ? formatInteger(steps) : "not fitted",
        acc ? percent(acc.train) : NONE,
        acc ? percent(acc.test) : NONE,
        paper === undefined ? NONE : `${paper}k`,
      ];
    });
    parts.push(
      `**${a.name}** (\`${a.id}\`)`,
      "",
      table(
        [
          "corruption",
          "epochs to fit",
          "SGD steps to fit",
          "final train acc.",
          "final test acc.",
          "paper: Inception, kilosteps to loss ≤ 0.1 (read from Figure 1a, approximate)",
        ],
        rows,
        ["l", "r", "r", "r", "r", "r"],
      ),
      "",
    );
    const common = Object.keys(FIGURE_1A_KILOSTEPS).filter((label) => runsOf(q, a.id, label).length > 0);
    const ours = common.map((label) => medianSteps(runsOf(q, a.id, label)) ?? Infinity);
    const nameOf = (label: string) =>
      corruptionName(q.runs.find((r) => corruptionLabel(r.task.corruption) === label)!.task.corruption);
    const order = (values: number[]) =>
      common
        .map((label, i) => ({ label, v: values[i]! }))
        .sort((x, y) => x.v - y.v)
        .map((x) => nameOf(x.label));
    const tau = kendallTau(
      ours,
      common.map((label) => FIGURE_1A_KILOSTEPS[label]!),
    );
    parts.push(
      `Order of fitting, fastest first — ours: ${order(ours).join(" < ")}; ` +
        `paper: ${order(common.map((l) => FIGURE_1A_KILOSTEPS[l]!)).join(" < ")} ` +
        `(Kendall's τ = ${tau.tau === null ? NONE : tau.tau.toFixed(2)} over ${tau.n} conditions).`,
      "",
    );
  }
  return parts.join("\n").trimEnd();
}
