// The architecture page's charts: learning curves per corruption (Figure 1a), steps to fit
// and test error against the label-corruption level (Figures 1b and 1c), each median with
// its interquartile range as a band; each complexity measure's median per level (Figure 4).
import type { ChartDataset, TooltipItem } from "chart.js";
import type { Spread } from "../../schema/index.js";
import type { ArchitectureFigureData, SweepPoint } from "../figures.js";
import { formatInteger, formatMeasure, formatPercent, formatPoints } from "../format.js";
import { axis, cssColor, drawCharts, pageData, plugins, type Theme, withAlpha } from "./charts.js";

type Point = { x: number; y: number | null };
type LineDataset = ChartDataset<"line", Point[]>;

const data = pageData<ArchitectureFigureData>();
const percent = (fraction: number) => fraction * 100;

/** A band between q1 and q3: two datasets, the upper filling down to the lower. */
function band(lower: Point[], upper: Point[], color: string): LineDataset[] {
  const common = {
    borderWidth: 0,
    pointRadius: 0,
    pointHoverRadius: 0,
    backgroundColor: withAlpha(color, 0.14),
    spanGaps: false,
  } as const;
  return [
    { ...common, label: "q1", data: lower, fill: false },
    { ...common, label: "q3", data: upper, fill: "-1" },
  ];
}

/** Datasets that draw a band: left out of legends and tooltips. */
const isBand = (dataset: { label?: string }) =>
  dataset.label === "q1" || dataset.label === "q3" || dataset.label === "threshold";

function curvesChart(t: Theme) {
  const datasets: LineDataset[] = [];
  const last = Math.max(1, ...data.curves.map((s) => s.points.length));
  for (const series of data.curves) {
    const color = cssColor(series.colorVar);
    datasets.push(
      ...band(
        series.points.map((p) => ({ x: p.epoch, y: percent(p.q1) })),
        series.points.map((p) => ({ x: p.epoch, y: percent(p.q3) })),
        color,
      ),
    );
    datasets.push({
      label: series.name,
      data: series.points.map((p) => ({ x: p.epoch, y: percent(p.median) })),
      borderColor: color,
      backgroundColor: color,
      borderWidth: 2,
      borderDash: series.dashed ? [6, 4] : [],
      pointRadius: 0,
      pointHoverRadius: 4,
      tension: 0.15,
      fill: false,
    });
  }
  datasets.push({
    label: "threshold",
    data: [
      { x: 1, y: percent(data.fitThreshold) },
      { x: last, y: percent(data.fitThreshold) },
    ],
    borderColor: t.muted,
    borderWidth: 1,
    borderDash: [2, 3],
    pointRadius: 0,
    fill: false,
  });
  return {
    type: "line" as const,
    data: { datasets },
    options: {
      parsing: false as const,
      interaction: { mode: "index" as const, intersect: false },
      scales: {
        x: { type: "linear" as const, min: 1, max: last, ...axis(t, "epoch") },
        y: { min: 0, max: 100, ...axis(t, "training accuracy (%)") },
      },
      plugins: {
        ...plugins(t),
        legend: {
          ...plugins(t).legend,
          labels: {
            ...plugins(t).legend.labels,
            filter: (item: { datasetIndex?: number }) => !isBand(datasets[item.datasetIndex ?? 0]!),
          },
        },
        tooltip: {
          ...plugins(t).tooltip,
          filter: (item: TooltipItem<"line">) => !isBand(item.dataset),
          callbacks: {
            title: (items: TooltipItem<"line">[]) => `epoch ${items[0]?.parsed.x ?? ""}`,
            label: (item: TooltipItem<"line">) => `${item.dataset.label}: ${item.parsed.y?.toFixed(1)}%`,
          },
        },
      },
    },
  };
}

/** The x axis of the charts by label-corruption level: 0 (true labels) to 1 (random), in steps of 0.2. */
function corruptionAxis(t: Theme, title: string) {
  return { type: "linear" as const, min: 0, max: 1, ...axis(t, title), ticks: { color: t.muted, stepSize: 0.2 } };
}

function sweepChart(
  t: Theme,
  pick: (p: SweepPoint) => Spread,
  scale: (v: number) => number,
  yTitle: string,
  format: (v: number) => string,
  yMax?: number,
) {
  const color = cssColor("--series-point");
  const at = (value: (s: Spread) => number | null) =>
    data.sweep.map((p) => ({ x: p.level, y: value(pick(p)) === null ? null : scale(value(pick(p))!) }));
  const pointColors = data.sweep.map((p) => cssColor(p.colorVar));
  const datasets: LineDataset[] = [
    ...band(
      at((s) => s.q1),
      at((s) => s.q3),
      color,
    ),
    {
      label: yTitle,
      data: at((s) => s.median),
      borderColor: color,
      borderWidth: 2,
      pointRadius: 5,
      pointHoverRadius: 7,
      pointBackgroundColor: pointColors,
      pointBorderColor: pointColors,
      spanGaps: false,
      fill: false,
      // Points at level 0 and 1 sit on the chart's edges: draw them whole.
      clip: 8,
    },
  ];
  return {
    type: "line" as const,
    data: { datasets },
    options: {
      parsing: false as const,
      layout: { padding: { right: 8, top: 4 } },
      interaction: { mode: "nearest" as const, intersect: false, axis: "x" as const },
      scales: {
        x: corruptionAxis(t, "label corruption (fraction of labels randomized)"),
        y: { min: 0, ...(yMax === undefined ? {} : { max: yMax }), ...axis(t, yTitle) },
      },
      plugins: {
        ...plugins(t),
        legend: { display: false },
        tooltip: {
          ...plugins(t).tooltip,
          filter: (item: TooltipItem<"line">) => !isBand(item.dataset),
          callbacks: {
            title: (items: TooltipItem<"line">[]) => data.sweep[items[0]?.dataIndex ?? 0]?.name ?? "",
            label: (item: TooltipItem<"line">) => {
              const spread = pick(data.sweep[item.dataIndex]!);
              const range =
                spread.q1 !== null && spread.q3 !== null
                  ? ` (IQR ${format(scale(spread.q1))}–${format(scale(spread.q3))})`
                  : "";
              return `median ${format(item.parsed.y ?? 0)}${range}, ${spread.runs} runs`;
            },
          },
        },
      },
    },
  };
}

const pct = (v: number) => formatPercent(v / 100);

/** Log-axis ticks labelled at 1, 2 and 5 of each decade only, as the insight page's scatters do. */
function logTicks(t: Theme) {
  const callback = (value: string | number) => {
    const v = Number(value);
    const mantissa = v / 10 ** Math.floor(Math.log10(v));
    return [1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-6) ? formatMeasure(v) : "";
  };
  return { ticks: { ...axis(t, "").ticks, callback } };
}

/** Figure 4: one measure's median per label-corruption level, its points in the level's color. */
function measureChart(t: Theme, index: number) {
  const { sweep, names } = data.measures;
  const color = cssColor("--series-point");
  const pointColors = sweep.map((p) => cssColor(p.colorVar));
  const dataset: LineDataset = {
    label: names[index]!,
    data: sweep.map((p) => ({ x: p.level, y: p.medians[index] ?? null })),
    borderColor: color,
    borderWidth: 2,
    pointRadius: 4,
    pointHoverRadius: 6,
    pointBackgroundColor: pointColors,
    pointBorderColor: pointColors,
    spanGaps: false,
    fill: false,
    clip: 8,
  };
  return {
    type: "line" as const,
    data: { datasets: [dataset] },
    options: {
      parsing: false as const,
      layout: { padding: { right: 8, top: 4 } },
      interaction: { mode: "nearest" as const, intersect: false, axis: "x" as const },
      scales: {
        x: corruptionAxis(t, "label corruption"),
        y: data.measures.log[index]
          ? { type: "logarithmic" as const, ...axis(t, `${names[index]!} (log scale)`), ...logTicks(t) }
          : {
              grace: "10%",
              ...axis(t, names[index]!),
              ticks: { ...axis(t, "").ticks, callback: (value: string | number) => formatMeasure(Number(value)) },
            },
      },
      plugins: {
        ...plugins(t),
        legend: { display: false },
        tooltip: {
          ...plugins(t).tooltip,
          callbacks: {
            title: (items: TooltipItem<"line">[]) => sweep[items[0]?.dataIndex ?? 0]?.name ?? "",
            label: (item: TooltipItem<"line">) => {
              const point = sweep[item.dataIndex]!;
              const gap = point.genGap === null ? "" : `, gap ${formatPoints(point.genGap)}`;
              return `median ${formatMeasure(item.parsed.y ?? 0)}${gap}, ${point.runs} runs`;
            },
          },
        },
      },
    },
  };
}

drawCharts({
  "figure-curves": curvesChart,
  "figure-steps": (t) =>
    sweepChart(
      t,
      (p) => p.stepsToFit,
      (v) => v,
      "SGD steps to fit",
      formatInteger,
    ),
  "figure-test-error": (t) => sweepChart(t, (p) => p.testError, percent, "test error (%)", pct, 100),
  ...Object.fromEntries(
    data.measures.keys.map((key, index) => [`figure-measure-sweep-${key}`, (t: Theme) => measureChart(t, index)]),
  ),
});
