// Turns finished runs into the signed bundle's predicate.
import { canonicalDigest, deriveRuns, type Environment, type ResultPredicate, type Submitter, type Suite } from "../schema/index.js";
import type { StoredRun } from "./checkpoints.js";

/**
 * The predicate of a bundle: every run (derived metrics recomputed across runs, which
 * pairs each run with its true-label sibling for the slowdown), and each architecture and
 * dataset once.
 */
export async function assemblePredicate(input: { suite: Suite; environment: Environment; submitter: Submitter; runs: readonly StoredRun[]; createdAt: Date }): Promise<ResultPredicate> {
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
