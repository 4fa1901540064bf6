/**
 * The shared conformance suite of `@tessera/backend/testing`: every catalog op against its
 * reference kernel on contiguous, strided, broadcast and zero-size inputs. The CPU backend
 * skips nothing, with its WebAssembly SIMD kernels and with them turned off.
 */
import { describeConformance } from "@tessera/backend/testing";
import { cpuBackend, createCpuBackend } from "../src/index.js";

describeConformance(cpuBackend, { skip: {} });

// The same suite on the plain TypeScript kernels (WebAssembly SIMD turned off).
describeConformance(createCpuBackend({ name: "cpu-plain", simd: false }), { skip: {} });
