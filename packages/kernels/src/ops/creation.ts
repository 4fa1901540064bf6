import type { OpSchema } from "../types.js";

// TODO(helper): the creation family.
export const creationOps = {} satisfies Record<string, OpSchema<any>>;
