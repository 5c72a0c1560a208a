// The board's SQL quartiles (api/db/queries/spread.ts) against schema's censoredQuartiles on the
// same data, in a real Postgres (PGlite): medians over runs mean the same on every page.
import { type SQL, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { censoredQuartilesSql, finiteOrNull } from "../../api/db/queries/spread.js";
import { censoredQuartiles } from "../../schema/index.js";
import { usePgliteApp } from "../fixtures/pglite.js";

const pg = usePgliteApp();

/** Every run's figure, censored runs as null: sizes 1 to 6, ties, and 0 to all censored. */
function cases(): (number | null)[][] {
  const pool = [7, 3, 3, 12.5, 1, 40];
  const out: (number | null)[][] = [];
  for (let n = 1; n <= pool.length; n++)
    for (let censored = 0; censored <= n; censored++)
      out.push([...pool.slice(0, n - censored), ...Array<null>(censored).fill(null)]);
  return out;
}

async function sqlQuartiles(values: readonly (number | null)[]): Promise<(number | null)[]> {
  const rows = sql.join(
    values.map((v) => sql`(${v}::float8)`),
    sql`, `,
  );
  const quartiles: SQL = censoredQuartilesSql(sql`v`);
  const result = await pg.handle.db.execute(sql`select ${quartiles} as q from (values ${rows}) as t(v)`);
  const q = (result as unknown as { rows: { q: number[] }[] }).rows[0]!.q;
  return q.map(finiteOrNull);
}

describe("censored quartiles: SQL and schema agree", () => {
  it("on every case, with +∞ and NaN both read as censored", async () => {
    const all = cases();
    expect(all.length).toBe(27);
    for (const values of all) {
      const js = censoredQuartiles(values)!;
      expect(await sqlQuartiles(values), JSON.stringify(values)).toEqual([js.q1, js.median, js.q3].map(finiteOrNull));
    }
  });

  it("has censored cases on both sides of the middle (the test can tell them apart)", async () => {
    expect(await sqlQuartiles([1, 2, null, null])).toEqual([1.75, null, null]);
    expect(await sqlQuartiles([1, 2, 3, null])).toEqual([1.75, 2.5, null]);
  });
});
