/**
 * `@tessera/storage`: dtypes, strided layouts and their view arithmetic, NumPy broadcasting,
 * reference-counted storage and a typed-array pool. Knows bytes and layouts, nothing of ops.
 *
 * @packageDocumentation
 */
export * from "./errors.js";
export * from "./dtype.js";
export * from "./layout.js";
export * from "./views.js";
export * from "./broadcast.js";
export * from "./storage.js";
export * from "./pool.js";
