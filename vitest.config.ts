import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "@": fileURLToPath(new URL("./", import.meta.url)),
      // Next resolves `server-only` to a no-op on the server; tests run server code, so they do the same.
      "server-only": fileURLToPath(new URL("./tests/empty-module.ts", import.meta.url)),
    },
  },
  test: {
    include: ["{lib,simulator,app,scripts,components,i18n,bench}/**/*.test.ts", "tests/**/*.test.ts"],
    globalSetup: ["./tests/global-setup.ts"],
    testTimeout: 30_000,
    env: { LOG_LEVEL: "silent" },
    hookTimeout: 60_000,
  },
});
