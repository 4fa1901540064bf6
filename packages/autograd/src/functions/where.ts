/** Selection: `where` and `clamp`, and their derivatives. */
import { DTypeError, formatShape } from "@tessera/storage";
import { Node } from "../graph/node.js";
import { SavedTensor } from "../graph/saved.js";
import { Tensor, type TensorOrScalar } from "../tensor.js";
import { asTensor, attach, execute1, needsGrad, resultType, scalarTensor, sumTo } from "./helpers.js";

class WhereBackward extends Node {
  readonly name = "WhereBackward0";
  private readonly condition: SavedTensor;
  constructor(condition: Tensor, a: Tensor, b: Tensor) {
    super([condition, a, b]);
    this.condition = new SavedTensor(condition);
  }
  backward([g]: readonly (Tensor | null)[]) {
    const c = this.condition.unpack(this.name);
    const zero = scalarTensor(0, g!.dtype, g!);
    return [
      null,
      this.needsInputGrad(1) ? sumTo(where(c, g!, zero), this.inputShapes[1]!) : null,
      this.needsInputGrad(2) ? sumTo(where(c, zero, g!), this.inputShapes[2]!) : null,
    ];
  }
  override releaseSaved(): void {
    this.condition.release();
  }
}

/**
 * Elementwise `condition ? input : other`, broadcasting all three. `condition` must be bool.
 *
 * @example where(x.gt(0), x, 0) // relu
 */
export function where(condition: Tensor, input: TensorOrScalar, other: TensorOrScalar): Tensor {
  if (condition.dtype !== "bool") {
    throw new DTypeError(`where expected condition to be a boolean tensor, but got a tensor with dtype ${condition.dtype} (shape ${formatShape(condition.shape)}). Compare first, e.g. x.gt(0), or cast with .to("bool").`);
  }
  const like = input instanceof Tensor ? input : other instanceof Tensor ? other : condition;
  const dtype = resultType(input, other);
  const a = asTensor(input, dtype, like);
  const b = asTensor(other, dtype, like);
  try {
    const out = execute1("where", [condition, a, b], {});
    if (needsGrad(a, b)) attach(out, new WhereBackward(condition, a, b));
    return out;
  } finally {
    if (a !== input) a.dispose();
    if (b !== other) b.dispose();
  }
}

class ClampBackward extends Node {
  readonly name = "ClampBackward1";
  private readonly x: SavedTensor;
  constructor(x: Tensor, private readonly min: number | undefined, private readonly max: number | undefined) {
    super([x]);
    this.x = new SavedTensor(x);
  }
  backward([g]: readonly (Tensor | null)[]) {
    const x = this.x.unpack(this.name);
    let mask: Tensor | null = null;
    if (this.min !== undefined) mask = x.ge(this.min);
    if (this.max !== undefined) mask = mask === null ? x.le(this.max) : mask.logicalAnd(x.le(this.max));
    return [mask === null ? g : g!.where(mask, 0)];
  }
  override releaseSaved(): void {
    this.x.release();
  }
}

/** Clamps into `[min, max]`; the gradient passes where `min <= x <= max`. */
export function clamp(x: Tensor, min?: number, max?: number): Tensor {
  if (min === undefined && max === undefined) {
    throw new DTypeError("clamp: at least one of min or max must be given, e.g. x.clamp({ min: 0 }).");
  }
  const out = clampRaw(x, min, max);
  if (needsGrad(x)) attach(out, new ClampBackward(x, min, max));
  return out;
}

/** Clamp without recording (NaN propagates). */
export function clampRaw(x: Tensor, min?: number, max?: number): Tensor {
  let out = x;
  for (const [op, bound] of [["maximum", min], ["minimum", max]] as const) {
    if (bound === undefined) continue;
    const dtype = resultType(x, bound);
    const b = scalarTensor(bound, dtype, x);
    const a = out.dtype === dtype ? out : execute1("cast", [out], { dtype });
    const next = execute1(op, [a, b], {});
    b.dispose();
    if (a !== out) a.dispose();
    if (out !== x) out.dispose();
    out = next;
  }
  return out;
}
