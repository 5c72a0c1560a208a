// Figures 1b and 1c: time to fit and test error against label corruption, ours beside the paper's.
import type { ConditionSummary } from "../../../schema/index.js";
import { NONE } from "../../../web/index.js";
import { FIGURE_1B, FIGURE_1C, LEVELS, type PaperModel } from "../paper.js";
import { percent, ratio, table } from "./format.js";
import type { ReportInput } from "./input.js";
import { allFitted, conditionAt, fittedRuns, paperModel, rising } from "./runs.js";

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
    const paperShape =
      theirs && model
        ? `; the paper's ${model} ${rising(theirs)}, ${format(theirs[0]!)} to ${format(theirs.at(-1)!)}`
        : "";
    return `- ${a.name}: ${what} ${rising(ours)} with p${ends}${paperShape}.`;
  });
  return lines.join("\n");
}

export function figure1b(input: ReportInput): string {
  const images = input.quick.architectures.map(
    (a) => `![Figure 1b for ${a.name}: SGD steps to fit against label corruption](${input.imageDir}/${a.images["1b"]})`,
  );
  return [
    "## Figure 1b: time to fit against label corruption",
    "",
    "SGD steps until every training label is fitted, against the fraction p of labels replaced by random ones " +
      "(the architecture pages' Figure 1b). The table gives ours relative to true labels, " +
      'the measure the paper plots ("time to overfit", relative; ' +
      "the paper does not say at what threshold it counts a fit).",
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
    "The paper's columns are read from Figure 1b, approximate.",
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

export function figure1c(input: ReportInput): string {
  const images = input.quick.architectures.map(
    (a) => `![Figure 1c for ${a.name}: test error against label corruption](${input.imageDir}/${a.images["1c"]})`,
  );
  const { fitted, total } = fittedRuns(input.quick.bundle.predicate);
  const fit = allFitted(input.quick.bundle.predicate)
    ? "too: every run fitted its training set (Figure 1a)"
    : `${fitted} of ${total} runs fitted their training set (Figure 1a)`;
  return [
    "## Figure 1c: test error against label corruption",
    "",
    "Error on the true test labels at the end of training against the fraction p of corrupted training labels. " +
      `In the paper the training error stays 0 at every level; here ${fit}.`,
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
    "The paper's columns at p = 0 and p = 1 are Table 1's test errors (no regularizer; random labels); " +
      "the others are read from Figure 1c, approximate.",
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
