// The quick suite on both engines: TF.js on wasm and PyTorch on the CPU, condition by condition,
// with the slowdowns, the wall times and what makes the two runs of a task differ.
import type { ResultPredicate, RunResult } from "../../../schema/index.js";
import { corruptionName, formatInteger, NONE } from "../../../web/index.js";
import type { Invocation, StepBundle } from "../steps.js";
import { percent, ratio, seconds, table } from "./format.js";
import type { ReportInput } from "./input.js";
import { examplesPerSecond } from "./runs.js";

const ENGINES = ["wasm", "torch"] as const;
type Engine = (typeof ENGINES)[number];

/** The run of an architecture under a corruption (no regularizer, first seed), or undefined. */
function runOf(predicate: ResultPredicate, architecture: string, corruption: string): RunResult | undefined {
  return predicate.runs.find(
    (r) =>
      r.task.architecture === architecture &&
      corruptionName(r.task.corruption) === corruption &&
      r.task.regularizer.name === "none" &&
      r.task.seed === predicate.suite.seeds[0],
  );
}

/** Epochs to fit, or "> budget" for a run that never fitted (its curve's length: the stopping rule may end it sooner). */
export function epochsCell(run: RunResult | undefined): string {
  if (!run) return NONE;
  if (run.status === "failed") return "failed";
  return run.derived.epochsToFit === null ? `> ${run.curve.length}` : String(run.derived.epochsToFit);
}

/** A difference of two accuracies in percentage points, one decimal. */
const points = (fraction: number) => `${(100 * fraction).toFixed(1)} percentage points`;

const accuracy = (value: number | null | undefined) => (value == null ? NONE : percent(value));

/** Summed wall time and load averages of a step's recorded invocations, or null when made outside the report. */
function wallTime(invocations: readonly Invocation[]): { wall: number; load: string } | null {
  if (invocations.length === 0) return null;
  return {
    wall: invocations.reduce((sum, i) => sum + i.wallSeconds, 0),
    load: invocations.map((i) => `${i.loadAverage[0].toFixed(1)} → ${i.loadAverage[1].toFixed(1)}`).join(", "),
  };
}

/** Seconds of training (evaluation excluded) summed over a bundle's runs. */
const trainingSeconds = (p: ResultPredicate) => p.runs.reduce((sum, r) => sum + (r.curve.at(-1)?.wallSeconds ?? 0), 0);

/** How far the engines' final accuracies and epochs to fit are apart, over conditions both finished. */
export function agreement(pairs: readonly { wasm: RunResult | undefined; torch: RunResult | undefined }[]): {
  compared: number;
  bothFitted: number;
  oneFitted: number;
  maxTestGap: number;
  maxTrainGap: number;
  epochRatios: number[];
} {
  const finished = pairs.filter(
    (p): p is { wasm: RunResult; torch: RunResult } => p.wasm?.status === "ok" && p.torch?.status === "ok",
  );
  const gap = (pick: (r: RunResult) => number | null) =>
    Math.max(0, ...finished.map((p) => Math.abs((pick(p.wasm) ?? 0) - (pick(p.torch) ?? 0))));
  const fitted = (r: RunResult) => r.derived.epochsToFit !== null;
  const both = finished.filter((p) => fitted(p.wasm) && fitted(p.torch));
  return {
    compared: finished.length,
    bothFitted: both.length,
    oneFitted: finished.filter((p) => fitted(p.wasm) !== fitted(p.torch)).length,
    maxTestGap: gap((r) => r.derived.finalTestAcc),
    maxTrainGap: gap((r) => r.derived.finalTrainAcc),
    epochRatios: both.map((p) => p.torch.derived.epochsToFit! / p.wasm.derived.epochsToFit!),
  };
}

export function enginesSection(input: ReportInput): string {
  const bundles: Record<Engine, StepBundle> = { wasm: input.quick.bundle, torch: input.quickTorch };
  const p: Record<Engine, ResultPredicate> = { wasm: bundles.wasm.predicate, torch: bundles.torch.predicate };
  const torchEngine = p.torch.environment.engine;
  const sameSuite = p.wasm.suiteDigest === p.torch.suiteDigest;
  const architectures = p.wasm.architectures.map((a) => {
    const other = p.torch.architectures.find((b) => b.id === a.id);
    return { ...a, same: other?.fingerprint === a.fingerprint && other?.parameterCount === a.parameterCount };
  });
  const corruptions = [
    ...new Set(
      p.wasm.runs.filter((r) => r.task.regularizer.name === "none").map((r) => corruptionName(r.task.corruption)),
    ),
  ];

  const sections: string[] = [];
  const allPairs: { wasm: RunResult | undefined; torch: RunResult | undefined }[] = [];
  for (const a of architectures) {
    const rows = corruptions.map((c) => {
      const runs = { wasm: runOf(p.wasm, a.id, c), torch: runOf(p.torch, a.id, c) };
      allPairs.push(runs);
      return [
        c,
        epochsCell(runs.wasm),
        epochsCell(runs.torch),
        accuracy(runs.wasm?.derived.finalTrainAcc),
        accuracy(runs.torch?.derived.finalTrainAcc),
        accuracy(runs.wasm?.derived.finalTestAcc),
        accuracy(runs.torch?.derived.finalTestAcc),
      ];
    });
    const slowdowns = ENGINES.map((e) => runOf(p[e], a.id, "random labels")?.derived.slowdown ?? null);
    sections.push(
      `### ${a.name} (\`${a.id}\`)`,
      "",
      table(
        [
          "corruption",
          "epochs to fit: wasm",
          "torch",
          "final train acc: wasm",
          "torch",
          "final test acc: wasm",
          "torch",
        ],
        rows,
        ["l", "r", "r", "r", "r", "r", "r"],
      ),
      "",
      `Slowdown on random labels (steps to fit random labels over steps to fit true labels): ` +
        ENGINES.map(
          (e, i) => `${e} ${slowdowns[i] === null ? "not defined (a run did not fit)" : ratio(slowdowns[i]!)}`,
        ).join(", ") +
        ".",
      "",
    );
  }

  const agree = agreement(allPairs);
  const ratios = agree.epochRatios;
  const timeRows = ENGINES.map((e) => {
    const t = wallTime(bundles[e].invocations);
    return [
      e === "wasm" ? "TF.js, wasm" : "PyTorch, CPU",
      `\`${bundles[e].command}\``,
      t ? seconds(t.wall) : "made before the report recorded timings",
      seconds(trainingSeconds(p[e])),
      ...architectures.map((a) => {
        const rate = examplesPerSecond(p[e], a.id);
        return rate === null ? NONE : formatInteger(Math.round(rate));
      }),
      t ? t.load : NONE,
    ];
  });

  return [
    "## The quick suite on both engines: TF.js (wasm) and PyTorch (CPU)",
    "",
    `The same ${formatInteger(p.wasm.runs.length)} tasks of the quick suite ` +
      `(${sameSuite ? "the same suite digest in both bundles" : "**the two bundles name different suite digests**"}), ` +
      `trained once on each engine: on ${p.wasm.environment.backendDetail}, ` +
      `and on ${p.torch.environment.backendDetail}` +
      (torchEngine
        ? ` (Python ${torchEngine.pythonVersion}, numpy ${torchEngine.numpyVersion}, ` +
          `deterministic algorithms ${torchEngine.deterministic ? "on" : "off"})`
        : "") +
      ". Both sides prepare each task's data on the Node side from the same seeded streams, so each run of a " +
      "task sees the same digits, the same corrupted labels or pixels and the same order of examples in every epoch. " +
      (architectures.every((a) => a.same)
        ? "Both bundles name each architecture by the same fingerprint and parameter count " +
          `(${architectures.map((a) => `\`${a.id}\` ${formatInteger(a.parameterCount)}`).join(", ")}).`
        : `**The bundles disagree on the fingerprint or parameter count of ${architectures
            .filter((a) => !a.same)
            .map((a) => `\`${a.id}\``)
            .join(", ")}.**`),
    "",
    ...sections,
    "### How far apart",
    "",
    `Of the ${formatInteger(agree.compared)} conditions that finished on both engines, ` +
      `${formatInteger(agree.bothFitted)} fitted their training set on both` +
      (agree.oneFitted > 0 ? ` and ${formatInteger(agree.oneFitted)} on one engine only` : "") +
      (ratios.length > 0
        ? `; torch's epochs to fit were ${ratio(Math.min(...ratios))} to ${ratio(Math.max(...ratios))} of wasm's`
        : "") +
      `. Final training accuracies differ by at most ${points(agree.maxTrainGap)} and final test ` +
      `accuracies by at most ${points(agree.maxTestGap)}: close, not equal, since the engines start from ` +
      "different initial weights (below).",
    "",
    "Wall time of each suite (the whole command: data, worker start-up, training, evaluation after every " +
      "epoch) and its training time alone (summed over runs, from the curves; each engine trains one run per " +
      "core side by side, so the sum can exceed the wall time), with each engine's training examples per second " +
      "per run, by architecture. The two suites ran at different times on a shared machine, so the load " +
      "averages differ too; `npm run bench:engine` compares the engines' speed in alternating rounds " +
      "([performance.md](performance.md)).",
    "",
    table(
      [
        "engine",
        "command",
        "wall time",
        "training time",
        ...architectures.map((a) => `examples/s per run: \`${a.id}\``),
        "load average (1 min) at start → end",
      ],
      timeRows,
      ["l", "l", "r", "r", ...architectures.map(() => "r" as const), "l"],
    ),
    "",
    "What is the same on both engines: the data (checked by SHA-256 on the PyTorch side), the corruption, " +
      "every epoch's order of examples, the network (the same canonical topology, built layer for layer), " +
      "the initializers' distributions, SGD with momentum as TensorFlow defines it, the learning rate, " +
      "the evaluation of the whole training and test sets after every epoch and the stopping rule. " +
      "What differs, and why no run here is bit for bit the other engine's:",
    "",
    "- **Initial weights.** Each engine draws them from its own generator seeded by the task: TF.js's seeded " +
      "initializers (seedrandom's Alea) on one side, a `torch.Generator` (Mersenne Twister) on the other. " +
      "Same distributions, other numbers; from the first step the two runs follow different paths.",
    "- **Summation order.** wasm runs XNNPACK's single-threaded 128-bit SIMD kernels and our training kernels; " +
      "PyTorch runs oneDNN's convolutions and OpenBLAS's matrix products, vectorized for this CPU " +
      "(AVX2 or AVX-512, with fused multiply-add). " +
      "The same sums, added in other orders and rounded otherwise, differ in the last bits, which SGD " +
      "amplifies over epochs.",
    "- **Cross-entropy and its gradient** are computed by each library's own kernels (log-softmax " +
      "and one-hot products on both sides, fused differently).",
    "",
    "Both are still deterministic on their own: each engine repeats its own runs bit for bit on this machine " +
      "([determinism.md](determinism.md)).",
  ].join("\n");
}
