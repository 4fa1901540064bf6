/**
 * Graph nodes. A non-leaf tensor's `gradFn` is the node that produced it; the node's edges
 * (`nextFunctions`) point toward its inputs — to their `gradFn`, or to an `AccumulateGrad`
 * node for a leaf that requires grad, or nowhere for an input that needs no gradient.
 */
import type { DType } from "@tessera/storage";
import type { Tensor } from "../tensor.js";

/** Where a gradient goes: input number `index` of `node`'s outputs… i.e. output `index` of the node that made the input. */
export interface Edge {
  readonly node: Node;
  readonly index: number;
}

/** A gradient hook: may return a replacement gradient. */
export type GradHook = (grad: Tensor) => Tensor | void;

let nextSequenceNr = 0;

/**
 * A backward function. Subclasses state what they saved (as fields) and implement
 * {@link Node.backward}, which maps the gradients of the node's outputs to the gradients of
 * its inputs, using only Tensor operations (so `createGraph` can record them).
 */
export abstract class Node {
  /** PyTorch-style node name, e.g. `"MulBackward0"`. */
  abstract readonly name: string;
  /** One edge per input, `null` where the input needs no gradient. */
  readonly next: (Edge | null)[];
  /** Shapes of the inputs, to check the gradients backward returns. */
  readonly inputShapes: (readonly number[])[];
  /** Dtypes of the inputs, to check the gradients backward returns. */
  readonly inputDTypes: DType[];
  /** Creation order; later nodes run first among ready ones. */
  readonly sequenceNr = nextSequenceNr++;
  /** Number of outputs this node produced. */
  numOutputs = 1;
  /** Hooks on the gradient of output `i`, run before `backward` (tensor hooks of non-leaves). */
  preHooks: Map<number, GradHook[]> | null = null;
  /** Non-leaf tensors that called `retainGrad()`, by output index. */
  retained: Map<number, Tensor> | null = null;
  /**
   * @internal How many live tensors, nodes (through `next`) and saved tensors point at this
   * node. When the last one lets go, no backward can reach this node any more: its saved
   * tensors are freed at once (see {@link Node._release}), not only after a backward.
   */
  _refs = 0;

  constructor(inputs: readonly Tensor[]) {
    const n = inputs.length;
    this.next = new Array<Edge | null>(n);
    this.inputShapes = new Array<readonly number[]>(n);
    this.inputDTypes = new Array<DType>(n);
    for (let i = 0; i < n; i++) {
      const t = inputs[i]!;
      const edge = t.requiresGrad ? t._gradEdge() : null;
      if (edge !== null) edge.node._refs++;
      this.next[i] = edge;
      this.inputShapes[i] = t.shape;
      this.inputDTypes[i] = t.dtype;
    }
  }

  /**
   * @internal Drops one reference (see {@link Node._refs}). The last one frees this node's saved
   * tensors and drops its references to its inputs' nodes, which may free those in turn
   * (iteratively, so long chains don't overflow the stack).
   */
  _release(): void {
    const stack: Node[] = [this];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (--node._refs > 0) continue;
      node.releaseSaved();
      for (const e of node.next) if (e !== null) stack.push(e.node);
    }
  }

  /** The edges in PyTorch's shape: `[node, outputIndex]` pairs, `[null, 0]` for no gradient. */
  get nextFunctions(): readonly (readonly [Node | null, number])[] {
    return this.next.map((e) => (e === null ? ([null, 0] as const) : ([e.node, e.index] as const)));
  }

  /** True if input `i` needs a gradient. */
  needsInputGrad(i: number): boolean {
    return this.next[i] !== null;
  }

  /**
   * Gradients of the inputs given the gradients of the outputs (`null` for an output that
   * received none). Return `null` for inputs that need no gradient.
   */
  abstract backward(gradOutputs: readonly (Tensor | null)[]): (Tensor | null)[];

  /** Frees the saved tensors (after backward without `retainGraph`). */
  releaseSaved(): void {}

  /** Adds a hook on the gradient of output `index`; returns a function that removes it. */
  addPreHook(index: number, hook: GradHook): () => void {
    this.preHooks ??= new Map();
    let list = this.preHooks.get(index);
    if (list === undefined) {
      list = [];
      this.preHooks.set(index, list);
    }
    list.push(hook);
    return () => {
      const i = list!.indexOf(hook);
      if (i >= 0) list!.splice(i, 1);
    };
  }
}
