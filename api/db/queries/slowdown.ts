// The slowdown (steps to fit a corrupted task over steps to fit true labels, per seed) as SQL:
// each run joined to its standing true-label sibling, and the censored quartiles of the ratio.
// The leaderboard's rows and an architecture's conditions both read it.
import { and, eq, type SQL, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { runs } from "../../../schema/index.js";
import { censoredQuartilesSql, STANDING } from "./spread.js";

/** The standing true-label run of the same architecture, suite, dataset, regularizer and seed. */
export const trueLabelSibling = alias(runs, "true_label_sibling");

/**
 * Joins each corrupted run to its standing true-label sibling (at most one: one standing run per
 * slot), for `slowdownSql`. True-label runs join nothing.
 */
export const SIBLING_JOIN = and(
  eq(trueLabelSibling.slotRole, "standing"),
  eq(trueLabelSibling.corruptionKind, "true"),
  sql`${runs.corruptionKind} <> 'true'`,
  eq(trueLabelSibling.architectureFingerprint, runs.architectureFingerprint),
  eq(trueLabelSibling.suiteId, runs.suiteId),
  eq(trueLabelSibling.suiteVersion, runs.suiteVersion),
  eq(trueLabelSibling.datasetId, runs.datasetId),
  eq(trueLabelSibling.regularizer, runs.regularizer),
  eq(trueLabelSibling.seed, runs.seed),
)!;

/**
 * The censored quartiles of the slowdown over the standing runs `where` selects (joined by
 * SIBLING_JOIN): per seed, steps to fit over the true-label sibling's; a run that never fitted or
 * failed is +∞ beside a fitted sibling; a seed whose sibling did not fit (or has none) has no slowdown.
 */
export function slowdownSql(where: SQL): SQL<number[] | null> {
  const ratio = sql`${runs.stepsToFit}::float8 / ${trueLabelSibling.stepsToFit}`;
  const defined = and(STANDING, where, sql`${trueLabelSibling.stepsToFit} is not null`);
  return sql<number[] | null>`${censoredQuartilesSql(ratio)} filter (where ${defined})`;
}
