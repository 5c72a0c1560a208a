// The insight page's scatter plots: each architecture's median steps to fit random labels,
// and its parameter count, against its median generalization gap; each complexity measure of
// every run against its gap, colored by corruption.
import type { TooltipItem } from "chart.js";
import type { InsightFigureData, InsightPoint } from "../figures.js";
import { formatMeasure, formatParameters } from "../format.js";
import { axis, cssColor, drawCharts, pageData, plugins, type Theme, withAlpha } from "./charts.js";

const data = pageData<InsightFigureData>();

/** Log-axis ticks: label 1, 2 and 5 of each decade only, as Chart.js does by default. */
function logTick(value: number, format: (value: number) => string = formatParameters): string {
  const mantissa = value / 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-6) ? format(value) : "";
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

/** One measure's scatter: a dataset per corruption, so that the legend names the colors. */
function measureChart(t: Theme, index: number) {
  const { series, runs } = data.measures;
  const measure = data.measures.measures[index]!;
  const xs: number[] = [];
  const datasets = series.map((s, i) => {
    const color = cssColor(s.colorVar);
    const members = runs.filter((r) => r.series === i && r.values[index] !== null);
    xs.push(...members.map((r) => r.values[index]!));
    return {
      label: s.name,
      data: members.map((r) => ({ x: r.values[index]!, y: r.genGap * 100, run: r })),
      backgroundColor: withAlpha(color, 0.8),
      borderColor: color,
      borderWidth: 1,
      pointRadius: 4,
      pointHoverRadius: 6,
    };
  });
  type Point = { x: number; y: number; run: (typeof runs)[number] };
  return {
    type: "scatter" as const,
    data: { datasets },
    options: {
      parsing: false as const,
      scales: {
        x: {
          type: measure.log ? ("logarithmic" as const) : ("linear" as const),
          ...padded(xs, measure.log),
          ...axis(t, `${measure.name}${measure.log ? " (log scale)" : ""}`),
          ticks: {
            ...axis(t, "").ticks,
            callback: (value: string | number) =>
              measure.log ? logTick(Number(value), formatMeasure) : formatMeasure(Number(value)),
          },
        },
        y: { grace: "10%", ...axis(t, "generalization gap (pp)") },
      },
      plugins: {
        ...plugins(t),
        legend: { ...plugins(t).legend, position: "bottom" as const },
        tooltip: {
          ...plugins(t).tooltip,
          callbacks: {
            title: (items: TooltipItem<"scatter">[]) => {
              const point = items[0]?.raw as Point | undefined;
              return point ? `${point.run.architecture} · seed ${point.run.seed}` : "";
            },
            label: (item: TooltipItem<"scatter">) => {
              const point = item.raw as Point;
              const regularizer = point.run.regularizer === "none" ? "" : ` · ${point.run.regularizer}`;
              return `${item.dataset.label}${regularizer}: ${formatMeasure(point.x)} · gap ${point.y.toFixed(1)} pp`;
            },
          },
        },
      },
    },
  };
}

drawCharts({
  ...Object.fromEntries(
    data.measures.measures.map((m, index) => [`figure-measure-${m.key}`, (t: Theme) => measureChart(t, index)]),
  ),
  "figure-memorization-gap": (t) => scatter(t, (p) => p.stepsToFit, data.logSteps, "SGD steps to fit random labels"),
  "figure-capacity-gap": (t) => scatter(t, (p) => p.parameterCount, data.logParameters, "parameters"),
});
