/** @jsxImportSource hono/jsx */
// The leaderboard's view controls: which metric ranks the rows (links) and which training
// backend's runs count (a GET form, so that it works without a script).
import { Environment, type RankMetric } from "../../../schema/index.js";
import { type BoardView, leaderboardHref } from "../../urls.js";

export const RANKS: { rank: RankMetric; label: string; explain: string }[] = [
  { rank: "memorization", label: "Memorization speed", explain: "fewest SGD steps to fit random labels first" },
  {
    rank: "gap",
    label: "Generalization gap",
    explain: "smallest gap between training and test accuracy on true labels first",
  },
];

const BACKENDS = Environment.shape.backend.options;

export function Toolbar(props: { view: BoardView }) {
  const { view } = props;
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
      <form class="filters" method="get" action="/">
        <input type="hidden" name="suite" value={view.suite} />
        <input type="hidden" name="version" value={String(view.version)} />
        <input type="hidden" name="dataset" value={view.dataset} />
        <input type="hidden" name="rank" value={view.rank} />
        <label for="backend">Backend</label>
        <select id="backend" name="backend">
          <option value="" selected={view.backend === null}>
            any
          </option>
          {BACKENDS.map((b) => (
            <option value={b} selected={view.backend === b}>
              {b}
            </option>
          ))}
        </select>
        <button type="submit">Filter</button>
      </form>
    </div>
  );
}
