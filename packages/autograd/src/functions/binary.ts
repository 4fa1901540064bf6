/**
 * Elementwise functions of two operands (tensors or scalars) with broadcasting and type
 * promotion, and their derivatives. The gradient of a broadcast operand is summed back to its
 * shape.
 */
import { DTypeError, isFloatingPoint } from "@tessera/storage";
import type { OpName } from "@tessera/kernels";
import { Node } from "../graph/node.js";
import { SavedTensor } from "../graph/saved.js";
import { Tensor, type TensorOrScalar } from "../tensor.js";
import { asTensor, attach, execute1, needsGrad, resultType, sumTo } from "./helpers.js";

/** Operands promoted to one dtype; `temporaries` were created here and are disposed after use. */
interface Operands {
  a: Tensor;
  b: Tensor;
  temporaries: Tensor[];
}

function promote(op: string, x: TensorOrScalar, y: TensorOrScalar, floatResult: boolean): Operands {
  const like = x instanceof Tensor ? x : (y as Tensor);
  if (!(like instanceof Tensor)) throw new DTypeError(`${op}: at least one operand must be a Tensor`);
  let dtype = resultType(x, y);
  if (floatResult && !isFloatingPoint(dtype)) dtype = "float32";
  const a = asTensor(x, dtype, like);
  const b = asTensor(y, dtype, like);
  const temporaries: Tensor[] = [];
  if (a !== x) temporaries.push(a);
  if (b !== y) temporaries.push(b);
  return { a, b, temporaries };
}

function disposeAll(ts: Tensor[]): void {
  for (const t of ts) t.dispose();
}

class AddBackward extends Node {
  readonly name = "AddBackward0";
  constructor(a: Tensor, b: Tensor) {
    super([a, b]);
  }
  backward([g]: readonly (Tensor | null)[]) {
    return [
      this.needsInputGrad(0) ? sumTo(g!, this.inputShapes[0]!) : null,
      this.needsInputGrad(1) ? sumTo(g!, this.inputShapes[1]!) : null,
    ];
  }
}

class SubBackward extends Node {
  readonly name = "SubBackward0";
  constructor(a: Tensor, b: Tensor) {
    super([a, b]);
  }
  backward([g]: readonly (Tensor | null)[]) {
    return [
      this.needsInputGrad(0) ? sumTo(g!, this.inputShapes[0]!) : null,
      this.needsInputGrad(1) ? sumTo(g!.neg(), this.inputShapes[1]!) : null,
    ];
  }
}

/** A binary node that saves both operands (only what its gradients need). */
abstract class SavedPairBackward extends Node {
  protected readonly savedA: SavedTensor | null;
  protected readonly savedB: SavedTensor | null;
  constructor(a: Tensor, b: Tensor, saveA: boolean, saveB: boolean) {
    super([a, b]);
    this.savedA = saveA ? new SavedTensor(a) : null;
    this.savedB = saveB ? new SavedTensor(b) : null;
  }
  protected a(): Tensor {
    return this.savedA!.unpack(this.name);
  }
  protected b(): Tensor {
    return this.savedB!.unpack(this.name);
  }
  override releaseSaved(): void {
    this.savedA?.release();
    this.savedB?.release();
  }
}

class MulBackward extends SavedPairBackward {
  readonly name = "MulBackward0";
  constructor(a: Tensor, b: Tensor) {
    super(a, b, b.requiresGrad, a.requiresGrad);
  }
  backward([g]: readonly (Tensor | null)[]) {
    return [
      this.needsInputGrad(0) ? sumTo(g!.mul(this.b()), this.inputShapes[0]!) : null,
      this.needsInputGrad(1) ? sumTo(g!.mul(this.a()), this.inputShapes[1]!) : null,
    ];
  }
}

class DivBackward extends SavedPairBackward {
  readonly name = "DivBackward0";
  constructor(a: Tensor, b: Tensor) {
    super(a, b, b.requiresGrad, true);
  }
  backward([g]: readonly (Tensor | null)[]) {
    const b = this.b();
    return [
      this.needsInputGrad(0) ? sumTo(g!.div(b), this.inputShapes[0]!) : null,
      this.needsInputGrad(1) ? sumTo(g!.neg().mul(this.a()).div(b.mul(b)), this.inputShapes[1]!) : null,
    ];
  }
}

class PowBackward extends SavedPairBackward {
  readonly name = "PowBackward1";
  private readonly savedOut: SavedTensor | null;
  constructor(a: Tensor, b: Tensor, out: Tensor) {
    super(a, b, true, true);
    this.savedOut = b.requiresGrad ? new SavedTensor(out, this) : null;
  }
  backward([g]: readonly (Tensor | null)[]) {
    const a = this.a();
    const b = this.b();
    let ga: Tensor | null = null;
    let gb: Tensor | null = null;
    if (this.needsInputGrad(0)) {
      // d/da a^b = b · a^(b-1), taken as 0 where b == 0 (PyTorch's convention).
      ga = sumTo(g!.mul(b.mul(a.pow(b.sub(1)))).where(b.ne(0), 0), this.inputShapes[0]!);
    }
    if (this.needsInputGrad(1)) {
      // d/db a^b = a^b · ln a, taken as 0 where a == 0 and b >= 0.
      const out = this.savedOut!.unpack(this.name);
      const zeroBase = a.eq(0).logicalAnd(b.ge(0));
      gb = sumTo(g!.mul(out.mul(a.log())).where(zeroBase.logicalNot(), 0), this.inputShapes[1]!);
    }
    return [ga, gb];
  }
  override releaseSaved(): void {
    super.releaseSaved();
    this.savedOut?.release();
  }
}

/** maximum / minimum: the gradient goes to the winner, split evenly on ties (as PyTorch). */
class ExtremumBackward extends SavedPairBackward {
  constructor(readonly name: string, a: Tensor, b: Tensor, private readonly isMax: boolean) {
    super(a, b, true, true);
  }
  backward([g]: readonly (Tensor | null)[]) {
    const a = this.a();
    const b = this.b();
    // As PyTorch: g (g/2 on ties), zeroed for the operand that loses; with a NaN neither loses.
    const shared = g!.mul(0.5).where(a.eq(b), g!);
    const aKeeps = (this.isMax ? a.lt(b) : a.gt(b)).logicalNot();
    const bKeeps = (this.isMax ? a.gt(b) : a.lt(b)).logicalNot();
    return [
      this.needsInputGrad(0) ? sumTo(shared.where(aKeeps, 0), this.inputShapes[0]!) : null,
      this.needsInputGrad(1) ? sumTo(shared.where(bKeeps, 0), this.inputShapes[1]!) : null,
    ];
  }
}

/**
 * Arithmetic on two bools stays bool, as in PyTorch: `+` and `maximum` are logical or, `*` and
 * `minimum` logical and. (The catalog's arithmetic kernels take numbers only.)
 */
export const BOOL_EQUIVALENT: Partial<Record<OpName, "logicalOr" | "logicalAnd">> = {
  add: "logicalOr",
  mul: "logicalAnd",
  maximum: "logicalOr",
  minimum: "logicalAnd",
};

function binaryOp(
  op: OpName,
  x: TensorOrScalar,
  y: TensorOrScalar,
  floatResult: boolean,
  record: (a: Tensor, b: Tensor, out: Tensor) => Node,
): Tensor {
  const { a, b, temporaries } = promote(op, x, y, floatResult);
  try {
    const out = execute1(a.dtype === "bool" ? (BOOL_EQUIVALENT[op] ?? op) : op, [a, b], {} as never);
    if (needsGrad(a, b)) attach(out, record(a, b, out));
    return out;
  } finally {
    disposeAll(temporaries);
  }
}

function scaled(y: TensorOrScalar, alpha: number | undefined): { value: TensorOrScalar; temp: Tensor | null } {
  if (alpha === undefined || alpha === 1) return { value: y, temp: null };
  if (typeof y === "number") return { value: y * alpha, temp: null };
  const t = mul(y, alpha);
  return { value: t, temp: t };
}

/** `a + alpha * b`. */
export function add(a: TensorOrScalar, b: TensorOrScalar, alpha?: number): Tensor {
  const { value, temp } = scaled(b, alpha);
  try {
    return binaryOp("add", a, value, false, (x, y) => new AddBackward(x, y));
  } finally {
    temp?.dispose();
  }
}

/** `a - alpha * b`. */
export function sub(a: TensorOrScalar, b: TensorOrScalar, alpha?: number): Tensor {
  const { value, temp } = scaled(b, alpha);
  try {
    return binaryOp("sub", a, value, false, (x, y) => new SubBackward(x, y));
  } finally {
    temp?.dispose();
  }
}

/** `a * b`. */
export function mul(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return binaryOp("mul", a, b, false, (x, y) => new MulBackward(x, y));
}

/** `a / b` (true division: integers promote to float32). */
export function div(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return binaryOp("div", a, b, true, (x, y) => new DivBackward(x, y));
}

/** `a ** b` (computed in floating point). */
export function pow(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return binaryOp("pow", a, b, true, (x, y, out) => new PowBackward(x, y, out));
}

/** Elementwise maximum. */
export function maximum(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return binaryOp("maximum", a, b, false, (x, y) => new ExtremumBackward("MaximumBackward0", x, y, true));
}

/** Elementwise minimum. */
export function minimum(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return binaryOp("minimum", a, b, false, (x, y) => new ExtremumBackward("MinimumBackward0", x, y, false));
}

/** A comparison or logical op: operands promoted to one dtype, bool result, no gradient. */
export function compare(op: "eq" | "ne" | "lt" | "le" | "gt" | "ge" | "logicalAnd" | "logicalOr", x: TensorOrScalar, y: TensorOrScalar): Tensor {
  const { a, b, temporaries } = promote(op, x, y, false);
  try {
    return execute1(op, [a, b], {} as never);
  } finally {
    disposeAll(temporaries);
  }
}
