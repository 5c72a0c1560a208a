/** @jsxImportSource hono/jsx */
// The protocol's reproduction part: how a result is trained again and compared with its original
// (exactly on the same engine, within REPRODUCTION_TOLERANCE across engines), what verified,
// confirmed and contested mean, and how long submissions wait for an operator reproducer.
import { REPRODUCTION_TOLERANCE } from "../../../schema/index.js";
import { Commands, Stat, Timestamp } from "../../components/parts.js";
import { formatInteger, formatThreshold, nounFor, plural } from "../../format.js";
import { formatWaited } from "../../reproduction.js";

/** The reproduction queue as the page shows it: `GET /reproductions/queue` without its items. */
export interface QueueSummary {
  /** Submissions with standing results no operator key has given a verdict yet. */
  length: number;
  /** When the oldest of them was received; null when none waits. */
  oldestReceivedAt: string | null;
  /** The server's operator reproducer keys (`REPRODUCER_KEYS`). */
  operatorKeys: number;
}

function Queue(props: { queue: QueueSummary; now: Date }) {
  const { length, oldestReceivedAt, operatorKeys } = props.queue;
  if (operatorKeys === 0) {
    return (
      <p class="note">
        This server has no operator reproducer keys: none of its results is verified, and its board shows every result.
        Anyone's reproductions are still stored and counted as confirmations or contests.
      </p>
    );
  }
  const waited = oldestReceivedAt ? formatWaited(props.now.getTime() - Date.parse(oldestReceivedAt)) : null;
  return (
    <>
      <dl class="stats queue">
        <Stat
          label="Waiting"
          value={formatInteger(length)}
          detail={`${nounFor(length, "submission")} without an operator's verdict`}
        />
        <Stat
          label="Oldest waits"
          value={waited ?? "—"}
          detail={
            oldestReceivedAt ? (
              <>
                since <Timestamp iso={oldestReceivedAt} />
              </>
            ) : (
              "nothing waits"
            )
          }
        />
        <Stat label="Operator keys" value={formatInteger(operatorKeys)} detail="reproducer keys this server names" />
      </dl>
      {length === 0 && <p>No submission waits: an operator reproducer has given a verdict on every standing result.</p>}
    </>
  );
}

/** `now`: the moment the queue's waiting time is measured to. */
export function Reproduction(props: { queue: QueueSummary; now: Date }) {
  const t = REPRODUCTION_TOLERANCE;
  return (
    <section id="reproduction" aria-labelledby="reproduction-heading">
      <h2 id="reproduction-heading">Reproduction</h2>
      {/* biome-ignore format: Biome fills prose to 120 columns without counting the {" "} it adds at a break. */}
      <p>
        A signature proves who sent a result, not that the training happened. Runs are deterministic for a seed and a
        backend, so anyone can settle that by training them again: <code>rethink-bench reproduce</code> fetches a
        submission, verifies it, rebuilds each architecture from its signed topology, reruns its tasks and compares
        them with the original epoch by epoch. It signs the verdicts as a <em>reproduction attestation</em>: an
        in-toto Statement about the original payload's digest, in a DSSE envelope signed with the reproducer's key.
        The server recomputes every verdict against the stored original before it keeps one.
      </p>
      <Commands
        lines={["npx rethink-bench reproduce sub_… --submit"]}
        label="Command to reproduce a submission and send the attestation"
      />
      <dl class="defs">
        <div id="exact">
          <dt>Exact, not reproduced</dt>
          <dd>
            On the same engine (the same bit-for-bit backend, rethink-bench version and TF.js version; for PyTorch on
            CPU also the same torch version, thread count and CPU model) every curve value but wall time, the curve's
            length and both prediction sets must be identical. A run is <em>exact</em> or <em>not reproduced</em>, with
            the first epoch and metric where it departed.
          </dd>
        </div>
        <div id="consistent">
          <dt>Consistent, inconsistent</dt>
          <dd>
            On another engine, or on native TensorFlow or PyTorch on a GPU (neither promises the same bits twice),
            floating-point sums in another order drift apart, so only the ranked figures are compared: epochs to fit
            within {plural(t.epochs, "epoch")} or {formatThreshold(t.relative)} of the smaller count, whichever is
            larger (a run that never fitted counts as one epoch past its budget), and final training and test accuracy
            within {formatInteger(t.accuracy * 100)} percentage points. Never exact.
          </dd>
        </div>
        <div id="confirmed">
          <dt>Confirmed, contested</dt>
          <dd>
            An exact reproduction by a key other than the submitter's <em>confirms</em> the standing results it covers;
            a not reproduced or inconsistent one <em>contests</em> them, and the board flags the row with a link to the
            evidence; a consistent one counts as a replicate. Keys are free to make: these show that someone sent
            matching or differing results, not who they are.
          </dd>
        </div>
        <div id="verified">
          <dt>Verified</dt>
          <dd>
            The server may name <em>operator reproducer</em> keys, run by its operators. A standing result reproduced
            exactly by one of them is verified; a row or submission is <em>verified</em> when all its standing results
            are, <em>partly verified</em> when some are. Where the server has such keys, the board shows verified
            results only unless asked for all. An operator's <em>not reproduced</em> takes the submission off the board
            at once, as a public moderation decision with the reproduction as its evidence, which an administrator can
            reverse.
          </dd>
        </div>
      </dl>
      <h3 id="reproduction-queue">Reproduction queue</h3>
      <p>
        Operator reproducers take the oldest visible submissions whose standing results have no operator verdict yet.
      </p>
      <Queue queue={props.queue} now={props.now} />
    </section>
  );
}
