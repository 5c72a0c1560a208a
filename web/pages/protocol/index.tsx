/** @jsxImportSource hono/jsx */
// The protocol (`/protocol`): what is measured and how it is ranked, in plain words, with
// every suite rendered from its definition in schema/suites (the data the runner and the
// server use), so the page cannot drift from what is run; and how results are reproduced,
// with the reproduction queue as it stands.
import { EPOCHS_AFTER_FIT, type Suite, VALIDATION_FRACTION } from "../../../schema/index.js";
import type { AssetManifest } from "../../assets.js";
import { Layout } from "../../components/layout.js";
import { Commands } from "../../components/parts.js";
import { Corruptions, Metrics } from "./definitions.js";
import { Regularizers } from "./regularizers.js";
import { type QueueSummary, Reproduction } from "./reproduction.js";
import { SuiteSection } from "./suite-section.js";

export interface ProtocolPageProps {
  suites: { suite: Suite; digest: string }[];
  /** How many submissions wait for an operator reproducer, since when, and how many operator keys there are. */
  queue: QueueSummary;
  /** When the page is rendered, for the queue's waiting time; the current time when left out. */
  now?: Date;
  assets: AssetManifest | undefined;
}

/** The page's sections, in order: anchor and title. */
const CONTENTS: [string, string][] = [
  ["corruptions", "Randomization tests"],
  ["metrics", "Metrics"],
  ["ranking", "Ranking"],
  ["verification", "Signed bundles"],
  ["reproduction", "Reproduction"],
  ["regularizers", "Regularizers"],
  ["suites", "Suites"],
  ["submit", "Taking part"],
];

export function ProtocolPage(props: ProtocolPageProps) {
  return (
    <Layout
      title="Protocol"
      description={
        "How rethink-bench measures memorization and generalization: the randomization tests, the metrics," +
        " the ranking, signed bundles and the suites."
      }
      section="protocol"
      assets={props.assets}
    >
      <header class="page-head">
        <h1>The protocol</h1>
        <p class="lede">
          Train an architecture on the true labels of an image dataset, on labels that are partly or wholly random, and
          on images that carry no signal; measure how fast it fits each training set and how well it does on the real
          test set. That is the randomization test of{" "}
          <a href="https://arxiv.org/abs/1611.03530">Zhang et al. (ICLR 2017)</a>, made a standard anyone can run and
          check.
        </p>
      </header>

      <nav class="toc" aria-label="On this page">
        <ol>
          {CONTENTS.map(([id, title]) => (
            <li>
              <a href={`#${id}`}>{title}</a>
            </li>
          ))}
        </ol>
      </nav>

      <Corruptions />
      <Metrics />

      <section id="ranking" aria-labelledby="ranking-heading">
        <h2 id="ranking-heading">Ranking</h2>
        <p>A board is one suite version and one dataset: results of different suites or versions are never compared.</p>
        {/* biome-ignore format: Biome fills prose to 120 columns without counting the {" "} it adds at a break. */}
        <p id="slots">
          <strong>One result per seed.</strong> A <em>slot</em> is an architecture (its fingerprint), a task (suite
          version, dataset, corruption, regularizer) and a seed. The first accepted visible result of a slot is its{" "}
          <em>standing result</em>, and only standing results enter the figures: every median and quartile is over
          seeds, one value each. A later result of the same slot adds no sample. On the same backend, with identical
          curves (wall times aside) and identical predictions, it <em>confirms</em> the standing result; different,
          it <em>contests</em> it; from another backend it is a <em>replicate</em> (runs are bit-for-bit reproducible
          only within a backend), and so is a different result on native TensorFlow or PyTorch on a GPU, or on PyTorch
          on CPU from another torch version, thread count or CPU model. Hiding a standing result by moderation promotes the slot's next visible result, the
          earliest accepted; showing it again restores the order.
        </p>
        <p>Over the standing results, each architecture gets two ranks:</p>
        <ol>
          <li>
            <strong>Memorization speed</strong>: the median steps to fit random labels (no regularizer), fewest first.
            The median counts censored runs, and failed ones (NaN loss, out of memory), as infinitely slow; an
            architecture with at least half its runs censored ranks after every one that fitted.
          </li>
          <li id="did-not-fit">
            <strong>Generalization gap</strong>: the median gap on true labels (no regularizer), smallest first, among
            the architectures that fitted their training set on true labels (the censored median of their steps to fit
            is finite: more than half their seeds fitted). The paper measures the gap of networks that fit their
            training data; one that learns nothing has a small gap and nothing to show for it. The others are listed
            below the ranking with their figures, without a rank, marked <em>did not fit true labels</em>.
          </li>
        </ol>
        {/* biome-ignore format: Biome fills prose to 120 columns without counting the {" "} it adds at a break. */}
        <p id="regularizer-effects">
          <strong>Regularizers.</strong> Both ranks read the runs with every regularizer off (regularizer{" "}
          <code>none</code>), as the paper's randomization tests do. A suite with regularizer ablations (the paper's
          Table 1) also trains each regularizer set on true and on random labels: each row then shows, per set in the
          suite's order, its <em>Δ gap</em>, the median gap on true labels with it on minus the median gap with every
          regularizer off (negative: a smaller gap), and each architecture's page draws the Table 1 analogue beside
          the paper's figures for its nearest model.
        </p>
        <p id="slowdown">
          The <strong>slowdown</strong> of a seed is its steps to fit random labels over its steps to fit true labels
          (both standing results). It follows censoring like steps to fit: a random-label run that never fitted, or
          failed, beside a fitted true-label run is infinitely slow; it is undefined only when the true-label run did
          not fit. Failed runs are never dropped: they count as not fitted and every row and page shows how many there
          are.
        </p>
        <p>
          Medians come with their interquartile range over seeds. Equal figures share a rank.{" "}
          <span id="provisional">
            A figure resting on fewer seeds than its suite lists is marked <span class="badge">prov.</span>,
            provisional.
          </span>{" "}
          <span id="submissions">
            Each row counts what stands behind it as what it is: seeds (standing results), confirmations, contests,
            replicates on other backends, failed runs, submissions and distinct signing keys. Keys are free to make, so
            many keys are not many people: a confirmation by another key shows the same numbers were sent again, not
            that someone else trained the network.
          </span>
        </p>
        <p id="baselines">
          <strong>Non-neural baselines.</strong> <code>rethink-bench kernel --out DIR</code> solves the minimum-norm
          Gaussian-kernel interpolation of the paper's §5 on every randomization test of a suite and signs the result
          like any other bundle. It fits every training label in one linear solve, so steps to fit, epochs and slowdown
          do not exist for it (shown as n/a): it takes no part in either ranking and is listed under the ranked rows,
          with the same generalization gap and test accuracy on true labels. On its own page only the test error against
          label corruption (Figure 1c) is drawn.
        </p>
      </section>

      <section id="verification" aria-labelledby="verification-heading">
        <h2 id="verification-heading">Signed bundles</h2>
        <p>
          The runner writes its results as an <a href="https://in-toto.io">in-toto</a> Statement (canonical JSON, RFC
          8785) in a <a href="https://github.com/secure-systems-lab/dsse">DSSE</a> envelope, signed with the submitter's
          Ed25519 key over DSSE's pre-authentication encoding. It holds the suite and its digest, the software versions,
          backend and hardware, and every run with its full per-epoch curves and final predictions. The key id is the
          SHA-256 of the raw public key.
        </p>
        {/* biome-ignore format: Biome fills prose to 120 columns without counting the {" "} it adds at a break. */}
        <p>
          The server checks the signature and the schema, recomputes every derived figure from the curves and refuses a
          bundle whose claims differ, then ranks only what it recomputed. A signature proves who submitted and that
          nothing changed since; it cannot prove the training happened. The board shows which later results confirm or
          contest each standing one, and under how many keys, but a key costs nothing to make: those counts are not
          independent reproductions. Every submission page links its bundle;{" "}
          <code>npx rethink-bench verify FILE</code> repeats the server's checks, and any Ed25519 implementation can
          check the signature.
        </p>
      </section>

      <Reproduction queue={props.queue} now={props.now ?? new Date()} />

      <Regularizers suites={props.suites.map((s) => s.suite)} />

      <section id="suites" aria-labelledby="suites-heading">
        <h2 id="suites-heading">Suites</h2>
        <p>
          A suite fixes everything about a benchmark: datasets and sizes, architectures, conditions, seeds, optimizer,
          epoch budget and fit threshold. Any change makes a new version with a new digest; a bundle must carry the
          exact definition the server knows.
        </p>
        <p id="stopping">
          A bundle runs only its suite's seeds and, for every architecture, dataset and seed it covers, every condition
          that applies to that architecture. Every run stops by one rule: {EPOCHS_AFTER_FIT} epochs after training
          accuracy first reaches the fit threshold, if it stays there; with early stopping, once accuracy on a
          validation split has not improved for the patience's number of epochs; otherwise at the epoch budget. The
          validation split is a seeded, class-balanced {Math.round(VALIDATION_FRACTION * 100)}% of the training subset
          that the run never trains on; the test set never decides when a run stops. The server replays the rule on
          every curve.
        </p>
        {props.suites.map((s) => (
          <SuiteSection suite={s.suite} digest={s.digest} />
        ))}
      </section>

      <section id="submit" aria-labelledby="submit-heading">
        <h2 id="submit-heading">Taking part</h2>
        <p>With Node.js 20 or newer, on your own machine (a GPU is used when TensorFlow.js finds one):</p>
        <Commands
          lines={[
            "npx rethink-bench run --suite quick                          # the built-in architectures",
            'npx rethink-bench run --suite quick --model model.json --name "Ada"   # your own',
            "npx rethink-bench submit rethink-results/quick-*.dsse.json",
          ]}
        />
        <p>
          Your signing key is created on first use in your config folder: back it up, it is your identity on the board.
          A bundle that cannot be sent waits in a local outbox until <code>npx rethink-bench submit --retry</code>.
        </p>
      </section>
    </Layout>
  );
}
