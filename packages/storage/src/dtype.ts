import { DTypeError } from "./errors.js";

/** The element types Tessera knows. `bool` is stored as one byte per element. */
export type DType = "float32" | "float64" | "int32" | "bool";

/** Every dtype, in promotion order (a later one holds the values of an earlier one). */
export const DTYPES: readonly DType[] = ["bool", "int32", "float32", "float64"];

/** The typed array that holds each dtype's elements. */
export interface TypedArrayFor {
  float32: Float32Array;
  float64: Float64Array;
  int32: Int32Array;
  bool: Uint8Array;
}

/** Any typed array Tessera stores tensor elements in. */
export type TypedArray = TypedArrayFor[DType];

type TypedArrayConstructor = {
  new (length: number): TypedArray;
  new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): TypedArray;
  readonly BYTES_PER_ELEMENT: number;
};

const CONSTRUCTORS: Record<DType, TypedArrayConstructor> = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  bool: Uint8Array,
};

const RANK: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 3 };

/** The typed-array constructor for `dtype`. */
export function typedArrayConstructor(dtype: DType): TypedArrayConstructor {
  return CONSTRUCTORS[dtype];
}

/** Allocates a zero-filled typed array of `length` elements of `dtype`. */
export function allocTypedArray<D extends DType>(dtype: D, length: number): TypedArrayFor[D] {
  return new CONSTRUCTORS[dtype](length) as TypedArrayFor[D];
}

/** Bytes per element of `dtype`. */
export function itemSize(dtype: DType): number {
  return CONSTRUCTORS[dtype].BYTES_PER_ELEMENT;
}

/** True for `float32` and `float64`: the dtypes that can require gradients. */
export function isFloatingPoint(dtype: DType): boolean {
  return dtype === "float32" || dtype === "float64";
}

/** True if `value` names a Tessera dtype. */
export function isDType(value: unknown): value is DType {
  return typeof value === "string" && Object.hasOwn(RANK, value);
}

/**
 * The dtype two tensor operands are computed in, following PyTorch's type promotion for the
 * dtypes Tessera has: bool < int32 < float32 < float64.
 *
 * @example promoteTypes("int32", "float32") // "float32"
 */
export function promoteTypes(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

/** Throws a {@link DTypeError} unless `value` is a dtype; `what` names the caller. */
export function assertDType(value: unknown, what: string): asserts value is DType {
  if (!isDType(value)) {
    throw new DTypeError(
      `${what}: unknown dtype ${JSON.stringify(value)}. Use one of ${DTYPES.join(", ")}.`,
    );
  }
}
