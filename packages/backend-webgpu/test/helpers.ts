/** Helpers shared by the device-level tests. */
import { expect } from "vitest";
import { hasBackend, registerBackend } from "@tessera/backend";
import { cpuBackend } from "@tessera/backend-cpu";
import type { Tensor } from "@tessera/autograd";

if (!hasBackend("cpu")) registerBackend(cpuBackend);

/** The values of `t` (any device) as plain numbers, row-major. */
export async function values(t: Tensor): Promise<number[]> {
  return Array.from(await t.data(), Number);
}

/** Asserts two arrays agree elementwise within `|a − e| ≤ atol + rtol·|e|`. */
export function expectClose(actual: readonly number[], expected: readonly number[], what: string, rtol = 1e-4, atol = 1e-5): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e)) {
      expect(a, `${what}[${i}]`).toBeNaN();
      continue;
    }
    const ok = a === e || Math.abs(a - e) <= atol + rtol * Math.abs(e);
    if (!ok) expect.fail(`${what}[${i}]: expected ${e}, got ${a} (webgpu vs cpu)`);
  }
}

/** Deterministic values in about [-2, 2] (not multiples of a power of two, so sums round). */
export function wavy(n: number, seed = 1): number[] {
  return Array.from({ length: n }, (_, i) => Math.sin(1.7 * (i + 1) * seed + 0.3 * seed) * 2);
}
