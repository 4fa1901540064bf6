import type { OpSchema } from "../types.js";

// TODO(helper): the copy family.
export const copyOps = {} satisfies Record<string, OpSchema<any>>;
