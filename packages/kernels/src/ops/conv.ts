import type { OpSchema } from "../types.js";

// TODO(helper): the conv family.
export const convOps = {} satisfies Record<string, OpSchema<any>>;
