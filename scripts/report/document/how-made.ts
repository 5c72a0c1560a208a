// The commands behind every figure, their wall times, and the machine and software that ran them.
import { formatGibibytes, formatInteger, NONE } from "../../../web/index.js";
import type { Invocation } from "../steps.js";
import { seconds, table } from "./format.js";
import type { ReportInput } from "./input.js";

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

export function howMade(input: ReportInput): string {
  const q = input.quick.bundle.predicate;
  const hw = q.environment.hardware;
  const rows = [
    invocationRows("quick suite", input.quick.bundle.invocations, input.quick.bundle.command),
    invocationRows("quick suite, PyTorch engine (CPU)", input.quickTorch.invocations, input.quickTorch.command),
    invocationRows("regularizers suite", input.regularizers.bundle.invocations, input.regularizers.bundle.command),
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
    input.quickTorch,
    input.regularizers.bundle,
    input.kernel.bundle,
    ...input.kernel.sizes,
    ...input.theorem,
    ...(input.standard.result ? [input.standard.result.bundle] : []),
  ].flatMap((step) => step.invocations);
  const total = all.reduce((sum, i) => sum + i.wallSeconds, 0);
  return [
    "## How these results were made",
    "",
    `\`${input.reportCommand}\` runs each command below through the built CLI (\`bin/rethink-bench.js\`), ` +
      "keeping checkpoints and outputs in the results folder: " +
      "a second report reuses them and only signs the suite bundles again. " +
      "It verifies each bundle as the server does, submits the bundles to a local leaderboard " +
      "(the Node entry with in-memory PGlite), reads the figures back from its API " +
      "and screenshots the charts of its architecture pages in Chromium.",
    "",
    table(["step", "command", "wall time", "runs", "load average (1 min) at start → end"], rows, [
      "l",
      "l",
      "r",
      "r",
      "l",
    ]),
    "",
    `In all, ${seconds(total)} of commands for the recorded steps. ` +
      "Generating the report again from these results trains and solves nothing: " +
      `it signs the ${input.standard.result ? "five" : "four"} suite bundles again, ` +
      "submits those trained with TF.js (the PyTorch bundle is compared with the wasm one, not ranked beside it) " +
      "and takes the screenshots.",
    "",
    `Machine: ${hw.cpuCount} × ${hw.cpuModel}, ${formatGibibytes(hw.memoryBytes)}, ` +
      `${hw.platform}/${hw.arch}${hw.gpu ? `, ${hw.gpu}` : ", no GPU"}; ` +
      `training backend: ${q.environment.backendDetail} ` +
      `(the PyTorch engine's: ${input.quickTorch.predicate.environment.backendDetail}); ` +
      `rethink-bench ${q.environment.runnerVersion}, ` +
      `TensorFlow.js ${q.environment.tfjsVersion}. ` +
      "Wall times include loading data and starting worker threads; " +
      `the machine was shared with other work, which the load averages show (${hw.cpuCount} cores).`,
  ].join("\n");
}
