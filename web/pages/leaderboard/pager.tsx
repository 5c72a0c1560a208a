/** @jsxImportSource hono/jsx */
// Which rows of the board this page shows, with links to the previous and next pages.
import { formatInteger } from "../../format.js";
import { type BoardView, leaderboardHref } from "../../urls.js";

export function Pager(props: { view: BoardView; total: number; pageSize: number; shown: number }) {
  const { view, total, pageSize } = props;
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const first = (view.page - 1) * pageSize + 1;
  return (
    <nav class="pager" aria-label="Pages of the board">
      <span>
        {props.shown === 0
          ? "No rows"
          : `Rows ${formatInteger(first)}–${formatInteger(first + props.shown - 1)} of ${formatInteger(total)}`}
        {pages > 1 && ` · page ${view.page} of ${pages}`}
      </span>
      {view.page > 1 && (
        <a rel="prev" href={leaderboardHref({ ...view, page: view.page - 1 })}>
          ← Previous
        </a>
      )}
      {view.page < pages && (
        <a rel="next" href={leaderboardHref({ ...view, page: view.page + 1 })}>
          Next →
        </a>
      )}
    </nav>
  );
}
