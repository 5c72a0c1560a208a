// `npm run db:rebuild-aggregates`: rebuilds the board's stored aggregates (board_rows,
// board_totals, boards) from the visible runs, whatever version built them, printing progress
// and the time it took. Readers keep the old rows until it commits; writers wait for it.
//
//   npm run db:rebuild-aggregates [-- --data DIR]
//
// The database is the one `db:migrate` and `serve` use: $DATABASE_URL when set, else the
// embedded PGlite data dir (--data, or `leaderboard/` under the user's data dir, as `serve`).
// Stop a `serve` on the same PGlite dir first: one process at a time may open it.
import { parseArgs } from "node:util";
import { rebuildBoardRows } from "../api/db/queries/board-rows.js";
import { openServeDatabase, throttledProgress } from "./serve-database.js";

/** How often progress is printed. */
const PRINT_EVERY_MS = 3000;

const { values: flags } = parseArgs({ options: { data: { type: "string" } } });

const { handle, where } = await openServeDatabase(flags.data);
try {
  console.log(`Rebuilding the board aggregates of ${where}…`);
  const started = performance.now();
  const progress = throttledProgress((line) => console.log(`  ${line}`), PRINT_EVERY_MS);
  await rebuildBoardRows(handle.db, progress.report);
  progress.flush();
  console.log(`Rebuilt in ${((performance.now() - started) / 1000).toFixed(1)} s`);
} finally {
  await handle.close();
}
