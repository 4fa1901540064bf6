import type { OpSchema } from "../types.js";

// TODO(helper): the pool family.
export const poolOps = {} satisfies Record<string, OpSchema<any>>;
