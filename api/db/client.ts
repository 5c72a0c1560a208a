// The database as the app sees it: a drizzle Postgres database, the same type whichever
// driver (Neon's WebSocket Pool, PGlite, node-postgres) is underneath.
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";

export type Database = PgDatabase<PgQueryResultHKT>;

/** An open database and how to let go of it (end a pool, close PGlite). */
export interface DatabaseHandle {
  db: Database;
  close(): Promise<void>;
}
