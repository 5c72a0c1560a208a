// The SQL behind a Spread: quartiles of a metric over runs, with censored runs (null: never
// fitted) counted as +∞, the way the leaderboard ranks them (docs/api.md, "Ranking"); plus
// run, censored and seed counts.
import { type AnyColumn, type SQL, sql } from "drizzle-orm";
import { MIN_SEEDS_FOR_RANK, runs, type Spread } from "../../../schema/index.js";

type SpreadQuartiles<P extends string> = Record<`${P}Quartiles`, number[] | null>;
type SpreadCounts<P extends string> = Record<`${P}Runs` | `${P}Censored` | `${P}Seeds`, number>;
/** A row's four columns from `spreadColumns(prefix, …)`. */
type SpreadRow<P extends string> = SpreadQuartiles<P> & SpreadCounts<P>;

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
 * Four aggregate columns named `<prefix>Quartiles`, `<prefix>Runs`, `<prefix>Censored` and
 * `<prefix>Seeds`, over the runs that `where` selects, to use in a grouped select.
 */
export function spreadColumns<P extends string>(prefix: P, value: AnyColumn | SQL, where: SQL) {
  const quartiles = censoredQuartilesSql(value);
  return {
    [`${prefix}Quartiles`]: sql<number[] | null>`${quartiles} filter (where ${where})`.as(`${prefix}_quartiles`),
    [`${prefix}Runs`]: sql<number>`(count(*) filter (where ${where}))::int`.as(`${prefix}_runs`),
    [`${prefix}Censored`]: sql<number>`(count(*) filter (where ${where} and ${value} is null))::int`.as(
      `${prefix}_censored`,
    ),
    [`${prefix}Seeds`]: sql<number>`(count(distinct ${runs.seed}) filter (where ${where}))::int`.as(`${prefix}_seeds`),
  } as { [K in keyof SpreadRow<P>]: SQL.Aliased<SpreadRow<P>[K]> };
}

/** The median of a column over the runs `where` selects (null when none), to use in a grouped select. */
export function medianOf(value: AnyColumn, where: SQL): SQL<number | null> {
  return sql<number | null>`percentile_cont(0.5) within group (order by ${value}) filter (where ${where})`;
}

/** A median or quartile that is a number; +∞ and NaN (interpolated between two +∞) are censored. */
export function finiteOrNull(value: number | null | undefined): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/** The Spread of a row that selected `spreadColumns(prefix, …)`. */
export function spreadOf<P extends string>(row: SpreadRow<P>, prefix: P): Spread {
  // Read through each half of the row: TypeScript cannot index the intersection with a generic key.
  const quartiles: SpreadQuartiles<P> = row;
  const counts: SpreadCounts<P> = row;
  return toSpread(
    quartiles[`${prefix}Quartiles`],
    counts[`${prefix}Runs`],
    counts[`${prefix}Censored`],
    counts[`${prefix}Seeds`],
  );
}

function toSpread(quartiles: number[] | null, runCount: number, censored: number, seeds: number): Spread {
  return {
    q1: finiteOrNull(quartiles?.[0]),
    median: finiteOrNull(quartiles?.[1]),
    q3: finiteOrNull(quartiles?.[2]),
    runs: runCount,
    censoredRuns: censored,
    seeds,
    provisional: seeds < MIN_SEEDS_FOR_RANK,
  };
}

/** The Spread of no runs, for a metric that does not apply. */
export const NO_RUNS: Spread = toSpread(null, 0, 0, 0);
