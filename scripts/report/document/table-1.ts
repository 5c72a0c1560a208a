// The Table 1 analogue: final train and test accuracy per regularizer set beside the paper's Table 1.
import { paperTable1Row, type Suite } from "../../../schema/index.js";
import { NONE } from "../../../web/index.js";
import { paperPercent, percent, table } from "./format.js";
import type { ReportInput, StandardStatus } from "./input.js";
import { accuracies, paperModel, runsOf, stoppingRule } from "./runs.js";

export function table1(input: ReportInput, standard: Suite): string {
  const results = [input.quick, ...(input.standard.result ? [input.standard.result] : [])];
  const rows: string[][] = [];
  const ran = new Set<string>();
  for (const result of results) {
    const p = result.bundle.predicate;
    for (const a of result.architectures) {
      const regularizers = [
        ...new Set(p.runs.filter((r) => r.task.architecture === a.id).map((r) => r.task.regularizer.name)),
      ];
      for (const reg of regularizers) {
        ran.add(reg);
        const truth = accuracies(runsOf(p, a.id, "true", reg));
        const random = accuracies(runsOf(p, a.id, "random", reg));
        if (!truth && !random) continue;
        // The paper's Table 1 cell for this regularizer set (schema/paper-table-1.ts maps our names
        // onto its columns); random labels where Table 1 has both accuracies (no regularizer; Appendix E
        // gives training accuracy alone for the others).
        const model = paperModel(a.id);
        const paper = model ? paperTable1Row(model, reg) : null;
        const paperTrue = paper?.trueLabels;
        const paperRandom = paper?.randomLabels;
        rows.push([
          `${a.name} (\`${p.suite.id}\`, ${p.suite.datasets.map((d) => d.id).join(", ")})`,
          reg,
          truth ? `${percent(truth.train, 2)} / ${percent(truth.test, 2)}` : NONE,
          random ? `${percent(random.train, 2)} / ${percent(random.test, 2)}` : NONE,
          paper?.model ?? model ?? NONE,
          paperTrue ? `${paperPercent(paperTrue.train)} / ${paperPercent(paperTrue.test)}` : NONE,
          typeof paperRandom?.train === "number" && typeof paperRandom.test === "number"
            ? `${paperPercent(paperRandom.train)} / ${paperPercent(paperRandom.test)}`
            : NONE,
        ]);
      }
    }
  }
  const ablations = [...new Set(standard.conditions.map((c) => c.regularizer.name))].filter((name) => !ran.has(name));
  return [
    "## Table 1: training and test accuracy",
    "",
    "Final training / test accuracy on true labels and on random labels, for each regularizer set our suites ran, " +
      "next to the paper's Table 1 (CIFAR-10) for the corresponding model and column " +
      '("neither" is our `none`). ' +
      `Ours are medians over seeds, read where each run stopped (${stoppingRule(input.quick.bundle.predicate)}; ` +
      "otherwise at the end of its budget).",
    "",
    table(
      [
        "architecture (suite, dataset)",
        "regularizer",
        "true labels: train / test",
        "random labels: train / test",
        "paper model",
        "paper, true labels",
        "paper, random labels",
      ],
      rows,
      ["l", "l", "r", "r", "l", "r", "r"],
    ),
    "",
    ablations.length === 0
      ? "Every regularizer set of the standard suite ran."
      : `Not run here: the ablations ${ablations.map((a) => `\`${a}\``).join(", ")} ` +
        "of the paper's Table 1 and Appendix E are in the `standard` suite only " +
        `(${standardNote(input.standard)}). ` +
        "They run with `rethink-bench run --suite standard --dataset fashion-mnist` " +
        "(add `--seed 0` for one seed of three), or here with `npm run report -- --standard`.",
  ].join("\n");
}

function standardNote(status: StandardStatus): string {
  return status.result
    ? "run on a subset, see below"
    : "not run for this report, see [The standard suite](#the-standard-suite)";
}
