// The insight page's scatter plots: each architecture's median steps to fit random labels,
// and its parameter count, against its median generalization gap.
import type { TooltipItem } from "chart.js";
import type { InsightFigureData, InsightPoint } from "../figures.js";
import { formatParameters } from "../format.js";
import { axis, cssColor, drawCharts, pageData, plugins, type Theme, withAlpha } from "./charts.js";

const data = pageData<InsightFigureData>();

/** Log-axis ticks: label 1, 2 and 5 of each decade only, as Chart.js does by default. */
function logTick(value: number): string {
  const mantissa = value / 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-6) ? formatParameters(value) : "";
}

/**
 * Room around the outermost points, so that none sits on the frame: Chart.js's grace on a
 * linear axis (its ticks stay round numbers); explicit bounds on a log axis, whose ticks
 * `logTick` labels only at 1, 2 and 5.
 */
function padded(values: number[], log: boolean) {
  if (!log || values.length === 0) return { grace: "10%" };
  return { min: Math.min(...values) / 1.3, max: Math.max(...values) * 1.3 };
}

function scatter(t: Theme, x: (p: InsightPoint) => number | null, log: boolean, xTitle: string) {
  const color = cssColor("--series-point");
  const points = data.points.filter((p) => x(p) !== null && p.genGap !== null);
  const xs = points.map((p) => x(p)!);
  const ys = points.map((p) => p.genGap! * 100);
  return {
    type: "scatter" as const,
    data: {
      datasets: [
        {
          label: "architectures",
          data: points.map((p) => ({ x: x(p)!, y: p.genGap! * 100 })),
          // Provisional architectures (fewer seeds than the suite lists) are hollow.
          backgroundColor: points.map((p) => (p.provisional ? "transparent" : withAlpha(color, 0.85))),
          borderColor: color,
          borderWidth: 2,
          pointRadius: 6,
          pointHoverRadius: 8,
        },
      ],
    },
    options: {
      parsing: false as const,
      scales: {
        x: {
          type: log ? ("logarithmic" as const) : ("linear" as const),
          ...padded(xs, log),
          ...axis(t, `${xTitle}${log ? " (log scale)" : ""}`),
          ticks: {
            ...axis(t, "").ticks,
            callback: (value: string | number) => (log ? logTick(Number(value)) : formatParameters(Number(value))),
          },
        },
        y: { ...padded(ys, false), ...axis(t, "generalization gap (pp)") },
      },
      plugins: {
        ...plugins(t),
        legend: { display: false },
        tooltip: {
          ...plugins(t).tooltip,
          callbacks: {
            title: (items: TooltipItem<"scatter">[]) => points[items[0]?.dataIndex ?? 0]?.name ?? "",
            label: (item: TooltipItem<"scatter">) => {
              const provisional = points[item.dataIndex]?.provisional ? " (provisional)" : "";
              const gap = (item.parsed.y ?? 0).toFixed(1);
              return `${formatParameters(item.parsed.x ?? 0)} · gap ${gap} pp${provisional}`;
            },
          },
        },
      },
    },
  };
}

drawCharts({
  "figure-memorization-gap": (t) => scatter(t, (p) => p.stepsToFit, data.logSteps, "SGD steps to fit random labels"),
  "figure-capacity-gap": (t) => scatter(t, (p) => p.parameterCount, data.logParameters, "parameters"),
});
