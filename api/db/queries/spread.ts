// The SQL behind a Spread: quartiles of a metric over standing runs, with censored runs (null:
// never fitted) counted as +∞, the way the leaderboard ranks them (docs/api.md, "Ranking"); plus
// run, censored, failed and seed counts. Also the slot counts of a row (SlotCounts).
import { type AnyColumn, and, eq, type SQL, sql } from "drizzle-orm";
import {
  findSuite,
  runs,
  type SlotCounts,
  type SlotRole,
  type Spread,
  type SuiteRef,
  type Verification,
} from "../../../schema/index.js";

type SpreadQuartiles<P extends string> = Record<`${P}Quartiles`, number[] | null>;
type SpreadCounts<P extends string> = Record<`${P}Runs` | `${P}Censored` | `${P}Failed` | `${P}Seeds`, number>;
/** A row's five columns from `spreadColumns(prefix, …)`. */
type SpreadRow<P extends string> = SpreadQuartiles<P> & SpreadCounts<P>;

/** The standing result of each slot: the one run per seed that medians read. */
export const STANDING = eq(runs.slotRole, "standing");
const FAILED = eq(runs.status, "failed");
const OK = eq(runs.status, "ok");

/**
 * Type-7 quartiles of `value` with nulls (censored runs) as +∞, as an ordered-set aggregate:
 * the SQL twin of censoredQuartiles in schema/quantiles.ts (tests/integration/quantiles-sql.test.ts
 * compares them). Between two +∞ Postgres gives NaN where schema gives +∞; finiteOrNull reads
 * both as censored.
 */
export function censoredQuartilesSql(value: AnyColumn | SQL): SQL<number[] | null> {
  const order = sql`order by coalesce(${value}::float8, 'Infinity'::float8)`;
  return sql`percentile_cont(array[0.25, 0.5, 0.75]) within group (${order})`;
}

/**
 * How a figure treats failed runs: `censored` (steps and epochs to fit: a failed run never
 * fitted, +∞) or `excluded` (gap, test error: a figure of the finished training that a failed
 * run does not have; it is counted in `failedRuns` only).
 */
export type FailedRuns = "censored" | "excluded";

/**
 * Five aggregate columns named `<prefix>Quartiles`, `<prefix>Runs`, `<prefix>Censored`,
 * `<prefix>Failed` and `<prefix>Seeds`, over the standing runs that `where` selects, to use in
 * a grouped select.
 */
export function spreadColumns<P extends string>(prefix: P, value: AnyColumn | SQL, where: SQL, failed: FailedRuns) {
  const selected = and(STANDING, where)!;
  const counted = failed === "censored" ? selected : and(selected, OK)!;
  const quartiles = censoredQuartilesSql(value);
  return {
    [`${prefix}Quartiles`]: sql<number[] | null>`${quartiles} filter (where ${counted})`.as(`${prefix}_quartiles`),
    [`${prefix}Runs`]: sql<number>`(count(*) filter (where ${counted}))::int`.as(`${prefix}_runs`),
    [`${prefix}Censored`]: sql<number>`(count(*) filter (where ${counted} and ${value} is null))::int`.as(
      `${prefix}_censored`,
    ),
    [`${prefix}Failed`]: sql<number>`(count(*) filter (where ${selected} and ${FAILED}))::int`.as(`${prefix}_failed`),
    [`${prefix}Seeds`]: sql<number>`(count(distinct ${runs.seed}) filter (where ${counted}))::int`.as(
      `${prefix}_seeds`,
    ),
  } as { [K in keyof SpreadRow<P>]: SQL.Aliased<SpreadRow<P>[K]> };
}

/**
 * The SlotCounts of a group of visible runs, as aggregate columns (`slot…`); read with `slotCountsOf`.
 * `where` narrows them (for instance to the ranked conditions). Reproduction verdicts come from
 * the standing runs' own counters (kept by the transaction that stores a reproduction), so no
 * join over reproductions is needed: an exact one confirms, a negative one contests, a
 * consistent one (another engine) replicates.
 */
export function slotCountColumns(where?: SQL) {
  const within = (condition: SQL) => (where ? and(where, condition)! : condition);
  const count = (condition: SQL, name: string) =>
    sql<number>`(count(*) filter (where ${within(condition)}))::int`.as(name);
  /** Later runs of a role plus the reproduction verdicts `verdicts` adds up on the standing runs. */
  const withVerdicts = (role: SlotRole, verdicts: SQL, name: string) =>
    sql<number>`((count(*) filter (where ${within(eq(runs.slotRole, role))}))
      + coalesce(sum(${verdicts}) filter (where ${within(STANDING)}), 0))::int`.as(name);
  const contesting = sql`${runs.notReproduced} + ${runs.reproducedInconsistent}`;
  const allVerdicts = sql`${runs.reproducedExact} + ${contesting} + ${runs.reproducedConsistent}`;
  return {
    slotSeeds: sql<number>`(count(distinct ${runs.seed}) filter (where ${within(STANDING)}))::int`.as("slot_seeds"),
    slotStanding: count(STANDING, "slot_standing"),
    slotConfirmations: withVerdicts("confirmation", sql`${runs.reproducedExact}`, "slot_confirmations"),
    slotContests: withVerdicts("contest", contesting, "slot_contests"),
    slotReplicates: withVerdicts("replicate", sql`${runs.reproducedConsistent}`, "slot_replicates"),
    slotReproductions: sql<number>`coalesce(sum(${allVerdicts}) filter (where ${within(STANDING)}), 0)::int`.as(
      "slot_reproductions",
    ),
    slotVerified: count(and(STANDING, eq(runs.verified, true))!, "slot_verified"),
    slotFailed: count(and(STANDING, FAILED)!, "slot_failed"),
    slotSubmissions: sql<number>`(count(distinct ${runs.submissionId}) filter (where ${within(sql`true`)}))::int`.as(
      "slot_submissions",
    ),
    slotKeys: sql<number>`(count(distinct ${runs.submitterKeyid}) filter (where ${within(sql`true`)}))::int`.as(
      "slot_keys",
    ),
  };
}

type SlotCountRow = { [K in keyof ReturnType<typeof slotCountColumns>]: number };

/**
 * Whether operator reproducers stand behind a group of standing results: all of them verified,
 * some, or none (also when there are none).
 *
 * @example
 * verificationOf({ standing: 4, verified: 4 }) // "verified"
 */
export function verificationOf(counts: Pick<SlotCounts, "standing" | "verified">): Verification {
  if (counts.standing > 0 && counts.verified >= counts.standing) return "verified";
  return counts.verified > 0 ? "partly" : "unverified";
}

/** The SlotCounts of a row that selected `slotCountColumns()`. */
export function slotCountsOf(row: SlotCountRow): SlotCounts {
  return {
    seeds: row.slotSeeds,
    standing: row.slotStanding,
    confirmations: row.slotConfirmations,
    contests: row.slotContests,
    replicates: row.slotReplicates,
    reproductions: row.slotReproductions,
    verified: row.slotVerified,
    failed: row.slotFailed,
    submissions: row.slotSubmissions,
    keys: row.slotKeys,
  };
}

/**
 * The median of a column over the finished standing runs `where` selects (null when none), to
 * use in a grouped select.
 */
export function medianOf(value: AnyColumn, where: SQL): SQL<number | null> {
  const selected = and(STANDING, OK, where);
  return sql<number | null>`percentile_cont(0.5) within group (order by ${value}) filter (where ${selected})`;
}

/** A median or quartile that is a number; +∞ and NaN (interpolated between two +∞) are censored. */
export function finiteOrNull(value: number | null | undefined): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/**
 * The Spread of a row that selected `spreadColumns(prefix, …)`; provisional while it rests on
 * fewer seeds than `suiteSeeds`, the number of seeds its suite lists.
 */
export function spreadOf<P extends string>(row: SpreadRow<P>, prefix: P, suiteSeeds: number): Spread {
  // Read through each half of the row: TypeScript cannot index the intersection with a generic key.
  const quartiles: SpreadQuartiles<P> = row;
  const counts: SpreadCounts<P> = row;
  const seeds = counts[`${prefix}Seeds`];
  const q = quartiles[`${prefix}Quartiles`];
  return {
    q1: finiteOrNull(q?.[0]),
    median: finiteOrNull(q?.[1]),
    q3: finiteOrNull(q?.[2]),
    runs: counts[`${prefix}Runs`],
    censoredRuns: counts[`${prefix}Censored`],
    failedRuns: counts[`${prefix}Failed`],
    seeds,
    provisional: seeds < suiteSeeds,
  };
}

/**
 * How many seeds a suite lists: a figure on fewer is provisional. The server stores results of
 * the suites it knows only; an unknown one (a suite this build no longer has) stays provisional.
 *
 * @example
 * suiteSeedCount({ id: "paper", version: 1 }) // 3
 */
export function suiteSeedCount(suite: SuiteRef): number {
  return findSuite(suite.id, suite.version)?.seeds.length ?? Number.POSITIVE_INFINITY;
}

/** The Spread of no runs, for a metric that does not apply. */
export const NO_RUNS: Spread = {
  q1: null,
  median: null,
  q3: null,
  runs: 0,
  censoredRuns: 0,
  failedRuns: 0,
  seeds: 0,
  provisional: true,
};
