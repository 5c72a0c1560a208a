/** @jsxImportSource hono/jsx */
// The leaderboard's view controls: which metric ranks the rows and whether only verified results
// count (links), and which training backend's runs count (a GET form, so that it works without
// a script).
import { Environment, type RankMetric } from "../../../schema/index.js";
import { backendLabel } from "../../labels.js";
import { type BoardView, leaderboardHref, type VerifiedFilter } from "../../urls.js";

export const RANKS: { rank: RankMetric; label: string; explain: string }[] = [
  { rank: "memorization", label: "Memorization speed", explain: "fewest SGD steps to fit random labels first" },
  {
    rank: "gap",
    label: "Generalization gap",
    explain: "smallest gap between training and test accuracy on true labels first",
  },
];

const BACKENDS = Environment.shape.backend.options;

/** The verified-only switch: each link sets `verified` explicitly, so it overrides the server's default. */
const VERIFIED: { verified: VerifiedFilter; label: string; title: string }[] = [
  {
    verified: "only",
    label: "Verified only",
    title: "Only standing results that an operator reproducer reproduced exactly",
  },
  { verified: "all", label: "All results", title: "Every standing result, verified or not" },
];

/** `verifiedOnly`: whether the board shown rests on verified results only (the server's answer). */
export function Toolbar(props: { view: BoardView; verifiedOnly: boolean }) {
  const { view } = props;
  const shown: VerifiedFilter = props.verifiedOnly ? "only" : "all";
  return (
    <div class="toolbar">
      {/* biome-ignore lint/a11y/useSemanticElements: links, not the form controls that <fieldset> groups. */}
      <div class="segmented" role="group" aria-label="Rank by">
        {RANKS.map((r) => (
          <a
            href={leaderboardHref({ ...view, rank: r.rank, page: 1 })}
            aria-current={r.rank === view.rank ? "true" : undefined}
          >
            {r.label}
          </a>
        ))}
      </div>
      {/* biome-ignore lint/a11y/useSemanticElements: links, not the form controls that <fieldset> groups. */}
      <div class="segmented" role="group" aria-label="Results">
        {VERIFIED.map((v) => (
          <a
            href={leaderboardHref({ ...view, verified: v.verified, page: 1 })}
            title={v.title}
            aria-current={v.verified === shown ? "true" : undefined}
          >
            {v.label}
          </a>
        ))}
      </div>
      <form class="filters" method="get" action="/">
        <input type="hidden" name="suite" value={view.suite} />
        <input type="hidden" name="version" value={String(view.version)} />
        <input type="hidden" name="dataset" value={view.dataset} />
        <input type="hidden" name="rank" value={view.rank} />
        {view.verified && <input type="hidden" name="verified" value={view.verified} />}
        <label for="backend">Backend</label>
        <select id="backend" name="backend">
          <option value="" selected={view.backend === null}>
            any
          </option>
          {BACKENDS.map((b) => (
            <option value={b} selected={view.backend === b}>
              {backendLabel(b)}
            </option>
          ))}
        </select>
        <button type="submit">Filter</button>
      </form>
    </div>
  );
}
