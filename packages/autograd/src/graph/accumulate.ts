/**
 * The node at the end of every path: it adds the incoming gradient into a leaf's `.grad`.
 */
import type { Tensor } from "../tensor.js";
import { Node } from "./node.js";

/** Accumulates gradients into a leaf tensor that requires grad. */
export class AccumulateGrad extends Node {
  readonly name = "AccumulateGrad";

  constructor(readonly variable: Tensor) {
    super([]);
  }

  /** Never called: the engine accumulates directly (see `engine.ts`). */
  backward(): (Tensor | null)[] {
    return [];
  }
}
