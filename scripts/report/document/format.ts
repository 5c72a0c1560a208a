// How the report writes numbers and tables, shared by its sections.

// Digits per figure, matched to the paper's: two beside Table 1's accuracies, none beside Figure 1c's
// (formatPercent has one).
export const percent = (fraction: number, digits = 1) => `${(100 * fraction).toFixed(digits)}%`;
export const paperPercent = (value: number) => `${value.toFixed(2)}%`;
// Two decimals, as Figure 1b's ratios are read from the plot (formatRatio keeps two significant digits).
export const ratio = (value: number) => `${value.toFixed(2)}×`;
// Tenths of a second up to two minutes, so that the kernel's solve times show how they grow with n
// (formatSeconds rounds 10–120 s to whole seconds).
export const seconds = (value: number) => (value >= 120 ? `${(value / 60).toFixed(1)} min` : `${value.toFixed(1)} s`);
export const list = (items: readonly string[]) => new Intl.ListFormat("en-US").format(items);

export function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  align?: readonly ("l" | "r")[],
): string {
  const rule = header.map((_, i) => ((align?.[i] ?? "l") === "r" ? "---:" : "---"));
  return [header, rule, ...rows].map((row) => `| ${row.join(" | ")} |`).join("\n");
}
