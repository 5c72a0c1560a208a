// Opens the database for the Node entry: embedded PGlite (a data dir, or in memory) or a
// Postgres server by URL through node-postgres; migrations are applied on open, and the board's
// stored aggregates rebuilt when the code computes them differently from what built them.
import { readFile, rm, writeFile } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import { migrate as migrateNeon } from "drizzle-orm/neon-serverless/migrator";
import { drizzle as drizzleNodePostgres } from "drizzle-orm/node-postgres";
import { migrate as migrateNodePostgres } from "drizzle-orm/node-postgres/migrator";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import pg from "pg";
import type { DatabaseHandle } from "./client.js";
import { migrationsFolder } from "./migrations.js";
import { openNeonDatabase } from "./neon.js";
import { ensureBoardRows, type RebuildProgress } from "./queries/board-rows.js";

export type DatabaseConfig =
  /** Embedded Postgres in this process; no `dataDir` keeps it in memory. */
  | { driver: "pglite"; dataDir?: string }
  /** A Postgres server, `postgres://user:password@host:port/db`. */
  | { driver: "postgres"; url: string }
  /** A Neon database over WebSockets (what the Worker uses), from Node. */
  | { driver: "neon"; url: string };

/**
 * Opens a database and brings its tables up to date: migrations, then the board's aggregates
 * (rebuilt from the runs when BOARD_ROWS_VERSION has moved past the version that built them;
 * `onRebuildProgress` hears a line per batch of that rebuild).
 *
 * @example
 * const { db, close } = await openDatabase({ driver: "pglite", dataDir: "/var/lib/rethink-bench" })
 */
export async function openDatabase(
  config: DatabaseConfig,
  options: { migrate?: boolean; onRebuildProgress?: RebuildProgress } = {},
): Promise<DatabaseHandle> {
  const migrate = options.migrate ?? true;
  const progress = options.onRebuildProgress;
  switch (config.driver) {
    case "pglite": {
      const unlock = config.dataDir ? await lockDataDir(config.dataDir) : async () => undefined;
      let client: PGlite | undefined;
      try {
        client = await PGlite.create(config.dataDir);
        const db = drizzlePglite({ client });
        if (migrate) {
          await migratePglite(db, { migrationsFolder: migrationsFolder() });
          await ensureBoardRows(db, progress);
        }
        const open = client;
        return { db, close: () => open.close().finally(unlock) };
      } catch (error) {
        await client?.close();
        await unlock();
        throw error;
      }
    }
    case "postgres": {
      const pool = new pg.Pool({ connectionString: config.url, max: 10 });
      // A dropped idle connection surfaces on the next query; without a listener the pool's
      // 'error' event would crash the process.
      pool.on("error", () => undefined);
      const db = drizzleNodePostgres({ client: pool });
      try {
        if (migrate) {
          await migrateNodePostgres(db, { migrationsFolder: migrationsFolder() });
          await ensureBoardRows(db, progress);
        }
      } catch (error) {
        await pool.end();
        throw error;
      }
      return { db, close: () => pool.end() };
    }
    case "neon": {
      const handle = openNeonDatabase(config.url);
      try {
        if (migrate) {
          await migrateNeon(handle.db as Parameters<typeof migrateNeon>[0], { migrationsFolder: migrationsFolder() });
          await ensureBoardRows(handle.db, progress);
        }
      } catch (error) {
        await handle.close();
        throw error;
      }
      return handle;
    }
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Claims a PGlite data dir for this process with `<dir>.lock` (holding the pid). PGlite has
 * no lock of its own, and two processes writing one data dir would corrupt it. A lock left
 * by a process that no longer runs is taken over.
 */
async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const lock = `${dataDir.replace(/[/\\]+$/, "")}.lock`;
  for (;;) {
    try {
      await writeFile(lock, String(process.pid), { flag: "wx" });
      return () => rm(lock, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const owner = Number(await readFile(lock, "utf8").catch(() => ""));
    if (owner && isRunning(owner)) {
      throw new Error(`it is in use by process ${owner} (lock file ${lock})`);
    }
    await rm(lock, { force: true });
  }
}
