/** @jsxImportSource hono/jsx */
// The cells a ranked row and a baseline row share: the architecture (name, id, fingerprint,
// parameter count) and who stands behind the row (submissions and submitters).
import type { LeaderboardRow } from "../../../schema/index.js";
import { formatInteger, formatParameters, plural } from "../../format.js";
import { architectureHref, type BoardView } from "../../urls.js";

/** A row's architecture: its name (a link), id and fingerprint, and its parameter count. */
export function ArchitectureCells(props: {
  architecture: LeaderboardRow["architecture"];
  view: BoardView;
  badge?: string;
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
      </th>
      <td class="num">
        <data value={String(a.parameterCount)} title={`${formatInteger(a.parameterCount)} parameters`}>
          {formatParameters(a.parameterCount)}
        </data>
      </td>
    </>
  );
}

/** The signed bundles behind a row, and the distinct keys that signed them. */
export function SubmissionsCell(props: { submissions: number; submitters: number }) {
  return (
    <td class="num">
      <span class="median">{props.submissions}</span>
      <span class="spread">{plural(props.submitters, "submitter")}</span>
    </td>
  );
}
