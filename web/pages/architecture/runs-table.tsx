/** @jsxImportSource hono/jsx */
// An architecture's newest runs on a board, each linked to the submission that carried it, with
// what reproductions by other keys found.
import type { RunCurve } from "../../../schema/index.js";
import { EpochsToFit, FigureOrNone, NumTh } from "../../components/parts.js";
import { RunReproductionsCell } from "../../components/verification.js";
import { corruptionName, formatPercent, formatSeconds } from "../../format.js";
import { submissionHref } from "../../urls.js";

export function RunsTable(props: { runs: RunCurve[]; truncated: boolean; sgd: boolean }) {
  return (
    <section aria-labelledby="runs-heading">
      <h2 id="runs-heading">Runs</h2>
      <details>
        <summary>
          The {props.runs.length} newest runs
          {props.truncated ? " (older runs are counted in the figures above, but not listed)" : ""}
        </summary>
        <div class="table-wrap">
          <table>
            <caption>Newest runs first</caption>
            <thead>
              <tr>
                <th scope="col">Submission</th>
                <th scope="col">Corruption</th>
                <th scope="col">Regularizer</th>
                <NumTh>Seed</NumTh>
                <NumTh>Epochs to fit</NumTh>
                <NumTh>Train acc.</NumTh>
                <NumTh>Test acc.</NumTh>
                <NumTh>Wall time</NumTh>
                <th scope="col">Reproductions</th>
              </tr>
            </thead>
            <tbody>
              {props.runs.map((r) => (
                <tr>
                  <td>
                    <a href={submissionHref(r.submissionId)}>
                      <code>{r.submissionId.slice(0, 12)}…</code>
                    </a>
                  </td>
                  <th scope="row">{corruptionName(r.corruption)}</th>
                  <td>{r.regularizer}</td>
                  <td class="num">{r.seed}</td>
                  <td class="num">
                    <EpochsToFit status={r.status} epochsToFit={r.derived.epochsToFit} sgd={props.sgd} />
                  </td>
                  <td class="num">
                    <FigureOrNone value={r.derived.finalTrainAcc} format={formatPercent} />
                  </td>
                  <td class="num">
                    <FigureOrNone value={r.derived.finalTestAcc} format={formatPercent} />
                  </td>
                  <td class="num">{formatSeconds(r.derived.wallSeconds)}</td>
                  <RunReproductionsCell reproductions={r.reproductions} />
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </section>
  );
}
