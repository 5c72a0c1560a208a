/** @jsxImportSource hono/jsx */
// Where an architecture stands on a board, as the summary cards at the top of its page: its
// ranks and figures, whether operator reproducers verified them, or for a baseline (never
// ranked) the true-label figures it shares with the ranked rows.
import type { BaselineRow, LeaderboardRow, SlotCounts, UnrankedRow } from "../../../schema/index.js";
import { FigureOrNone, NO_SGD, Stat } from "../../components/parts.js";
import { ContestedFlag, VerificationMark } from "../../components/verification.js";
import { formatInteger, formatParameters, formatPercent, formatPoints, formatRatio, plural } from "../../format.js";
import { protocolHref } from "../../urls.js";

/**
 * The architecture's leaderboard rows on a board under each ranking, and the board's size
 * (`fittedTotal` architectures take a gap rank); `unrankedByGap` holds its figures when it did
 * not fit true labels; for a baseline, its baseline row.
 */
export interface Standing {
  memorization: LeaderboardRow | null;
  gap: LeaderboardRow | null;
  unrankedByGap: UnrankedRow | null;
  total: number;
  fittedTotal: number;
  baseline: BaselineRow | null;
}

/** Seeds, later results and keys, as the row's counts say them. */
function backers(counts: SlotCounts | undefined): string {
  if (!counts) return "no results";
  const later = [
    counts.confirmations > 0 && plural(counts.confirmations, "confirmation"),
    counts.contests > 0 && plural(counts.contests, "contest"),
    counts.replicates > 0 && plural(counts.replicates, "replicate"),
    counts.reproductions > 0 && plural(counts.reproductions, "reproduction"),
    counts.failed > 0 && `${formatInteger(counts.failed)} failed`,
  ].filter(Boolean);
  return [plural(counts.seeds, "seed"), ...later, plural(counts.keys, "key")].join(", ");
}

/** What the verification mark beside the standing means for this architecture's row. */
function verificationSentence(row: LeaderboardRow | UnrankedRow): string {
  const { verified, standing } = row.counts;
  switch (row.verification) {
    case "verified":
      return (
        `Every standing result on this board (${formatInteger(standing)}) was reproduced exactly by an ` +
        "operator reproducer."
      );
    case "partly":
      return (
        `${formatInteger(verified)} of ${plural(standing, "standing result")} on this board were reproduced ` +
        "exactly by an operator reproducer; the others not yet."
      );
    case "unverified":
      return "No operator reproducer has reproduced its results on this board yet.";
  }
}

/** The row's verification mark beside its standing, what it means, and a contested flag when one applies. */
export function VerificationStanding(props: { standing: Standing }) {
  const { memorization, gap, unrankedByGap } = props.standing;
  const row = memorization ?? gap ?? unrankedByGap;
  if (!row) return null;
  return (
    <p class="verification-line">
      <VerificationMark verification={row.verification} /> {verificationSentence(row)}
      {row.contested && (
        <>
          {" "}
          <ContestedFlag contested={row.contested} />
        </>
      )}{" "}
      <a href={protocolHref("reproduction")}>How reproduction works</a>
    </p>
  );
}

export function RankStats(props: { standing: Standing; parameterCount: number }) {
  const { memorization: mem, gap, total, fittedTotal, unrankedByGap } = props.standing;
  const rankOf = (rank: number) => `#${rank} of ${total}`;
  const gapRankOf = (rank: number) => `#${rank} of ${fittedTotal}`;
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
        value={
          unrankedByGap ? (
            <a href={protocolHref("did-not-fit")}>not ranked</a>
          ) : (
            <FigureOrNone value={gap?.rank} format={gapRankOf} />
          )
        }
        detail={
          gap && gap.genGap.median !== null
            ? `${formatPoints(gap.genGap.median)} on true labels`
            : unrankedByGap?.trueLabels === "not-fitted"
              ? "did not fit true labels"
              : "no true-label runs"
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
      <Stat label="Parameters" value={formatParameters(props.parameterCount)} detail={backers(mem?.counts)} />
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
      <Stat label="Parameters" value={formatParameters(props.parameterCount)} detail={backers(b?.counts)} />
    </dl>
  );
}
