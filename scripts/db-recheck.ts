// `npm run db:recheck`: verify every visible submission's stored envelope with today's checks
// and hide (with a moderation row naming the failed check) each one that now fails.
//
//   npm run db:recheck [-- --dry-run] [--data DIR]
//
// The database is the one `db:migrate` and `serve` use: $DATABASE_URL when set, else the
// embedded PGlite data dir (--data, or `leaderboard/` under the user's data dir, as `serve`).
// Stop a `serve` on the same PGlite dir first: one process at a time may open it.
import { parseArgs } from "node:util";
import { recheckSubmissions } from "../api/recheck.js";
import { openServeDatabase } from "./serve-database.js";

const { values: flags } = parseArgs({
  options: {
    "dry-run": { type: "boolean", default: false },
    data: { type: "string" },
  },
});

const { handle, where } = await openServeDatabase(flags.data);
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
