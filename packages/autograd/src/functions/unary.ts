/**
 * Elementwise functions of one tensor and their derivatives. Float-only functions promote
 * integer inputs to float32 first, as PyTorch does.
 */
import { isFloatingPoint } from "@tessera/storage";
import type { OpName } from "@tessera/kernels";
import { Node } from "../graph/node.js";
import { SavedTensor } from "../graph/saved.js";
import type { Tensor } from "../tensor.js";
import { attach, castTo, execute1, needsGrad } from "./helpers.js";
import { zerosLikeRaw } from "./raw.js";

/** Runs a unary catalog op; `record` builds the node when a gradient is needed. */
function unaryOp(op: OpName, x: Tensor, floatOnly: boolean, record?: (x: Tensor, y: Tensor) => Node): Tensor {
  const input = floatOnly && !isFloatingPoint(x.dtype) ? castTo(x, "float32") : x;
  try {
    const y = execute1(op, [input], {} as never);
    if (record !== undefined && needsGrad(input)) attach(y, record(input, y));
    return y;
  } finally {
    if (input !== x) input.dispose(); // the float32 copy of an integer input
  }
}

/** A node whose derivative is `g * f(saved)`. */
abstract class SavedOneBackward extends Node {
  protected readonly saved: SavedTensor;
  /** Saves `save`, which is the node's own output when `saveIsOutput`. */
  constructor(input: Tensor, save: Tensor, saveIsOutput = false) {
    super([input]);
    this.saved = new SavedTensor(save, saveIsOutput ? this : undefined);
  }
  protected unpack(): Tensor {
    return this.saved.unpack(this.name);
  }
  override releaseSaved(): void {
    this.saved.release();
  }
}

/** Backward of a piecewise-constant function: the gradient is zero. */
class ZeroBackward extends Node {
  constructor(readonly name: string, input: Tensor) {
    super([input]);
  }
  backward([g]: readonly (Tensor | null)[]): (Tensor | null)[] {
    return [zerosLikeRaw(g!)];
  }
}

class NegBackward extends Node {
  readonly name = "NegBackward0";
  backward([g]: readonly (Tensor | null)[]) {
    return [g!.neg()];
  }
}

class AbsBackward extends SavedOneBackward {
  readonly name = "AbsBackward0";
  backward([g]: readonly (Tensor | null)[]) {
    return [g!.mul(this.unpack().sign())];
  }
}

class ExpBackward extends SavedOneBackward {
  readonly name = "ExpBackward0";
  backward([g]: readonly (Tensor | null)[]) {
    return [g!.mul(this.unpack())];
  }
}

class LogBackward extends SavedOneBackward {
  readonly name = "LogBackward0";
  backward([g]: readonly (Tensor | null)[]) {
    return [g!.div(this.unpack())];
  }
}

class SqrtBackward extends SavedOneBackward {
  readonly name = "SqrtBackward0";
  backward([g]: readonly (Tensor | null)[]) {
    return [g!.div(this.unpack().mul(2))];
  }
}

class RsqrtBackward extends SavedOneBackward {
  readonly name = "RsqrtBackward0";
  backward([g]: readonly (Tensor | null)[]) {
    const y = this.unpack();
    return [g!.mul(y.mul(y).mul(y)).mul(-0.5)];
  }
}

class SinBackward extends SavedOneBackward {
  readonly name = "SinBackward0";
  backward([g]: readonly (Tensor | null)[]) {
    return [g!.mul(this.unpack().cos())];
  }
}

class CosBackward extends SavedOneBackward {
  readonly name = "CosBackward0";
  backward([g]: readonly (Tensor | null)[]) {
    return [g!.mul(this.unpack().sin().neg())];
  }
}

class TanhBackward extends SavedOneBackward {
  readonly name = "TanhBackward0";
  backward([g]: readonly (Tensor | null)[]) {
    const y = this.unpack();
    return [g!.mul(y.mul(y).neg().add(1))];
  }
}

class SigmoidBackward extends SavedOneBackward {
  readonly name = "SigmoidBackward0";
  backward([g]: readonly (Tensor | null)[]) {
    const y = this.unpack();
    return [g!.mul(y.mul(y.neg().add(1)))];
  }
}

class ReluBackward extends SavedOneBackward {
  readonly name = "ReluBackward0";
  backward([g]: readonly (Tensor | null)[]) {
    // Zero where y <= 0, so a NaN output passes the gradient (PyTorch's threshold_backward).
    // y is relu's output, +0 or above or NaN, so `y != 0` is `!(y <= 0)` in one pass.
    return [g!.where(this.unpack().ne(0), 0)];
  }
}

const TWO_OVER_SQRT_PI = 1.1283791670955126;

class ErfBackward extends SavedOneBackward {
  readonly name = "ErfBackward0";
  backward([g]: readonly (Tensor | null)[]) {
    const x = this.unpack();
    return [g!.mul(x.mul(x).neg().exp().mul(TWO_OVER_SQRT_PI))];
  }
}

class ReciprocalBackward extends SavedOneBackward {
  readonly name = "ReciprocalBackward0";
  backward([g]: readonly (Tensor | null)[]) {
    const y = this.unpack();
    return [g!.mul(y.mul(y)).neg()];
  }
}

/** `-x`. */
export const neg = (x: Tensor) => unaryOp("neg", x, false, (i) => new NegBackward([i]));
/** `|x|` (gradient `sign(x)`, 0 at 0). */
export const abs = (x: Tensor) => unaryOp("abs", x, false, (i) => new AbsBackward(i, i));
/** Sign of x (gradient 0). */
export const sign = (x: Tensor) => unaryOp("sign", x, false, (i) => new ZeroBackward("SignBackward0", i));
/** e^x. */
export const exp = (x: Tensor) => unaryOp("exp", x, true, (i, y) => new ExpBackward(i, y, true));
/** ln x. */
export const log = (x: Tensor) => unaryOp("log", x, true, (i) => new LogBackward(i, i));
/** √x. */
export const sqrt = (x: Tensor) => unaryOp("sqrt", x, true, (i, y) => new SqrtBackward(i, y, true));
/** 1/√x. */
export const rsqrt = (x: Tensor) => unaryOp("rsqrt", x, true, (i, y) => new RsqrtBackward(i, y, true));
/** sin x. */
export const sin = (x: Tensor) => unaryOp("sin", x, true, (i) => new SinBackward(i, i));
/** cos x. */
export const cos = (x: Tensor) => unaryOp("cos", x, true, (i) => new CosBackward(i, i));
/** tanh x. */
export const tanh = (x: Tensor) => unaryOp("tanh", x, true, (i, y) => new TanhBackward(i, y, true));
/** 1 / (1 + e^-x). */
export const sigmoid = (x: Tensor) => unaryOp("sigmoid", x, true, (i, y) => new SigmoidBackward(i, y, true));
/** max(x, 0) (gradient 0 at 0, as PyTorch). */
export const relu = (x: Tensor) => unaryOp("relu", x, false, (i, y) => new ReluBackward(i, y, true));
/** The error function. */
export const erf = (x: Tensor) => unaryOp("erf", x, true, (i) => new ErfBackward(i, i));
/** 1/x. */
export const reciprocal = (x: Tensor) => unaryOp("reciprocal", x, true, (i, y) => new ReciprocalBackward(i, y, true));
/** ⌊x⌋ (gradient 0). */
export const floor = (x: Tensor) => unaryOp("floor", x, false, (i) => new ZeroBackward("FloorBackward0", i));
/** ⌈x⌉ (gradient 0). */
export const ceil = (x: Tensor) => unaryOp("ceil", x, false, (i) => new ZeroBackward("CeilBackward0", i));
/** Round half to even (gradient 0). */
export const round = (x: Tensor) => unaryOp("round", x, false, (i) => new ZeroBackward("RoundBackward0", i));
/** Logical not, as bool (not differentiable). */
export const logicalNot = (x: Tensor) => unaryOp("logicalNot", x, false);
