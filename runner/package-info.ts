// The package's own version, read from package.json wherever the code runs from (src or dist).
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function findPackageJson(): { name: string; version: string } {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name: string; version: string };
      if (pkg.name === "rethink-bench") return pkg;
    } catch {
      // No package.json here: keep walking up.
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error("rethink-bench's package.json not found above " + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

export const RUNNER_VERSION = findPackageJson().version;
