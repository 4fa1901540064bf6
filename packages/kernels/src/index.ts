/**
 * `@tessera/kernels`: the primitive op catalog — for each op its inputs, attributes, output
 * shape/dtype inference with clear errors, and a plain reference implementation over
 * strided typed arrays that every backend is tested against.
 *
 * @packageDocumentation
 */
export * from "./types.js";
export * from "./attrs.js";
export * from "./catalog.js";
export * from "./strided.js";
export * from "./math.js";
export { philox4x32, philoxBlocks, philoxBlockAt } from "./philox.js";
export { adamStepScalars, type AdamStepScalars } from "./ops/optim.js";
