/** @jsxImportSource hono/jsx */
// The cells a ranked row and a baseline row share: the architecture (name, id, fingerprint,
// parameter count, verification marks) and what stands behind the row, counted as what it is
// (SlotCounts).
import type { LeaderboardRow, SlotCounts } from "../../../schema/index.js";
import { ContestedFlag, VerificationMark } from "../../components/verification.js";
import { formatInteger, formatParameters, plural } from "../../format.js";
import { architectureHref, type BoardView } from "../../urls.js";

/**
 * A row's architecture: its name (a link), id and fingerprint, whether operator reproducers
 * verified it and whether a standing result is contested, and its parameter count.
 */
export function ArchitectureCells(props: {
  architecture: LeaderboardRow["architecture"];
  view: BoardView;
  badge?: string;
  verification?: LeaderboardRow["verification"];
  contested?: LeaderboardRow["contested"];
}) {
  const a = props.architecture;
  return (
    <>
      <th scope="row" class="arch">
        <a href={architectureHref(a.fingerprint, props.view)}>{a.name}</a>
        <span class="sub">
          <code>{a.id}</code> · <code title={a.fingerprint}>{a.fingerprint.slice(0, 8)}</code>
          {props.badge && <span class="badge badge-baseline">{props.badge}</span>}
        </span>
        {(props.verification || props.contested) && (
          <span class="marks">
            {props.verification && <VerificationMark verification={props.verification} />}
            {props.contested && <ContestedFlag contested={props.contested} />}
          </span>
        )}
      </th>
      <td class="num">
        <data value={String(a.parameterCount)} title={`${formatInteger(a.parameterCount)} parameters`}>
          {formatParameters(a.parameterCount)}
        </data>
      </td>
    </>
  );
}

/**
 * The seeds behind a row (its standing results), then what later results and reproductions of
 * the same slots did (confirm, contest, replicate on another backend), how many reproduction
 * verdicts there are and how many standing results an operator verified, failed runs, and the
 * distinct signing keys.
 */
export function CountsCell(props: { counts: SlotCounts }) {
  const c = props.counts;
  const later = [
    c.confirmations > 0 && plural(c.confirmations, "confirmation"),
    c.contests > 0 && plural(c.contests, "contest"),
    c.replicates > 0 && plural(c.replicates, "replicate"),
    c.reproductions > 0 && plural(c.reproductions, "reproduction"),
    c.verified > 0 && `${formatInteger(c.verified)} verified`,
    c.failed > 0 && `${formatInteger(c.failed)} failed`,
  ].filter(Boolean);
  const title =
    `${plural(c.standing, "standing result")} over ${plural(c.seeds, "seed")}; ` +
    `${plural(c.confirmations, "confirmation")}, ${plural(c.contests, "contest")}, ` +
    `${plural(c.replicates, "replicate")} on other backends (later results and reproductions by other keys); ` +
    `${plural(c.reproductions, "reproduction verdict")} by other keys; ` +
    `${formatInteger(c.verified)} of ${plural(c.standing, "standing result")} reproduced exactly by an operator ` +
    `reproducer; ${formatInteger(c.failed)} failed; ` +
    `${plural(c.submissions, "submission")} signed by ${plural(c.keys, "distinct key")}`;
  return (
    <td class="num counts" title={title}>
      <span class="median">{plural(c.seeds, "seed")}</span>
      <span class="spread">{[...later, plural(c.keys, "key")].join(" · ")}</span>
    </td>
  );
}
