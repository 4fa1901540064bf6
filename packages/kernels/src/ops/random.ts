import type { OpSchema } from "../types.js";

// TODO(helper): the random family.
export const randomOps = {} satisfies Record<string, OpSchema<any>>;
