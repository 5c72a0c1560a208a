// The checks `.ci/run` repeats on each supported Node.js line (scripts/node-lines.sh): the
// newcomer's smoke path on this Node, and the comparison of every line's bundle. Kept out of
// vitest.config.ts's projects so that `npm test` does not run the smoke suite a second time.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    root: new URL("../..", import.meta.url).pathname,
    include: ["tests/node-lines/**/*.test.ts"],
    pool: "forks",
    maxWorkers: 1,
    testTimeout: 600_000,
    hookTimeout: 600_000,
    setupFiles: ["tests/fixtures/setup-processes.ts"],
  },
});
