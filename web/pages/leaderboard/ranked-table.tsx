/** @jsxImportSource hono/jsx */
// The ranked rows of a board: one per architecture, in the order of the chosen rank metric,
// with the two rankable columns as sort links; ranked by gap, the architectures that did not fit
// true labels follow in a table of their own, with their figures and no rank.
import type { Leaderboard, LeaderboardRow, RankMetric, UnrankedRow } from "../../../schema/index.js";
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
import { backendLabel, kindName } from "../../labels.js";
import { type BoardView, leaderboardHref, protocolHref, submissionHref } from "../../urls.js";
import { GapDeltas } from "./gap-deltas.js";
import { ArchitectureCells, CountsCell } from "./row-cells.js";

/** What an unranked row says in its rank cell. */
const NOT_RANKED_BY_GAP: Record<UnrankedRow["trueLabels"], string> = {
  fitted: "",
  "not-fitted": "did not fit true labels",
  "no-runs": "no true-label runs",
};

function Row(props: { row: LeaderboardRow | UnrankedRow; view: BoardView; deltas: boolean }) {
  const { row, view } = props;
  const best = row.bestWallTime;
  const hardware = best ? [best.hardware.gpu, best.hardware.cpuModel].filter(Boolean).join(", ") : "";
  const rank = "rank" in row ? row.rank : null;
  return (
    <tr class={row.provisional ? "provisional" : undefined}>
      <td class="num rank">
        {rank ?? <span class="badge badge-unranked">{NOT_RANKED_BY_GAP[row.trueLabels]}</span>}
        {row.provisional && (
          <abbr class="badge" title="Provisional: fewer seeds behind the ranked figure than the suite lists">
            prov.
          </abbr>
        )}
      </td>
      <ArchitectureCells
        architecture={row.architecture}
        view={view}
        // A PyTorch module trains on the PyTorch engine only: the row says so.
        badge={row.architecture.kind === "torch-module" ? kindName(row.architecture.kind) : undefined}
        verification={row.verification}
        contested={row.contested}
      />
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
      {props.deltas && <GapDeltas effects={row.regularizerEffects} gapWithout={row.genGap.median} />}
      <CountsCell counts={row.counts} />
      <td class="best">
        {best ? (
          <>
            <a href={submissionHref(best.submissionId)}>{formatSeconds(best.wallSecondsToFit)}</a>
            <span class="sub" title={`${best.backendDetail}; ${hardware}`}>
              {backendLabel(best.backend)}
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

function BoardTable(props: { rows: (LeaderboardRow | UnrankedRow)[]; view: BoardView; caption: string; id: string }) {
  const { view } = props;
  // Every row of a board carries the same regularizer sets (its suite's ablations), or none.
  const deltas = props.rows.some((row) => row.regularizerEffects.length > 0);
  return (
    <TableRegion labelledBy={props.id}>
      <table class="board">
        <caption id={props.id}>{props.caption}</caption>
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
            {deltas && (
              <th scope="col" class="deltas">
                Δ gap by regularizer (pp)
              </th>
            )}
            <NumTh>Seeds, results</NumTh>
            <th scope="col">Fastest fit</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row) => (
            <Row row={row} view={view} deltas={deltas} />
          ))}
        </tbody>
      </table>
    </TableRegion>
  );
}

export function RankedTable(props: { board: Leaderboard; view: BoardView; caption: string }) {
  return <BoardTable rows={props.board.rows} view={props.view} caption={props.caption} id="board-caption" />;
}

/** Ranked by gap: the architectures left out of the ranking because they did not fit true labels. */
export function DidNotFit(props: { rows: UnrankedRow[]; view: BoardView }) {
  return (
    <section class="did-not-fit" aria-labelledby="did-not-fit-heading">
      <h2 id="did-not-fit-heading">Did not fit true labels</h2>
      <p>
        The generalization gap is ranked only for architectures that fit their training set on true labels (the median
        over seeds fitted; failed and censored runs count as not fitted). A model that learns nothing has a small gap
        and nothing to show for it. These are listed with their figures, without a rank.{" "}
        <a href={protocolHref("did-not-fit")}>Protocol</a>
      </p>
      <BoardTable
        rows={props.rows}
        view={props.view}
        caption={`${props.rows.length} not ranked by generalization gap`}
        id="did-not-fit-caption"
      />
    </section>
  );
}
