import { defineConfig } from "vitest/config";

// Resolve workspace packages to their TypeScript sources ("source" export condition),
// so tests never run against a stale build.
export default defineConfig({
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"] } },
  test: { include: ["test/**/*.test.ts"], testTimeout: 60_000, setupFiles: ["test/setup.ts"] },
});
