/** @jsxImportSource hono/jsx */
// The insight page's section on complexity measures: which of them predicts the generalization gap across a
// board's runs (Jiang et al., ICLR 2020), as a verdict, a ranking by Kendall's τ with the granulated τ per axis,
// a scatter per measure with its table, and the export the figures rest on.
import { type BoardMeasureRun, type Environment, type MeasureInfo, quantile } from "../../schema/index.js";
import { Figure, FigureOrNone, NumTh, TableRegion } from "../components/parts.js";
import { formatCorrelation, formatInteger, formatMeasure, formatPoints, formatPValue, plural } from "../format.js";
import type { CorruptionSeries, MeasureScatterData } from "../measure-figures.js";
import type { GranulatedTau, MeasureCorrelation } from "../measures.js";
import { apiBoardMeasuresHref, type BoardRef, type VerifiedFilter } from "../urls.js";

export interface MeasuresSectionProps {
  board: BoardRef;
  backend: Environment["backend"] | null;
  verified: VerifiedFilter;
  /** Whether `runs` are part of the board's (a large board's page ranks the runs it can afford). */
  partial: boolean;
  runs: readonly BoardMeasureRun[];
  correlations: readonly MeasureCorrelation[];
  verdict: string;
  scatter: MeasureScatterData;
}

const FAMILY_NAMES: Record<MeasureInfo["family"], string> = {
  size: "size",
  norm: "norm",
  spectral: "spectral",
  path: "path norm",
  margin: "margin",
  sharpness: "sharpness",
};

function median(values: number[]): number | null {
  return values.length === 0
    ? null
    : quantile(
        [...values].sort((a, b) => a - b),
        0.5,
      );
}

function pText(p: number | null): string | null {
  return p === null ? null : p < 0.001 ? "< 0.001" : formatPValue(p);
}

function Granulated(props: { value: GranulatedTau }) {
  const { tau, groups } = props.value;
  return (
    <>
      <FigureOrNone value={tau} format={formatCorrelation} />
      <span class="spread">{plural(groups, "group")}</span>
    </>
  );
}

function RankingTable(props: { correlations: readonly MeasureCorrelation[] }) {
  return (
    <table id="measure-ranking">
      <caption>
        Complexity measures ranked by Kendall's τ against the generalization gap (oriented: + predicts it)
      </caption>
      <thead>
        <tr>
          <NumTh>Rank</NumTh>
          <th scope="col">Measure</th>
          <th scope="col">Family</th>
          <NumTh>τ</NumTh>
          <NumTh>p</NumTh>
          <NumTh>τ across corruption levels</NumTh>
          <NumTh>τ across architectures</NumTh>
          <NumTh>Runs</NumTh>
        </tr>
      </thead>
      <tbody>
        {props.correlations.map((c, i) => (
          <tr data-measure={c.measure.key}>
            <td class="num">{i + 1}</td>
            <th scope="row">
              {c.measure.name}
              {c.measure.direction < 0 && (
                <abbr class="badge" title="Larger values mean a simpler network: τ is read for its negative">
                  −
                </abbr>
              )}
            </th>
            <td>{FAMILY_NAMES[c.measure.family]}</td>
            <td class="num">
              <FigureOrNone value={c.overall.tau} format={formatCorrelation} />
            </td>
            <td class="num">
              <FigureOrNone value={c.overall.pValue} format={(p) => pText(p)!} />
            </td>
            <td class="num">
              <Granulated value={c.corruptionAxis} />
            </td>
            <td class="num">
              <Granulated value={c.architectureAxis} />
            </td>
            <td class="num">{formatInteger(c.overall.n)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A scatter's table: per corruption, its runs and the median measure and gap. */
function ScatterTable(props: { scatter: MeasureScatterData; index: number; name: string }) {
  const { scatter, index } = props;
  const rows = scatter.series.map((series: CorruptionSeries, s) => {
    const runs = scatter.runs.filter((r) => r.series === s && r.values[index] !== null);
    return {
      series,
      runs: runs.length,
      value: median(runs.map((r) => r.values[index]!)),
      gap: median(runs.map((r) => r.genGap)),
    };
  });
  return (
    <table>
      <caption>{props.name} and generalization gap, median per corruption</caption>
      <thead>
        <tr>
          <th scope="col">Corruption</th>
          <NumTh>Runs</NumTh>
          <NumTh>Measure (median)</NumTh>
          <NumTh>Gap (median)</NumTh>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr>
            <th scope="row">{row.series.name}</th>
            <td class="num">{formatInteger(row.runs)}</td>
            <td class="num">
              <FigureOrNone value={row.value} format={formatMeasure} />
            </td>
            <td class="num">
              <FigureOrNone value={row.gap} format={formatPoints} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function scatterSummary(c: MeasureCorrelation): string {
  const tau = c.overall.tau === null ? "undefined" : formatCorrelation(c.overall.tau);
  const runs = plural(c.overall.n, "run");
  return `Scatter plot of ${runs}: ${c.measure.name} against the generalization gap; oriented Kendall's tau ${tau}.`;
}

export function MeasuresSection(props: MeasuresSectionProps) {
  const { board, runs, correlations, scatter } = props;
  const filters = { backend: props.backend, verified: props.verified };
  const allResults = apiBoardMeasuresHref(board, { ...filters, verified: "all" });
  const downloads = (
    <p class="downloads">
      Data: <a href={apiBoardMeasuresHref(board, filters)}>runs with their measures (JSON)</a> ·{" "}
      <a href={apiBoardMeasuresHref(board, filters, "csv")}>CSV</a>
    </p>
  );
  return (
    <section aria-labelledby="measures-heading" id="measures">
      <h2 id="measures-heading">Which complexity measure predicts the generalization gap?</h2>
      {/* biome-ignore format: Biome fills prose to 120 characters; τ and − take two bytes each. */}
      <p>
        Zhang et al. close on the observation that traditional measures of model complexity struggle to explain
        generalization: one network, with one parameter count, fits true and random labels alike while its test error
        goes from good to chance. Every run records complexity measures of its final weights; here they are ranked, as
        Jiang et al. ("Fantastic Generalization Measures and Where to Find Them", ICLR 2020) rank theirs, by Kendall's
        τ against the generalization gap over every run of this board.
      </p>
      {props.verified === "only" && (
        <p>
          As on the leaderboard's default view here, these rest on verified results only (reproduced exactly by an
          operator reproducer); <a href={allResults}>every result</a> is in the export.
        </p>
      )}
      {props.verified === "all" && (
        <p class="note">
          Each submitter's runner computes the measures; the server checks what it can compute itself (the parameter
          count, the spectral ratio against its parts, σ on the bisection's grid, the margin's sign against the scored
          predictions), and an exact reproduction compares every measure. Until then they are the submitter's claims.
        </p>
      )}
      {props.partial && (
        <p class="note">
          This board is larger than one page: the ranking rests on the {plural(runs.length, "run")} of the architectures
          shown above (at most 3,000); <a href={apiBoardMeasuresHref(board, filters)}>the export</a> pages through every
          run.
        </p>
      )}
      {runs.length === 0 ? (
        <p class="note" id="measure-verdict">
          No {props.verified === "only" ? "verified " : ""}runs with complexity measures on this board yet: they come
          with results of this suite version.
        </p>
      ) : (
        <>
          <p class="verdict" id="measure-verdict">
            {props.verdict}
          </p>
          <TableRegion labelledBy="measures-heading">
            <RankingTable correlations={correlations} />
          </TableRegion>
          <div class="figure-grid">
            {correlations.map((c, i) => {
              const index = scatter.measures.findIndex((m) => m.key === c.measure.key);
              const log = scatter.measures[index]?.log ?? false;
              return (
                <Figure
                  id={`figure-measure-${c.measure.key}`}
                  label={`Figure 3${String.fromCharCode(97 + i)}`}
                  title={`${c.measure.name} vs generalization gap`}
                  caption={
                    <>
                      One point per run, colored by corruption: the measure{log ? " (log scale)" : ""} and the gap
                      between final training and test accuracy. Oriented τ{" "}
                      <FigureOrNone value={c.overall.tau} format={formatCorrelation} /> over{" "}
                      {plural(c.overall.n, "run")}.
                    </>
                  }
                  summary={scatterSummary(c)}
                  table={<ScatterTable scatter={scatter} index={index} name={c.measure.name} />}
                />
              );
            })}
          </div>
        </>
      )}
      {downloads}
      {/* biome-ignore format: Biome fills prose to 120 characters; τ and − take two bytes each. */}
      <p>
        Each standing run of the board is one point: every architecture, corruption level, regularizer and seed. τ is
        computed on the measure times its direction (a larger margin or flatness σ means a simpler network, so those
        two count negated): +1 means the measure orders every pair of runs as their gaps do. The granulated τ holds
        every other axis fixed: across corruption levels it is the mean τ within each architecture, regularizer and
        seed; across architectures, within each corruption level, regularizer and seed; groups count those with a
        defined τ. A measure that is constant within every group, as parameter count is within one architecture, has
        none. Definitions, citations and what the server checks: docs/measures.md in the repository.
      </p>
    </section>
  );
}
