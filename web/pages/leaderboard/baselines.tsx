/** @jsxImportSource hono/jsx */
// A board's non-neural baselines (kernels): the same true-label figures as the ranked rows,
// outside the ranking, since a closed-form solve has no SGD steps to count.
import type { BaselineRow } from "../../../schema/index.js";
import { FigureOrNone, NotApplicable, NumTh, SpreadValue, TableRegion } from "../../components/parts.js";
import { formatPercent, formatPercentValue, formatPoints, plural } from "../../format.js";
import { type BoardView, protocolHref } from "../../urls.js";
import { ArchitectureCells, CountsCell } from "./row-cells.js";

/** A baseline's row: the ranked table's columns, with the SGD figures marked not applicable. */
function BaselineTableRow(props: { row: BaselineRow; view: BoardView }) {
  const { row, view } = props;
  const a = row.architecture;
  return (
    <tr>
      <td class="num rank">
        <NotApplicable />
      </td>
      <ArchitectureCells architecture={a} view={view} badge={a.kind} />
      <td class="num">
        <NotApplicable />
      </td>
      <td class="num">
        <NotApplicable />
      </td>
      <td class="num">
        <NotApplicable />
      </td>
      <td class="num">
        <SpreadValue spread={row.genGap} format={formatPoints} formatBound={formatPercentValue} />
      </td>
      <td class="num">
        <FigureOrNone value={row.trainAccuracy} format={formatPercent} />
      </td>
      <td class="num">
        <FigureOrNone value={row.testAccuracy} format={formatPercent} />
      </td>
      <CountsCell counts={row.counts} />
    </tr>
  );
}

export function Baselines(props: { rows: BaselineRow[]; view: BoardView }) {
  return (
    <section class="baselines" aria-labelledby="baselines-heading">
      <h2 id="baselines-heading">Non-neural baselines</h2>
      <p>
        Minimum-norm kernel interpolation (the paper's §5) run on the same tasks: it fits every training label, random
        ones included, in one linear solve. It is not ranked: steps, epochs and slowdown measure SGD and do not apply.
        Its generalization gap and test accuracy on true labels are directly comparable with the rows above.{" "}
        <a href={protocolHref("baselines")}>Protocol</a>
      </p>
      <TableRegion labelledBy="baselines-caption">
        <table class="board">
          <caption id="baselines-caption">
            {plural(props.rows.length, "non-neural baseline")} on this board, smallest generalization gap first (not
            ranked).
          </caption>
          <thead>
            <tr>
              <NumTh>Rank</NumTh>
              <th scope="col">Baseline</th>
              <NumTh>Params</NumTh>
              <NumTh>Steps to fit random labels</NumTh>
              <NumTh>Epochs</NumTh>
              <NumTh>Slowdown</NumTh>
              <NumTh>Gen. gap</NumTh>
              <NumTh>Train acc.</NumTh>
              <NumTh>Test acc.</NumTh>
              <NumTh>Seeds, results</NumTh>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((row) => (
              <BaselineTableRow row={row} view={props.view} />
            ))}
          </tbody>
        </table>
      </TableRegion>
    </section>
  );
}
