/** @jsxImportSource hono/jsx */
// The protocol's definitions: the randomization tests (the paper's corruptions) and the
// metrics measured on every run.

/** The corruptions of the paper's §2, and how every run measures accuracy. */
export function Corruptions() {
  return (
    <section id="corruptions" aria-labelledby="corruptions-heading">
      <h2 id="corruptions-heading">Randomization tests</h2>
      <p>
        Each run trains one architecture on one corrupted copy of the training set, from scratch, with one seed. The
        corruptions (paper §2):
      </p>
      <dl class="defs">
        <div>
          <dt>True labels</dt>
          <dd>The dataset as it is.</dd>
        </div>
        <div>
          <dt>Partially random labels</dt>
          <dd>
            Each training label, independently with probability p (0.2, 0.4, 0.6, 0.8), is replaced by a uniformly
            random class.
          </dd>
        </div>
        <div>
          <dt>Random labels</dt>
          <dd>
            Every training label is random. Nothing is left to learn but the labels themselves: fitting them is pure
            memorization.
          </dd>
        </div>
        <div>
          <dt>Shuffled pixels</dt>
          <dd>One fixed random permutation of pixel positions, applied to every image, train and test.</dd>
        </div>
        <div>
          <dt>Random pixels</dt>
          <dd>A different random permutation for each image.</dd>
        </div>
        <div>
          <dt>Gaussian inputs</dt>
          <dd>Each image is replaced by Gaussian noise with the dataset's per-channel mean and variance.</dd>
        </div>
      </dl>
      <p>
        Every corruption is a pure function of the dataset and the seed: the same seed gives the same corrupted data,
        bit for bit, on every machine, and it stays fixed across epochs. Test accuracy is always measured on the true
        test labels. Training and test accuracy are measured after each epoch on the whole set, in inference mode.
      </p>
    </section>
  );
}

/** What each figure of a run and a row means; the leaderboard's column notes link here. */
export function Metrics() {
  return (
    <section id="metrics" aria-labelledby="metrics-heading">
      <h2 id="metrics-heading">Metrics</h2>
      <dl class="defs">
        <div id="steps-to-fit">
          <dt>Steps and epochs to fit</dt>
          <dd>
            The SGD steps (and epochs) until training accuracy first reaches the suite's fit threshold, by default 100%:
            every training label predicted correctly. A run whose epoch budget runs out first is <em>censored</em>: it
            counts as slower than any run that fitted.
          </dd>
        </div>
        <div id="slowdown">
          <dt>Slowdown</dt>
          <dd>
            Steps to fit random labels divided by steps to fit the true labels, for the same architecture, seed and
            submission.
          </dd>
        </div>
        <div id="gen-gap">
          <dt>Generalization gap</dt>
          <dd>
            Training accuracy minus test accuracy at the end of training on true labels, in percentage points. Small is
            good.
          </dd>
        </div>
        <div id="test-accuracy">
          <dt>Test accuracy</dt>
          <dd>Accuracy on the held-out test images, with their true labels, at the end of training.</dd>
        </div>
        <div id="parameters">
          <dt>Parameters</dt>
          <dd>
            Every weight of the architecture as built for the dataset's images. An architecture is identified by its
            fingerprint, the SHA-256 of its canonical layers topology (weights excluded), so the same network for
            another image size is another row.
          </dd>
        </div>
        <div id="wall-time">
          <dt>Wall time</dt>
          <dd>
            Seconds of training, evaluation excluded, with the backend and hardware that produced them. Machines differ,
            so wall time is shown but never used to rank.
          </dd>
        </div>
      </dl>
    </section>
  );
}
