/** @jsxImportSource hono/jsx */
// The protocol (`/protocol`): what is measured and how it is ranked, in plain words, with
// every suite rendered from its definition in schema/suites (the data the runner and the
// server use), so the page cannot drift from what is run.
import { type Condition, MIN_SEEDS_FOR_RANK, type Suite } from "../../schema/index.js";
import type { AssetManifest } from "../assets.js";
import { Layout } from "../components/layout.js";
import { Commands } from "../components/parts.js";
import { corruptionName, formatInteger, formatThreshold } from "../format.js";
import { leaderboardHref } from "../urls.js";

export interface ProtocolPageProps {
  suites: { suite: Suite; digest: string }[];
  assets: AssetManifest | undefined;
}

function regularizerWords(condition: Condition): string {
  const r = condition.regularizer;
  if (r.name === "none") return "none";
  const parts = [
    r.weightDecay > 0 && `weight decay ${r.weightDecay}`,
    r.augmentation !== "none" && (r.augmentation === "crop" ? "random crops" : "random crops and flips"),
    r.dropout > 0 && `dropout ${r.dropout}`,
    r.batchNorm !== "default" && `batch norm ${r.batchNorm}`,
    r.earlyStoppingPatience !== null && `early stopping after ${r.earlyStoppingPatience} epochs without improvement`,
  ].filter(Boolean);
  return `${r.name}: ${parts.join(", ")}`;
}

function SuiteSection(props: { suite: Suite; digest: string }) {
  const { suite } = props;
  const o = suite.optimizer;
  const runsPerDataset =
    suite.architectures.reduce(
      (n, a) => n + suite.conditions.filter((c) => !c.architectures || c.architectures.includes(a.id)).length,
      0,
    ) * suite.seeds.length;
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
                <a
                  href={leaderboardHref({
                    suite: suite.id,
                    version: suite.version,
                    dataset: d.id,
                    rank: "memorization",
                    backend: null,
                    page: 1,
                  })}
                >
                  {d.id}
                </a>
                : {formatInteger(d.trainSize)} training and {formatInteger(d.testSize)} test images
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

/** The page's sections, in order: anchor and title. */
const CONTENTS: [string, string][] = [
  ["corruptions", "Randomization tests"],
  ["metrics", "Metrics"],
  ["ranking", "Ranking"],
  ["verification", "Signed bundles"],
  ["suites", "Suites"],
  ["submit", "Taking part"],
];

export function ProtocolPage(props: ProtocolPageProps) {
  return (
    <Layout
      title="Protocol"
      description="How rethink-bench measures memorization and generalization: the randomization tests, the metrics, the ranking, signed bundles and the suites."
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

      <section id="metrics" aria-labelledby="metrics-heading">
        <h2 id="metrics-heading">Metrics</h2>
        <dl class="defs">
          <div id="steps-to-fit">
            <dt>Steps and epochs to fit</dt>
            <dd>
              The SGD steps (and epochs) until training accuracy first reaches the suite's fit threshold, by default
              100%: every training label predicted correctly. A run whose epoch budget runs out first is{" "}
              <em>censored</em>: it counts as slower than any run that fitted.
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
              Training accuracy minus test accuracy at the end of training on true labels, in percentage points. Small
              is good.
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
              Seconds of training, evaluation excluded, with the backend and hardware that produced them. Machines
              differ, so wall time is shown but never used to rank.
            </dd>
          </div>
        </dl>
      </section>

      <section id="ranking" aria-labelledby="ranking-heading">
        <h2 id="ranking-heading">Ranking</h2>
        <p>
          A board is one suite version and one dataset: results of different suites or versions are never compared. Over
          the runs of every visible submission, each architecture gets two ranks:
        </p>
        <ol>
          <li>
            <strong>Memorization speed</strong>: the median steps to fit random labels (no regularizer), fewest first.
            The median counts censored runs as infinitely slow; an architecture with at least half its runs censored
            ranks after every one that fitted.
          </li>
          <li>
            <strong>Generalization gap</strong>: the median gap on true labels (no regularizer), smallest first.
          </li>
        </ol>
        <p>
          Medians come with their interquartile range over all seeds and submissions. Equal figures share a rank.{" "}
          <span id="provisional">
            A figure resting on fewer than {MIN_SEEDS_FOR_RANK} distinct seeds is marked{" "}
            <span class="badge">prov.</span>, provisional.
          </span>{" "}
          <span id="submissions">
            Each row says how many submissions and how many distinct signing keys stand behind it: a result reproduced
            by several people is worth more than one.
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
        <p>
          The server checks the signature and the schema, recomputes every derived figure from the curves and refuses a
          bundle whose claims differ, then ranks only what it recomputed. A signature proves who submitted and that
          nothing changed since; it cannot prove the training happened, which is why the board shows how many
          independent keys reproduced each result. Every submission page links its bundle;{" "}
          <code>npx rethink-bench verify FILE</code> repeats the server's checks, and any Ed25519 implementation can
          check the signature.
        </p>
      </section>

      <section id="suites" aria-labelledby="suites-heading">
        <h2 id="suites-heading">Suites</h2>
        <p>
          A suite fixes everything about a benchmark: datasets and sizes, architectures, conditions, seeds, optimizer,
          epoch budget and fit threshold. Any change makes a new version with a new digest; a bundle must carry the
          exact definition the server knows.
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
