// The database the maintenance scripts (db:recheck, db:rebuild-aggregates) work on: the one
// `db:migrate` and `serve` use, $DATABASE_URL when set, else the embedded PGlite data dir.
import { join } from "node:path";
import type { DatabaseHandle } from "../api/db/client.js";
import { openDatabase } from "../api/db/open.js";
import { dataDir } from "../runner/paths.js";

/**
 * Opens $DATABASE_URL, or PGlite in `dataFlag` (a script's --data) or `leaderboard/` under the
 * user's data dir, as `serve` does; `where` names it for messages.
 *
 * @example
 * const { handle, where } = await openServeDatabase(flags.data)
 */
export async function openServeDatabase(
  dataFlag: string | undefined,
): Promise<{ handle: DatabaseHandle; where: string }> {
  const url = process.env.DATABASE_URL;
  if (url && dataFlag) throw new Error("give either $DATABASE_URL or --data, not both");
  const pgliteDir = dataFlag ?? join(dataDir(), "leaderboard");
  const handle = await openDatabase(url ? { driver: "postgres", url } : { driver: "pglite", dataDir: pgliteDir });
  return { handle, where: url ? "$DATABASE_URL" : `PGlite in ${pgliteDir}` };
}

/**
 * A progress callback that prints at most one line every `everyMs` (a rebuild of 10⁶ runs reports
 * hundreds of batches); `flush` prints the last line if it was held back.
 *
 * @example
 * const progress = throttledProgress((line) => console.log(line), 3000)
 */
export function throttledProgress(print: (line: string) => void, everyMs: number) {
  let printedAt = Number.NEGATIVE_INFINITY;
  let held = "";
  return {
    report(line: string): void {
      held = line;
      if (performance.now() - printedAt < everyMs) return;
      printedAt = performance.now();
      held = "";
      print(line);
    },
    flush(): void {
      if (held) print(held);
      held = "";
    },
  };
}
