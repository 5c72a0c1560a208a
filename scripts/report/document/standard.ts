// The standard suite: which datasets this machine has, and its results or its size if it did not run.
import { formatInteger } from "../../../web/index.js";
import type { ReportInput } from "./input.js";

export function standardSection(input: ReportInput, quickRates: { id: string; rate: number | null }[]): string {
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
      `The standard suite ran on a subset: \`${s.result.bundle.command}\` ` +
        `(${s.result.bundle.predicate.runs.length} runs); its rows are in the Table 1 section above.`,
    );
    return lines.join("\n");
  }
  if (s.size) {
    const mlp = quickRates.find((r) => r.id === "mlp-1x512");
    const examplesPerRun = s.size.trainSize * s.size.epochs;
    const tinyRate = quickRates.find((r) => r.id === "small-alexnet-tiny")?.rate ?? 0;
    const mlpRuns = s.size.byArchitecture.find((a) => a.id === "mlp-1x512")?.runs ?? 0;
    lines.push(
      `Not run for this report. On \`${s.size.dataset}\` alone the suite is ${formatInteger(s.size.runs)} runs ` +
        `(${s.size.byArchitecture.map((a) => `${a.id} ${a.runs}`).join(", ")}), ` +
        `each up to ${formatInteger(examplesPerRun)} training examples ` +
        `(${formatInteger(s.size.trainSize)} images × ${s.size.epochs} epochs).` +
        (mlp?.rate
          ? " At the rate `mlp-1x512` trained in the quick suite here " +
            `(${formatInteger(mlp.rate)} examples/s per worker), its ${mlpRuns} runs alone would take up to ` +
            `${((mlpRuns * examplesPerRun) / mlp.rate / 3600).toFixed(1)} worker-hours; ` +
            "the convolutional networks train far more slowly per example " +
            `(\`small-alexnet-tiny\`: ${formatInteger(tinyRate)} examples/s, ` +
            "with a quarter of `small-alexnet`'s filters)."
          : ""),
      "",
      "It is the suite for a machine with a GPU " +
        "(`rethink-bench run --suite standard --dataset fashion-mnist --backend tensorflow` " +
        "with `@tensorflow/tfjs-node-gpu` installed), or for a long CPU run; `--seed 0` runs one of its three seeds. " +
        "`npm run report -- --standard` runs the Fashion-MNIST subset with seed 0 and adds it to this report.",
    );
  }
  return lines.join("\n");
}
