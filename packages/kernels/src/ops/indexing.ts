import type { OpSchema } from "../types.js";

// TODO(helper): the indexing family.
export const indexingOps = {} satisfies Record<string, OpSchema<any>>;
