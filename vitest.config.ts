import { defineConfig } from "vitest/config";

// One runner for every package. Real-peer tests (sipp, baresip, Chromium, Postgres,
// Redis) live beside the unit tests; each opens its own ports (port 0) so files can
// run in parallel on the two cores we have.
export default defineConfig({
  test: {
    include: [
      "packages/*/src/**/*.test.ts",
      "packages/*/src/**/*.test.tsx",
      "packages/*/test/**/*.test.ts",
      "tests/**/*.test.ts",
    ],
    exclude: ["**/node_modules/**", "**/dist/**"],
    testTimeout: 20_000,
    hookTimeout: 90_000,
    pool: "forks",
    maxWorkers: 2,
  },
});
