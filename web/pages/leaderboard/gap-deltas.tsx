/** @jsxImportSource hono/jsx */
// The Δ gap strip of a leaderboard row on a board with regularizer ablations: per regularizer set,
// in suite order, how much it changes the median generalization gap against every regularizer off,
// as a compact row of signed percentage points; each says it in words for hover and screen readers.
import type { RegularizerEffect } from "../../../schema/index.js";
import { formatPoints, formatPointsChange, NONE, plural } from "../../format.js";

/** The sentence one entry stands for. */
export function gapDeltaSentence(effect: RegularizerEffect, gapWithout: number | null): string {
  const { regularizer, gapDelta, seeds } = effect;
  if (gapDelta === null)
    return gapWithout === null
      ? `${regularizer}: no gap with every regularizer off to compare with`
      : `${regularizer}: no finished true-label run with it yet`;
  const change =
    formatPointsChange(gapDelta) === "±0.0"
      ? "leaves the median gap unchanged"
      : `makes the median gap ${formatPoints(Math.abs(gapDelta))} ${gapDelta < 0 ? "smaller" : "larger"}`;
  const over = plural(seeds, "seed");
  return gapWithout === null
    ? `${regularizer} ${change} (${over})`
    : `${regularizer} ${change} than ${formatPoints(gapWithout)} with every regularizer off (${over})`;
}

/** Which way an entry points: a smaller gap, a larger one, no change, or no figure. */
function direction(gapDelta: number | null): string {
  if (gapDelta === null) return "delta-none";
  if (formatPointsChange(gapDelta) === "±0.0") return "delta-zero";
  return gapDelta < 0 ? "delta-smaller" : "delta-larger";
}

export function GapDeltas(props: { effects: RegularizerEffect[]; gapWithout: number | null }) {
  return (
    <td class="deltas">
      <ul class="delta-strip" aria-label="Change of the generalization gap per regularizer, in percentage points">
        {props.effects.map((effect) => {
          const sentence = gapDeltaSentence(effect, props.gapWithout);
          return (
            <li class={`delta ${direction(effect.gapDelta)}`} title={sentence}>
              <span aria-hidden="true">
                <span class="delta-name">{effect.regularizer}</span>
                <span class="delta-value">{effect.gapDelta === null ? NONE : formatPointsChange(effect.gapDelta)}</span>
              </span>
              <span class="visually-hidden">{sentence}</span>
            </li>
          );
        })}
      </ul>
    </td>
  );
}
