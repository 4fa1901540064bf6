/**
 * The catalog: the single list of primitive ops. Backends key their kernel tables by these
 * names; the conformance suite runs every entry against its reference kernel.
 */
import { TesseraError } from "@tessera/storage";
import { unaryOps } from "./ops/unary.js";
import { binaryOps } from "./ops/binary.js";
import { whereOps } from "./ops/where.js";
import { reductionOps } from "./ops/reduction.js";
import { matmulOps } from "./ops/matmul.js";
import { copyOps } from "./ops/copy.js";
import { creationOps } from "./ops/creation.js";
import { indexingOps } from "./ops/indexing.js";
import { randomOps } from "./ops/random.js";
import { convOps } from "./ops/conv.js";
import { poolOps } from "./ops/pool.js";
import { optimOps } from "./ops/optim.js";
import type { OpSchema } from "./types.js";

/** Every primitive op's schema, keyed by its name. */
export const CATALOG = {
  ...unaryOps,
  ...binaryOps,
  ...whereOps,
  ...reductionOps,
  ...matmulOps,
  ...copyOps,
  ...creationOps,
  ...indexingOps,
  ...randomOps,
  ...convOps,
  ...poolOps,
  ...optimOps,
};

/** The name of a catalog op. */
export type OpName = keyof typeof CATALOG;

/** The attributes type of catalog op `K`. */
export type AttrsOf<K extends OpName> = (typeof CATALOG)[K] extends OpSchema<infer A> ? A : never;

/** Every op name in the catalog. */
export const OP_NAMES = Object.keys(CATALOG) as OpName[];

/** The schema of `name`, or an error listing close names when there is no such op. */
export function getOpSchema(name: string): OpSchema<any> {
  const schema = (CATALOG as Record<string, OpSchema<any>>)[name];
  if (schema === undefined) {
    throw new TesseraError(`Unknown op "${name}": it is not in the @tessera/kernels catalog. Known ops: ${OP_NAMES.join(", ")}.`);
  }
  return schema;
}
