/** @jsxImportSource hono/jsx */
// An architecture's randomization tests, the paper's Figure 1: training accuracy by epoch per
// corruption (1a), steps to fit (1b) and test error (1c) against the label-corruption level,
// each with its data table and a sentence read out in place of the chart. A baseline (a
// kernel) has no SGD: it gets Figure 1c only.
import { Figure, FigureOrNone, NumTh, SpreadValue } from "../../components/parts.js";
import { type CurveSeries, epochReaching, type SweepPoint } from "../../figures.js";
import { formatInteger, formatPercent, formatPercentValue, formatThreshold, nounFor } from "../../format.js";

/** Epochs at which the Figure 1a table samples the curves. */
function sampleEpochs(last: number): number[] {
  const marks = [1, 2, 5, 10, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750, 1000].filter((e) => e < last);
  return [...marks, last];
}

function CurvesTable(props: { curves: CurveSeries[]; fitThreshold: number }) {
  const last = Math.max(0, ...props.curves.map((s) => s.points.length));
  const epochs = sampleEpochs(last);
  return (
    <table>
      <caption>Median training accuracy at selected epochs, per corruption</caption>
      <thead>
        <tr>
          <th scope="col">Corruption</th>
          <NumTh>Runs</NumTh>
          {epochs.map((e) => (
            <NumTh>Epoch {e}</NumTh>
          ))}
          <NumTh>Reaches {formatThreshold(props.fitThreshold)}</NumTh>
        </tr>
      </thead>
      <tbody>
        {props.curves.map((s) => {
          const reached = epochReaching(s, props.fitThreshold);
          return (
            <tr>
              <th scope="row">{s.name}</th>
              <td class="num">{s.runs}</td>
              {epochs.map((e) => {
                const point = s.points[Math.min(e, s.points.length) - 1];
                return (
                  <td class="num">
                    <FigureOrNone value={point?.median} format={formatPercent} />
                  </td>
                );
              })}
              <td class="num">{reached === null ? "never" : `epoch ${reached}`}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function SweepTable(props: { sweep: SweepPoint[]; metric: "steps" | "testError" }) {
  const steps = props.metric === "steps";
  return (
    <table>
      <caption>
        {steps
          ? "SGD steps to fit the training set, by label-corruption level"
          : "Test error on true labels, by label-corruption level"}
      </caption>
      <thead>
        <tr>
          <NumTh>Level</NumTh>
          <th scope="col">Corruption</th>
          <NumTh>{steps ? "Steps to fit (median, IQR)" : "Test error (median, IQR)"}</NumTh>
          <NumTh>Runs</NumTh>
        </tr>
      </thead>
      <tbody>
        {props.sweep.map((p) => (
          <tr>
            <td class="num">{p.level}</td>
            <th scope="row">{p.name}</th>
            <td class="num">
              {steps ? (
                <SpreadValue spread={p.stepsToFit} format={formatInteger} />
              ) : (
                <SpreadValue spread={p.testError} format={formatPercent} formatBound={formatPercentValue} />
              )}
            </td>
            <td class="num">{(steps ? p.stepsToFit : p.testError).runs}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The levels left out of Figure 1b because most of their runs never fitted, in words. */
function notFitted(sweep: SweepPoint[]): string {
  const censored = sweep.filter((p) => p.stepsToFit.runs > 0 && p.stepsToFit.median === null).map((p) => p.level);
  return censored.length === 0
    ? ""
    : ` Not drawn: ${nounFor(censored.length, "level")} ${censored.join(", ")},` +
        " where most runs never fitted within the epoch budget.";
}

function curvesSummary(curves: CurveSeries[], fitThreshold: number): string {
  if (curves.length === 0) return "No finished runs to draw.";
  const parts = curves.map((s) => {
    const reached = epochReaching(s, fitThreshold);
    return reached === null
      ? `${s.name} never reach`
      : `${s.name} reach ${formatThreshold(fitThreshold)} at epoch ${reached}`;
  });
  return `Line chart of median training accuracy by epoch, one line per corruption: ${parts.join("; ")}.`;
}

function sweepSummary(sweep: SweepPoint[], metric: "steps" | "testError"): string {
  if (sweep.length === 0) return "No label-corruption runs to draw.";
  const parts = sweep.map((p) => {
    const spread = metric === "steps" ? p.stepsToFit : p.testError;
    const value =
      spread.median === null
        ? "not fitted"
        : metric === "steps"
          ? `${formatInteger(spread.median)} steps`
          : formatPercent(spread.median);
    return `level ${p.level}: ${value}`;
  });
  const what = metric === "steps" ? "median SGD steps to fit" : "median test error";
  return `Line chart of ${what} against label-corruption level: ${parts.join(", ")}.`;
}

/** Figure 1c; `measured` says where the test error is read (after SGD, or of a closed-form solve). */
function TestErrorFigure(props: { sweep: SweepPoint[]; measured: string }) {
  return (
    <Figure
      id="figure-test-error"
      label="Figure 1c"
      title="Test error vs label corruption"
      caption={
        `Median error on the true test labels ${props.measured}, with the interquartile range.` +
        " At level 1 nothing is left to learn: the error is that of guessing."
      }
      summary={sweepSummary(props.sweep, "testError")}
      table={<SweepTable sweep={props.sweep} metric="testError" />}
    />
  );
}

export interface RandomizationTestsProps {
  /** Whether the architecture trains by SGD (a kernel baseline does not). */
  sgd: boolean;
  /** How many runs the curves are the median of. */
  runs: number;
  curves: CurveSeries[];
  sweep: SweepPoint[];
  fitThreshold: number;
}

/** The section of Figure 1: 1a, 1b and 1c for a network, 1c alone for a baseline. */
export function RandomizationTests(props: RandomizationTestsProps) {
  const { curves, sweep, fitThreshold } = props;
  const inputCorruptions = curves.filter((s) => s.dashed).length;
  return (
    <section aria-labelledby="figures-heading">
      <h2 id="figures-heading">Randomization tests</h2>
      {props.sgd ? (
        <>
          <Figure
            id="figure-curves"
            label="Figure 1a"
            title="Training accuracy by epoch"
            wide
            caption={
              <>
                Median over {props.runs === 0 ? "no" : "the"} runs of each corruption (line) and its interquartile range
                (band), on the whole training set in inference mode. Label corruptions are solid, from true labels
                (blue) to random labels (red)
                {inputCorruptions > 0 ? "; input corruptions dashed" : ""}. A run that stopped after fitting counts at
                its final accuracy. The dotted line is the fit threshold.
              </>
            }
            summary={curvesSummary(curves, fitThreshold)}
            table={<CurvesTable curves={curves} fitThreshold={fitThreshold} />}
          />
          <div class="figure-grid">
            <Figure
              id="figure-steps"
              label="Figure 1b"
              title="Steps to fit vs label corruption"
              caption={
                "Median SGD steps until every training label is fitted, with the interquartile range," +
                ` from true labels (0) to random labels (1).${notFitted(sweep)}`
              }
              summary={sweepSummary(sweep, "steps")}
              table={<SweepTable sweep={sweep} metric="steps" />}
            />
            <TestErrorFigure sweep={sweep} measured="at the end of training" />
          </div>
        </>
      ) : (
        <>
          <p class="note" id="baseline-figures">
            A kernel baseline interpolates its training labels in one linear solve: it has no learning curve (Figure 1a)
            and no steps to fit (Figure 1b). What compares with the networks is its test error as the labels are
            corrupted.
          </p>
          <TestErrorFigure sweep={sweep} measured="of the interpolating solution" />
        </>
      )}
    </section>
  );
}
