/**
 * The shared conformance suite on a backend with two threads and the threading threshold
 * lowered to one multiply-add, so every float32 matmul and convolution GEMM of the suite runs
 * split across the calling thread and a worker.
 */
import { afterAll, beforeAll, expect } from "vitest";
import { describeConformance } from "@tessera/backend/testing";
import { createCpuBackend } from "../src/index.js";
import { setThreadedGemmMinFlops, threadStats } from "../src/threads/pool.js";

let before = 0;
beforeAll(() => {
  before = setThreadedGemmMinFlops(1);
});
afterAll(() => {
  setThreadedGemmMinFlops(before);
  expect(threadStats().runs, "GEMMs that ran on two threads").toBeGreaterThan(0);
});

const threaded = createCpuBackend({ name: "cpu-threads", threads: 2 });
expect(threaded.threads).toBe(2);
describeConformance(threaded, { skip: {} });
