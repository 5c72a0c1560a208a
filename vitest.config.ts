import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "tests/**/*.test.ts",
      "schema/**/*.test.ts",
      "runner/**/*.test.ts",
      "api/**/*.test.ts",
      "web/**/*.test.ts",
    ],
    // Integration and end-to-end tests start real servers and train real models on
    // two CI cores: give them room, and never run two heavy files at once.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    maxWorkers: 2,
  },
});
