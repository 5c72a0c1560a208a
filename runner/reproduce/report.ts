// What `reproduce` prints: one row per run (position, task, verdict, where it diverged) and a
// final count, in words a reader can act on.
import Table from "cli-table3";
import { corruptionLabel, type Divergence, type ReproductionPredicate } from "../../schema/index.js";

/** The fewest significant digits (at least 4) at which two different numbers print differently. */
function distinct(a: number, b: number): [string, string] {
  for (let digits = 4; digits < 17; digits++) {
    const x = a.toPrecision(digits);
    const y = b.toPrecision(digits);
    if (x !== y) return [x, y];
  }
  return [String(a), String(b)];
}

/**
 * One divergence in a sentence: "epoch 7 trainLoss: original 0.2314 reproduced 0.2309".
 *
 * @example
 * describeDivergence({ epoch: null, metric: "predictions.test", original: "ab…", reproduced: "cd…" })
 * // "final test predictions differ (original sha256 ab…, reproduced cd…)"
 */
export function describeDivergence(divergence: Divergence): string {
  const { epoch, metric, original, reproduced } = divergence;
  if (metric === "predictions.train" || metric === "predictions.test") {
    const set = metric === "predictions.train" ? "training" : "test";
    const short = (digest: string | number | null) => (typeof digest === "string" ? `${digest.slice(0, 12)}…` : "none");
    return `final ${set} predictions differ (original sha256 ${short(original)}, reproduced ${short(reproduced)})`;
  }
  if (metric === "epochs") return `curve length: original ${original} epochs, reproduced ${reproduced}`;
  const [a, b] =
    typeof original === "number" && typeof reproduced === "number"
      ? distinct(original, reproduced)
      : [String(original ?? "none"), String(reproduced ?? "none")];
  return `${epoch === null ? "" : `epoch ${epoch} `}${metric}: original ${a} reproduced ${b}`;
}

/** The per-run table. */
export function verdictTable(predicate: ReproductionPredicate): string {
  const table = new Table({
    head: ["run", "architecture", "dataset", "corruption", "regularizer", "seed", "verdict", "first divergence"],
    style: { head: [], border: [] },
  });
  for (const run of predicate.runs) {
    const { task } = run;
    table.push([
      run.position,
      task.architecture,
      task.dataset.id,
      corruptionLabel(task.corruption),
      task.regularizer.name,
      task.seed,
      run.verdict,
      run.firstDivergence ? describeDivergence(run.firstDivergence) : "",
    ]);
  }
  return table.toString();
}

/** How many runs reproduced, in the mode's words: "reproduced exactly: 2 of 2 runs". */
export function finalLine(predicate: ReproductionPredicate): string {
  const total = predicate.runs.length;
  const runs = `${total} run${total === 1 ? "" : "s"}`;
  if (predicate.mode === "exact")
    return `reproduced exactly: ${predicate.runs.filter((r) => r.verdict === "exact").length} of ${runs}`;
  return `consistent within tolerance: ${predicate.runs.filter((r) => r.verdict === "consistent").length} of ${runs}`;
}

/** The runs whose verdict is negative. */
export function negativeRuns(predicate: ReproductionPredicate): number {
  return predicate.runs.filter((r) => r.verdict === "not-reproduced" || r.verdict === "inconsistent").length;
}
