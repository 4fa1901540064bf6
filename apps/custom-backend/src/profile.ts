/**
 * Counting kernel calls: the way to decide which ops a backend should write first. Wrap a
 * backend, run a workload on the wrapper, read the counts.
 */
import type { TypedArray } from "@tessera/storage";
import type { Backend, KernelTable, TensorView } from "@tessera/backend";

/** Any kernel of a typed-array backend, its attributes left opaque (the wrapper only passes them on). */
type AnyKernel = (inputs: readonly TensorView<TypedArray>[], outputs: readonly TensorView<TypedArray>[], attrs: unknown) => void;

/**
 * What {@link withCallCounts} returns: the counting backend (register it) and its tally.
 *
 * @example
 * const { backend, counts } = withCallCounts(tiny, "counted");
 */
export interface CountedBackend {
  /** `backend` under a new name, with every kernel counting its calls. */
  readonly backend: Backend<TypedArray>;
  /** Calls per op name since the wrapper was made (ops never called are absent). */
  readonly counts: Map<string, number>;
}

/**
 * A copy of `backend` named `name` whose kernels count their calls, then run the original.
 * Buffers are shared with `backend`, so its memory accounting still sees everything.
 *
 * @example
 * const { backend, counts } = withCallCounts(createTinyBackend(), "counted");
 * registerBackend(backend);
 * await trainSpirals({ device: "counted", steps: 1 });
 * counts.get("matmul"); // 8
 */
export function withCallCounts(backend: Backend<TypedArray>, name: string): CountedBackend {
  const counts = new Map<string, number>();
  const kernels: Record<string, unknown> = {};
  for (const [op, kernel] of Object.entries(backend.kernels)) {
    const run = kernel as AnyKernel;
    const counted: AnyKernel = (inputs, outputs, attrs) => {
      counts.set(op, (counts.get(op) ?? 0) + 1);
      run(inputs, outputs, attrs);
    };
    kernels[op] = counted;
  }
  // The spread copies the buffer methods as they are; tiny's close over its ledger. (A backend
  // written as a class would lose its prototype methods here and need them bound instead.)
  return { backend: { ...backend, name, kernels: kernels as KernelTable<TypedArray> }, counts };
}
