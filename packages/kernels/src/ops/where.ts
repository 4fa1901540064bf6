import type { OpSchema } from "../types.js";

// TODO(helper): the where family.
export const whereOps = {} satisfies Record<string, OpSchema<any>>;
