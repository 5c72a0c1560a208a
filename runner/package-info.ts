// Facts from the package's own package.json (version, default leaderboard URL), found
// wherever the code runs from (src or dist).
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

interface PackageJson {
  name: string;
  version: string;
  config?: { apiUrl?: string };
}

function findPackageJson(): PackageJson {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as PackageJson;
      if (pkg.name === "rethink-bench") return pkg;
    } catch {
      // No package.json here: keep walking up.
    }
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error(`rethink-bench's package.json not found above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

const pkg = findPackageJson();

export const RUNNER_VERSION = pkg.version;

/** The public leaderboard that `submit` talks to unless --api or RETHINK_BENCH_API says otherwise. */
export const DEFAULT_API_URL = pkg.config?.apiUrl ?? "https://rethink-bench.org";
