/**
 * The shapes of the op catalog: what an op declares (its schema) and what its reference
 * kernel reads and writes (strided typed arrays).
 */
import type { DType, Layout, TypedArray } from "@tessera/storage";

/** What shape inference needs to know of a tensor. */
export interface TensorMeta {
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/**
 * A tensor's elements as a reference kernel sees them: the whole storage array plus the
 * layout that picks this tensor's elements out of it.
 */
export interface StridedArray {
  readonly data: TypedArray;
  readonly dtype: DType;
  readonly layout: Layout;
}

/**
 * One primitive op. `infer` checks the inputs and attributes and returns the outputs' shapes
 * and dtypes, throwing an error that names the op, the shapes or dtypes, and the fix.
 * `reference` is the plain, obviously correct implementation every backend is tested against:
 * it reads `inputs` and writes every element of `outputs` (whose shapes `infer` returned).
 */
export interface OpSchema<Attrs = Record<string, never>> {
  /** The op's catalog name, e.g. `"add"`. */
  readonly name: string;
  /** The family the op belongs to; backends and tests group ops by it. */
  readonly family: OpFamily;
  /** Names of the tensor inputs, in order. */
  readonly inputs: readonly string[];
  /** Number of tensor outputs. */
  readonly outputs: number;
  /**
   * True if the kernel accepts strided (non-contiguous) output views, so in-place ops can
   * write straight into a view. Other ops get contiguous outputs.
   */
  readonly stridedOutput: boolean;
  /** Output shapes and dtypes for these inputs, or a clear error. */
  infer(inputs: readonly TensorMeta[], attrs: Attrs): TensorMeta[];
  /** Computes the outputs from the inputs. */
  reference(inputs: readonly StridedArray[], outputs: readonly StridedArray[], attrs: Attrs): void;
}

/** Families of catalog ops. */
export type OpFamily =
  | "unary"
  | "binary"
  | "where"
  | "reduction"
  | "matmul"
  | "copy"
  | "creation"
  | "indexing"
  | "random"
  | "conv"
  | "pool"
  | "optim";
