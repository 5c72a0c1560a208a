// Over 350 lines on purpose: the rows and the four claims' verdicts share the noise model and
// the row shape; each verdict is short, and splitting per claim would scatter one argument.
// Our Table 1 as data (each architecture × regularizer set on true and on random labels) and what
// it says about the paper's four claims on explicit regularization (§3.1, Table 1, Appendix E).
// Every verdict is computed from the runs: nothing here knows which way the results went.
import {
  censoredMedian,
  corruptionLabel,
  PAPER_RANDOM_LABELS_REGULARIZED,
  type Regularizer,
  type ResultPredicate,
  type RunResult,
  type StopReason,
  stopAfter,
  VALIDATION_FRACTION,
  validationSize,
} from "../../../schema/index.js";
import { formatInteger, formatThreshold } from "../../../web/index.js";
import { PAPER_MODEL_OF, type PaperModel, TABLE_1 } from "../paper.js";
import { list, percent } from "./format.js";

/** What a regularizer set is, read from its settings (not its name), so renaming one changes nothing here. */
export type RegularizerKind = "none" | "wd" | "crop" | "crop+wd" | "dropout" | "early-stop" | "bn" | "no-bn" | "other";

export function regularizerKind(r: Regularizer): RegularizerKind {
  const wd = r.weightDecay > 0;
  const crop = r.augmentation === "crop";
  const rest = [
    r.augmentation === "crop-flip",
    r.dropout > 0,
    r.batchNorm !== "default",
    r.earlyStoppingPatience !== null,
  ];
  const others = (count: number) => rest.filter(Boolean).length === count;
  if (!wd && !crop && others(0)) return "none";
  if (wd && !crop && others(0)) return "wd";
  if (!wd && crop && others(0)) return "crop";
  if (wd && crop && others(0)) return "crop+wd";
  if (wd || crop || !others(1)) return "other";
  if (r.dropout > 0) return "dropout";
  if (r.earlyStoppingPatience !== null) return "early-stop";
  if (r.batchNorm === "on") return "bn";
  if (r.batchNorm === "off") return "no-bn";
  return "other";
}

/** A random-label run that never reached the fit threshold: where and why it ended. */
export interface UnfittedRun {
  seed: number;
  /** Epochs it trained. */
  epochs: number;
  reason: StopReason | "failed";
  /** Training accuracy at its last epoch, and the best over its epochs; null without a finished epoch. */
  trainAcc: number | null;
  bestTrainAcc: number | null;
}

/** One row of our Table 1: an architecture with one regularizer set, on true and on random labels. */
export interface AblationRow {
  architecture: string;
  /** The architecture's display name. */
  name: string;
  regularizer: Regularizer;
  /** Median final accuracies of the finished true-label runs over seeds; null if none finished. */
  truth: { train: number; test: number } | null;
  /**
   * The same on random labels, with the median epochs to fit (+∞ when most runs never fitted) and
   * the runs that did not fit; null if no run finished.
   */
  random: { train: number; test: number; epochsToFit: number; unfitted: UnfittedRun[] } | null;
}

type Runs = Pick<RunResult, "task" | "status" | "curve" | "derived">[];

function finalAccuracies(runs: Runs): { train: number; test: number } | null {
  const ok = runs.filter((r) => r.status === "ok");
  const train = censoredMedian(ok.map((r) => r.derived.finalTrainAcc));
  const test = censoredMedian(ok.map((r) => r.derived.finalTestAcc));
  return train === null || test === null ? null : { train, test };
}

/**
 * Every architecture × regularizer set of a bundle that ran on true or random labels, in the order
 * the runs come (the suite's order), with median figures over seeds.
 */
export function ablationRows(predicate: {
  architectures: Pick<ResultPredicate["architectures"][number], "id" | "name">[];
  runs: Runs;
}): AblationRow[] {
  const groups = new Map<string, Runs>();
  for (const run of predicate.runs) {
    const key = `${run.task.architecture}\u0000${run.task.regularizer.name}`;
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  const rows: AblationRow[] = [];
  for (const runs of groups.values()) {
    const { architecture, regularizer } = runs[0]!.task;
    const truth = finalAccuracies(runs.filter((r) => corruptionLabel(r.task.corruption) === "true"));
    const randomRuns = runs.filter((r) => corruptionLabel(r.task.corruption) === "random");
    const random = finalAccuracies(randomRuns);
    if (!truth && !random) continue;
    rows.push({
      architecture,
      name: predicate.architectures.find((a) => a.id === architecture)?.name ?? architecture,
      regularizer,
      truth,
      random: random && {
        ...random,
        epochsToFit: censoredMedian(randomRuns.map((r) => (r.status === "ok" ? r.derived.epochsToFit : null)))!,
        unfitted: randomRuns
          .filter((r) => r.status !== "ok" || r.derived.epochsToFit === null)
          .map((r) => ({
            seed: r.task.seed,
            epochs: r.curve.length,
            reason: r.status === "ok" ? (stopAfter(r.curve, r.task)?.reason ?? "budget") : "failed",
            trainAcc: r.derived.finalTrainAcc,
            bestTrainAcc: r.curve.length === 0 ? null : Math.max(...r.curve.map((p) => p.trainAcc)),
          })),
      },
    });
  }
  return rows;
}

/** What we can say about a claim of the paper from our runs. */
export type Verdict = "agrees" | "partly agrees" | "disagrees" | "inconclusive" | "not tested";

/** One of the paper's claims on regularization, our verdict and the figures behind it. */
export interface Claim {
  id: "augmentation" | "not-the-reason" | "implicit" | "architecture";
  verdict: Verdict;
  /** Markdown: the claim, the paper's figures, ours and the verdict. */
  text: string;
}

/** What the claims read besides the rows. */
export interface ClaimContext {
  /** Test images each accuracy rests on: how far apart two accuracies must be to tell them apart. */
  testSize: number;
  /** Training accuracy a run must reach to count as fitted. */
  fitThreshold: number;
  classes: number;
  /** Training examples of each run (before early stopping holds out its validation split). */
  trainSize: number;
}

/**
 * Two standard errors of the difference of two test accuracies measured on `n` images each, as if
 * independent (binomial). Differences below it are not told apart by one seed; the runs share
 * their test set, which makes this cautious.
 */
export function noise(a: number, b: number, n: number): number {
  return 2 * Math.sqrt((a * (1 - a)) / n + (b * (1 - b)) / n);
}

/** A difference of fractions as signed percentage points, one decimal ("+2.1", "−0.4"). */
export function points(difference: number, digits = 1): string {
  const value = (100 * difference).toFixed(digits);
  if (Number(value) === 0) return (0).toFixed(digits);
  return difference > 0 ? `+${value}` : `−${value.slice(1)}`;
}

/** Combines per-case verdicts: all agree, some agree, none agree but some disagree, or none tell. */
function combine(verdicts: readonly Verdict[]): Verdict {
  const tested = verdicts.filter((v) => v !== "not tested");
  if (tested.length === 0) return "not tested";
  if (tested.every((v) => v === "agrees")) return "agrees";
  if (tested.some((v) => v === "agrees" || v === "partly agrees")) return "partly agrees";
  return tested.some((v) => v === "disagrees") ? "disagrees" : "inconclusive";
}

/** The paper's change in test accuracy (percentage points) from "neither" to a Table 1 column. */
function paperChange(model: PaperModel, column: "wd" | "crop"): number | null {
  const row = TABLE_1[model];
  return row.none && row[column] ? row[column]![1] - row.none[1] : null;
}

const paperPoints = (value: number) => (value >= 0 ? `+${value.toFixed(2)}` : `−${(-value).toFixed(2)}`);

/** Rows by architecture, in order, each with its regularizer sets by kind. */
function byArchitecture(rows: readonly AblationRow[]): { name: string; kinds: Map<RegularizerKind, AblationRow> }[] {
  const architectures = new Map<string, { name: string; kinds: Map<RegularizerKind, AblationRow> }>();
  for (const row of rows) {
    const entry = architectures.get(row.architecture) ?? { name: row.name, kinds: new Map() };
    const kind = regularizerKind(row.regularizer);
    if (!entry.kinds.has(kind)) entry.kinds.set(kind, row);
    architectures.set(row.architecture, entry);
  }
  return [...architectures.values()];
}

/**
 * Why an architecture's figures cannot test a claim: its true-label run without a regularizer did not
 * fit its training set, so there is no generalization to compare (the paper's Table 1 runs all fit,
 * and the leaderboard ranks the gap only where they do). Null when it fitted.
 */
function unlearned(name: string, none: { train: number }, context: ClaimContext): string | null {
  if (none.train >= context.fitThreshold) return null;
  return (
    `${name}: no verdict, its true-label run without a regularizer did not fit its training set ` +
    `(${percent(none.train)} training accuracy)`
  );
}

/** (a) Data augmentation helps generalization more than weight decay: crops against weight decay, per architecture. */
function augmentationClaim(rows: readonly AblationRow[], context: ClaimContext): Claim {
  const paper = (Object.keys(TABLE_1) as PaperModel[])
    .map((model) => ({ model, crop: paperChange(model, "crop"), wd: paperChange(model, "wd") }))
    .filter((p) => p.crop !== null && p.wd !== null)
    .map((p) => `${p.model} ${paperPoints(p.crop!)} points with crops, ${paperPoints(p.wd!)} with weight decay`);
  const cases: { verdict: Verdict; text: string }[] = [];
  for (const { name, kinds } of byArchitecture(rows)) {
    const none = kinds.get("none")?.truth;
    const crop = kinds.get("crop")?.truth;
    const wd = kinds.get("wd")?.truth;
    if (!none || !crop || !wd) continue;
    const excluded = unlearned(name, none, context);
    if (excluded) {
      cases.push({ verdict: "not tested", text: excluded });
      continue;
    }
    const ahead = crop.test - wd.test;
    const margin = noise(crop.test, wd.test, context.testSize);
    const verdict: Verdict = ahead > margin ? "agrees" : ahead < -margin ? "disagrees" : "inconclusive";
    const figures =
      `crops ${points(crop.test - none.test)} points of test accuracy, weight decay ${points(wd.test - none.test)} ` +
      `(generalization gap ${points(crop.train - crop.test - (none.train - none.test))} ` +
      `and ${points(wd.train - wd.test - (none.train - none.test))})`;
    const reading =
      verdict === "agrees"
        ? `crops ahead by ${points(ahead).slice(1)} points, beyond the ±${points(margin).slice(1)} of noise`
        : verdict === "disagrees"
          ? `weight decay ahead by ${points(-ahead).slice(1)} points, beyond the ±${points(margin).slice(1)} of noise`
          : `${points(Math.abs(ahead)).replace("+", "")} points apart, within the ±${points(margin).slice(1)} of noise`;
    cases.push({ verdict, text: `${name}: ${figures}, so ${verdictWord(verdict)}: ${reading}` });
  }
  const verdict = combine(cases.map((c) => c.verdict));
  return {
    id: "augmentation",
    verdict,
    text:
      "**(a) Data augmentation helps generalization more than weight decay.** " +
      `Paper (Table 1, test accuracy against neither): ${paper.join("; ")}. ` +
      (cases.length === 0
        ? "Ours: not tested (no architecture ran none, crop and wd on true labels)."
        : `Ours: **${verdict}**. ${cases.map((c) => c.text).join("; ")}.`),
  };
}

function verdictWord(verdict: Verdict): string {
  return verdict === "inconclusive" ? "no verdict" : verdict;
}

/** (b) Regularizers are not the reason: random labels are still fitted with each explicit regularizer on. */
function notTheReasonClaim(rows: readonly AblationRow[], context: ClaimContext): Claim {
  const paper = (Object.keys(PAPER_RANDOM_LABELS_REGULARIZED) as PaperModel[]).flatMap((model) =>
    Object.entries(PAPER_RANDOM_LABELS_REGULARIZED[model]!).map(([column, value]) => {
      const what = column === "wd" ? "weight decay" : column === "crop" ? "crops" : column;
      return value === null ? `${model} with ${what} did not converge` : `${model} with ${what} ${value.toFixed(2)}%`;
    }),
  );
  const explicit = rows.filter((r) => r.random && !["none", "early-stop"].includes(regularizerKind(r.regularizer)));
  const fitted = explicit.filter((r) => Number.isFinite(r.random!.epochsToFit));
  const unfitted = explicit.filter((r) => !Number.isFinite(r.random!.epochsToFit));
  const verdict: Verdict =
    explicit.length === 0
      ? "not tested"
      : unfitted.length === 0
        ? "agrees"
        : fitted.length > 0
          ? "partly agrees"
          : "disagrees";
  const threshold = formatThreshold(context.fitThreshold);
  const parts: string[] = [];
  for (const { name, kinds } of byArchitecture(fitted)) {
    const epochs = [...kinds.values()].map((r) => r.random!.epochsToFit);
    const without = byArchitecture(rows)
      .find((a) => a.name === name)
      ?.kinds.get("none")?.random?.epochsToFit;
    parts.push(
      `${name} fitted them with ${list([...kinds.values()].map((r) => `\`${r.regularizer.name}\``))} ` +
        `in ${range(epochs, formatEpochs)} epochs` +
        (without !== undefined && Number.isFinite(without) ? ` (${formatEpochs(without)} without)` : ""),
    );
  }
  for (const r of unfitted) parts.push(`${r.name} did not with \`${r.regularizer.name}\` (${unfittedWords(r)})`);
  // Appendix E calls runs at 99.21% training accuracy fitted: the same bar, on each run's best epoch.
  const bar = Math.min(
    ...Object.values(PAPER_RANDOM_LABELS_REGULARIZED)
      .flatMap((m) => Object.values(m))
      .filter((v): v is number => typeof v === "number"),
  );
  const nearly = unfitted.filter((r) =>
    r.random!.unfitted.every((u) => u.bestTrainAcc !== null && u.bestTrainAcc * 100 >= bar),
  );
  const tests = explicit.map((r) => r.random!.test);
  const chance = percent(1 / context.classes, 0);
  return {
    id: "not-the-reason",
    verdict,
    text:
      "**(b) Regularizers are not what makes networks generalize: random labels are still fitted with them on.** " +
      `Paper (Appendix E, training accuracy on random labels): ${paper.join("; ")}. ` +
      (explicit.length === 0
        ? "Ours: not tested (no regularizer ran on random labels)."
        : `Ours: **${verdict}**: with a regularizer on, random labels reached ${threshold} training accuracy ` +
          `for ${fitted.length} of ${explicit.length} architecture–regularizer pairs — ${parts.join("; ")}. ` +
          (unfitted.length > 0
            ? `With the bar at ${bar.toFixed(2)}%, the lowest training accuracy Appendix E reports for a run ` +
              `that converged, ${fitted.length + nearly.length} of ${explicit.length} pairs reach it on their best epoch. `
            : "") +
          `Their test accuracy was ${range(tests, (t) => percent(t))} (chance: ${chance}).`) +
      earlyStoppingWords(rows),
  };
}

/** How early stopping ended on random labels: it is not an explicit regularizer, so it is told apart. */
function earlyStoppingWords(rows: readonly AblationRow[]): string {
  const early = rows.filter((r) => r.random && regularizerKind(r.regularizer) === "early-stop");
  if (early.length === 0) return "";
  const cases = early.map((r) =>
    Number.isFinite(r.random!.epochsToFit)
      ? `${r.name} fitted them in ${formatEpochs(r.random!.epochsToFit)} epochs before its patience ran out`
      : `${r.name} ${unfittedWords(r)}`,
  );
  return (
    " Early stopping, which ends training rather than changing what is trained, is counted apart; " +
    `on random labels: ${cases.join("; ")}.`
  );
}

function unfittedWords(row: AblationRow): string {
  return list(
    row.random!.unfitted.map((u) => {
      const at = u.trainAcc === null ? "" : `, at ${percent(u.trainAcc)} training accuracy`;
      const best = u.bestTrainAcc === null || u.bestTrainAcc === u.trainAcc ? "" : `; best ${percent(u.bestTrainAcc)}`;
      if (u.reason === "failed") return `seed ${u.seed} failed after ${u.epochs} epochs`;
      if (u.reason === "patience") return `stopped by its patience at epoch ${u.epochs}${at}${best}`;
      return `its ${u.epochs}-epoch budget ran out${at}${best}`;
    }),
  );
}

/** (c) Early stopping and batch norm help generalization a little. */
function implicitClaim(rows: readonly AblationRow[], context: ClaimContext): Claim {
  const inception = TABLE_1.Inception.none;
  const withoutBn = TABLE_1["Inception w/o BatchNorm"].none;
  const paperBn =
    inception && withoutBn
      ? `batch norm ${paperPoints(inception[1] - withoutBn[1])} points of test accuracy for Inception ` +
        `(${inception[1].toFixed(2)}% against ${withoutBn[1].toFixed(2)}% without, Table 1)`
      : "batch norm";
  const cases: { verdict: Verdict; text: string }[] = [];
  for (const { name, kinds } of byArchitecture(rows)) {
    const none = kinds.get("none")?.truth;
    if (!none) continue;
    const excluded = unlearned(name, none, context);
    if (excluded) {
      if (kinds.has("early-stop") || kinds.has("bn")) cases.push({ verdict: "not tested", text: excluded });
      continue;
    }
    for (const kind of ["early-stop", "bn"] as const) {
      const row = kinds.get(kind);
      if (!row?.truth) continue;
      const change = row.truth.test - none.test;
      const margin = noise(row.truth.test, none.test, context.testSize);
      const verdict: Verdict = change > margin ? "agrees" : change < -margin ? "disagrees" : "inconclusive";
      const effect =
        verdict === "agrees" ? "helped" : verdict === "disagrees" ? "hurt" : "made no difference beyond noise";
      cases.push({
        verdict,
        text:
          `\`${row.regularizer.name}\` on ${name} ${effect} (${points(change)} points of test accuracy, ` +
          `noise ±${points(margin).slice(1)}; gap ${points(row.truth.train - row.truth.test - (none.train - none.test))})`,
      });
    }
  }
  const verdict = combine(cases.map((c) => c.verdict));
  const early = rows.find((r) => regularizerKind(r.regularizer) === "early-stop");
  return {
    id: "implicit",
    verdict,
    text:
      "**(c) Early stopping and batch norm help generalization a little.** " +
      `Paper: ${paperBn}; early stopping is shown on ImageNet only (Figure 2a). ` +
      (cases.length === 0
        ? "Ours: not tested."
        : `Ours: **${verdict}**: ${cases.map((c) => c.text).join("; ")}.` +
          (early ? ` ${earlyStoppingData(early, context.trainSize)}` : "")),
  };
}

/** What early stopping gives up: the validation split comes out of the training subset. */
function earlyStoppingData(row: AblationRow, trainSize: number): string {
  return (
    `With early stopping a run trains on ${formatInteger(trainSize - validationSize(trainSize))} of its ` +
    `${formatInteger(trainSize)} training digits: it holds out ${Math.round(VALIDATION_FRACTION * 100)}% ` +
    `to watch (patience ${row.regularizer.earlyStoppingPatience} epochs).`
  );
}

/** (d) The architecture matters more than the regularizers. */
function architectureClaim(rows: readonly AblationRow[], context: ClaimContext): Claim {
  const withBaseline = byArchitecture(rows).filter((a) => a.kinds.get("none")?.truth);
  const architectures = withBaseline.filter((a) => a.kinds.get("none")!.truth!.train >= context.fitThreshold);
  const left = withBaseline
    .filter((a) => !architectures.includes(a))
    .map((a) => unlearned(a.name, a.kinds.get("none")!.truth!, context)!);
  const leftOut = left.length === 0 ? "" : ` Left out: ${left.join("; ")}.`;
  const models = [
    ...new Set(rows.map((r) => PAPER_MODEL_OF[r.architecture]?.model).filter((m): m is PaperModel => m !== undefined)),
  ];
  const paperNone = models.filter((m) => TABLE_1[m].none).map((m) => ({ model: m, test: TABLE_1[m].none![1] }));
  const paperEffects = models.flatMap((m) =>
    (["wd", "crop", "crop+wd"] as const)
      .filter((c) => TABLE_1[m][c] && TABLE_1[m].none)
      .map((c) => ({ model: m, column: c, change: TABLE_1[m][c]![1] - TABLE_1[m].none![1] })),
  );
  let paper = "";
  if (paperNone.length >= 2 && paperEffects.length > 0) {
    const best = paperNone.reduce((a, b) => (b.test > a.test ? b : a));
    const worst = paperNone.reduce((a, b) => (b.test < a.test ? b : a));
    const largest = paperEffects.reduce((a, b) => (Math.abs(b.change) > Math.abs(a.change) ? b : a));
    paper =
      `Paper (Table 1, test accuracy): ${best.model} and ${worst.model} differ by ` +
      `${(best.test - worst.test).toFixed(2)} points with neither regularizer, while the largest change ` +
      `a regularizer makes to either is ${paperPoints(largest.change)} (${largest.column} on ${largest.model}). `;
  }
  if (architectures.length < 2)
    return {
      id: "architecture",
      verdict: "not tested",
      text:
        `**(d) The architecture matters more than the regularizers.** ${paper}` +
        `Ours: not tested (fewer than two architectures that fit their true labels).${leftOut}`,
    };
  const plain = architectures.map((a) => ({ name: a.name, truth: a.kinds.get("none")!.truth! }));
  const best = plain.reduce((a, b) => (b.truth.test > a.truth.test ? b : a));
  const worst = plain.reduce((a, b) => (b.truth.test < a.truth.test ? b : a));
  const spread = best.truth.test - worst.truth.test;
  const effects = architectures.flatMap((a) =>
    [...a.kinds.entries()]
      .filter(([kind, row]) => kind !== "none" && row.truth)
      .map(([, row]) => ({ row, change: row.truth!.test - a.kinds.get("none")!.truth!.test })),
  );
  if (effects.length === 0)
    return {
      id: "architecture",
      verdict: "not tested",
      text: `**(d) The architecture matters more than the regularizers.** ${paper}Ours: not tested (no regularizer ran).${leftOut}`,
    };
  const largest = effects.reduce((a, b) => (Math.abs(b.change) > Math.abs(a.change) ? b : a));
  const verdict: Verdict = spread > Math.abs(largest.change) ? "agrees" : "disagrees";
  const margin = noise(best.truth.test, worst.truth.test, context.testSize);
  return {
    id: "architecture",
    verdict,
    text:
      `**(d) The architecture matters more than the regularizers.** ${paper}` +
      `Ours: **${verdict}**: ${best.name} and ${worst.name} differ by ${points(spread).replace("+", "")} points ` +
      `of test accuracy with no regularizer${spread < margin ? ` (within the ±${points(margin).slice(1)} of noise)` : ""}, ` +
      `and the largest change a regularizer makes is ${points(largest.change)} ` +
      `(\`${largest.row.regularizer.name}\` on ${largest.row.name}).${leftOut}`,
  };
}

/**
 * The paper's four claims on regularization, each with our verdict from the rows of one suite.
 *
 * @example
 * regularizerClaims(ablationRows(p), { testSize: 1000, fitThreshold: 1, classes: 10, trainSize: 1000 })
 *   .map((c) => c.verdict) // ["agrees", "partly agrees", "inconclusive", "disagrees"]
 */
export function regularizerClaims(rows: readonly AblationRow[], context: ClaimContext): Claim[] {
  return [
    augmentationClaim(rows, context),
    notTheReasonClaim(rows, context),
    implicitClaim(rows, context),
    architectureClaim(rows, context),
  ];
}

/** The claims as a suite's bundle answers them: its rows, test-set size, fit threshold and classes. */
export function suiteClaims(predicate: ResultPredicate): Claim[] {
  const spec = predicate.suite.datasets[0]!;
  return regularizerClaims(ablationRows(predicate), {
    testSize: spec.testSize,
    fitThreshold: predicate.suite.fitThreshold,
    classes: predicate.datasets[0]!.classes,
    trainSize: spec.trainSize,
  });
}

/** A claim's title, the bold words its text opens with. */
export function claimTitle(claim: Claim): string {
  return /^\*\*(.+?)\*\*/.exec(claim.text)?.[1] ?? claim.id;
}

function range(values: readonly number[], format: (value: number) => string): string {
  const low = Math.min(...values);
  const high = Math.max(...values);
  return low === high ? format(low) : `${format(low)}–${format(high)}`;
}

/** Epochs: whole, or one decimal for a median between two runs. */
function formatEpochs(value: number): string {
  return Number.isInteger(value) ? formatInteger(value) : value.toFixed(1);
}
