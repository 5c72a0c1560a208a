// `npm run db:recheck`: verify every visible submission's stored envelope with today's checks
// and hide (with a moderation row naming the failed check) each one that now fails.
//
//   npm run db:recheck [-- --dry-run] [--data DIR]
//
// The database is the one `db:migrate` and `serve` use: $DATABASE_URL when set, else the
// embedded PGlite data dir (--data, or `leaderboard/` under the user's data dir, as `serve`).
// Stop a `serve` on the same PGlite dir first: one process at a time may open it.
import { join } from "node:path";
import { parseArgs } from "node:util";
import { openDatabase } from "../api/db/open.js";
import { recheckSubmissions } from "../api/recheck.js";
import { dataDir } from "../runner/paths.js";

const { values: flags } = parseArgs({
  options: {
    "dry-run": { type: "boolean", default: false },
    data: { type: "string" },
  },
});

const url = process.env.DATABASE_URL;
if (url && flags.data) throw new Error("give either $DATABASE_URL or --data, not both");
const pgliteDir = flags.data ?? join(dataDir(), "leaderboard");
const where = url ? "$DATABASE_URL" : `PGlite in ${pgliteDir}`;
const handle = await openDatabase(url ? { driver: "postgres", url } : { driver: "pglite", dataDir: pgliteDir });
try {
  const dryRun = flags["dry-run"];
  console.log(`Rechecking the visible submissions of ${where}${dryRun ? " (dry run: nothing is hidden)" : ""}…`);
  const summary = await recheckSubmissions(handle.db, {
    dryRun,
    onChecked: (id, failure) => {
      if (failure) console.log(`${dryRun ? "would hide" : "hidden"}: ${id}: ${failure.code}: ${failure.detail}`);
    },
  });
  console.log(
    `Checked ${summary.checked}: ${summary.passed} pass, ${summary.failed.length} fail` +
      (summary.failed.length ? (dryRun ? " (not hidden: dry run)" : " (hidden, with a moderation row each)") : ""),
  );
} finally {
  await handle.close();
}
