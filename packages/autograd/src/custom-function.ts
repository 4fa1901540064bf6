/**
 * User-defined differentiable functions: a forward computed with any tensor code, and a
 * backward stated by the user, like PyTorch's `torch.autograd.Function`.
 */
import { noGrad } from "./grad-mode.js";
import { Node } from "./graph/node.js";
import { SavedTensor } from "./graph/saved.js";
import { AutogradError } from "./errors.js";
import { Tensor } from "./tensor.js";
import { anyNeedsGrad } from "./functions/helpers.js";
import { fillRaw } from "./functions/raw.js";

/** What `forward` and `backward` receive as their first argument. */
export interface FunctionContext {
  /** Saves tensors for backward (read them back with `savedTensors`). */
  saveForBackward(...tensors: Tensor[]): void;
  /** The tensors saved in forward, checked against in-place changes. */
  readonly savedTensors: Tensor[];
  /** For each tensor input of forward, whether a gradient is needed for it. */
  readonly needsInputGrad: readonly boolean[];
  /** Free-form values to pass from forward to backward (shapes, options…). */
  [key: string]: unknown;
}

/** The definition passed to {@link defineFunction}. */
export interface FunctionDefinition<Args extends unknown[]> {
  /** A name for the node (shown as `gradFn.name`). Default `"CustomFunctionBackward"`. */
  name?: string;
  /** Computes the output(s). Runs without recording the graph. */
  forward(ctx: FunctionContext, ...inputs: Args): Tensor | Tensor[];
  /** Gradients of the tensor inputs (in order), `null` where not needed, from the outputs' gradients. */
  backward(ctx: FunctionContext, ...gradOutputs: Tensor[]): (Tensor | null | undefined)[] | Tensor | null;
}

class CustomBackward extends Node {
  constructor(
    readonly name: string,
    inputs: Tensor[],
    private readonly ctx: Context,
    private readonly definition: FunctionDefinition<any>,
    private readonly outputShapes: (readonly number[])[],
  ) {
    super(inputs);
  }
  backward(gradOutputs: readonly (Tensor | null)[]): (Tensor | null)[] {
    const grads = gradOutputs.map((g, i) => g ?? zerosFor(this.outputShapes[i]!, gradOutputs));
    const result = this.definition.backward(this.ctx, ...(grads as Tensor[]));
    const list = Array.isArray(result) ? result : [result];
    if (list.length !== this.next.length) {
      throw new AutogradError(`${this.name}: backward returned ${list.length} gradients, but forward had ${this.next.length} tensor inputs; return one per tensor input (null where none is needed).`);
    }
    return list.map((g) => g ?? null);
  }
  override releaseSaved(): void {
    this.ctx.release();
  }
}

/** Zeros for an output that received no gradient (dtype and device of one that did). */
function zerosFor(shape: readonly number[], others: readonly (Tensor | null)[]): Tensor {
  const like = others.find((g) => g !== null)!;
  return fillRaw(like._backend, shape, like.dtype, 0);
}

class Context implements FunctionContext {
  [key: string]: unknown;
  private saved: SavedTensor[] = [];
  private released = false;
  constructor(readonly needsInputGrad: readonly boolean[], private readonly nodeName: string) {}
  saveForBackward(...tensors: Tensor[]): void {
    this.saved = tensors.map((t) => new SavedTensor(t));
  }
  get savedTensors(): Tensor[] {
    if (this.released) {
      throw new AutogradError(`${this.nodeName}: trying to backward through the graph a second time (saved tensors were freed). Specify retainGraph: true.`);
    }
    return this.saved.map((s) => s.unpack(this.nodeName));
  }
  release(): void {
    for (const s of this.saved) s.release();
    this.released = true;
  }
}

/**
 * Defines a differentiable function from a forward and a backward.
 *
 * @example
 * const cube = defineFunction({
 *   forward(ctx, x: Tensor) { ctx.saveForBackward(x); return x.pow(3); },
 *   backward(ctx, g) { const [x] = ctx.savedTensors; return [g.mul(x.pow(2)).mul(3)]; },
 * });
 * cube(tensor([2], { requiresGrad: true })).backward();
 */
export function defineFunction<Args extends unknown[]>(definition: FunctionDefinition<Args>): (...inputs: Args) => Tensor | Tensor[] {
  const name = definition.name ?? "CustomFunctionBackward";
  return (...inputs: Args) => {
    const tensorInputs = inputs.filter((x): x is Tensor => x instanceof Tensor);
    const record = anyNeedsGrad(tensorInputs);
    const ctx = new Context(
      tensorInputs.map((t) => record && t.requiresGrad),
      name,
    );
    const result = noGrad(() => definition.forward(ctx, ...inputs));
    const outputs = Array.isArray(result) ? result : [result];
    if (record) {
      const node = new CustomBackward(name, tensorInputs, ctx, definition as FunctionDefinition<any>, outputs.map((o) => o.shape));
      node.numOutputs = outputs.length;
      outputs.forEach((o, i) => {
        if (tensorInputs.includes(o)) {
          throw new AutogradError(`${name}: forward returned one of its inputs as is; return a new tensor (e.g. x.clone()).`);
        }
        o._setGradFn(node, i);
      });
    }
    return result;
  };
}
