import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  // The declarations use the WebGPU types (GPUDevice, …): point consumers at them.
  dts: { compilerOptions: { customConditions: [] }, banner: '/// <reference types="@webgpu/types" />' },
  sourcemap: true,
  clean: true,
  target: "es2022",
  // Loaded with a dynamic import() only in Node; browsers use navigator.gpu.
  external: ["webgpu"],
});
