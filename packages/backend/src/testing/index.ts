/**
 * `@tessera/backend/testing`: the conformance suite every Tessera backend runs under vitest —
 * ours and third parties' — plus the pieces it is made of: per-case checks against the
 * reference kernels, the sample cases of every op family, deterministic sample values, and a
 * reference backend that passes by construction.
 *
 * @example
 * // test/conformance.test.ts of a backend package
 * import { describeConformance } from "@tessera/backend/testing";
 * import { myBackend } from "../src/index.js";
 * describeConformance(myBackend);
 *
 * @packageDocumentation
 */
export { describeConformance, INPUT_LAYOUTS, type ConformanceOptions } from "./conformance.js";
export { checkOpCase, formatMismatches, DEFAULT_TOLERANCE, type CheckOptions } from "./check.js";
export { planOp, planConformance, type OpPlan, type DTypePlan } from "./plan.js";
/** Also exported from the main entry, `@tessera/backend`. */
export { createReferenceBackend } from "../reference.js";
export { placeInput, viewLayout, logicalValues, type Placed } from "./layouts.js";
export { sampleValues, sampleIndices, fixedValues, hash32, type Domain, type ValuesFn } from "./values.js";
export {
  CASE_GENERATORS,
  sampleCases,
  unaryCases,
  binaryCases,
  whereCases,
  reductionCases,
  matmulCases,
  copyCases,
  creationCases,
  indexingCases,
  randomCases,
  convCases,
  poolCases,
  optimCases,
} from "./cases/index.js";
export type { CaseInput, OpCase, CaseContext, CaseGenerator, Tolerance, InputLayout, OutputLayout, Mismatch } from "./types.js";
