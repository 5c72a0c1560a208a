/** @jsxImportSource hono/jsx */
// An architecture (`/architectures/:fingerprint`): where it stands on a board, its learning
// curves per corruption (Figure 1a), steps to fit and test error against the label-corruption
// level (Figures 1b and 1c), its complexity measures per corruption level (Figure 4), on a board
// with regularizer ablations its Table 1 beside the paper's,
// every condition, its topology and its newest runs. A non-neural
// baseline (a kernel) has no SGD figures: its page draws Figure 1c only.
import {
  type ArchitectureDetail,
  BASELINE_KINDS,
  type DatasetId,
  MEASURES,
  type Suite,
  type SuiteRef,
} from "../../../schema/index.js";
import type { AssetManifest } from "../../assets.js";
import { sameBoard } from "../../components/board-links.js";
import { Layout } from "../../components/layout.js";
import { BoardNav, TableRegion, Timestamp } from "../../components/parts.js";
import { type ArchitectureFigureData, corruptionSweep, learningCurves } from "../../figures.js";
import { formatInteger, plural } from "../../format.js";
import { kindName } from "../../labels.js";
import { logAxis, measureSweep } from "../../measure-figures.js";
import {
  apiArchitectureHref,
  apiArchitectureSubmissionsCsvHref,
  architectureHref,
  type BoardRef,
  boardHref,
  protocolHref,
} from "../../urls.js";
import { ConditionsTable } from "./conditions-table.js";
import { RandomizationTests } from "./figures.js";
import { ComplexityMeasures } from "./measures.js";
import { RunsTable } from "./runs-table.js";
import { BaselineStats, RankStats, type Standing, VerificationStanding } from "./standing.js";
import { Table1 } from "./table-1.js";
import { Topology } from "./topology.js";

/** A board the architecture has visible runs on. */
export interface ArchitectureBoard {
  suite: SuiteRef;
  title: string;
  dataset: DatasetId;
  runs: number;
  submissions: number;
}

export interface ArchitecturePageProps {
  detail: ArchitectureDetail;
  board: BoardRef;
  boards: ArchitectureBoard[];
  suite: Suite | undefined;
  standing: Standing;
  assets: AssetManifest | undefined;
}

export function ArchitecturePage(props: ArchitecturePageProps) {
  const { detail, board, standing } = props;
  const a = detail.architecture;
  const sgd = !BASELINE_KINDS.includes(a.kind);
  const fitThreshold = props.suite?.fitThreshold ?? 1;
  // A baseline's one-point "curves" are a closed-form solve, not training: no Figure 1a.
  const curves = sgd ? learningCurves(detail.runs) : [];
  const sweep = corruptionSweep(detail.conditions);
  const measures = measureSweep(detail.runs);
  const data: ArchitectureFigureData = {
    curves,
    sweep,
    fitThreshold,
    measures: {
      names: MEASURES.map((m) => m.name),
      keys: MEASURES.map((m) => m.key),
      sweep: measures,
      log: MEASURES.map((_, i) => logAxis(measures.flatMap((p) => (p.medians[i] === null ? [] : [p.medians[i]!])))),
    },
  };
  const current = props.boards.find((b) => sameBoard(board, b));
  const boardName = `${current?.title ?? board.suite} v${board.version} · ${board.dataset}`;
  const links = props.boards.map((b) => ({
    suite: b.suite,
    title: b.title,
    dataset: b.dataset,
    href: architectureHref(a.fingerprint, { suite: b.suite.id, version: b.suite.version, dataset: b.dataset }),
    current: sameBoard(board, b),
    meta: plural(b.runs, "run"),
    empty: false,
  }));
  const provisional =
    standing.memorization?.provisional || standing.gap?.provisional || standing.baseline?.genGap.provisional;
  return (
    <Layout
      title={a.name}
      description={
        `${a.name}: how fast it fits random labels, its generalization gap,` +
        " learning curves under every randomization test."
      }
      section="other"
      assets={props.assets}
      script="architecture"
      data={data}
    >
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href={boardHref(board)}>Leaderboard · {boardName}</a>
      </nav>
      <header class="page-head">
        <h1>{a.name}</h1>
        <p class="meta">
          <code>{a.id}</code> · {kindName(a.kind)} · {formatInteger(a.parameterCount)} parameters · input{" "}
          {a.inputShape.join("×")} · first submitted <Timestamp iso={a.firstSeenAt} />
        </p>
        <p class="meta fingerprint">
          Fingerprint <code>{a.fingerprint}</code>
        </p>
      </header>

      {props.boards.length > 1 && <BoardNav label="Boards this architecture ran on" boards={links} />}

      {sgd ? (
        <>
          <RankStats standing={standing} parameterCount={a.parameterCount} />
          <VerificationStanding standing={standing} />
        </>
      ) : (
        <BaselineStats baseline={standing.baseline} parameterCount={a.parameterCount} />
      )}
      {provisional && (
        <p class="note">
          <span class="badge">prov.</span> Fewer seeds so far than the suite lists: these figures are{" "}
          <a href={protocolHref("provisional")}>provisional</a>.
        </p>
      )}

      <RandomizationTests
        sgd={sgd}
        runs={detail.runs.length}
        curves={curves}
        sweep={sweep}
        fitThreshold={fitThreshold}
      />

      {/* A closed-form solve has no weights to measure. */}
      {sgd && <ComplexityMeasures sweep={measures} runsTruncated={detail.runsTruncated} />}
      {/* A closed-form solve has no regularizers to ablate; a board without ablations draws no table. */}
      {sgd && <Table1 detail={detail} suite={props.suite} />}

      <section aria-labelledby="conditions-heading">
        <h2 id="conditions-heading">Every condition</h2>
        <TableRegion labelledBy="conditions-heading">
          <ConditionsTable conditions={detail.conditions} sgd={sgd} />
        </TableRegion>
      </section>

      <Topology detail={detail} />
      <RunsTable runs={detail.runs} truncated={detail.runsTruncated} sgd={sgd} />
      <p class="downloads">
        Data: <a href={apiArchitectureHref(a.fingerprint, board)}>JSON</a> ·{" "}
        <a href={apiArchitectureSubmissionsCsvHref(a.fingerprint)}>submissions (CSV)</a>
      </p>
    </Layout>
  );
}
