// `npm run db:rebuild-aggregates`: rebuilds the board's stored aggregates (board_rows,
// board_totals, boards) from the visible runs, whatever version built them, printing progress
// and the time it took. Readers keep the old rows until it commits; writers wait for it.
//
//   npm run db:rebuild-aggregates [-- --data DIR]
//
// The database is the one `db:migrate` and `serve` use: $DATABASE_URL when set, else the
// embedded PGlite data dir (--data, or `leaderboard/` under the user's data dir, as `serve`).
// Stop a `serve` on the same PGlite dir first: one process at a time may open it.
import { join } from "node:path";
import { parseArgs } from "node:util";
import { openDatabase } from "../api/db/open.js";
import { rebuildBoardRows } from "../api/db/queries/board-rows.js";
import { dataDir } from "../runner/paths.js";

/** How often progress is printed. */
const PRINT_EVERY_MS = 3000;

const { values: flags } = parseArgs({ options: { data: { type: "string" } } });

const url = process.env.DATABASE_URL;
if (url && flags.data) throw new Error("give either $DATABASE_URL or --data, not both");
const pgliteDir = flags.data ?? join(dataDir(), "leaderboard");
const where = url ? "$DATABASE_URL" : `PGlite in ${pgliteDir}`;
const handle = await openDatabase(url ? { driver: "postgres", url } : { driver: "pglite", dataDir: pgliteDir });
try {
  console.log(`Rebuilding the board aggregates of ${where}…`);
  const started = performance.now();
  // A line per batch is hundreds at 10^6 runs: print one every few seconds, and the last.
  let printed = 0;
  let last = "";
  await rebuildBoardRows(handle.db, (line) => {
    last = line;
    if (performance.now() - printed < PRINT_EVERY_MS) return;
    printed = performance.now();
    last = "";
    console.log(`  ${line}`);
  });
  if (last) console.log(`  ${last}`);
  console.log(`Rebuilt in ${((performance.now() - started) / 1000).toFixed(1)} s`);
} finally {
  await handle.close();
}
