import { defineConfig } from "vitest/config";

// Resolve workspace packages to their TypeScript sources ("source" export condition).
export default defineConfig({
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"] } },
  test: { include: ["test/**/*.test.ts"], testTimeout: 120_000 },
});
