// Slots: a result's place on the board. A slot is (architecture fingerprint, task, seed), the
// task being suite id and version, dataset, corruption and regularizer; its first accepted
// visible result stands, and each later one confirms, contests or replicates it (DESIGN §5).
import { corruptionLabel, type EpochPoint, type Predictions, type RunMeasures, type Task } from "./contract/index.js";
import { canonicalDigest } from "./digest.js";

/**
 * The key of a run's slot, the same string wherever a slot is named (the migration that
 * backfilled older rows writes it in SQL the same way).
 *
 * @example
 * slotKey("3f2a…", task) // "3f2a…/smoke@1/mnist-10k/random/none/seed-0"
 */
export function slotKey(fingerprint: string, task: Task): string {
  return [
    fingerprint,
    `${task.suite.id}@${task.suite.version}`,
    task.dataset.id,
    corruptionLabel(task.corruption),
    task.regularizer.name,
    `seed-${task.seed}`,
  ].join("/");
}

/** What a run measured, as `outcomeDigest` reads it. */
export interface RunOutcome {
  status: "ok" | "failed";
  curve: readonly EpochPoint[];
  predictions: Predictions | null;
  measures?: RunMeasures | undefined;
}

/**
 * SHA-256 (hex) of what a run measured, wall times aside: its status, every curve value but
 * `wallSeconds`, its predictions and, when it has them, its complexity measures but their cost
 * in seconds (absent from runs without measures, whose digests stay what they were). Two runs with the same digest on the same backend are
 * the same result (a confirmation); wall times differ between any two machines.
 *
 * @example
 * await outcomeDigest({ status: "ok", curve, predictions }) // "9c1e…" (64 hex digits)
 */
export function outcomeDigest(run: RunOutcome): Promise<string> {
  const curve = run.curve.map(({ wallSeconds: _wallSeconds, ...measured }) => measured);
  const measured = { status: run.status, curve, predictions: run.predictions };
  if (!run.measures) return canonicalDigest(measured);
  const { seconds: _seconds, ...measures } = run.measures;
  return canonicalDigest({ ...measured, measures });
}
