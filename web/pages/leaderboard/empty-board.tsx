/** @jsxImportSource hono/jsx */
// What the leaderboard shows in place of rows: nothing verified yet, no results from the chosen
// backend, a page past the end, or a board nobody has submitted to yet (with the commands that
// fill it).
import type { Suite } from "../../../schema/index.js";
import { type BoardCount, sameBoard } from "../../components/board-links.js";
import { Commands, submitCommands } from "../../components/parts.js";
import { backendLabel } from "../../labels.js";
import { type BoardView, leaderboardHref, protocolHref } from "../../urls.js";

export function EmptyBoard(props: {
  view: BoardView;
  suite: Suite;
  boards: BoardCount[];
  baselinesOnly: boolean;
  verifiedOnly: boolean;
}) {
  const { view, suite } = props;
  const elsewhere = props.boards.filter((b) => b.architectures > 0);
  const boardName = `${suite.title} v${suite.version} · ${view.dataset}`;
  // A board with no results at all asks for them, whatever the view: there is nothing to verify yet.
  const hasResults = props.boards.some((b) => sameBoard(view, b) && b.architectures > 0);
  if (props.verifiedOnly && view.page === 1 && hasResults) {
    const backend = view.backend ? ` from the ${backendLabel(view.backend)} backend` : "";
    return (
      <div class="empty">
        <h2>
          Nothing verified{backend} on {boardName} yet
        </h2>
        {/* biome-ignore format: Biome fills prose to 120 columns without counting the {" "} it adds at a break. */}
        <p>
          This view shows only results that an operator reproducer has trained again and reproduced exactly, and
          none has been so far. <a href={protocolHref("reproduction")}>How reproduction works</a>.
        </p>
        <p>
          <a href={leaderboardHref({ ...view, verified: "all", page: 1 })}>Show all results, verified or not</a>.
        </p>
      </div>
    );
  }
  if (view.backend !== null) {
    return (
      <div class="empty">
        <h2>No results from the {backendLabel(view.backend)} backend on this board</h2>
        <p>
          <a href={leaderboardHref({ ...view, backend: null, page: 1 })}>Show results from every backend</a>.
        </p>
      </div>
    );
  }
  if (view.page > 1) {
    return (
      <div class="empty">
        <h2>No page {view.page}</h2>
        <p>
          <a href={leaderboardHref({ ...view, page: 1 })}>Go to the first page</a>.
        </p>
      </div>
    );
  }
  return (
    <div class="empty">
      <h2>
        No {props.baselinesOnly ? "ranked architectures" : "results"} on {boardName} yet
      </h2>
      <p>
        Be the first. Run the suite on your machine (GPU if you have one, CPU otherwise) and submit the signed bundle it
        writes:
      </p>
      <Commands lines={submitCommands(suite.id)} label="Commands to run the suite and submit" />
      <p class="muted">{suite.description}</p>
      {elsewhere.length > 0 && (
        <p>
          Boards with results:{" "}
          {elsewhere.map((b, i) => (
            <>
              {i > 0 && ", "}
              <a
                href={leaderboardHref({
                  suite: b.suite.id,
                  version: b.suite.version,
                  dataset: b.dataset,
                  rank: view.rank,
                  backend: null,
                  page: 1,
                })}
              >
                {b.title} v{b.suite.version} · {b.dataset}
              </a>
            </>
          ))}
          .
        </p>
      )}
    </div>
  );
}
