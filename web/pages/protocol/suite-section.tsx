/** @jsxImportSource hono/jsx */
// One suite as the protocol page describes it, rendered from its definition in
// schema/suites: datasets (each linked to its board), architectures, training, seeds, runs,
// digest and every condition.
import { type Condition, expandSuite, type Suite, VALIDATION_FRACTION } from "../../../schema/index.js";
import { corruptionName, formatInteger, formatThreshold } from "../../format.js";
import { boardHref } from "../../urls.js";

function regularizerWords(condition: Condition): string {
  const r = condition.regularizer;
  if (r.name === "none") return "none";
  const parts = [
    r.weightDecay > 0 && `weight decay ${r.weightDecay}`,
    r.augmentation !== "none" && (r.augmentation === "crop" ? "random crops" : "random crops and flips"),
    r.dropout > 0 && `dropout ${r.dropout}`,
    r.batchNorm !== "default" && `batch norm ${r.batchNorm}`,
    r.earlyStoppingPatience !== null &&
      `early stopping after ${r.earlyStoppingPatience} epochs without improvement on a held-out ` +
        `${Math.round(VALIDATION_FRACTION * 100)}% of the training subset`,
  ].filter(Boolean);
  return `${r.name}: ${parts.join(", ")}`;
}

export function SuiteSection(props: { suite: Suite; digest: string }) {
  const { suite } = props;
  const o = suite.optimizer;
  const runsPerDataset = expandSuite(suite).length / suite.datasets.length;
  return (
    <section class="suite" id={`suite-${suite.id}`} aria-labelledby={`suite-${suite.id}-heading`}>
      <h3 id={`suite-${suite.id}-heading`}>
        {suite.title}{" "}
        <span class="muted">
          ({suite.id} v{suite.version})
        </span>
      </h3>
      <p>{suite.description}</p>
      <dl class="facts">
        <div>
          <dt>Datasets</dt>
          <dd>
            {suite.datasets.map((d, i) => (
              <>
                {i > 0 && "; "}
                <a href={boardHref({ suite: suite.id, version: suite.version, dataset: d.id })}>{d.id}</a>:{" "}
                {formatInteger(d.trainSize)} training and {formatInteger(d.testSize)} test images
              </>
            ))}
          </dd>
        </div>
        <div>
          <dt>Architectures</dt>
          <dd>
            {suite.architectures.map((a, i) => (
              <>
                {i > 0 && ", "}
                <code>{a.id}</code>
                {a.learningRate !== undefined && ` (learning rate ${a.learningRate})`}
              </>
            ))}
            , or your own
          </dd>
        </div>
        <div>
          <dt>Training</dt>
          <dd>
            SGD, learning rate {o.learningRate}, momentum {o.momentum}, batch {o.batchSize}
            {o.decayPerEpoch < 1 ? `, learning rate ×${o.decayPerEpoch} per epoch` : ", constant learning rate"}; at
            most {suite.epochs} epochs
          </dd>
        </div>
        <div>
          <dt>Fitted when</dt>
          <dd>training accuracy reaches {formatThreshold(suite.fitThreshold)}</dd>
        </div>
        <div>
          <dt>Seeds</dt>
          <dd>{suite.seeds.join(", ")}</dd>
        </div>
        <div>
          <dt>Runs</dt>
          <dd>{formatInteger(runsPerDataset)} per dataset</dd>
        </div>
        <div>
          <dt>Digest</dt>
          <dd>
            <code class="wrap-anywhere">{props.digest}</code>
          </dd>
        </div>
      </dl>
      <details>
        <summary>The {suite.conditions.length} conditions</summary>
        <div class="table-wrap">
          <table>
            <caption>Each condition runs for every architecture (or only those named) and every seed</caption>
            <thead>
              <tr>
                <th scope="col">Corruption</th>
                <th scope="col">Regularizer</th>
                <th scope="col">Architectures</th>
              </tr>
            </thead>
            <tbody>
              {suite.conditions.map((c) => (
                <tr>
                  <th scope="row">{corruptionName(c.corruption)}</th>
                  <td>{regularizerWords(c)}</td>
                  <td>{c.architectures ? c.architectures.join(", ") : "all"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </section>
  );
}
