import type { OpSchema } from "../types.js";

// TODO(helper): the matmul family.
export const matmulOps = {} satisfies Record<string, OpSchema<any>>;
