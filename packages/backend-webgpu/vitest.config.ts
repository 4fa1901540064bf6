import { defineConfig } from "vitest/config";

// Resolve workspace packages to their TypeScript sources ("source" export condition),
// so tests never run against a stale build. One Dawn device per test file; files run one
// at a time because SwiftShader (the CPU Vulkan driver CI uses) already uses every core.
export default defineConfig({
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"] } },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
