/** @jsxImportSource hono/jsx */
// The ranked rows of a board: one per architecture, in the order of the chosen rank metric,
// with the two rankable columns as sort links.
import type { Leaderboard, LeaderboardRow, RankMetric } from "../../../schema/index.js";
import { FigureOrNone, NumTh, SpreadValue, TableRegion } from "../../components/parts.js";
import {
  formatEpochs,
  formatInteger,
  formatPercent,
  formatPercentValue,
  formatPoints,
  formatRatio,
  formatSeconds,
  NONE,
} from "../../format.js";
import { type BoardView, leaderboardHref, submissionHref } from "../../urls.js";
import { ArchitectureCells, SubmissionsCell } from "./row-cells.js";

function Row(props: { row: LeaderboardRow; view: BoardView }) {
  const { row, view } = props;
  const best = row.bestWallTime;
  const hardware = best ? [best.hardware.gpu, best.hardware.cpuModel].filter(Boolean).join(", ") : "";
  return (
    <tr class={row.provisional ? "provisional" : undefined}>
      <td class="num rank">
        {row.rank}
        {row.provisional && (
          <abbr class="badge" title="Provisional: fewer than 3 seeds behind the ranked figure">
            prov.
          </abbr>
        )}
      </td>
      <ArchitectureCells architecture={row.architecture} view={view} />
      <td class="num">
        <SpreadValue spread={row.stepsToFit} format={formatInteger} />
      </td>
      <td class="num">
        <SpreadValue spread={row.epochsToFit} format={formatEpochs} showSeeds={false} />
      </td>
      <td class="num">
        <FigureOrNone value={row.slowdown} format={formatRatio} />
      </td>
      <td class="num">
        <SpreadValue spread={row.genGap} format={formatPoints} formatBound={formatPercentValue} />
      </td>
      <td class="num">
        <FigureOrNone value={row.testAccuracy} format={formatPercent} />
      </td>
      <SubmissionsCell submissions={row.submissions} submitters={row.submitters} />
      <td class="best">
        {best ? (
          <>
            <a href={submissionHref(best.submissionId)}>{formatSeconds(best.wallSecondsToFit)}</a>
            <span class="sub" title={`${best.backendDetail}; ${hardware}`}>
              {best.backend}
              {hardware && ` · ${hardware}`}
            </span>
          </>
        ) : (
          <span class="none">{NONE}</span>
        )}
      </td>
    </tr>
  );
}

function SortHeader(props: { rank: RankMetric; view: BoardView; label: string; title: string }) {
  const active = props.view.rank === props.rank;
  return (
    <th scope="col" class="num sortable" aria-sort={active ? "ascending" : undefined}>
      <a href={leaderboardHref({ ...props.view, rank: props.rank, page: 1 })} title={props.title}>
        {props.label}
        <span class="sort-mark" aria-hidden="true">
          {active ? "▲" : "↕"}
        </span>
        {!active && <span class="visually-hidden"> (rank by this)</span>}
      </a>
    </th>
  );
}

export function RankedTable(props: { board: Leaderboard; view: BoardView; caption: string }) {
  const { view } = props;
  return (
    <TableRegion labelledBy="board-caption">
      <table class="board">
        <caption id="board-caption">{props.caption}</caption>
        <thead>
          <tr>
            <NumTh>Rank</NumTh>
            <th scope="col">Architecture</th>
            <NumTh>Params</NumTh>
            <SortHeader
              rank="memorization"
              view={view}
              label="Steps to fit random labels"
              title="Rank by memorization speed"
            />
            <NumTh>Epochs</NumTh>
            <NumTh>Slowdown</NumTh>
            <SortHeader rank="gap" view={view} label="Gen. gap" title="Rank by generalization gap" />
            <NumTh>Test acc.</NumTh>
            <NumTh>Submissions</NumTh>
            <th scope="col">Fastest fit</th>
          </tr>
        </thead>
        <tbody>
          {props.board.rows.map((row) => (
            <Row row={row} view={view} />
          ))}
        </tbody>
      </table>
    </TableRegion>
  );
}
