/** The sample cases of every op, by family. */
import { type OpFamily, type OpName, getOpSchema } from "@tessera/kernels";
import type { CaseContext, CaseGenerator, OpCase } from "../types.js";
import { unaryCases } from "./unary.js";
import { binaryCases } from "./binary.js";
import { whereCases } from "./where.js";
import { reductionCases } from "./reduction.js";
import { matmulCases } from "./matmul.js";
import { copyCases } from "./copy.js";
import { creationCases } from "./creation.js";
import { indexingCases } from "./indexing.js";
import { randomCases } from "./random.js";
import { convCases } from "./conv.js";
import { poolCases } from "./pool.js";
import { optimCases } from "./optim.js";

/**
 * The case generator of each op family.
 *
 * @example
 * CASE_GENERATORS.binary("add", { dtype: "int32", dtypes: ["int32"] });
 */
export const CASE_GENERATORS: Readonly<Record<OpFamily, CaseGenerator>> = {
  unary: unaryCases,
  binary: binaryCases,
  where: whereCases,
  reduction: reductionCases,
  matmul: matmulCases,
  copy: copyCases,
  creation: creationCases,
  indexing: indexingCases,
  random: randomCases,
  conv: convCases,
  pool: poolCases,
  optim: optimCases,
};

/**
 * The sample cases of `op` for `ctx.dtype` (empty if its family has none for it). Cases
 * whose dtypes the op rejects are included; the suite filters them with `infer`.
 *
 * @example
 * const cases = sampleCases("matmul", { dtype: "float32", dtypes: ["float32", "int32"] });
 * await checkOpCase(backend, "matmul", cases[0]);
 */
export function sampleCases(op: OpName, ctx: CaseContext): OpCase[] {
  const generator = CASE_GENERATORS[getOpSchema(op).family];
  return generator === undefined ? [] : generator(op, ctx);
}

export { unaryCases, binaryCases, whereCases, reductionCases, matmulCases, copyCases, creationCases, indexingCases, randomCases, convCases, poolCases, optimCases };
