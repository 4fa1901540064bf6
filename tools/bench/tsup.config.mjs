import { defineConfig } from "tsup";

// Only the tfjs gradient registration is built; the benchmark scripts run as plain .mjs.
export default defineConfig({
  entry: ["src/tfjs-gradients.mjs"],
  format: ["esm"],
  platform: "node",
  target: "node20",
  dts: false,
  clean: true,
});
