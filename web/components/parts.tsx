/** @jsxImportSource hono/jsx */
// Small pieces the pages share: a median with its spread, a figure or none, a chart figure
// with its data table, the list of boards to switch between, a command to copy.
import type { Child } from "hono/jsx";
import type { DatasetId, Spread, SuiteRef } from "../../schema/index.js";
import { formatTimestamp, NONE, NOT_APPLICABLE, plural } from "../format.js";

/** A column header over figures: right-aligned, as the figures below it are. */
export function NumTh(props: { children: Child }) {
  return (
    <th scope="col" class="num">
      {props.children}
    </th>
  );
}

/**
 * A median with its interquartile range and how many seeds it rests on. A median that is
 * null because at least half the runs never fitted reads "not fitted".
 */
export function SpreadValue(props: {
  spread: Spread;
  format: (value: number) => string;
  formatBound?: (value: number) => string;
  showSeeds?: boolean;
}) {
  const { spread, format } = props;
  const bound = props.formatBound ?? format;
  if (spread.runs === 0) return <span class="none">{NONE}</span>;
  const seeds = props.showSeeds === false ? "" : plural(spread.seeds, "seed");
  if (spread.median === null) {
    return (
      <span
        class="censored"
        title={`${spread.censoredRuns} of ${spread.runs} runs did not fit within the epoch budget`}
      >
        not fitted
        {props.showSeeds !== false && (
          <span class="spread">
            {spread.censoredRuns}/{spread.runs} runs censored
          </span>
        )}
      </span>
    );
  }
  const range =
    spread.q1 !== null && spread.q3 !== null && spread.runs > 1 ? `${bound(spread.q1)}–${bound(spread.q3)}` : null;
  return (
    <>
      <span class="median">{format(spread.median)}</span>
      {(range || seeds) && (
        <span class="spread">
          {range && (
            <>
              <span class="visually-hidden">interquartile range </span>
              {range}
            </>
          )}
          {range && seeds ? " · " : ""}
          {seeds}
        </span>
      )}
    </>
  );
}

/** A figure that may not exist: formatted, or NONE (muted) when there is none. */
export function FigureOrNone(props: { value: number | null | undefined; format: (value: number) => string }) {
  return props.value === null || props.value === undefined ? (
    <span class="none">{NONE}</span>
  ) : (
    props.format(props.value)
  );
}

/** A moment as a reader sees it (UTC, to the minute), machine-readable in `datetime`. */
export function Timestamp(props: { iso: string }) {
  return <time datetime={props.iso}>{formatTimestamp(props.iso)}</time>;
}

/** Why SGD figures do not apply to a baseline, said once for every "n/a" cell. */
export const NO_SGD = "Not applicable: a closed-form solve has no SGD steps or epochs";

/** The two commands that put a run of a suite on the board; `options` go to `run` (e.g. your own model). */
export function submitCommands(suiteId: string, options = ""): string[] {
  return [
    `npx rethink-bench run --suite ${suiteId}${options}`,
    `npx rethink-bench submit rethink-results/${suiteId}-*.dsse.json`,
  ];
}

/** A cell whose figure cannot exist for a non-neural baseline. */
export function NotApplicable() {
  return (
    <abbr class="none" title={NO_SGD}>
      {NOT_APPLICABLE}
    </abbr>
  );
}

/** One run's epochs to fit: failed (with its reason on hover), n/a for a baseline, not fitted, or the epoch. */
export function EpochsToFit(props: {
  status: "ok" | "failed";
  failure?: string | null;
  epochsToFit: number | null;
  sgd: boolean;
}) {
  if (props.status === "failed") {
    return (
      <span class="censored" title={props.failure ?? undefined}>
        failed
      </span>
    );
  }
  if (!props.sgd) return <NotApplicable />;
  return props.epochsToFit === null ? <span class="censored">not fitted</span> : props.epochsToFit;
}

export interface FigureProps {
  id: string;
  /** e.g. "Figure 1a". */
  label: string;
  title: string;
  caption: Child;
  /** A one-sentence description of what the chart shows, read out in place of the canvas. */
  summary: string;
  /** The same data as a table: the chart's alternative without JavaScript or sight. */
  table: Child;
  wide?: boolean;
}

/** A chart drawn by the page script into the canvas, with its caption and data table. */
export function Figure(props: FigureProps) {
  return (
    <figure class={`chart${props.wide ? " chart-wide" : ""}`} aria-labelledby={`${props.id}-title`}>
      <figcaption>
        <h3 id={`${props.id}-title`}>
          <span class="figure-label">{props.label}</span> {props.title}
        </h3>
        <p>{props.caption}</p>
      </figcaption>
      <div class="chart-box">
        <canvas id={props.id} role="img" aria-label={props.summary}>
          {props.summary}
        </canvas>
      </div>
      <noscript>
        <p class="note">The chart needs JavaScript; its data is in the table below.</p>
      </noscript>
      <details class="chart-data">
        <summary>Data table</summary>
        <div class="table-wrap">{props.table}</div>
      </details>
    </figure>
  );
}

export interface BoardLink {
  suite: SuiteRef;
  title: string;
  dataset: DatasetId;
  href: string;
  current: boolean;
  /** e.g. "4 architectures" or "no results yet". */
  meta: string;
  empty: boolean;
}

/** The boards (suite version × dataset) as a row of links, the current one marked. */
export function BoardNav(props: { label: string; boards: BoardLink[] }) {
  return (
    <nav class="boards" aria-label={props.label}>
      <ul>
        {props.boards.map((b) => (
          <li>
            <a href={b.href} aria-current={b.current ? "page" : undefined} class={b.empty ? "empty" : undefined}>
              <span class="board-title">
                {b.title} <span class="board-version">v{b.suite.version}</span>
              </span>
              <span class="board-meta">
                {b.dataset} · {b.meta}
              </span>
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** Shell commands in a code block; `label` names the block for screen readers. */
export function Commands(props: { lines: string[]; label?: string }) {
  return (
    <figure class="commands-block" aria-label={props.label}>
      <pre class="commands">
        <code>{props.lines.join("\n")}</code>
      </pre>
    </figure>
  );
}

/** A statistic with a label, as the summary cards at the top of a page show it. */
export function Stat(props: { label: string; value: Child; detail?: Child }) {
  return (
    <div class="stat">
      <dt>{props.label}</dt>
      <dd>
        <span class="stat-value">{props.value}</span>
        {props.detail && <span class="stat-detail">{props.detail}</span>}
      </dd>
    </div>
  );
}

/**
 * A wide table in a horizontally scrollable region named by `labelledBy`: focusable, so that
 * keyboard users can scroll it (a named <section> is a region landmark).
 */
export function TableRegion(props: { labelledBy: string; children: Child }) {
  return (
    <section class="table-wrap" aria-labelledby={props.labelledBy} tabindex={0}>
      {props.children}
    </section>
  );
}
