/** @jsxImportSource hono/jsx */
// An architecture's complexity measures against the label-corruption level: one small chart per measure (median over
// its standing runs at each level) with its table, so that a reader sees which measures move with the gap and which
// stay put while it grows.
import { MEASURES } from "../../../schema/index.js";
import { Figure, FigureOrNone, NumTh } from "../../components/parts.js";
import { formatInteger, formatMeasure, formatPoints } from "../../format.js";
import type { MeasureSweepPoint } from "../../measure-figures.js";

function MeasureTable(props: { sweep: MeasureSweepPoint[]; index: number }) {
  const measure = MEASURES[props.index]!;
  return (
    <table>
      <caption>Median {measure.name} by label-corruption level</caption>
      <thead>
        <tr>
          <NumTh>Level</NumTh>
          <th scope="col">Corruption</th>
          <NumTh>Median</NumTh>
          <NumTh>Gap (median)</NumTh>
          <NumTh>Runs</NumTh>
        </tr>
      </thead>
      <tbody>
        {props.sweep.map((p) => (
          <tr>
            <td class="num">{p.level}</td>
            <th scope="row">{p.name}</th>
            <td class="num">
              <FigureOrNone value={p.medians[props.index]} format={formatMeasure} />
            </td>
            <td class="num">
              <FigureOrNone value={p.genGap} format={formatPoints} />
            </td>
            <td class="num">{formatInteger(p.runs)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function summary(sweep: MeasureSweepPoint[], index: number): string {
  const parts = sweep.map((p) => {
    const value = p.medians[index];
    return `level ${p.level}: ${value === null || value === undefined ? "undefined" : formatMeasure(value)}`;
  });
  return `Line chart of the median ${MEASURES[index]!.name} against label-corruption level: ${parts.join(", ")}.`;
}

export interface ComplexityMeasuresProps {
  sweep: MeasureSweepPoint[];
  /** The page lists only the newest runs; the medians rest on those. */
  runsTruncated: boolean;
}

/** The section of measure charts, or a line saying why there is none. */
export function ComplexityMeasures(props: ComplexityMeasuresProps) {
  const { sweep } = props;
  return (
    <section aria-labelledby="measures-heading" id="measures">
      <h2 id="measures-heading">Complexity measures by label corruption</h2>
      {sweep.length === 0 ? (
        <p>
          No runs of this board carry complexity measures: results of suite versions from before the measures, and
          kernel baselines, have none.
        </p>
      ) : (
        <>
          {/* biome-ignore format: Biome fills prose to 120 characters; − takes two bytes. */}
          <p>
            The same network with the same parameter count fits true and random labels alike while its generalization
            gap grows: does a measure of its final weights follow the gap? Each chart is the median over this
            architecture's standing runs without regularizer at each label-corruption level.
            {props.runsTruncated && " The medians rest on the newest runs this page lists."} The insight page ranks
            the measures across the whole board.
          </p>
          <div class="figure-grid">
            {MEASURES.map((m, index) => (
              <Figure
                id={`figure-measure-sweep-${m.key}`}
                label={`Figure 4${String.fromCharCode(97 + index)}`}
                title={`${m.name} vs label corruption`}
                caption={`Median ${m.name} of the final weights, from true labels (0) to random labels (1).`}
                summary={summary(sweep, index)}
                table={<MeasureTable sweep={sweep} index={index} />}
              />
            ))}
          </div>
        </>
      )}
    </section>
  );
}
