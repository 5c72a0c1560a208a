// The suites as data. A result is ranked only with results of the same suite id and version.
import { Suite } from "../contract/index.js";
import { paperSuite } from "./paper.js";
import { quickSuite } from "./quick.js";
import { regularizersSuite } from "./regularizers-suite.js";
import { smokeSuite } from "./smoke.js";
import { standardSuite } from "./standard.js";

export { ALL_CORRUPTIONS } from "./corruptions.js";
export { REGULARIZERS } from "./regularizers.js";

/**
 * Every suite this version of rethink-bench knows, validated once at load.
 *
 * @example
 * SUITES.map((s) => s.id) // ["smoke", "quick", "regularizers", "standard", "paper"]
 */
export const SUITES: readonly Suite[] = [smokeSuite, quickSuite, regularizersSuite, standardSuite, paperSuite].map(
  (suite) => Suite.parse(suite),
);

/** The suite with this id and version; without a version, the newest of that id. Undefined if unknown. */
export function findSuite(id: string, version?: number): Suite | undefined {
  const matching = SUITES.filter((suite) => suite.id === id && (version === undefined || suite.version === version));
  return matching.sort((a, b) => b.version - a.version)[0];
}
