/**
 * The CPU kernel table: one entry per catalog op, grouped by family in the files beside this
 * one. The table's type makes the compiler check that every catalog op has a kernel and that
 * each kernel's attributes match the op's schema.
 */
import type { TypedArray } from "@tessera/storage";
import type { KernelTable } from "@tessera/backend";
import { binaryKernels, otherElementwiseKernels, unaryKernels } from "./elementwise.js";
import { reductionKernels } from "./reduction.js";
import { matmulKernels } from "./matmul.js";
import { indexingKernels } from "./indexing.js";
import { randomKernels } from "./random.js";
import { convKernels } from "./conv.js";
import { poolKernels } from "./pool.js";
import { optimKernels } from "./optim.js";

/**
 * Every CPU kernel, keyed by catalog op name. Kernels read any strided input layout (including
 * stride-0 broadcast dims) and write the outputs' layouts (strided views for ops whose schema
 * has `stridedOutput`).
 *
 * @example
 * import { cpuKernels } from "./kernels/index.js";
 * cpuKernels.add([a, b], [out], {});
 */
export const cpuKernels: Required<KernelTable<TypedArray>> = {
  ...unaryKernels,
  ...binaryKernels,
  ...otherElementwiseKernels,
  ...reductionKernels,
  ...matmulKernels,
  ...indexingKernels,
  ...randomKernels,
  ...convKernels,
  ...poolKernels,
  ...optimKernels,
};
