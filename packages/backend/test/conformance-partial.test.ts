// The suite on a backend that holds fewer dtypes and lacks an op: the op is skipped with its
// reason in the title (never silently), and only float32/int32/bool cases run.
import type { TypedArray } from "@tessera/storage";
import type { Backend, KernelTable } from "../src/index.js";
import { createReferenceBackend, describeConformance } from "../src/testing/index.js";

const base = createReferenceBackend("gpu-like");
const { conv2dBackwardWeight: _omitted, ...kernels } = base.kernels;
const gpuLike: Backend<TypedArray> = {
  ...base,
  dtypes: ["float32", "int32", "bool"],
  kernels: kernels as KernelTable<TypedArray>,
};

describeConformance(gpuLike, {
  skip: { conv2dBackwardWeight: "left out on purpose to show how a skip is reported" },
  tolerance: { float32: { rtol: 1e-6, atol: 1e-7 } },
});
