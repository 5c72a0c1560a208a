/** @jsxImportSource hono/jsx */
// The paper's Table 1 for one architecture on a board with regularizer ablations: per regularizer
// set (suite order), final training and test accuracy on true and on random labels and the epochs
// to fit random labels, medians over the standing results, beside what the paper reports for its
// nearest model (schema/paper-table-1.ts, the same figures the reproduction report cites).
import {
  type ArchitectureDetail,
  type ConditionSummary,
  type PaperModel,
  type PaperTable1Row,
  paperModelOf,
  paperTable1Row,
  type Regularizer,
  type Spread,
  type Suite,
  suiteRegularizers,
} from "../../../schema/index.js";
import { NumTh, SpreadValue, TableRegion } from "../../components/parts.js";
import { formatEpochs, formatPercent, formatPercentValue, NONE } from "../../format.js";
import { protocolHref } from "../../urls.js";

/** One row: a regularizer set and its two conditions on this board (either may have no runs yet). */
export interface Table1Row {
  regularizer: string;
  /** The suite's definition of the set; undefined where the suite is unknown to this build. */
  definition: Regularizer | undefined;
  trueLabels: ConditionSummary | undefined;
  randomLabels: ConditionSummary | undefined;
  paper: PaperTable1Row | null;
}

/** Whether a suite applies a condition to the architecture: all of them unless it names some. */
function appliesTo(condition: Suite["conditions"][number], architectureId: string): boolean {
  return condition.architectures === undefined || condition.architectures.includes(architectureId);
}

/**
 * The rows of the table, or none when the board has no regularizer ablations (every condition with
 * regularizer none). Rows follow the suite's order: the sets the suite applies to this architecture
 * and any other set it has results for; without the suite, the order of the results, none first.
 */
export function table1Rows(
  detail: Pick<ArchitectureDetail, "architecture" | "conditions">,
  suite: Suite | undefined,
): { model: PaperModel | null; rows: Table1Row[] } {
  const a = detail.architecture;
  const conditions = detail.conditions.filter((c) => c.corruption.kind === "true" || c.corruption.kind === "random");
  const ran = new Set(conditions.map((c) => c.regularizer));
  const listed = suite
    ? suiteRegularizers({ conditions: suite.conditions.filter((c) => appliesTo(c, a.id)) })
    : ["none", ...[...ran].filter((name) => name !== "none")];
  const names = [...listed, ...[...ran].filter((name) => !listed.includes(name))];
  if (names.every((name) => name === "none")) return { model: null, rows: [] };
  // The paper's models stand for our built-ins only: a user architecture has no nearest model.
  const model = a.kind === "builtin" ? paperModelOf(a.id) : null;
  const rows = names.map((name) => ({
    regularizer: name,
    definition: suite?.conditions.find((c) => c.regularizer.name === name)?.regularizer,
    trueLabels: conditions.find((c) => c.regularizer === name && c.corruption.kind === "true"),
    randomLabels: conditions.find((c) => c.regularizer === name && c.corruption.kind === "random"),
    paper: model ? paperTable1Row(model, name) : null,
  }));
  return { model, rows };
}

/**
 * What a regularizer set turns on, in words, from the suite's definition.
 *
 * @example
 * describeRegularizer({ ...NO_REGULARIZER, name: "wd", weightDecay: 5e-4 }) // "weight decay 0.0005"
 */
export function describeRegularizer(r: Regularizer): string {
  const parts = [
    r.weightDecay > 0 && `weight decay ${r.weightDecay}`,
    r.augmentation === "crop" && "random crops",
    r.augmentation === "crop-flip" && "random crops and flips",
    r.dropout > 0 && `dropout ${r.dropout}`,
    r.batchNorm === "on" && "batch norm added",
    r.batchNorm === "off" && "batch norm removed",
    r.earlyStoppingPatience !== null && `early stopping, patience ${r.earlyStoppingPatience} epochs`,
  ].filter((part): part is string => typeof part === "string");
  return parts.length === 0 ? "every regularizer off" : parts.join(", ");
}

/** An accuracy's spread read from the error's: 1 − error, the quartiles swapped. */
function accuracyOf(error: Spread): Spread {
  const flip = (value: number | null) => (value === null ? null : 1 - value);
  return { ...error, median: flip(error.median), q1: flip(error.q3), q3: flip(error.q1) };
}

/** A paper figure as the paper prints it: percent with two decimals. */
function paperPercent(value: number): string {
  return `${value.toFixed(2)}%`;
}

function Accuracy(props: { spread: Spread | undefined }) {
  if (!props.spread) return <span class="none">{NONE}</span>;
  return (
    <SpreadValue spread={props.spread} format={formatPercent} formatBound={formatPercentValue} showSeeds={false} />
  );
}

/** The paper's train / test pair of one label column, or what the paper says instead. */
function PaperPair(props: { pair: { train: number | null; test: number | null; converged?: boolean } | null }) {
  const { pair } = props;
  if (!pair) return <span class="none">{NONE}</span>;
  if (pair.converged === false) return <span class="censored">did not converge</span>;
  return (
    <>
      {pair.train === null ? NONE : paperPercent(pair.train)} / {pair.test === null ? NONE : paperPercent(pair.test)}
    </>
  );
}

/** Whether any figure of the row rests on fewer seeds than the suite lists. */
function provisional(row: Table1Row): boolean {
  return [row.trueLabels, row.randomLabels].some(
    (c) => c !== undefined && [c.trainAccuracy, c.testError, c.epochsToFit].some((s) => s.runs > 0 && s.provisional),
  );
}

export function Table1(props: { detail: ArchitectureDetail; suite: Suite | undefined }) {
  const { model, rows } = table1Rows(props.detail, props.suite);
  if (rows.length === 0) return null;
  const paperHeader = model ? `Paper, ${model} (CIFAR-10)` : "Paper";
  return (
    <section id="table-1" aria-labelledby="table-1-heading">
      <h2 id="table-1-heading">
        <span class="figure-label">Table 1</span> Regularizers
      </h2>
      <p>
        Explicit regularization on true and on random labels, as in the paper's Table 1: the final training and test
        accuracy with each regularizer set (medians over seeds; test accuracy on the true test labels), and how many
        epochs random labels took to fit.{" "}
        {model ? (
          <>
            Beside them, what the paper reports for its {model} on CIFAR-10 (Table 1; on random labels with a
            regularizer, Appendix E gives the training accuracy only).
          </>
        ) : (
          "No model of the paper corresponds to this architecture, so there are no paper figures beside it."
        )}{" "}
        <a href={protocolHref("regularizer-effects")}>Protocol</a>
      </p>
      <TableRegion labelledBy="table-1-caption">
        <table class="table-1">
          <caption id="table-1-caption">
            Table 1 analogue: train and test accuracy per regularizer set on true and random labels, epochs to fit
            random labels{model ? `, and the paper's figures for ${model}` : ""}
          </caption>
          <thead>
            <tr>
              <td />
              <th scope="colgroup" colSpan={2} class="group">
                True labels
              </th>
              <th scope="colgroup" colSpan={3} class="group">
                Random labels
              </th>
              {model && (
                <th scope="colgroup" colSpan={2} class="group">
                  {paperHeader}
                </th>
              )}
            </tr>
            <tr>
              <th scope="col">Regularizer</th>
              <NumTh>Train</NumTh>
              <NumTh>Test</NumTh>
              <NumTh>Train</NumTh>
              <NumTh>Test</NumTh>
              <NumTh>Epochs to fit</NumTh>
              {model && <NumTh>True labels, train / test</NumTh>}
              {model && <NumTh>Random labels, train / test</NumTh>}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr class={provisional(row) ? "provisional" : undefined} data-regularizer={row.regularizer}>
                <th scope="row">
                  {row.regularizer === "none" ? <span class="muted">none</span> : <code>{row.regularizer}</code>}
                  {provisional(row) && (
                    <abbr class="badge" title="Provisional: fewer seeds behind these figures than the suite lists">
                      prov.
                    </abbr>
                  )}
                  {row.definition && <span class="sub">{describeRegularizer(row.definition)}</span>}
                </th>
                <td class="num">
                  <Accuracy spread={row.trueLabels?.trainAccuracy} />
                </td>
                <td class="num">
                  <Accuracy spread={row.trueLabels && accuracyOf(row.trueLabels.testError)} />
                </td>
                <td class="num">
                  <Accuracy spread={row.randomLabels?.trainAccuracy} />
                </td>
                <td class="num">
                  <Accuracy spread={row.randomLabels && accuracyOf(row.randomLabels.testError)} />
                </td>
                <td class="num">
                  {row.randomLabels ? (
                    <SpreadValue spread={row.randomLabels.epochsToFit} format={formatEpochs} showSeeds={false} />
                  ) : (
                    <span class="none">{NONE}</span>
                  )}
                </td>
                {model && (
                  <td class="num paper">
                    <PaperPair pair={row.paper?.trueLabels ?? null} />
                    {row.paper && row.paper.model !== model && <span class="sub">{row.paper.model}</span>}
                  </td>
                )}
                {model && (
                  <td class="num paper">
                    <PaperPair pair={row.paper?.randomLabels ?? null} />
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </TableRegion>
    </section>
  );
}
