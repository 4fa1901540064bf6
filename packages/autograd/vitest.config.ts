import { defineConfig } from "vitest/config";

// Resolve workspace packages to their TypeScript sources ("source" export condition), and
// register the CPU backend before every test file (autograd itself depends on no backend).
export default defineConfig({
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"] } },
  test: { include: ["test/**/*.test.ts"], testTimeout: 60_000, setupFiles: ["test/setup.ts"] },
});
