// What a server works out about a verified result instead of believing it, as one function that
// the API's verification and `rethink-bench verify` share: the architectures' identities, kinds
// and sizes; the suite's seeds, conditions and stopping rule; the pinned dataset files; and each
// run's final accuracies, re-scored from its predictions against labels derived here.

import type { ResultPredicate, Suite } from "./contract/index.js";
import { type DatasetRegistry, defaultDatasetRegistry } from "./datasets/registry.js";
import { checkProtocol } from "./protocol-checks.js";
import { scoreRuns, unscorableDatasets } from "./scoring.js";
import type { PathError } from "./signed-statement.js";
import { checkArchitectures } from "./topology/architectures.js";

/** Why a result fails the audit, in the order the checks run. */
export type AuditCode = "wrong-architecture" | "protocol-violation" | "unscorable-dataset" | "wrong-score";

export interface AuditFailure {
  code: AuditCode;
  errors: PathError[];
}

/**
 * The first check a result fails, with every error that check found; null when it passes them
 * all. `suite` is the definition the result must follow (a server's known suite, whose digest the
 * caller has compared); `datasets` says which files are pinned and which labels score the runs.
 *
 * @example
 * const failure = auditResult(opened.statement.predicate, findSuite("smoke", 3)!);
 * if (failure) console.error(failure.code, failure.errors[0]?.message);
 */
export function auditResult(
  predicate: ResultPredicate,
  suite: Suite,
  datasets: DatasetRegistry = defaultDatasetRegistry(),
): AuditFailure | null {
  const checks: [AuditCode, () => PathError[]][] = [
    ["wrong-architecture", () => checkArchitectures(predicate)],
    ["protocol-violation", () => checkProtocol(predicate, suite)],
    ["unscorable-dataset", () => unscorableDatasets(predicate, datasets)],
    ["wrong-score", () => scoreRuns(predicate, datasets)],
  ];
  for (const [code, check] of checks) {
    const errors = check();
    if (errors.length > 0) return { code, errors };
  }
  return null;
}
