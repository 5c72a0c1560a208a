/** @jsxImportSource hono/jsx */
// The leaderboard (`/`): one row per architecture of a board, ranked by memorization speed
// or by generalization gap, then the board's non-neural baselines (never ranked), with
// filters and downloads in the URL. No script: sorting, filtering and paging are links and
// a GET form.
import {
  type BaselineRow,
  Environment,
  type Leaderboard,
  type LeaderboardRow,
  type RankMetric,
  type Suite,
} from "../../schema/index.js";
import type { AssetManifest } from "../assets.js";
import { Layout } from "../components/layout.js";
import {
  BoardNav,
  Commands,
  NotApplicable,
  NumTh,
  SpreadValue,
  submitCommands,
  TableRegion,
} from "../components/parts.js";
import {
  formatEpochs,
  formatInteger,
  formatParameters,
  formatPercent,
  formatPercentValue,
  formatPoints,
  formatRatio,
  formatSeconds,
  NONE,
} from "../format.js";
import { architectureHref, type BoardView, leaderboardHref, protocolHref, submissionHref } from "../urls.js";
import { type BoardCount, boardLinks } from "./boards.js";

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

const RANKS: { rank: RankMetric; label: string; explain: string }[] = [
  { rank: "memorization", label: "Memorization speed", explain: "fewest SGD steps to fit random labels first" },
  {
    rank: "gap",
    label: "Generalization gap",
    explain: "smallest gap between training and test accuracy on true labels first",
  },
];

const BACKENDS = Environment.shape.backend.options;

/** A row's architecture: its name (a link), id and fingerprint, and its parameter count. */
function ArchitectureCells(props: { architecture: LeaderboardRow["architecture"]; view: BoardView; badge?: string }) {
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

function Row(props: { row: LeaderboardRow; view: BoardView }) {
  const { row, view } = props;
  const a = row.architecture;
  const best = row.bestWallTime;
  const hardware = best ? [best.hardware.gpu, best.hardware.cpuModel].filter(Boolean).join(", ") : "";
  return (
    <tr class={row.provisional ? "provisional" : undefined}>
      <td class="num rank">
        {row.rank}
        {row.provisional && (
          <abbr class="badge" title="Provisional: fewer than 3 seeds behind the ranked figure">
            prov.
          </abbr>
        )}
      </td>
      <ArchitectureCells architecture={a} view={view} />
      <td class="num">
        <SpreadValue spread={row.stepsToFit} format={formatInteger} />
      </td>
      <td class="num">
        <SpreadValue spread={row.epochsToFit} format={formatEpochs} showSeeds={false} />
      </td>
      <td class="num">{row.slowdown === null ? <span class="none">{NONE}</span> : formatRatio(row.slowdown)}</td>
      <td class="num">
        <SpreadValue spread={row.genGap} format={formatPoints} formatBound={formatPercentValue} />
      </td>
      <td class="num">
        {row.testAccuracy === null ? <span class="none">{NONE}</span> : formatPercent(row.testAccuracy)}
      </td>
      <td class="num">
        <span class="median">{row.submissions}</span>
        <span class="spread">
          {row.submitters} submitter{row.submitters === 1 ? "" : "s"}
        </span>
      </td>
      <td class="best">
        {best ? (
          <>
            <a href={submissionHref(best.submissionId)}>{formatSeconds(best.wallSecondsToFit)}</a>
            <span class="sub" title={`${best.backendDetail}; ${hardware}`}>
              {best.backend}
              {hardware && ` · ${hardware}`}
            </span>
          </>
        ) : (
          <span class="none">{NONE}</span>
        )}
      </td>
    </tr>
  );
}

/** A baseline's row: the ranked table's columns, with the SGD figures marked not applicable. */
function BaselineTableRow(props: { row: BaselineRow; view: BoardView }) {
  const { row, view } = props;
  const a = row.architecture;
  return (
    <tr>
      <td class="num rank">
        <NotApplicable />
      </td>
      <ArchitectureCells architecture={a} view={view} badge={a.kind} />
      <td class="num">
        <NotApplicable />
      </td>
      <td class="num">
        <NotApplicable />
      </td>
      <td class="num">
        <NotApplicable />
      </td>
      <td class="num">
        <SpreadValue spread={row.genGap} format={formatPoints} formatBound={formatPercentValue} />
      </td>
      <td class="num">
        {row.trainAccuracy === null ? <span class="none">{NONE}</span> : formatPercent(row.trainAccuracy)}
      </td>
      <td class="num">
        {row.testAccuracy === null ? <span class="none">{NONE}</span> : formatPercent(row.testAccuracy)}
      </td>
      <td class="num">
        <span class="median">{row.submissions}</span>
        <span class="spread">
          {row.submitters} submitter{row.submitters === 1 ? "" : "s"}
        </span>
      </td>
    </tr>
  );
}

/**
 * Non-neural baselines (kernels): the same true-label figures as the ranked rows, outside
 * the ranking, since a closed-form solve has no SGD steps to count.
 */
function Baselines(props: { rows: BaselineRow[]; view: BoardView }) {
  return (
    <section class="baselines" aria-labelledby="baselines-heading">
      <h2 id="baselines-heading">Non-neural baselines</h2>
      <p>
        Minimum-norm kernel interpolation (the paper's §5) run on the same tasks: it fits every training label, random
        ones included, in one linear solve. It is not ranked: steps, epochs and slowdown measure SGD and do not apply.
        Its generalization gap and test accuracy on true labels are directly comparable with the rows above.{" "}
        <a href={protocolHref("baselines")}>Protocol</a>
      </p>
      <TableRegion labelledBy="baselines-caption">
        <table class="board">
          <caption id="baselines-caption">
            {props.rows.length} non-neural baseline{props.rows.length === 1 ? "" : "s"} on this board, smallest
            generalization gap first (not ranked).
          </caption>
          <thead>
            <tr>
              <NumTh>Rank</NumTh>
              <th scope="col">Baseline</th>
              <NumTh>Params</NumTh>
              <NumTh>Steps to fit random labels</NumTh>
              <NumTh>Epochs</NumTh>
              <NumTh>Slowdown</NumTh>
              <NumTh>Gen. gap</NumTh>
              <NumTh>Train acc.</NumTh>
              <NumTh>Test acc.</NumTh>
              <NumTh>Submissions</NumTh>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((row) => (
              <BaselineTableRow row={row} view={props.view} />
            ))}
          </tbody>
        </table>
      </TableRegion>
    </section>
  );
}

function SortHeader(props: { rank: RankMetric; view: BoardView; label: string; title: string }) {
  const active = props.view.rank === props.rank;
  return (
    <th scope="col" class="num sortable" aria-sort={active ? "ascending" : undefined}>
      <a href={leaderboardHref({ ...props.view, rank: props.rank, page: 1 })} title={props.title}>
        {props.label}
        <span class="sort-mark" aria-hidden="true">
          {active ? "▲" : "↕"}
        </span>
        {!active && <span class="visually-hidden"> (rank by this)</span>}
      </a>
    </th>
  );
}

function Columns() {
  const items: [string, string, string][] = [
    [
      "Rank",
      "ranking",
      "Position by the chosen metric; equal figures share a rank. Rows marked prov. rest on fewer than 3 seeds.",
    ],
    [
      "Params",
      "parameters",
      "Trainable and non-trainable weights of the architecture as built for the dataset's images.",
    ],
    [
      "Steps to fit random labels",
      "steps-to-fit",
      "Median SGD steps until every training label, all of them random, is predicted correctly; below it the interquartile range over runs and the number of seeds. Not fitted: at least half the runs ran out of epochs.",
    ],
    ["Epochs", "steps-to-fit", "The same, counted in passes over the training set."],
    [
      "Slowdown",
      "slowdown",
      "Steps to fit random labels over steps to fit the true labels, same seed and submission (median).",
    ],
    [
      "Gen. gap",
      "gen-gap",
      "Training accuracy minus test accuracy at the end of training on true labels, in percentage points (median, interquartile range).",
    ],
    ["Test acc.", "test-accuracy", "Accuracy on the held-out test set after training on true labels (median)."],
    [
      "Submissions, submitters",
      "submissions",
      "Signed bundles behind the row, and the distinct signing keys that sent them: independent reproductions.",
    ],
    [
      "Fastest fit",
      "wall-time",
      "The shortest wall-clock time to fit random labels, with the backend and hardware that achieved it. Shown, never ranked.",
    ],
    [
      "Non-neural baselines",
      "baselines",
      "Kernel interpolation rows: never ranked; n/a marks the SGD figures (steps, epochs, slowdown) that a closed-form solve does not have.",
    ],
  ];
  return (
    <section class="columns" aria-labelledby="columns-heading">
      <h2 id="columns-heading">What the columns mean</h2>
      <dl>
        {items.map(([term, anchor, text]) => (
          <div>
            <dt>{term}</dt>
            <dd>
              {text} <a href={protocolHref(anchor)}>Protocol</a>
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

function EmptyBoard(props: { view: BoardView; suite: Suite; boards: BoardCount[]; baselinesOnly: boolean }) {
  const { view, suite } = props;
  const elsewhere = props.boards.filter((b) => b.architectures > 0);
  if (view.backend !== null) {
    return (
      <div class="empty">
        <h2>No results from the {view.backend} backend on this board</h2>
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
        No {props.baselinesOnly ? "ranked architectures" : "results"} on {suite.title} v{suite.version} · {view.dataset}{" "}
        yet
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

function Pager(props: { view: BoardView; total: number; pageSize: number; shown: number }) {
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

export function LeaderboardPage(props: LeaderboardPageProps) {
  const { view, suite, board } = props;
  const rank = RANKS.find((r) => r.rank === view.rank)!;
  const links = boardLinks(props.boards, view, (b) =>
    leaderboardHref({ ...b, rank: view.rank, backend: null, page: 1 }),
  );
  const caption = `${suite.title} v${suite.version} on ${view.dataset}${view.backend ? `, ${view.backend} backend only` : ""}: ${formatInteger(board.total)} architecture${board.total === 1 ? "" : "s"}, ranked by ${rank.label.toLowerCase()} (${rank.explain}).`;
  return (
    <Layout
      title="Leaderboard"
      description="Neural-network architectures ranked by how fast they memorize random labels and how well they generalize: the randomization tests of Zhang et al. (ICLR 2017)."
      section="leaderboard"
      assets={props.assets}
    >
      <header class="page-head">
        <h1>Memorization leaderboard</h1>
        <p class="lede">
          How fast does an architecture fit <em>random</em> labels, and how large is its generalization gap on true
          ones? Each row is recomputed by the server from signed learning curves, following the randomization tests of{" "}
          <a href="https://arxiv.org/abs/1611.03530">Zhang et al. (ICLR 2017)</a>.
        </p>
      </header>

      <BoardNav label="Boards" boards={links} />

      <div class="toolbar">
        {/* biome-ignore lint/a11y/useSemanticElements: a group of links, not form controls, which is what <fieldset> is for. */}
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

      {board.rows.length === 0 ? (
        <EmptyBoard view={view} suite={suite} boards={props.boards} baselinesOnly={board.baselines.length > 0} />
      ) : (
        <>
          <TableRegion labelledBy="board-caption">
            <table class="board">
              <caption id="board-caption">{caption}</caption>
              <thead>
                <tr>
                  <NumTh>Rank</NumTh>
                  <th scope="col">Architecture</th>
                  <NumTh>Params</NumTh>
                  <SortHeader
                    rank="memorization"
                    view={view}
                    label="Steps to fit random labels"
                    title="Rank by memorization speed"
                  />
                  <NumTh>Epochs</NumTh>
                  <NumTh>Slowdown</NumTh>
                  <SortHeader rank="gap" view={view} label="Gen. gap" title="Rank by generalization gap" />
                  <NumTh>Test acc.</NumTh>
                  <NumTh>Submissions</NumTh>
                  <th scope="col">Fastest fit</th>
                </tr>
              </thead>
              <tbody>
                {board.rows.map((row) => (
                  <Row row={row} view={view} />
                ))}
              </tbody>
            </table>
          </TableRegion>
          <div class="table-foot">
            <Pager view={view} total={board.total} pageSize={props.pageSize} shown={board.rows.length} />
            <p class="downloads">
              Download these rows: <a href={props.downloads.csv}>CSV</a> · <a href={props.downloads.json}>JSON</a>
            </p>
          </div>
        </>
      )}

      {board.baselines.length > 0 && <Baselines rows={board.baselines} view={view} />}

      <Columns />

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
          The server verifies the signature, recomputes every figure from the curves and ranks the result.{" "}
          <a href={protocolHref()}>How it works</a>.
        </p>
      </section>
    </Layout>
  );
}
