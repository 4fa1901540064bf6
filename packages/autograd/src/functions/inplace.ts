/**
 * In-place ops. Each writes into the tensor's own storage (views included) and bumps the
 * shared version counter, so a saved tensor changed afterwards is caught at backward.
 * In-place ops on a leaf that requires grad, or on a view of one, are errors (outside noGrad).
 * On a non-leaf, the op is recorded: the tensor's history is rebased onto the new node. Through
 * a view of a tensor in the graph, it is recorded on that base (`view-inplace.ts`).
 */
import { ShapeError, DTypeError, broadcastShapes, formatShape, isFloatingPoint, shapesEqual } from "@tessera/storage";
import { isGradEnabled } from "../grad-mode.js";
import { AutogradError } from "../errors.js";
import { Node } from "../graph/node.js";
import { Tensor, type TensorOrScalar } from "../tensor.js";
import { executeInto, aliasTensor, commonBackend } from "../runtime.js";
import { expand as expandLayout } from "@tessera/storage";
import { asTensor, resultType, sumTo } from "./helpers.js";
import { add, sub, mul, div, BOOL_EQUIVALENT } from "./binary.js";
import { clamp, clampRaw } from "./where.js";
import { clone } from "./views.js";
import { fillRaw, zerosLikeRaw } from "./raw.js";
import { checkViewWritable, isGraphView, overlaps, writeThroughView } from "./view-inplace.js";
import { expand } from "./views.js";

const CATEGORY = { bool: 0, int32: 1, float32: 2, float64: 2 } as const;

/**
 * Throws if an in-place op on `self` must not be allowed, naming `op`; returns whether it must
 * be recorded in the graph.
 */
function checkInPlace(op: string, self: Tensor, others: readonly Tensor[]): boolean {
  self._liveStorage(op);
  if (!isGradEnabled()) return false;
  const othersNeedGrad = others.some((o) => o.requiresGrad);
  const base = self._base;
  if (base !== null && self._viewOfGraph === -2 && (base.requiresGrad || othersNeedGrad)) {
    throw new AutogradError(
      `${op}: this view (shape ${formatShape(self.shape)}) was made under noGrad and is being modified in place with grad mode on, so the graph could not follow the change. Make the view with grad mode on, or run the in-place op under noGrad too.`,
    );
  }
  if (!self.requiresGrad && !othersNeedGrad) return false;
  if (self.isLeaf && self.requiresGrad) {
    throw new AutogradError(
      `${op}: a leaf Variable that requires grad (shape ${formatShape(self.shape)}) is being used in an in-place operation. Wrap the update in noGrad(() => …), or use the out-of-place op.`,
    );
  }
  if (base !== null && isGraphView(self)) {
    if (base.isLeaf && base.requiresGrad) {
      throw new AutogradError(`${op}: a view of a leaf Variable that requires grad is being used in an in-place operation. Wrap it in noGrad(() => …), or clone() first.`);
    }
    checkViewWritable(op, self, base);
  }
  return true;
}

/**
 * Refuses, as PyTorch does, an in-place op whose result depends on how often an element is
 * written: `self` must not be an expanded view (several elements sharing one memory location).
 * `fill_` and `zero_` are allowed there: every write stores the same value.
 */
function checkNoInternalOverlap(op: string, self: Tensor): void {
  if (overlaps(self._layout)) {
    throw new ShapeError(
      `${op}: unsupported operation: more than one element of the written-to tensor (shape ${formatShape(self.shape)}, strides ${formatShape(self._layout.strides)}) refers to a single memory location. Call clone() on it before the in-place operation.`,
    );
  }
}

/**
 * Checks that `other` is on `self`'s device, broadcasts to `self`'s shape and has a dtype that
 * can be written into `self` — all before anything is computed or written.
 */
function checkOperand(op: string, self: Tensor, other: TensorOrScalar): void {
  if (other instanceof Tensor) commonBackend(op, [self, other]);
  const type = resultType(self, other);
  if (CATEGORY[type] > CATEGORY[self.dtype]) {
    throw new DTypeError(`${op}: result type ${type} can't be cast to the desired output type ${self.dtype}. Use the out-of-place op, or cast the tensor first.`);
  }
  if (other instanceof Tensor) {
    const shape = broadcastShapes(op, self.shape, other.shape);
    if (!shapesEqual(shape, self.shape)) {
      throw new ShapeError(`${op}: output with shape ${formatShape(self.shape)} doesn't match the broadcast shape ${formatShape(shape)}`);
    }
  }
}

/**
 * Writes `result` (recorded from a copy of `self`'s old value) into `self` and records it:
 * through a view, on the base (CopySlices); else `self` becomes the output of the graph that
 * produced `result`. Takes ownership of `result`.
 */
function record(op: string, self: Tensor, result: Tensor): void {
  const typed = result.dtype === self.dtype ? result : result.to(self.dtype);
  if (typed !== result) result.dispose();
  if (isGraphView(self)) {
    writeThroughView(op, self, typed);
    return;
  }
  executeInto("copy", [typed], self, {});
  self._liveStorage(op).version++;
  self._setEdge(typed._edge);
  self._requiresGrad = typed._requiresGrad;
  typed.dispose();
  historyReplaced(self);
}

/** After `self`'s history was replaced in place: its views must follow the new history. */
function historyReplaced(self: Tensor): void {
  if (self._base === null) self._graphVersion++;
}

const OUT_OF_PLACE = { add, sub, mul, div } as const;

/** `self op= alpha * other`, in place. */
export function binaryInPlace<T extends Tensor>(self: T, op: "add" | "sub" | "mul" | "div", other: TensorOrScalar, alpha?: number): T {
  const name = `${op}_`;
  const others = other instanceof Tensor ? [other] : [];
  checkNoInternalOverlap(name, self);
  const recording = checkInPlace(name, self, others);
  checkOperand(name, self, other);
  if (op === "div" && !isFloatingPoint(self.dtype)) {
    throw new DTypeError(`div_: result type float32 can't be cast to the desired output type ${self.dtype}. Use the out-of-place div, or cast the tensor first.`);
  }
  if (recording) {
    // Compute out of place from a copy of self, so nodes that saved self's old value keep it.
    const old = clone(self);
    const result = op === "add" || op === "sub" ? OUT_OF_PLACE[op](old, other, alpha) : OUT_OF_PLACE[op](old, other);
    old.dispose();
    record(name, self, result);
    return self;
  }
  const scaled = alpha !== undefined && alpha !== 1 ? (other instanceof Tensor ? mul(other, alpha) : (other as number) * alpha) : other;
  const operand = asTensor(scaled, self.dtype, self);
  executeInto(self.dtype === "bool" ? (BOOL_EQUIVALENT[op] ?? op) : op, [self, operand], self, {});
  if (operand !== other) operand.dispose();
  if (scaled !== other && scaled instanceof Tensor && scaled !== operand) scaled.dispose();
  self._liveStorage(name).version++;
  return self;
}

class FillBackward extends Node {
  readonly name = "FillBackward0";
  constructor(self: Tensor) {
    super([self]);
  }
  backward([g]: readonly (Tensor | null)[]) {
    return [zerosLikeRaw(g!)];
  }
}

/** Every element set to `value`, in place; `op` names the caller in errors (`zero_`). */
export function fill_<T extends Tensor>(self: T, value: number, op = "fill_"): T {
  const recording = checkInPlace(op, self, []);
  if (!isFloatingPoint(self.dtype) && self.dtype !== "bool" && !Number.isInteger(value)) {
    throw new DTypeError(`${op}: value ${value} can't be written into a ${self.dtype} tensor without losing its fraction; cast the tensor first.`);
  }
  if (recording && isGraphView(self)) {
    writeThroughView(op, self, fillRaw(self._backend, self.shape, self.dtype, value));
    return self;
  }
  const node = recording ? new FillBackward(self) : null;
  executeInto("fill", [], self, { shape: self.shape, dtype: self.dtype, value });
  self._liveStorage(op).version++;
  if (node !== null) {
    self._setGradFn(node);
    historyReplaced(self);
  }
  return self;
}

class CopyIntoBackward extends Node {
  readonly name = "CopyBackwards";
  constructor(self: Tensor, src: Tensor) {
    super([self, src]);
  }
  backward([g]: readonly (Tensor | null)[]) {
    return [this.needsInputGrad(0) ? zerosLikeRaw(g!) : null, this.needsInputGrad(1) ? sumTo(g!, this.inputShapes[1]!) : null];
  }
}

/** `src` copied into `self` (broadcast to its shape, cast to its dtype, from any device). */
export function copy_<T extends Tensor>(self: T, src: Tensor): T {
  checkNoInternalOverlap("copy_", self);
  const recording = checkInPlace("copy_", self, [src]);
  const shape = broadcastShapes("copy_", self.shape, src.shape);
  if (!shapesEqual(shape, self.shape)) {
    throw new ShapeError(`copy_: the source of shape ${formatShape(src.shape)} can't be broadcast to the destination shape ${formatShape(self.shape)}`);
  }
  let s = src.device === self.device ? src : src.to(self.device);
  if (s.dtype !== self.dtype) {
    const cast = s.to(self.dtype);
    if (s !== src) s.dispose();
    s = cast;
  }
  if (recording && isGraphView(self)) {
    writeThroughView("copy_", self, expand(s, self.shape));
    if (s !== src) s.dispose();
    return self;
  }
  const expanded = aliasTensor(s._liveStorage("copy_"), expandLayout(s._layout, self.shape), s.dtype, s._backend);
  const node = recording ? new CopyIntoBackward(self, s) : null;
  executeInto("copy", [expanded], self, {});
  expanded.dispose();
  if (s !== src) s.dispose();
  self._liveStorage("copy_").version++;
  if (node !== null) {
    self._setGradFn(node);
    historyReplaced(self);
  }
  return self;
}

/** Clamped in place. */
export function clamp_<T extends Tensor>(self: T, min?: number, max?: number): T {
  checkNoInternalOverlap("clamp_", self);
  const recording = checkInPlace("clamp_", self, []);
  if (min !== undefined) checkOperand("clamp_", self, min);
  if (max !== undefined) checkOperand("clamp_", self, max);
  if (recording) {
    const old = clone(self);
    const result = clamp(old, min, max);
    old.dispose();
    record("clamp_", self, result);
    return self;
  }
  const result = clampRaw(self, min, max);
  executeInto("copy", [result], self, {});
  if (result !== self) result.dispose();
  self._liveStorage("clamp_").version++;
  return self;
}

/** Fills `self` in place from the global Philox stream (uniform or normal); gradient 0. */
export function randomFill_<T extends Tensor>(
  self: T,
  op: "uniform_" | "normal_",
  params: { low: number; high: number } | { mean: number; std: number },
  philox: { key: readonly [number, number]; counter: number },
): T {
  checkNoInternalOverlap(op, self);
  const recording = checkInPlace(op, self, []);
  if (!isFloatingPoint(self.dtype)) {
    throw new DTypeError(`${op}: expected a floating point tensor, got ${self.dtype} (shape ${formatShape(self.shape)}).`);
  }
  const through = recording && isGraphView(self);
  const node = recording && !through ? new FillBackward(self) : null;
  // Through a graph view, draw into a new tensor of the view's shape (the same values in the
  // same order) and write that through the view.
  const target = through ? fillRaw(self._backend, self.shape, self.dtype, 0) : self;
  const base = { shape: self.shape, dtype: self.dtype, ...philox };
  if ("low" in params) executeInto("randomUniform", [], target, { ...base, ...params });
  else executeInto("randomNormal", [], target, { ...base, ...params });
  if (through) {
    writeThroughView(op, self, target);
    return self;
  }
  self._liveStorage(op).version++;
  if (node !== null) {
    self._setGradFn(node);
    historyReplaced(self);
  }
  return self;
}
