/** @jsxImportSource hono/jsx */
// The protocol's regularizers: what each explicit regularizer of the suites (the paper's Table 1) does to a
// run, exactly, with every figure read from the suite data and schema's training constants.
import {
  AUGMENTATION_STREAM,
  CIFAR_CROP,
  CROP_PADDING,
  type Regularizer,
  type Suite,
  VALIDATION_FRACTION,
} from "../../../schema/index.js";

/** The distinct values a field takes over every regularizer set of these suites, ascending, the "off" value left out. */
function valuesOf(suites: readonly Suite[], pick: (r: Regularizer) => number | null): number[] {
  const values = suites.flatMap((s) => s.conditions.map((c) => pick(c.regularizer)));
  return [...new Set(values.filter((v): v is number => v !== null && v > 0))].sort((a, b) => a - b);
}

/** The names of the regularizer sets of these suites that switch a regularizer on, each with its suites. */
function setsWith(suites: readonly Suite[], on: (r: Regularizer) => boolean): string {
  const names = new Map<string, Set<string>>();
  for (const suite of suites) {
    for (const c of suite.conditions) {
      if (!on(c.regularizer)) continue;
      const set = names.get(c.regularizer.name) ?? new Set<string>();
      names.set(c.regularizer.name, set.add(suite.id));
    }
  }
  if (names.size === 0) return "no suite uses it";
  return [...names].map(([name, ids]) => `${name} (${[...ids].join(", ")})`).join("; ");
}

const list = (values: number[], unit = "") =>
  values.length === 0 ? "none" : values.map((v) => `${v}${unit}`).join(" or ");

/** What each regularizer does, for the regularizer sets of `suites` (the paper's Table 1 and Appendix E). */
export function Regularizers(props: { suites: readonly Suite[] }) {
  const { suites } = props;
  const placements = 2 * CROP_PADDING + 1;
  const framed = 28 + 2 * CROP_PADDING;
  return (
    <section id="regularizers" aria-labelledby="regularizers-heading">
      <h2 id="regularizers-heading">Regularizers</h2>
      <p>
        The randomization tests train without explicit regularization. The paper's Table 1 adds each regularizer on true
        and on random labels: if random labels are still memorized with it on, it is not what makes a network
        generalize. A condition's regularizer set names what it switches on (the sets each suite uses are listed with
        its conditions below); everything else stays as in <code>none</code>.
      </p>
      <dl class="defs">
        <div id="regularizer-wd">
          <dt>Weight decay</dt>
          <dd>
            Coefficient λ = {list(valuesOf(suites, (r) => r.weightDecay))} (sets:{" "}
            {setsWith(suites, (r) => r.weightDecay > 0)}). Each SGD step adds λ·w to the gradient of every kernel, the
            weights of dense and convolution layers, before the momentum update: the penalty (λ/2)·Σ‖w‖². Biases and
            batch-norm parameters are not decayed.
          </dd>
        </div>
        <div id="regularizer-crop">
          <dt>Random crops</dt>
          <dd>
            Sets: {setsWith(suites, (r) => r.augmentation !== "none")}. At every training step each example is a random
            28×28 window of its image zero-padded by {CROP_PADDING} pixels on each side ({framed}×{framed}; a 32×32
            CIFAR-10 image is cropped to {CIFAR_CROP}×{CIFAR_CROP} without padding), so it is shifted by up to ±
            {CROP_PADDING} pixels each way. The window's top and then its left edge are each uniform over the{" "}
            {placements} positions, drawn from the task seed's <code>{AUGMENTATION_STREAM}</code> stream in the order
            the examples are trained: the same seed gives the same crops on every machine, and a fresh crop every epoch.{" "}
            <code>crop-flip</code> then mirrors the window left to right on a fair coin from the same stream. Accuracies
            are measured on the images unshifted.
          </dd>
        </div>
        <div id="regularizer-dropout">
          <dt>Dropout</dt>
          <dd>
            Rate {list(valuesOf(suites, (r) => r.dropout))} (sets: {setsWith(suites, (r) => r.dropout > 0)}). A dropout
            layer follows the ReLU of every hidden dense layer (small Inception has none: after its global average
            pool); there is none after a convolution or on the output logits. In training it zeroes each unit with that
            probability and scales the others by 1/(1 − rate), with a fresh mask each step from a seeded stream; at
            evaluation it passes everything through.
          </dd>
        </div>
        <div id="regularizer-early-stop">
          <dt>Early stopping</dt>
          <dd>
            Patience{" "}
            {list(
              valuesOf(suites, (r) => r.earlyStoppingPatience),
              " epochs",
            )}{" "}
            (sets: {setsWith(suites, (r) => r.earlyStoppingPatience !== null)}). A seeded, class-balanced{" "}
            {Math.round(VALIDATION_FRACTION * 100)}% of the training subset is held out and never trained on; after each
            epoch the run measures its accuracy there and stops once it has not beaten its best for that many epochs.
            The run's figures are those of its last epoch. The test set never decides when a run stops. On random labels
            the held-out labels are random too: validation accuracy hovers at chance, so the run usually stops after a
            few epochs, before its training labels are fitted. That ends training early; it does not make the network
            unable to memorize.
          </dd>
        </div>
        <div id="regularizer-bn">
          <dt>Batch norm</dt>
          <dd>
            Sets: {setsWith(suites, (r) => r.batchNorm !== "default")}. <code>on</code> puts a batch-normalization layer
            (TensorFlow.js defaults) between every hidden layer, convolution or dense, and its ReLU, in architectures
            built without it (the MLPs and small AlexNet); <code>off</code> removes it from small Inception, which has
            it by default. It normalizes with the batch's statistics in training and with their running averages at
            evaluation.
          </dd>
        </div>
      </dl>
    </section>
  );
}
