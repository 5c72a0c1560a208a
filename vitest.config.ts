import { defineConfig } from "vitest/config";

// Three projects: `unit` (beside the source; no system packages, no servers, about a minute),
// `integration` (real Postgres, workerd, worker threads, datasets from Debian) and `e2e` (the
// CLI and Chromium). `npm run test:unit` is the fast loop; `npm test` runs all three.
export default defineConfig({
  test: {
    pool: "forks",
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["{schema,runner,api,web,scripts}/**/*.test.ts", "tests/boundaries.test.ts"],
          testTimeout: 60_000,
        },
      },
      // These start real servers and train real models on two cores, possibly beside other
      // work (CI at a load average of 10 stretched minute-long tests past five). Their waits end
      // on readiness; the budgets below only bound a hang. Every process they start is killed
      // when its file ends (tests/fixtures/processes.ts). What several files need alike is made
      // once per run in a shared folder (tests/fixtures/shared-dir.ts, smoke-run.ts).
      {
        extends: true,
        test: {
          name: "integration",
          include: ["tests/integration/**/*.test.ts"],
          testTimeout: 600_000,
          hookTimeout: 600_000,
          setupFiles: ["tests/fixtures/setup-processes.ts"],
          globalSetup: ["tests/fixtures/shared-dir.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          include: ["tests/e2e/**/*.test.ts"],
          testTimeout: 900_000,
          hookTimeout: 600_000,
          setupFiles: ["tests/fixtures/setup-processes.ts"],
          globalSetup: ["tests/fixtures/shared-dir.ts"],
        },
      },
    ],
  },
});
