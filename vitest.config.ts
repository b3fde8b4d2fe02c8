import { defineConfig } from "vitest/config";
import tsconfigPaths from "vite-tsconfig-paths";

export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    include: ["test/unit/**/*.test.ts", "test/integration/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    pool: "forks",
    // Two files at a time even on two cores: much of a file's time is spent waiting on its server's sockets.
    maxWorkers: 2,
    minWorkers: 1,
    // A fork runs file after file, loading the server build and the models once instead of per file (half
    // the run's CPU). This holds because a file keeps its state in the server it starts and closes, and
    // leaves no globals, mocks or environment changes behind.
    isolate: false,
    // Generous: a machine busy with other work makes a test slower, not red.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    setupFiles: ["test/support/template-env.ts", "test/support/fail-on-console-error.ts"],
  },
});
