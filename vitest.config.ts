import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    // Spawned-CLI and training tests are CPU-bound; two workers match the CI machine's two cores.
    maxWorkers: 2,
  },
});
