// Theorem 1 (§4): the depth-two ReLU construction checked on random points and on MNIST images.
import { formatInteger } from "../../../web/index.js";
import { theoremWeights } from "../paper.js";
import { seconds, table } from "./format.js";
import type { ReportInput } from "./input.js";

// The construction's size, ours and the paper's count, then how closely it reproduces the labels.
const SIZE_COLUMNS = ["points", "n", "d", "weights (ours)", "2n + d (paper)"];
const ERROR_COLUMNS = ["max \\|c(xᵢ) − yᵢ\\|", "error bound", "κ∞", "time"];

export function theoremSection(input: ReportInput): string {
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
    "The paper proves that a depth-two ReLU network with 2n + d weights, " +
      "c(x) = Σⱼ wⱼ·max(⟨a, x⟩ − bⱼ, 0), can represent any labels of n distinct points in d dimensions " +
      "(proof in Appendix C). `rethink-bench theorem` builds that network for standard-normal real labels " +
      "and checks it on every point; the error bound is the rounding bound of the triangular solve, " +
      "and κ∞ its condition number.",
    "",
    table([...SIZE_COLUMNS, ...ERROR_COLUMNS], rows, ["l", "r", "r", "r", "r", "r", "r", "r", "r"]),
  ].join("\n");
}
