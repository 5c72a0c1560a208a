// Turns finished runs into the signed bundle's predicate, and writes the bundle.
import { createHash } from "node:crypto";
import { join, resolve } from "node:path";
import writeFileAtomic from "write-file-atomic";
import {
  type Architecture,
  canonicalDigest,
  deriveRun,
  deriveRuns,
  type Envelope,
  type Environment,
  encodeClasses,
  type ResultPredicate,
  type RunResult,
  type Signer,
  type Submitter,
  type Suite,
  signResult,
  type Task,
} from "../schema/index.js";
import type { StoredRun } from "./checkpoints.js";
import type { RunOutcome } from "./train/index.js";

/**
 * One run's record from what training (or the kernel's solve) produced. Its derived metrics
 * are the run's alone; `assemblePredicate` recomputes them across the bundle's runs.
 */
export function runResult(task: Task, architecture: Architecture, outcome: RunOutcome): RunResult {
  const { status, failure, curve, predictions, measures } = outcome;
  return {
    task,
    architectureFingerprint: architecture.fingerprint,
    status,
    failure,
    curve,
    derived: deriveRun({ task, status, curve }, null),
    predictions: predictions && { train: encodeClasses(predictions.train), test: encodeClasses(predictions.test) },
    // The architecture's count (its topology's, without regularizer layers such as batch norm) is
    // the one the server checks and the board compares across a run's regularizers.
    ...(measures && { measures: { ...measures, parameterCount: architecture.parameterCount } }),
  };
}

/**
 * The predicate of a bundle: every run (derived metrics recomputed across runs, which
 * pairs each run with its true-label sibling for the slowdown), and each architecture and
 * dataset once.
 */
export async function assemblePredicate(input: {
  suite: Suite;
  environment: Environment;
  submitter: Submitter;
  runs: readonly StoredRun[];
  createdAt: Date;
}): Promise<ResultPredicate> {
  const runs = input.runs.map((stored) => stored.run);
  const derived = deriveRuns(runs);
  const architectures = new Map(input.runs.map((stored) => [stored.architecture.fingerprint, stored.architecture]));
  const datasets = new Map(input.runs.map((stored) => [stored.dataset.id, stored.dataset]));
  return {
    suite: input.suite,
    suiteDigest: await canonicalDigest(input.suite),
    environment: input.environment,
    submitter: input.submitter,
    architectures: [...architectures.values()],
    datasets: [...datasets.values()],
    runs: runs.map((run, i) => ({ ...run, derived: derived[i]! })),
    createdAt: input.createdAt.toISOString(),
  };
}

/**
 * Signs the runs into a bundle and writes it atomically to `<out>/<stem>-<payload digest>.dsse.json`;
 * `name` is the submitter's display name, if any. `check`, when given, sees the signed envelope
 * first (`tasks import` audits it as the server would): if it throws, nothing is written.
 */
export async function writeSignedBundle(input: {
  suite: Suite;
  environment: Environment;
  signer: Signer;
  name?: string;
  runs: readonly StoredRun[];
  out: string;
  stem: string;
  check?: (envelope: Envelope) => Promise<void>;
}): Promise<{ bundlePath: string; predicate: ResultPredicate }> {
  const { signer } = input;
  const predicate = await assemblePredicate({
    suite: input.suite,
    environment: input.environment,
    submitter: { publicKey: signer.publicKey, keyid: signer.keyid, ...(input.name ? { name: input.name } : {}) },
    runs: input.runs,
    createdAt: new Date(),
  });
  const envelope = await signResult(predicate, signer);
  await input.check?.(envelope);
  const payloadDigest = createHash("sha256").update(Buffer.from(envelope.payload, "base64")).digest("hex");
  const bundlePath = join(resolve(input.out), `${input.stem}-${payloadDigest.slice(0, 12)}.dsse.json`);
  await writeFileAtomic(bundlePath, `${JSON.stringify(envelope)}\n`);
  return { bundlePath, predicate };
}
