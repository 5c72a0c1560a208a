/** @jsxImportSource hono/jsx */
// Every condition an architecture ran on a board (the corruption sweep and the regularizer
// ablations) with its figures; a baseline's SGD figures are marked not applicable.
import type { ConditionSummary } from "../../../schema/index.js";
import { FigureOrNone, NotApplicable, NumTh, SpreadValue } from "../../components/parts.js";
import { compareConditions } from "../../figures.js";
import {
  corruptionName,
  formatEpochs,
  formatInteger,
  formatPercent,
  formatPercentValue,
  formatPoints,
  formatRatio,
} from "../../format.js";

export function ConditionsTable(props: { conditions: ConditionSummary[]; sgd: boolean }) {
  return (
    <table>
      <caption>
        Every condition this architecture ran on the board: the corruption sweep and the regularizer ablations
      </caption>
      <thead>
        <tr>
          <th scope="col">Corruption</th>
          <th scope="col">Regularizer</th>
          <NumTh>Steps to fit</NumTh>
          <NumTh>Epochs</NumTh>
          <NumTh>Gen. gap</NumTh>
          <NumTh>Test error</NumTh>
          <NumTh>Slowdown</NumTh>
          <NumTh>Runs</NumTh>
        </tr>
      </thead>
      <tbody>
        {[...props.conditions].sort(compareConditions).map((c) => (
          <tr>
            <th scope="row">{corruptionName(c.corruption)}</th>
            <td>{c.regularizer === "none" ? <span class="muted">none</span> : c.regularizer}</td>
            <td class="num">
              {props.sgd ? <SpreadValue spread={c.stepsToFit} format={formatInteger} /> : <NotApplicable />}
            </td>
            <td class="num">
              {props.sgd ? (
                <SpreadValue spread={c.epochsToFit} format={formatEpochs} showSeeds={false} />
              ) : (
                <NotApplicable />
              )}
            </td>
            <td class="num">
              <SpreadValue spread={c.genGap} format={formatPoints} formatBound={formatPercentValue} showSeeds={false} />
            </td>
            <td class="num">
              <SpreadValue
                spread={c.testError}
                format={formatPercent}
                formatBound={formatPercentValue}
                showSeeds={false}
              />
            </td>
            <td class="num">
              {props.sgd ? <FigureOrNone value={c.slowdown} format={formatRatio} /> : <NotApplicable />}
            </td>
            <td class="num">{c.testError.runs}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
