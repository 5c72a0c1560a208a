/** @jsxImportSource hono/jsx */
// What the leaderboard's columns mean, each with a link to where the protocol defines it.
import { protocolHref } from "../../urls.js";

/** Each column: its name, the protocol's anchor that defines it, and a sentence or two. */
const COLUMNS: [string, string, string][] = [
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
    "Median SGD steps until every training label, all of them random, is predicted correctly; below it the " +
      "interquartile range over runs and the number of seeds. Not fitted: at least half the runs ran out of epochs.",
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
    "Training accuracy minus test accuracy at the end of training on true labels, in percentage points " +
      "(median, interquartile range).",
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
    "The shortest wall-clock time to fit random labels, with the backend and hardware that achieved it. " +
      "Shown, never ranked.",
  ],
  [
    "Non-neural baselines",
    "baselines",
    "Kernel interpolation rows: never ranked; n/a marks the SGD figures (steps, epochs, slowdown) that a " +
      "closed-form solve does not have.",
  ],
];

export function Columns() {
  return (
    <section class="columns" aria-labelledby="columns-heading">
      <h2 id="columns-heading">What the columns mean</h2>
      <dl>
        {COLUMNS.map(([term, anchor, text]) => (
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
