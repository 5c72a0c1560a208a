/** @jsxImportSource hono/jsx */
// The leaderboard (`/`): one row per architecture of a board, ranked by memorization speed
// or by generalization gap, then the board's non-neural baselines (never ranked), with
// filters and downloads in the URL. No script: sorting, filtering and paging are links and
// a GET form.
import { ablatedRegularizers, type Leaderboard, type Suite } from "../../../schema/index.js";
import type { AssetManifest } from "../../assets.js";
import { type BoardCount, boardLinks } from "../../components/board-links.js";
import { Layout } from "../../components/layout.js";
import { BoardNav, Commands, submitCommands } from "../../components/parts.js";
import { formatInteger, nounFor } from "../../format.js";
import { backendLabel } from "../../labels.js";
import { type BoardView, leaderboardHref, protocolHref } from "../../urls.js";
import { Baselines } from "./baselines.js";
import { Columns } from "./columns.js";
import { EmptyBoard } from "./empty-board.js";
import { Pager } from "./pager.js";
import { DidNotFit, RankedTable } from "./ranked-table.js";
import { RANKS, Toolbar } from "./toolbar.js";

export interface LeaderboardPageProps {
  view: BoardView;
  suite: Suite;
  boards: BoardCount[];
  board: Leaderboard;
  pageSize: number;
  /** The API URLs that answer exactly the rows shown. */
  downloads: { csv: string; json: string };
  assets: AssetManifest | undefined;
}

/** The ranked table's caption: the board, its filter, how many rows and by what they rank. */
function caption(props: LeaderboardPageProps): string {
  const { view, suite, board } = props;
  const rank = RANKS.find((r) => r.rank === view.rank)!;
  const backend = view.backend ? `, ${backendLabel(view.backend)} backend only` : "";
  const verified = board.verifiedOnly ? ", verified results only" : "";
  const count = `${formatInteger(board.total)} ${nounFor(board.total, "architecture")}`;
  const order = `ranked by ${rank.label.toLowerCase()} (${rank.explain})`;
  // With regularizer ablations on the board, say which runs rank: those with every regularizer off.
  const off = ablatedRegularizers(suite).length > 0 ? ", every regularizer off" : "";
  return `${suite.title} v${suite.version} on ${view.dataset}${backend}${verified}: ${count}, ${order}${off}.`;
}

export function LeaderboardPage(props: LeaderboardPageProps) {
  const { view, suite, board } = props;
  const links = boardLinks(props.boards, view, (b) =>
    leaderboardHref({ ...b, rank: view.rank, backend: null, page: 1 }),
  );
  return (
    <Layout
      title="Leaderboard"
      description={
        "Neural-network architectures ranked by how fast they memorize random labels and how well they generalize:" +
        " the randomization tests of Zhang et al. (ICLR 2017)."
      }
      section="leaderboard"
      assets={props.assets}
    >
      <header class="page-head">
        <h1>Memorization leaderboard</h1>
        {/* biome-ignore format: Biome fills prose to 120 columns without counting the {" "} it adds at a break. */}
        <p class="lede">
          How fast does an architecture fit <em>random</em> labels, and how large is its generalization gap on true
          ones? Each row is recomputed by the server from signed learning curves, following the randomization tests
          of <a href="https://arxiv.org/abs/1611.03530">Zhang et al. (ICLR 2017)</a>.
        </p>
      </header>

      <BoardNav label="Boards" boards={links} />
      <Toolbar view={view} verifiedOnly={board.verifiedOnly} />

      {board.rows.length === 0 ? (
        <EmptyBoard
          view={view}
          suite={suite}
          boards={props.boards}
          baselinesOnly={board.baselines.length > 0}
          verifiedOnly={board.verifiedOnly}
        />
      ) : (
        <>
          <RankedTable board={board} view={view} caption={caption(props)} />
          <div class="table-foot">
            <Pager view={view} total={board.total} pageSize={props.pageSize} shown={board.rows.length} />
            <p class="downloads">
              Download these rows: <a href={props.downloads.csv}>CSV</a> · <a href={props.downloads.json}>JSON</a>
            </p>
          </div>
        </>
      )}

      {board.didNotFit.length > 0 && <DidNotFit rows={board.didNotFit} view={view} />}
      {board.baselines.length > 0 && <Baselines rows={board.baselines} view={view} />}

      <Columns ablations={ablatedRegularizers(suite).length > 0} />

      <section class="submit-note" aria-labelledby="submit-heading">
        <h2 id="submit-heading">Put your architecture on the board</h2>
        <p>
          Train it on your own machine with the same protocol, then send the signed bundle. A TF.js layers{" "}
          <code>model.json</code> (as Keras exports it) or a module exporting a builder function both work:
        </p>
        <Commands
          lines={submitCommands(suite.id, ' --model path/to/model.json --name "Your name"')}
          label="Commands to benchmark your own architecture"
        />
        <p>
          A PyTorch <code>nn.Module</code> works too, on the PyTorch engine:{" "}
          <code>--engine torch --model net.py:make</code>, where{" "}
          <code>make(input_shape, classes, regularizer, seed)</code> returns the module.
        </p>
        <p>
          The server verifies the signature, recomputes every figure from the curves and ranks the result.{" "}
          <a href={protocolHref()}>How it works</a>.
        </p>
      </section>
    </Layout>
  );
}
