// What the page scripts share: Chart.js with only the parts they use, the page's data (JSON
// the server embedded), colors from the stylesheet's custom properties, and redrawing when
// the reader's light/dark preference changes.
import {
  Chart,
  type ChartConfiguration,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  ScatterController,
  Tooltip,
} from "chart.js";

Chart.register(
  LineController,
  ScatterController,
  LineElement,
  PointElement,
  LinearScale,
  LogarithmicScale,
  Filler,
  Legend,
  Tooltip,
);

/** The JSON the server placed in `<script type="application/json" id="page-data">`. */
export function pageData<T>(): T {
  const element = document.getElementById("page-data");
  if (!element?.textContent) throw new Error("this page has no page-data element");
  return JSON.parse(element.textContent) as T;
}

/** A custom property of the stylesheet, e.g. `--series-random`. */
export function cssColor(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || "#888888";
}

/** `#rrggbb` with an alpha, for bands under lines. */
export function withAlpha(hex: string, alpha: number): string {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!match) return hex;
  const [r, g, b] = match.slice(1).map((h) => parseInt(h, 16));
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

export interface Theme {
  text: string;
  muted: string;
  grid: string;
  surface: string;
  /** A phone-sized screen: smaller legends and ticks. */
  compact: boolean;
}

const PHONE = "(max-width: 640px)";

function theme(): Theme {
  return {
    text: cssColor("--text"),
    muted: cssColor("--muted"),
    grid: cssColor("--grid"),
    surface: cssColor("--surface-strong"),
    compact: matchMedia(PHONE).matches,
  };
}

/** Axis styling shared by every chart: muted ticks and titles, faint grid. */
export function axis(t: Theme, title: string) {
  return {
    title: { display: true, text: title, color: t.muted, font: { weight: 500 as const, size: t.compact ? 11 : 12 } },
    ticks: { color: t.muted, font: { size: t.compact ? 10 : 12 } },
    grid: { color: t.grid },
    border: { color: t.grid },
  };
}

/** Formatting of tooltips and legends shared by every chart. */
export function plugins(t: Theme) {
  return {
    legend: {
      labels: {
        color: t.text,
        usePointStyle: true,
        boxWidth: t.compact ? 6 : 8,
        boxHeight: t.compact ? 6 : 8,
        padding: t.compact ? 8 : 14,
        font: { size: t.compact ? 10 : 12 },
      },
    },
    tooltip: {
      backgroundColor: t.surface,
      titleColor: t.text,
      bodyColor: t.text,
      borderColor: t.grid,
      borderWidth: 1,
      padding: 10,
      boxPadding: 4,
    },
  };
}

type Builder = (t: Theme) => ChartConfiguration<"line" | "scatter", unknown[]>;

/**
 * Draws each chart into its canvas (by id) and draws them again when the color scheme or
 * the phone-sized layout changes. A missing canvas is skipped: the page chose not to show
 * that figure.
 */
export function drawCharts(builders: Record<string, Builder>): void {
  const reduceMotion = matchMedia("(prefers-reduced-motion: reduce)").matches;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.animation = reduceMotion ? false : { duration: 300 };
  Chart.defaults.maintainAspectRatio = false;
  let charts: Chart[] = [];
  const draw = () => {
    for (const chart of charts) chart.destroy();
    const t = theme();
    charts = Object.entries(builders).flatMap(([id, build]) => {
      const canvas = document.getElementById(id);
      if (!(canvas instanceof HTMLCanvasElement)) return [];
      const chart = new Chart(canvas, build(t) as ChartConfiguration);
      canvas.dataset.chartReady = "true";
      return [chart];
    });
  };
  draw();
  matchMedia("(prefers-color-scheme: dark)").addEventListener("change", draw);
  matchMedia(PHONE).addEventListener("change", draw);
}
