import type { OpSchema } from "../types.js";

// TODO(helper): the reduction family.
export const reductionOps = {} satisfies Record<string, OpSchema<any>>;
