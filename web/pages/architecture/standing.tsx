/** @jsxImportSource hono/jsx */
// Where an architecture stands on a board, as the summary cards at the top of its page: its
// ranks and figures, or for a baseline (never ranked) the true-label figures it shares with
// the ranked rows.
import type { BaselineRow, LeaderboardRow } from "../../../schema/index.js";
import { FigureOrNone, NO_SGD, Stat } from "../../components/parts.js";
import { formatInteger, formatParameters, formatPercent, formatPoints, formatRatio, plural } from "../../format.js";
import { protocolHref } from "../../urls.js";

/**
 * The architecture's leaderboard rows on a board under each ranking, and the board's size;
 * for a baseline, its baseline row.
 */
export interface Standing {
  memorization: LeaderboardRow | null;
  gap: LeaderboardRow | null;
  total: number;
  baseline: BaselineRow | null;
}

function backers(row: { submissions: number; submitters: number } | null): string {
  return `${plural(row?.submissions ?? 0, "submission")}, ${plural(row?.submitters ?? 0, "submitter")}`;
}

export function RankStats(props: { standing: Standing; parameterCount: number }) {
  const { memorization: mem, gap, total } = props.standing;
  const rankOf = (rank: number) => `#${rank} of ${total}`;
  return (
    <dl class="stats">
      <Stat
        label="Memorization rank"
        value={<FigureOrNone value={mem?.rank} format={rankOf} />}
        detail={
          mem && mem.stepsToFit.median !== null
            ? `${formatInteger(mem.stepsToFit.median)} steps to fit random labels`
            : mem && mem.stepsToFit.runs > 0
              ? "random labels not fitted"
              : "no random-label runs"
        }
      />
      <Stat
        label="Gen. gap rank"
        value={<FigureOrNone value={gap?.rank} format={rankOf} />}
        detail={
          gap && gap.genGap.median !== null ? `${formatPoints(gap.genGap.median)} on true labels` : "no true-label runs"
        }
      />
      <Stat
        label="Slowdown"
        value={<FigureOrNone value={mem?.slowdown} format={formatRatio} />}
        detail="random vs true labels"
      />
      <Stat
        label="Test accuracy"
        value={<FigureOrNone value={mem?.testAccuracy} format={formatPercent} />}
        detail="trained on true labels"
      />
      <Stat label="Parameters" value={formatParameters(props.parameterCount)} detail={backers(mem)} />
    </dl>
  );
}

/** A baseline's standing: not ranked; the true-label figures it shares with the ranked rows. */
export function BaselineStats(props: { baseline: BaselineRow | null; parameterCount: number }) {
  const b = props.baseline;
  return (
    <dl class="stats">
      <Stat
        label="Rank"
        value={<abbr title={NO_SGD}>not ranked</abbr>}
        detail={<a href={protocolHref("baselines")}>non-neural baseline</a>}
      />
      <Stat
        label="Gen. gap"
        value={<FigureOrNone value={b?.genGap.median} format={formatPoints} />}
        detail="on true labels"
      />
      <Stat
        label="Training accuracy"
        value={<FigureOrNone value={b?.trainAccuracy} format={formatPercent} />}
        detail="true labels"
      />
      <Stat
        label="Test accuracy"
        value={<FigureOrNone value={b?.testAccuracy} format={formatPercent} />}
        detail="fitted to true labels"
      />
      <Stat label="Parameters" value={formatParameters(props.parameterCount)} detail={backers(b)} />
    </dl>
  );
}
