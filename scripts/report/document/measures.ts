// "Which complexity measure predicts the gap?": Kendall's τ of each complexity measure against the
// generalization gap over the quick suite's board, one table per engine, beside what Jiang et al.
// (ICLR 2020) found at their scale, and where the two set-ups differ.
import { type BoardMeasureRun, MEASURES, type MeasureInfo, type MeasureSettings } from "../../../schema/index.js";
import {
  formatCorrelation,
  formatInteger,
  formatPValue,
  type MeasureCorrelation,
  measureCorrelations,
  measureVerdict,
  NONE,
} from "../../../web/index.js";
import { list, table } from "./format.js";

/** One engine's board of the quick suite, as GET /api/v1/leaderboard/measures pages it out. */
export interface MeasuresBoard {
  /** "TF.js (wasm)", "PyTorch (CPU)". */
  engine: string;
  runs: BoardMeasureRun[];
}

/**
 * What Jiang et al. (2020) report per family, qualitatively (their Table 5 / Figure 2: overall τ
 * and granulated τ over their hyper-parameter grid of CIFAR-10 networks fitted to the same loss).
 */
const JIANG: Record<MeasureInfo["family"], string> = {
  size: "no predictor: negative τ overall (in their grid the larger networks generalized better)",
  norm: "poor: Frobenius norms and distance from initialization are weak or negative overall",
  spectral: "fails: the spectral product and its margin-normalized bounds correlate negatively",
  path: "the best of the norm family (positive τ), less consistent than sharpness",
  margin: "weak: the output margin alone correlates little once the hyper-parameters vary",
  sharpness: "the best predictors: magnitude-aware PAC-Bayes flatness and worst-case sharpness lead the ranking",
};

const FAMILY_ORDER: readonly MeasureInfo["family"][] = ["size", "norm", "spectral", "path", "margin", "sharpness"];

const tauCell = (tau: number | null) => (tau === null ? NONE : formatCorrelation(tau));
const pCell = (p: number | null) => (p === null ? NONE : formatPValue(p));
const granulatedCell = ({ tau, groups }: { tau: number | null; groups: number }) =>
  tau === null
    ? `${NONE} (0 groups)`
    : `${formatCorrelation(tau)} (${formatInteger(groups)} ${groups === 1 ? "group" : "groups"})`;

/** The τ table of one board, best predictor first. */
export function measuresTable(correlations: readonly MeasureCorrelation[]): string {
  return table(
    [
      "rank",
      "measure",
      "family",
      "τ",
      "p",
      "granulated τ across corruptions",
      "granulated τ across architectures",
      "n",
    ],
    correlations.map((c, i) => [
      c.overall.tau === null ? NONE : String(i + 1),
      c.measure.name,
      c.measure.family,
      tauCell(c.overall.tau),
      pCell(c.overall.pValue),
      granulatedCell(c.corruptionAxis),
      granulatedCell(c.architectureAxis),
      formatInteger(c.overall.n),
    ]),
    ["r", "l", "l", "r", "r", "r", "r", "r"],
  );
}

/** Per family, Jiang et al.'s finding beside each engine's τ of that family's measures ("name +0.41"). */
function familyTable(boards: readonly { engine: string; correlations: readonly MeasureCorrelation[] }[]): string {
  return table(
    ["family", "Jiang et al. 2020", ...boards.map((b) => `ours, ${b.engine}`)],
    FAMILY_ORDER.map((family) => [
      family,
      JIANG[family],
      ...boards.map((b) =>
        b.correlations
          .filter((c) => c.measure.family === family)
          .map((c) => `${c.measure.name} ${tauCell(c.overall.tau)}`)
          .join("; "),
      ),
    ]),
  );
}

/** Where the best-ranked family stands against Jiang et al.'s finding that sharpness leads. */
function familyReading(engine: string, correlations: readonly MeasureCorrelation[]): string {
  const ranked = correlations.filter((c) => c.overall.tau !== null);
  const best = ranked[0];
  if (!best) return `On the ${engine} board no measure has a defined τ.`;
  const sharpness = ranked.findIndex((c) => c.measure.family === "sharpness");
  const agreement =
    best.measure.family === "sharpness"
      ? "as in Jiang et al., a sharpness measure leads"
      : `unlike Jiang et al., where sharpness leads, the best is a ${best.measure.family} measure` +
        (sharpness < 0
          ? " and no sharpness measure has a defined τ"
          : `; the first sharpness measure ranks ${sharpness + 1}`);
  return `On the ${engine} board the best predictor is ${best.measure.name} (τ ${tauCell(best.overall.tau)}): ${agreement}.`;
}

/** Runs left out of a measure because it is null for them, as "path-ℓ2 norm (ln): 9 of 18". */
function nullCounts(boards: readonly MeasuresBoard[]): string[] {
  const notes: string[] = [];
  for (const board of boards) {
    for (const measure of MEASURES) {
      const missing = board.runs.filter((r) => r.measures[measure.key] === null).length;
      if (missing > 0)
        notes.push(
          `${measure.name} on ${board.engine}: ${formatInteger(missing)} of ${formatInteger(board.runs.length)}`,
        );
    }
  }
  return notes;
}

/**
 * The smallest |τ| that reaches a two-sided p < 0.05 over n runs without ties, from the normal
 * approximation the p-values use: |S| ≥ 1.96·√(n(n − 1)(2n + 5)/18), τ = S / (n(n − 1)/2).
 */
export function significantTau(n: number): number {
  return (1.96 * Math.sqrt((n * (n - 1) * (2 * n + 5)) / 18)) / ((n * (n - 1)) / 2);
}

/** "1 noise draw", "2 noise draws". */
const count = (n: number, unit: string) => `${formatInteger(n)} ${unit}${n === 1 ? "" : "s"}`;

/**
 * How the suite's settings cut Jiang et al.'s procedure down, as "a 256-example subset, 1 noise draw,
 * 8 bisection steps, a fixed sharpness box of ±1% and 3 ascent steps"; read from the suite so the
 * report cannot drift from what its runs computed.
 */
export function settingsSummary(settings: MeasureSettings): string {
  const box = Number((settings.sharpnessBox * 100).toPrecision(6));
  return (
    `a ${formatInteger(settings.sharpnessExamples)}-example subset, ${count(settings.flatnessSamples, "noise draw")}, ` +
    `${count(settings.flatnessSteps, "bisection step")}, a fixed sharpness box of ±${box}% and ` +
    `${count(settings.sharpnessSteps, "ascent step")}`
  );
}

/**
 * The section from each engine's board of the quick suite (ReportInput.measures) and the quick
 * suite's measure settings (undefined for a suite version without measures).
 */
export function measuresSection(input: readonly MeasuresBoard[], settings: MeasureSettings | undefined): string {
  const boards = input.map((board) => ({ ...board, correlations: measureCorrelations(board.runs) }));
  const runs = boards[0]?.runs.length ?? 0;
  const architectures = new Set(boards[0]?.runs.map((r) => r.architecture.fingerprint)).size;
  const corruptions = new Set(boards[0]?.runs.map((r) => JSON.stringify(r.corruption))).size;
  const seeds = new Set(boards[0]?.runs.map((r) => r.seed)).size;
  const nulls = nullCounts(input);
  const perBoard = boards.flatMap((board) => [
    `### ${board.engine}`,
    "",
    `${measureVerdict(board.correlations, board.runs)}`,
    "",
    board.runs.length === 0 ? "No run of this board carries measures." : measuresTable(board.correlations),
    "",
  ]);
  return [
    "## Which complexity measure predicts the gap?",
    "",
    "The paper's last word is that traditional measures of model complexity struggle to explain the " +
      "generalization of large networks: the same network, with the same parameter count, fits true and random " +
      "labels alike while its test error goes from good to chance. Every run records complexity measures of its " +
      "final weights ([measures.md](measures.md) defines them), and the quick suite's board ranks them by Kendall's " +
      "τ against the generalization gap (training minus test accuracy), as Jiang et al., " +
      '"Fantastic Generalization Measures and Where to Find Them" (ICLR 2020) did over 10,000 CIFAR-10 networks. ' +
      "τ is oriented by each measure's direction: positive means the measure orders the runs as its theory says " +
      "(larger norm or sharpness, or smaller margin or flatness σ, with the larger gap). " +
      `The board holds ${formatInteger(runs)} runs per engine (${formatInteger(architectures)} architectures × ` +
      `${formatInteger(corruptions)} corruptions × ${formatInteger(seeds)} ${seeds === 1 ? "seed" : "seeds"}). ` +
      "The granulated τ across corruptions holds the architecture fixed and asks whether the measure follows the " +
      "gap as the labels and inputs get corrupted, which is the paper's experiment; across architectures it holds " +
      "the corruption fixed (Jiang et al., §4).",
    "",
    ...perBoard,
    "### Against Jiang et al.",
    "",
    familyTable(boards),
    "",
    boards.map((b) => familyReading(b.engine, b.correlations)).join(" "),
    "",
    "Where the two set-ups differ, and why the comparison is qualitative:",
    "",
    `- **Scale.** ${formatInteger(runs)} runs per board and ${formatInteger(seeds)} ` +
      `${seeds === 1 ? "seed" : "seeds"}, against their 10,000 networks: over ${formatInteger(runs)} runs a τ ` +
      `reaches p < 0.05 only from about ${runs >= 3 ? significantTau(runs).toFixed(2) : NONE} on` +
      (architectures === 2
        ? ", and the granulated τ across architectures averages groups of two runs, whose τ can only be −1 or +1 " +
          "(a tie leaves a group's τ undefined and the group out)."
        : "."),
    "- **The axis.** Their networks all trained on clean labels and differ in hyper-parameters (depth, width, " +
      "batch size, dropout, weight decay, learning rate, optimizer); ours differ mainly in the corruption of the " +
      "labels and inputs, which they did not vary. A measure that tracks how much noise a network had to " +
      "memorize (a norm grows as random labels are fitted) can predict the gap here without predicting it " +
      "across their grid, and the reverse.",
    "- **The stopping rule.** They stopped every network at the same training cross-entropy (0.01), so that the " +
      "measures compare fits of equal quality; ours stop when the training set is fitted or the epoch budget " +
      "runs out, and some input-corruption runs end unfitted, which moves their margins and sharpness.",
    `- **The measures.** Nine of their forty-odd${settings ? `, with cheaper settings (${settingsSummary(settings)})` : ""}: ` +
      "[measures.md](measures.md#where-we-differ-from-jiang-et-al).",
    ...(nulls.length > 0
      ? [
          `- **Undefined values.** A measure that is null for a run leaves that run out of its τ: ${list(nulls)} ` +
            "runs ([measures.md](measures.md) says when each is null).",
        ]
      : []),
  ].join("\n");
}
