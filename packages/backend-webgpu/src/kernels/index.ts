/**
 * The WebGPU kernel table: one entry per catalog op, built for one runtime (device). Every
 * kernel but `adamStep` is wrapped by `guardAliasing`, so in-place ops whose input shares the
 * output's buffer read a snapshot of it (`adamStep` handles that itself, without copies for
 * the optimizer's in-place call).
 */
import type { OpName } from "@tessera/kernels";
import type { KernelTable } from "@tessera/backend";
import type { WebGPUBuffer } from "../buffer-pool.js";
import type { Runtime } from "../runtime.js";
import { guardAliasing } from "./common.js";
import { elementwiseKernels } from "./elementwise.js";
import { reductionKernels } from "./reduction.js";
import { matmulKernels } from "./matmul.js";
import { convKernels } from "./conv.js";
import { indexingKernels } from "./indexing.js";
import { poolKernels } from "./pool.js";
import { optimKernels } from "./optim.js";

/** Every kernel of the backend, for the device behind `rt`. */
export function createKernels(rt: Runtime): Required<KernelTable<WebGPUBuffer>> {
  const table = {
    ...elementwiseKernels(rt),
    ...reductionKernels(rt),
    ...matmulKernels(rt),
    ...convKernels(rt),
    ...indexingKernels(rt),
    ...poolKernels(rt),
  } as Required<KernelTable<WebGPUBuffer>>;
  for (const op of Object.keys(table) as OpName[]) {
    (table as Record<string, unknown>)[op] = guardAliasing(rt, table[op] as never);
  }
  // adamStep updates its outputs in place and guards its own aliasing (see optim.ts).
  Object.assign(table, optimKernels(rt));
  return table;
}
