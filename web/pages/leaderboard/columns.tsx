/** @jsxImportSource hono/jsx */
// What the leaderboard's columns mean, each with a link to where the protocol defines it.
import { protocolHref } from "../../urls.js";

/** Each column: its name, the protocol's anchor that defines it, and a sentence or two. */
const COLUMNS: [string, string, string][] = [
  [
    "Rank",
    "ranking",
    "Position by the chosen metric; equal figures share a rank. Rows marked prov. rest on fewer seeds than the " +
      "suite lists. Ranked by gap, only architectures that fit their training set on true labels take a rank.",
  ],
  [
    "Params",
    "parameters",
    "Trainable and non-trainable weights of the architecture as built for the dataset's images.",
  ],
  [
    "Steps to fit random labels",
    "steps-to-fit",
    "Median over seeds (one standing result each) of SGD steps until every training label, all of them random, is " +
      "predicted correctly; below it the interquartile range and the number of seeds. Not fitted: at least half " +
      "the runs ran out of epochs or failed.",
  ],
  ["Epochs", "steps-to-fit", "The same, counted in passes over the training set."],
  [
    "Slowdown",
    "slowdown",
    "Steps to fit random labels over steps to fit the true labels, same seed (median). A random-label run that " +
      "never fitted counts as infinitely slow; a seed whose true-label run did not fit has no slowdown.",
  ],
  [
    "Gen. gap",
    "gen-gap",
    "Training accuracy minus test accuracy at the end of training on true labels, in percentage points " +
      "(median, interquartile range).",
  ],
  ["Test acc.", "test-accuracy", "Accuracy on the held-out test set after training on true labels (median)."],
  [
    "Δ gap by regularizer",
    "regularizer-effects",
    "On a suite with regularizer ablations (the paper's Table 1): per regularizer set, in the suite's order, the " +
      "median generalization gap on true labels with it on minus the median gap with every regularizer off, in " +
      "percentage points; negative means the regularizer made the gap smaller. The ranked columns are those " +
      "with every regularizer off.",
  ],
  [
    "Seeds, results",
    "submissions",
    "Seeds with a standing result (the first accepted result of each slot: the only samples), then later results " +
      "and reproductions by other keys of the same slots: confirmations (identical, same backend), contests " +
      "(different, same backend), replicates (another backend); reproduction verdicts, and standing results " +
      "verified by an operator reproducer; failed runs; and distinct signing keys. Keys are free to make: they " +
      "are not independent people, and a confirmation is not an independent reproduction.",
  ],
  [
    "Verified, contested",
    "reproduction",
    "Under the name: verified when an operator reproducer (a key this server names) trained every standing " +
      "result again and got it bit for bit, partly verified when it did so for some, unverified otherwise. " +
      "Contested links to the evidence: a reproduction that did not reproduce a standing result, or a later " +
      "result of the same slot that differs from it.",
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

/** `ablations`: whether the board's suite ablates regularizers (the Δ gap column is shown). */
export function Columns(props: { ablations: boolean }) {
  const columns = props.ablations ? COLUMNS : COLUMNS.filter(([, anchor]) => anchor !== "regularizer-effects");
  return (
    <section class="columns" aria-labelledby="columns-heading">
      <h2 id="columns-heading">What the columns mean</h2>
      <dl>
        {columns.map(([term, anchor, text]) => (
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
