// The Table 1 analogue: final train and test accuracy per architecture and regularizer set on true
// and random labels beside the paper's Table 1, and the paper's claims on regularization checked
// against the regularizers suite.
import {
  paperTable1Row,
  type Regularizer,
  type ResultPredicate,
  type Suite,
  VALIDATION_FRACTION,
} from "../../../schema/index.js";
import { formatInteger, formatThreshold, NONE } from "../../../web/index.js";
import { PAPER_MODEL_OF, PAPER_SETUP, PARAMETERS, type PaperModel, TABLE_1 } from "../paper.js";
import { list, paperPercent, percent, seconds, table } from "./format.js";
import type { ReportInput, StandardStatus } from "./input.js";
import { type AblationRow, ablationRows, type RegularizerKind, regularizerKind, suiteClaims } from "./regularizers.js";
import { paperModel, paperSchedule, stoppingRule } from "./runs.js";

/**
 * The paper's model, true-label and random-label cells for one of our rows (schema/paper-table-1.ts
 * maps our regularizer sets onto Table 1's columns and Appendix E); "—" where the paper has none.
 */
function paperCells(model: PaperModel | null, regularizer: string): [string, string, string] {
  const paper = model ? paperTable1Row(model, regularizer) : null;
  if (!paper) return [model ?? NONE, NONE, NONE];
  const truth = paper.trueLabels
    ? `${paperPercent(paper.trueLabels.train)} / ${paperPercent(paper.trueLabels.test)}`
    : NONE;
  const random = paper.randomLabels;
  let randomCell = NONE;
  if (random && !random.converged) randomCell = "did not converge (App. E)";
  else if (random?.train != null)
    randomCell =
      random.test === null
        ? `${paperPercent(random.train)} / ${NONE} (App. E)`
        : `${paperPercent(random.train)} / ${paperPercent(random.test)}`;
  return [paper.model, truth, randomCell];
}

function epochsCell(row: AblationRow): string {
  if (!row.random) return NONE;
  const epochs = row.random.epochsToFit;
  if (Number.isFinite(epochs)) return Number.isInteger(epochs) ? formatInteger(epochs) : epochs.toFixed(1);
  const unfitted = row.random.unfitted;
  if (unfitted.length > 0 && unfitted.every((u) => u.reason === "patience"))
    return `not fitted: stopped at epoch ${list(unfitted.map((u) => String(u.epochs)))} (patience)`;
  return `not fitted in ${list([...new Set(unfitted.map((u) => String(u.epochs)))])} epochs`;
}

/** What a regularizer set does, from its settings. */
function regularizerWords(r: Regularizer): string {
  const parts = [
    r.weightDecay > 0 && `weight decay λ = ${r.weightDecay} (λ·w added to the gradient of every kernel)`,
    r.augmentation !== "none" &&
      `random ${r.augmentation === "crop" ? "crops" : "crops and mirror flips"}: each training example at each step ` +
        "is a random 28×28 window of its image zero-padded by 2 pixels, shifts of up to ±2 pixels " +
        "([training.md](training.md))",
    r.dropout > 0 &&
      `dropout at rate ${r.dropout} after each hidden dense layer, or small Inception's global pool ` +
        "([architectures.md](architectures.md))",
    r.batchNorm === "on" &&
      "batch norm between each hidden dense or convolution layer and its ReLU ([architectures.md](architectures.md))",
    r.batchNorm === "off" && "batch norm taken out of an architecture that has it",
    r.earlyStoppingPatience !== null &&
      `early stopping: a run ends once accuracy on a validation split (${Math.round(VALIDATION_FRACTION * 100)}% ` +
        `of its training subset, never the test set) has not improved for ${r.earlyStoppingPatience} epochs`,
  ].filter((part): part is string => typeof part === "string");
  return parts.length === 0 ? "no regularizer" : parts.join("; ");
}

export function table1(input: ReportInput, standard: Suite): string {
  const results = [
    input.quick.bundle,
    input.regularizers.bundle,
    ...(input.standard.result ? [input.standard.result.bundle] : []),
  ];
  const rows: string[][] = [];
  const ran = new Set<string>();
  for (const bundle of results) {
    const p = bundle.predicate;
    for (const row of ablationRows(p)) {
      ran.add(row.regularizer.name);
      const [model, paperTrue, paperRandom] = paperCells(
        paperModel(row.architecture),
        regularizerKind(row.regularizer),
      );
      rows.push([
        `${row.name} (\`${p.suite.id}\`, ${p.suite.datasets.map((d) => d.id).join(", ")})`,
        row.regularizer.name,
        row.truth ? `${percent(row.truth.train, 2)} / ${percent(row.truth.test, 2)}` : NONE,
        row.truth ? (100 * (row.truth.train - row.truth.test)).toFixed(2) : NONE,
        row.random ? `${percent(row.random.train, 2)} / ${percent(row.random.test, 2)}` : NONE,
        epochsCell(row),
        model,
        paperTrue,
        paperRandom,
      ]);
    }
  }
  const r = input.regularizers.bundle;
  const suite = r.predicate.suite;
  const regularizers = [...new Map(suite.conditions.map((c) => [c.regularizer.name, c.regularizer])).values()];
  const ablations = [...new Set(standard.conditions.map((c) => c.regularizer.name))].filter((name) => !ran.has(name));
  const wall = r.invocations.reduce((sum, i) => sum + i.wallSeconds, 0);
  return [
    "## Table 1: training and test accuracy",
    "",
    "Final training / test accuracy on true labels and on random labels for each architecture and regularizer set " +
      "our suites ran, the generalization gap on true labels (training minus test accuracy, in points) and the epochs " +
      `random labels took to reach ${formatThreshold(suite.fitThreshold)} training accuracy, ` +
      "next to the paper's Table 1 (CIFAR-10) for the corresponding model and column " +
      '("neither" is our `none`; for random labels with a regularizer on, Appendix E gives training accuracy only). ' +
      `Ours are medians over seeds, read where each run stopped (${stoppingRule(r.predicate)}; ` +
      "early stopping ends a run sooner; otherwise at the end of its budget).",
    "",
    `The \`regularizers\` suite (v${suite.version}) runs the ablations of the paper's Table 1 on true and on random ` +
      `labels, ${suite.seeds.length === 1 ? "one seed" : `${suite.seeds.length} seeds`}` +
      (r.invocations.length > 0
        ? `; \`${r.command}\` trained its ${formatInteger(r.predicate.runs.length)} runs in ${seconds(wall)} here ` +
          "(see [How these results were made](#how-these-results-were-made))"
        : "") +
      ". Its regularizer sets:",
    "",
    ...regularizers.map((reg) => `- \`${reg.name}\`: ${regularizerWords(reg)}`),
    "",
    table(
      [
        "architecture (suite, dataset)",
        "regularizer",
        "true labels: train / test",
        "gap (points)",
        "random labels: train / test",
        "epochs to fit random labels",
        "paper model",
        "paper, true labels",
        "paper, random labels",
      ],
      rows,
      ["l", "l", "r", "r", "r", "r", "l", "r", "r"],
    ),
    "",
    claimsSection(r.predicate),
    "",
    differences(r.predicate),
    "",
    ablations.length === 0
      ? "Every regularizer set of the standard suite ran."
      : "Not run here: the `standard` suite, which runs the same ablations on " +
        `${list(standard.datasets.map((d) => `${formatInteger(d.trainSize)} training images of \`${d.id}\``))} ` +
        `for ${list(standard.architectures.map((a) => `\`${a.id}\``))} with ${standard.seeds.length} seeds, ` +
        `and its ablation${ablations.length === 1 ? "" : "s"} ${list(ablations.map((a) => `\`${a}\``))} ` +
        "that no suite run here has " +
        `(${standardNote(input.standard)}). ` +
        "It runs with `rethink-bench run --suite standard --dataset fashion-mnist` " +
        "(add `--seed 0` for one seed of three), or here with `npm run report -- --standard`.",
  ].join("\n");
}

/** The paper's claims on regularization, with the verdicts of the regularizers suite. */
function claimsSection(p: ResultPredicate): string {
  const spec = p.suite.datasets[0]!;
  const claims = suiteClaims(p);
  return [
    "### The paper's claims on regularization, against the `regularizers` suite",
    "",
    "Each verdict is computed from the suite's rows above. Two test accuracies count as different only when they " +
      `differ by more than two standard errors of a difference on ${formatInteger(spec.testSize)} test images ` +
      "(binomial, as if independent: the noise that one seed cannot get below).",
    "",
    ...claims.map((c) => `- ${c.text}`),
  ].join("\n");
}

/** How the regularizers suite differs from the paper's Table 1 runs, from its definition and bundle. */
function differences(p: ResultPredicate): string {
  const suite = p.suite;
  const spec = suite.datasets[0]!;
  const rows = ablationRows(p);
  const models = [...new Set(rows.map((row) => row.architecture))].map((id) => {
    // The architecture as it trains without a regularizer: batch norm on changes the topology and its count.
    const plain = p.runs.find(
      (run) => run.task.architecture === id && regularizerKind(run.task.regularizer) === "none",
    );
    const arch =
      p.architectures.find((a) => a.fingerprint === plain?.architectureFingerprint) ??
      p.architectures.find((a) => a.id === id)!;
    const model = PAPER_MODEL_OF[id]?.model;
    const theirs = model
      ? `the paper's ${model}${PARAMETERS[model] ? ` (${formatInteger(PARAMETERS[model])})` : ""}`
      : "no paper model";
    return `\`${id}\` (${formatInteger(arch.parameterCount)} parameters) for ${theirs}`;
  });
  // Only runs that fitted their true labels: one that learned nothing says nothing of how easy the digits are.
  const plainTests = rows
    .filter((row) => regularizerKind(row.regularizer) === "none" && row.truth && row.truth.train >= suite.fitThreshold)
    .map((row) => row.truth!.test);
  const paperTests = [...new Set(rows.map((row) => paperModel(row.architecture)))]
    .filter((m): m is PaperModel => m !== null && TABLE_1[m].none !== undefined)
    .map((m) => TABLE_1[m].none![1] / 100);
  const span = (values: number[]) =>
    values.length === 0 ? NONE : `${percent(Math.min(...values))}–${percent(Math.max(...values))}`;
  const byKind = (kind: RegularizerKind) =>
    suite.conditions.map((c) => c.regularizer).find((reg) => regularizerKind(reg) === kind);
  const wd = byKind("wd") ?? byKind("crop+wd");
  const bn = [
    ...new Set(rows.filter((row) => regularizerKind(row.regularizer) === "bn").map((row) => `\`${row.architecture}\``)),
  ];
  const notInTable1 = (["dropout", "early-stop"] as const).map(byKind).filter((reg) => reg !== undefined);
  const decay = suite.optimizer.decayPerEpoch === 1 ? "constant" : `×${suite.optimizer.decayPerEpoch} per epoch`;
  // An architecture may train at its own rate (suite.architectures[].learningRate).
  const rates = suite.architectures.map((a) => ({ id: a.id, rate: a.learningRate ?? suite.optimizer.learningRate }));
  const learningRates = rates.every((r) => r.rate === rates[0]!.rate)
    ? String(suite.optimizer.learningRate)
    : list(rates.map((r) => `${r.rate} (\`${r.id}\`)`));
  const items = [
    `${formatInteger(spec.trainSize)} training and ${formatInteger(spec.testSize)} test digits of \`${spec.id}\` ` +
      `instead of CIFAR-10's ${formatInteger(PAPER_SETUP.cifarTrainSize)} and ${formatInteger(PAPER_SETUP.cifarTestSize)} images; ` +
      `the digits are easier: without a regularizer our test accuracy is ${span(plainTests)}, ` +
      `the paper's for the same models ${span(paperTests)}, which leaves a regularizer less to add`,
    `${list(models)}`,
    `at most ${suite.epochs} epochs at learning rate ${learningRates} (${decay}, batch ${suite.optimizer.batchSize}), ` +
      `${suite.seeds.length === 1 ? "one seed" : `${suite.seeds.length} seeds`}; the paper: ${paperSchedule()}, ` +
      "epochs and runs not stated",
    ...(wd ? [`weight decay λ = ${wd.weightDecay}: the paper does not state its coefficient`] : []),
    ...(byKind("crop") || byKind("crop+wd") ? ["crops of up to ±2 pixels: the paper does not state its crop"] : []),
    ...(notInTable1.length > 0
      ? [`${list(notInTable1.map((reg) => `\`${reg.name}\``))}: not among the paper's Table 1 columns`]
      : []),
    ...(bn.length > 0
      ? [
          `batch norm is added to ${list(bn)}, which ${bn.length === 1 ? "has" : "have"} none by default; ` +
            "the paper takes it out of Inception",
        ]
      : []),
  ];
  return `Where the \`regularizers\` suite differs from the paper's Table 1: ${items.join("; ")}.`;
}

function standardNote(status: StandardStatus): string {
  return status.result
    ? "run on a subset, see below"
    : "not run for this report, see [The standard suite](#the-standard-suite)";
}
