import { defineConfig } from "vitest/config";

// Three projects: `unit` (beside the source; no system packages, no servers, about a minute),
// `integration` (real Postgres, workerd, worker threads, datasets from Debian) and `e2e` (the
// CLI and Chromium). `npm run test:unit` is the fast loop; `npm test` runs all three.
export default defineConfig({
  test: {
    // Integration and end-to-end tests start real servers and train real models on two CI
    // cores, possibly beside other work: give them room, and never run two heavy files at once.
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: "forks",
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ["{schema,runner,api,web}/**/*.test.ts", "tests/boundaries.test.ts"] },
      },
      { extends: true, test: { name: "integration", include: ["tests/integration/**/*.test.ts"] } },
      { extends: true, test: { name: "e2e", include: ["tests/e2e/**/*.test.ts"] } },
    ],
  },
});
