// Where the SQL migrations that drizzle-kit generated live, from source or from dist/.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** schema/migrations of this package: the first one found walking up from this module. */
export function migrationsFolder(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, "schema", "migrations");
    if (existsSync(join(candidate, "meta", "_journal.json"))) return candidate;
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error(`schema/migrations not found above ${fileURLToPath(import.meta.url)}: the package is incomplete`);
    dir = parent;
  }
}
