/** @jsxImportSource hono/jsx */
// The marks reproductions put on rows, submissions and runs: verified by an operator reproducer
// (wholly or in part) or not yet, contested with a link to the evidence, and one run's verdicts.
import type { ContestEvidence, RunReproductions, Verification } from "../../schema/index.js";
import { NONE, plural } from "../format.js";
import { formatVerdictCounts, hasNegativeVerdict } from "../reproduction.js";
import { contestEvidenceHref, protocolHref } from "../urls.js";

/** What each mark says, and the sentence its tooltip adds. */
const MARKS: Record<Verification, { text: string; className: string; title: string }> = {
  verified: {
    text: "verified",
    className: "badge badge-verified",
    title: "Verified: every standing result was reproduced exactly by an operator reproducer",
  },
  partly: {
    text: "partly verified",
    className: "badge badge-partly",
    title: "Partly verified: some standing results were reproduced exactly by an operator reproducer, not all yet",
  },
  unverified: {
    text: "unverified",
    className: "unverified",
    title: "Unverified: no operator reproducer has reproduced these results yet",
  },
};

/**
 * A row's, submission's or architecture's verification: a badge when an operator reproducer
 * reproduced its standing results exactly (all or some), a quiet note when none did yet.
 */
export function VerificationMark(props: { verification: Verification }) {
  const mark = MARKS[props.verification];
  return (
    <span class={mark.className} title={mark.title} data-verification={props.verification}>
      {mark.text}
    </span>
  );
}

/** A flag on a row some of whose standing results are contested, linking to the evidence. */
export function ContestedFlag(props: { contested: ContestEvidence }) {
  const c = props.contested;
  const why = c.reproductionId
    ? "a reproduction by another key did not reproduce it"
    : "a later result of the same slot on the same backend differs from it";
  const title = `${plural(c.slots, "standing result")} contested: ${why}. Follow the link to the evidence.`;
  return (
    <a class="flag-contested" href={contestEvidenceHref(c)} title={title}>
      contested
      <span class="visually-hidden"> ({plural(c.slots, "slot")}: see the evidence)</span>
    </a>
  );
}

/**
 * One run's reproductions by other keys: its verdict counts, and a "verified" badge when an
 * operator reproducer reproduced it exactly; a dash when nobody has tried yet.
 */
export function RunReproductionsCell(props: { reproductions: RunReproductions }) {
  const r = props.reproductions;
  const counts = formatVerdictCounts(r);
  const none = counts === "no verdicts";
  return (
    <td class="reproductions">
      {r.verified && (
        <span class="badge badge-verified" title="Reproduced exactly by an operator reproducer">
          verified
        </span>
      )}
      {none ? (
        !r.verified && (
          <span class="none" title="Not reproduced by another key yet">
            {NONE}
          </span>
        )
      ) : (
        <span class={hasNegativeVerdict(r) ? "verdicts verdicts-negative" : "verdicts"}>{counts}</span>
      )}
    </td>
  );
}

/** What the marks mean, in one sentence with a link to the protocol's definitions. */
export function VerificationLegend() {
  return (
    <>
      <span class="badge badge-verified">verified</span> means an operator reproducer, a key this server trusts, trained
      the same tasks again and got every curve value and prediction bit for bit.{" "}
      <a href={protocolHref("reproduction")}>How reproduction works</a>
    </>
  );
}
