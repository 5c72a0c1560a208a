// `npm run db:migrate`: brings the database at $DATABASE_URL up to date exactly as opening it
// does (api/db/open.ts): the SQL migrations, then the board's stored aggregates, rebuilt from the
// runs when the code computes them differently from the version that built them.
//
//   DATABASE_URL=postgres://… npm run db:migrate
import { openDatabase } from "../api/db/open.js";
import { throttledProgress } from "./serve-database.js";

/** How often a rebuild's progress is printed. */
const PRINT_EVERY_MS = 3000;

const url = process.env.DATABASE_URL;
if (!url) {
  console.error(
    "db:migrate needs $DATABASE_URL (postgres://user:password@host:port/db): the database to bring up to date",
  );
  process.exit(2);
}
const started = performance.now();
// A rebuild of 10^6 runs takes minutes: say how far it is every few seconds.
const progress = throttledProgress((line) => console.log(`rebuilding the board aggregates: ${line}`), PRINT_EVERY_MS);
const handle = await openDatabase({ driver: "postgres", url }, { onRebuildProgress: progress.report });
progress.flush();
await handle.close();
const seconds = (performance.now() - started) / 1000;
console.log(`[✓] migrations applied successfully; board aggregates current (${seconds.toFixed(1)} s)`);
