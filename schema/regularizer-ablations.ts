// Which regularizer sets a suite trains, in its own order: the rows of an architecture's Table 1
// and the leaderboard's Δ gap strip (one entry per set other than none).
import { NO_REGULARIZER, type Suite } from "./contract/index.js";

/**
 * The names of the regularizer sets a suite's conditions use, each once, in the order the suite
 * first lists them.
 *
 * @example
 * suiteRegularizers(findSuite("paper")!) // ["none", "wd", "crop", "crop+wd", "no-bn"]
 */
export function suiteRegularizers(suite: Pick<Suite, "conditions">): string[] {
  return [...new Set(suite.conditions.map((c) => c.regularizer.name))];
}

/**
 * The regularizer sets a suite ablates: every one but none (all regularizers off), in suite order;
 * empty for a suite of randomization tests only.
 *
 * @example
 * ablatedRegularizers(findSuite("quick")!) // []
 */
export function ablatedRegularizers(suite: Pick<Suite, "conditions">): string[] {
  return suiteRegularizers(suite).filter((name) => name !== NO_REGULARIZER.name);
}
