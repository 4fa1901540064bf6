/** Checks shared by the elementwise ops (which may write into strided output views). */
import { ShapeError, formatShape, shapesEqual } from "@tessera/storage";
import type { StridedArray } from "./types.js";

/** Throws unless the output view has the shape the op computes. */
export function checkElementwiseOutput(op: string, out: StridedArray, shape: readonly number[]): void {
  if (!shapesEqual(out.layout.shape, shape)) {
    throw new ShapeError(
      `${op}: output has shape ${formatShape(out.layout.shape)} but the op computes shape ${formatShape(shape)}`,
    );
  }
}
