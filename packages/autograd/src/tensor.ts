/**
 * The user-facing Tensor: a strided view of reference-counted device storage, plus its place
 * in the autograd graph. Methods delegate to the op functions in `functions/`; each records a
 * graph node when grad mode is on and an input requires grad.
 */
import {
  type DType,
  type Layout,
  type Storage,
  type TypedArray,
  DisposedError,
  DTypeError,
  TesseraError,
  formatShape,
  isContiguous,
  isFloatingPoint,
  normalizeDim,
  numel,
} from "@tessera/storage";
import type { Backend } from "@tessera/backend";
import { AutogradError } from "./errors.js";
import type { Edge, GradHook, Node } from "./graph/node.js";
import { AccumulateGrad } from "./graph/accumulate.js";
import { setTensorCheck, trackTensor, untrackTensor } from "./memory.js";
import { regenerateView } from "./graph/view-regeneration.js";
import * as unary from "./functions/unary.js";
import * as binary from "./functions/binary.js";
import * as reduce from "./functions/reduction.js";
import * as composite from "./functions/composite.js";
import * as views from "./functions/views.js";
import * as linalg from "./functions/matmul.js";
import * as inplace from "./functions/inplace.js";
import * as select from "./functions/where.js";
import * as indexing from "./functions/indexing.js";
import { backward as runBackward, type BackwardOptions } from "./graph/engine.js";
import { toDevice, toDeviceAsync } from "./functions/device.js";
import * as join from "./functions/join.js";
import * as shaping from "./functions/pad.js";
import * as randomInit from "./creation/random.js";
import * as scan from "./functions/scan.js";
import type { CumsumOptions } from "./functions/scan.js";
import * as sampling from "./functions/multinomial.js";
import type { MultinomialOptions } from "./functions/multinomial.js";
import { readContiguous, readContiguousSync, toNested } from "./functions/read.js";

/** A number or a tensor: scalars mix with tensors in every binary op (`x.mul(2)`). */
export type TensorOrScalar = Tensor | number;

/** Options of reductions: `t.sum({ dim: 1, keepdim: true })`. */
export interface ReduceOptions {
  /** Dim or dims to reduce (negative counts from the end). Omit to reduce all. */
  dim?: number | readonly number[];
  /** Keep reduced dims as size 1. Default false. */
  keepdim?: boolean;
}

/** Options of `var` / `std`. */
export interface VarianceOptions extends ReduceOptions {
  /** Bessel's correction: divide by N - correction. Default 1 (unbiased), as PyTorch. */
  correction?: number;
}

/** A handle returned by `registerHook`; `remove()` detaches the hook. */
export interface RemovableHandle {
  remove(): void;
}

let liveId = 0;

/** @internal The id the next tensor will get (ids only grow), to tell which tensors are new. */
export function nextTensorId(): number {
  return liveId;
}

/**
 * An n-dimensional array on a device that records the operations applied to it.
 *
 * @example
 * const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * const y = x.mul(x).sum();
 * y.backward();
 * x.grad!.dataSync(); // Float32Array [2, 4, 6, 8]
 */
export class Tensor {
  /** @internal The storage, or null once disposed. */
  _storage: Storage | null;
  /** @internal Where this tensor's elements are in the storage. */
  readonly _layout: Layout;
  /** Element type. */
  readonly dtype: DType;
  /** @internal The backend that owns the storage. */
  readonly _backend: Backend;
  /** @internal Backing field of {@link Tensor._requiresGrad}. */
  private _rg = false;
  /** @internal The edge gradients for this tensor flow into (gradFn or AccumulateGrad). */
  _edge: Edge | null = null;
  /** @internal */
  _grad: Tensor | null = null;
  /** @internal True after `retainGrad()` on a non-leaf. */
  _retainsGrad = false;
  /** @internal True once registered with the finalizer (the safety net for forgotten tensors). */
  _registered = false;
  /** @internal True from creation until disposed: counted in `memory().tensors`. */
  _tracked = true;
  /** @internal Set by `keep()`: no `tidy` disposes it. */
  _kept = false;
  /** @internal The tensor this one is a view of (for in-place checks), if any. */
  _base: Tensor | null = null;
  /**
   * @internal On a base: bumped whenever an in-place op replaces its history (on the base or
   * through a view), so that its views regenerate their gradient edges.
   */
  _graphVersion = 0;
  /**
   * @internal On a view: the base's {@link Tensor._graphVersion} its gradient edge follows;
   * -1 for a view outside the graph (`detach`), -2 for one made under `noGrad`.
   */
  _viewOfGraph = -1;
  /** @internal Unique id, for debugging and stable ordering. */
  readonly _id = liveId++;

  /** @internal Use the creation functions (`tensor`, `zeros`, …) instead. */
  constructor(storage: Storage, layout: Layout, dtype: DType, backend: Backend) {
    this._storage = storage;
    this._layout = layout;
    this.dtype = dtype;
    this._backend = backend;
    trackTensor(this);
  }

  // ---------------------------------------------------------------- properties

  /** The size of each dim. */
  get shape(): readonly number[] {
    return this._layout.shape;
  }

  /** Number of dims. */
  get ndim(): number {
    return this._layout.shape.length;
  }

  /** The device this tensor lives on (`"cpu"`, `"webgpu"`, …). */
  get device(): string {
    return this._backend.name;
  }

  /** Number of elements. */
  numel(): number {
    return numel(this._layout.shape);
  }

  /** The shape, or the size of one dim. */
  size(): readonly number[];
  size(dim: number): number;
  size(dim?: number): number | readonly number[] {
    if (dim === undefined) return this.shape;
    return this.shape[normalizeDim(dim, this.ndim, "size")]!;
  }

  /** The strides of each dim, in elements. */
  stride(): readonly number[] {
    return this._layout.strides;
  }

  /** True if the elements are stored in row-major order without gaps. */
  isContiguous(): boolean {
    return isContiguous(this._layout);
  }

  /** Whether gradients are computed for this tensor. Settable on leaves only. */
  get requiresGrad(): boolean {
    return this._requiresGrad;
  }

  set requiresGrad(value: boolean) {
    this.requiresGrad_(value);
  }

  /**
   * Sets `requiresGrad` in place and returns this tensor.
   *
   * @example const w = randn([3, 3]).requiresGrad_();
   */
  requiresGrad_(value = true): this {
    if (!this.isLeaf) {
      throw new AutogradError(
        `you can only change requiresGrad flags of leaf variables; this tensor (shape ${formatShape(this.shape)}) was produced by ${this.gradFn!.name}. If you want to use a computed variable in a subgraph that doesn't require differentiation use t.detach().`,
      );
    }
    if (value && !isFloatingPoint(this.dtype)) {
      throw new DTypeError(
        `only Tensors of floating point dtype can require gradients; got ${this.dtype} (shape ${formatShape(this.shape)}). Cast it first: t.to("float32").requiresGrad_().`,
      );
    }
    this._requiresGrad = value;
    if (!value) this._setEdge(null);
    return this;
  }

  /** The gradient accumulated by `backward()`, or null. Assign null to clear it. */
  get grad(): Tensor | null {
    return this._grad;
  }

  set grad(value: Tensor | null) {
    if (value !== null) {
      if (value._backend !== this._backend) {
        throw new TesseraError(`assigned grad is on device ${value.device} but the tensor is on ${this.device}.`);
      }
      if (value.dtype !== this.dtype || value.shape.length !== this.shape.length || value.shape.some((d, i) => d !== this.shape[i])) {
        throw new TesseraError(
          `assigned grad has dtype ${value.dtype} and shape ${formatShape(value.shape)}, but the tensor has dtype ${this.dtype} and shape ${formatShape(this.shape)}.`,
        );
      }
    }
    this._grad = value;
  }

  /** The node that produced this tensor, or null for a leaf. */
  get gradFn(): Node | null {
    this._syncView();
    const node = this._edge?.node ?? null;
    return node instanceof AccumulateGrad ? null : node;
  }

  /** True for tensors the user created (and every tensor that does not require grad). */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /** Bumped by every in-place op on this tensor or a view sharing its storage. */
  get version(): number {
    return this._liveStorage("version").version;
  }

  /** True once `dispose()` was called. */
  get isDisposed(): boolean {
    return this._storage === null;
  }

  // ---------------------------------------------------------------- graph plumbing

  /** @internal Whether this tensor requires grad; a view first catches up with its base. */
  get _requiresGrad(): boolean {
    this._syncView();
    return this._rg;
  }

  set _requiresGrad(value: boolean) {
    this._rg = value;
  }

  /**
   * @internal On a view whose base's history was replaced by an in-place op since its gradient
   * edge was made: points the edge at the base's current history (PyTorch regenerates a view's
   * `grad_fn` the same way). Does nothing on other tensors.
   */
  _syncView(): void {
    const base = this._base;
    if (base === null || this._viewOfGraph < 0 || this._viewOfGraph === base._graphVersion) return;
    this._viewOfGraph = base._graphVersion;
    regenerateView(this, base);
  }

  /** @internal The storage, or a clear error if this tensor was disposed. */
  _liveStorage(op: string): Storage {
    const s = this._storage;
    if (s === null) {
      throw new DisposedError(
        `${op}: this tensor (shape ${formatShape(this._layout.shape)}, ${this.dtype}) was disposed. Don't use a tensor after dispose() or after the tidy() that created it ended; keep() it or return it from tidy().`,
      );
    }
    return s;
  }

  /** @internal The edge this tensor's gradient flows into; creates a leaf's AccumulateGrad. */
  _gradEdge(): Edge {
    this._syncView();
    if (this._edge === null) this._setEdge({ node: new AccumulateGrad(this), index: 0 });
    return this._edge!;
  }

  /** @internal Makes this tensor output `index` of `node`. */
  _setGradFn(node: Node, index = 0): void {
    this._requiresGrad = true;
    this._setEdge({ node, index });
  }

  /**
   * @internal Points this tensor's gradient at `edge`. A tensor holds a reference on its node
   * (see `Node._refs`) until it is disposed or pointed elsewhere.
   */
  _setEdge(edge: Edge | null): void {
    const old = this._edge;
    if (edge !== null) edge.node._refs++;
    this._edge = edge;
    old?.node._release();
  }

  // ---------------------------------------------------------------- autograd

  /**
   * Computes the gradient of this tensor with respect to every leaf that requires grad and
   * adds it into their `.grad`. Without `gradient`, this tensor must have one element.
   *
   * @example
   * loss.backward();
   * y.backward(onesLike(y), { retainGraph: true });
   */
  backward(gradient?: Tensor, options: BackwardOptions = {}): void {
    runBackward([this], gradient === undefined ? undefined : [gradient], options);
  }

  /** Keeps `.grad` for this non-leaf tensor after backward (leaves always keep it). */
  retainGrad(): void {
    if (!this._requiresGrad) {
      throw new AutogradError("can't retainGrad on a tensor that has requiresGrad=false");
    }
    if (this.isLeaf || this._retainsGrad) return;
    this._retainsGrad = true;
    const edge = this._gradEdge();
    (edge.node.retained ??= new Map()).set(edge.index, this);
  }

  /** True if `.grad` is kept for this tensor (leaves that require grad, or after retainGrad). */
  get retainsGrad(): boolean {
    return this._retainsGrad;
  }

  /**
   * Registers a hook called with the gradient of this tensor each time it is computed; it
   * may return a replacement gradient. The gradient passed in is valid during the call:
   * `clone()` it to keep it.
   *
   * @example const h = x.registerHook((g) => g.mul(2)); h.remove();
   */
  registerHook(hook: GradHook): RemovableHandle {
    if (!this._requiresGrad) {
      throw new AutogradError("cannot register a hook on a tensor that doesn't require gradient");
    }
    const edge = this._gradEdge();
    return { remove: edge.node.addPreHook(edge.index, hook) };
  }

  /** A new tensor sharing storage, cut from the graph (never requires grad). */
  detach(): Tensor {
    return views.detach(this);
  }

  // ---------------------------------------------------------------- values

  /**
   * The elements as a new typed array, in row-major order.
   *
   * @example await tensor([1, 2]).data(); // Float32Array [1, 2]
   */
  data(): Promise<TypedArray> {
    return readContiguous(this);
  }

  /** {@link data}, synchronously, on devices that can read at once (the CPU). */
  dataSync(): TypedArray {
    return readContiguousSync(this);
  }

  /** The value of a one-element tensor. */
  async item(): Promise<number> {
    this.checkOneElement("item");
    return (await this.data())[0]!;
  }

  /** {@link item}, synchronously, on devices that can read at once. */
  itemSync(): number {
    this.checkOneElement("item");
    return this.dataSync()[0]!;
  }

  /** The elements as nested arrays (booleans for bool tensors); a number for a 0-dim tensor. */
  async tolist(): Promise<unknown> {
    return toNested(await this.data(), this.shape, this.dtype);
  }

  /** {@link tolist}, synchronously, on devices that can read at once. */
  tolistSync(): unknown {
    return toNested(this.dataSync(), this.shape, this.dtype);
  }

  private checkOneElement(op: string): void {
    if (this.numel() !== 1) {
      throw new TesseraError(
        `${op}: a Tensor with ${this.numel()} elements cannot be converted to a scalar (shape ${formatShape(this.shape)}). Use data() or tolist(), or reduce it first (e.g. t.sum()).`,
      );
    }
  }

  // ---------------------------------------------------------------- lifetime

  /**
   * Releases this tensor's reference to its storage; the memory is freed when no view or
   * saved tensor uses it. Using the tensor afterwards is an error. Safe to call twice.
   */
  dispose(): void {
    const s = this._storage;
    if (s === null) return;
    this._storage = null;
    untrackTensor(this);
    s.release();
    // The graph behind this tensor is freed now if nothing else can reach it.
    this._edge?.node._release();
    this._edge = null;
  }

  /** `using t = …` disposes the tensor at the end of the block. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  // ---------------------------------------------------------------- devices and dtypes

  /**
   * This tensor on another device or with another dtype (itself if nothing changes).
   *
   * @example x.to("float64"); x.to("webgpu");
   */
  to(target: string, options: { copy?: boolean } = {}): Tensor {
    return toDevice(this, target, options.copy ?? false);
  }

  /**
   * {@link to}, awaiting the read when the source device reads asynchronously (WebGPU → CPU).
   *
   * @example const onCpu = await gpuTensor.toAsync("cpu");
   */
  toAsync(target: string): Promise<Tensor> {
    return toDeviceAsync(this, target);
  }

  /** A copy with its own storage, in the graph (gradient flows back to this tensor). */
  clone(): Tensor {
    return views.clone(this);
  }

  /** This tensor if contiguous, else a contiguous copy. */
  contiguous(): Tensor {
    return views.contiguous(this);
  }

  // ---------------------------------------------------------------- elementwise

  /** `this + alpha * other`. */
  add(other: TensorOrScalar, options?: { alpha?: number }): Tensor { return binary.add(this, other, options?.alpha); }
  /** `this - alpha * other`. */
  sub(other: TensorOrScalar, options?: { alpha?: number }): Tensor { return binary.sub(this, other, options?.alpha); }
  /** Elementwise product. */
  mul(other: TensorOrScalar): Tensor { return binary.mul(this, other); }
  /** True division (integers are promoted to float32). */
  div(other: TensorOrScalar): Tensor { return binary.div(this, other); }
  /** Elementwise power. */
  pow(exponent: TensorOrScalar): Tensor { return binary.pow(this, exponent); }
  /** Elementwise maximum (NaN propagates). */
  maximum(other: TensorOrScalar): Tensor { return binary.maximum(this, other); }
  /** Elementwise minimum (NaN propagates). */
  minimum(other: TensorOrScalar): Tensor { return binary.minimum(this, other); }
  /** `this == other`, as bool. */
  eq(other: TensorOrScalar): Tensor { return binary.compare("eq", this, other); }
  /** `this != other`, as bool. */
  ne(other: TensorOrScalar): Tensor { return binary.compare("ne", this, other); }
  /** `this < other`, as bool. */
  lt(other: TensorOrScalar): Tensor { return binary.compare("lt", this, other); }
  /** `this <= other`, as bool. */
  le(other: TensorOrScalar): Tensor { return binary.compare("le", this, other); }
  /** `this > other`, as bool. */
  gt(other: TensorOrScalar): Tensor { return binary.compare("gt", this, other); }
  /** `this >= other`, as bool. */
  ge(other: TensorOrScalar): Tensor { return binary.compare("ge", this, other); }
  /** Elementwise logical and (nonzero is true), as bool. */
  logicalAnd(other: TensorOrScalar): Tensor { return binary.compare("logicalAnd", this, other); }
  /** Elementwise logical or, as bool. */
  logicalOr(other: TensorOrScalar): Tensor { return binary.compare("logicalOr", this, other); }
  /** Elementwise logical not, as bool. */
  logicalNot(): Tensor { return unary.logicalNot(this); }

  /** `-this`. */
  neg(): Tensor { return unary.neg(this); }
  /** `|this|`. */
  abs(): Tensor { return unary.abs(this); }
  /** -1, 0 or 1 by sign. */
  sign(): Tensor { return unary.sign(this); }
  /** e^x. */
  exp(): Tensor { return unary.exp(this); }
  /** Natural logarithm. */
  log(): Tensor { return unary.log(this); }
  /** Square root. */
  sqrt(): Tensor { return unary.sqrt(this); }
  /** 1 / sqrt(x). */
  rsqrt(): Tensor { return unary.rsqrt(this); }
  /** Sine. */
  sin(): Tensor { return unary.sin(this); }
  /** Cosine. */
  cos(): Tensor { return unary.cos(this); }
  /** Hyperbolic tangent. */
  tanh(): Tensor { return unary.tanh(this); }
  /** Logistic sigmoid. */
  sigmoid(): Tensor { return unary.sigmoid(this); }
  /** max(x, 0). */
  relu(): Tensor { return unary.relu(this); }
  /** The error function. */
  erf(): Tensor { return unary.erf(this); }
  /** 1 / x. */
  reciprocal(): Tensor { return unary.reciprocal(this); }
  /** Round down. */
  floor(): Tensor { return unary.floor(this); }
  /** Round up. */
  ceil(): Tensor { return unary.ceil(this); }
  /** Round half to even. */
  round(): Tensor { return unary.round(this); }
  /** x². */
  square(): Tensor { return binary.mul(this, this); }
  /** Clamps into `[min, max]` (either bound may be omitted). */
  clamp(options: { min?: number; max?: number }): Tensor { return select.clamp(this, options.min, options.max); }
  /**
   * Picks `this` where `condition` is true, else `other`.
   *
   * @example x.where(x.gt(0), 0) // relu
   */
  where(condition: Tensor, other: TensorOrScalar): Tensor { return select.where(condition, this, other); }

  // ---------------------------------------------------------------- reductions

  /** Sum over `dim` (all dims if omitted). */
  sum(options?: ReduceOptions): Tensor { return reduce.sum(this, options); }
  /** Mean over `dim` (all dims if omitted). */
  mean(options?: ReduceOptions): Tensor { return reduce.mean(this, options); }
  /** Product over `dim` (all dims if omitted). */
  prod(options?: ReduceOptions): Tensor { return reduce.prod(this, options); }
  /** Maximum over `dim` (all dims if omitted). Use `argmax` for the indices. */
  max(options?: ReduceOptions): Tensor { return reduce.max(this, options); }
  /** Minimum over `dim` (all dims if omitted). Use `argmin` for the indices. */
  min(options?: ReduceOptions): Tensor { return reduce.min(this, options); }
  /** Index of the maximum along `dim` (over the flattened tensor if omitted), as int32. */
  argmax(options?: { dim?: number; keepdim?: boolean }): Tensor { return reduce.argmax(this, options); }
  /** Index of the minimum along `dim` (over the flattened tensor if omitted), as int32. */
  argmin(options?: { dim?: number; keepdim?: boolean }): Tensor { return reduce.argmin(this, options); }
  /** Cumulative sum along `dim` (ints and bools sum in int32). See {@link scan.cumsum}. */
  cumsum(dim: number, options?: CumsumOptions): Tensor { return scan.cumsum(this, dim, options); }
  /** `numSamples` indices drawn per row, proportional to the weights. See {@link sampling.multinomial}. */
  multinomial(numSamples: number, options?: MultinomialOptions): Tensor { return sampling.multinomial(this, numSamples, options); }
  /** Variance (unbiased by default). */
  var(options?: VarianceOptions): Tensor { return composite.variance(this, options); }
  /** Standard deviation (unbiased by default). */
  std(options?: VarianceOptions): Tensor { return composite.std(this, options); }
  /** log(sum(exp(x))) computed without overflow. */
  logsumexp(options: { dim: number | readonly number[]; keepdim?: boolean }): Tensor { return composite.logsumexp(this, options); }
  /** Softmax along `dim`. */
  softmax(dim: number): Tensor { return composite.softmax(this, dim); }
  /** log(softmax(x)) along `dim`, computed stably. */
  logSoftmax(dim: number): Tensor { return composite.logSoftmax(this, dim); }

  // ---------------------------------------------------------------- linear algebra

  /** Matrix product with NumPy/PyTorch rules for 1-D operands and batch broadcasting. */
  matmul(other: Tensor): Tensor { return linalg.matmul(this, other); }

  // ---------------------------------------------------------------- views

  /** The same elements in a new shape (a view when strides allow, else a copy). `-1` infers one dim. */
  reshape(...shape: number[] | [readonly number[]]): Tensor { return views.reshape(this, flatArgs(shape)); }
  /** Like {@link reshape} but never copies: throws if the strides don't allow a view. */
  view(...shape: number[] | [readonly number[]]): Tensor { return views.view(this, flatArgs(shape)); }
  /** Reorders dims. */
  permute(...dims: number[] | [readonly number[]]): Tensor { return views.permute(this, flatArgs(dims)); }
  /** Swaps two dims. */
  transpose(dim0: number, dim1: number): Tensor { return views.transpose(this, dim0, dim1); }
  /** Transpose of a ≤2-D tensor. */
  t(): Tensor { return views.t(this); }
  /** Broadcasts to a larger shape without copying (`-1` keeps a dim). */
  expand(...shape: number[] | [readonly number[]]): Tensor { return views.expand(this, flatArgs(shape)); }
  /** Expands to `other`'s shape. */
  expandAs(other: Tensor): Tensor { return views.expand(this, other.shape); }
  /** Removes size-1 dims (only `dim` if given). */
  squeeze(dim?: number | readonly number[]): Tensor { return views.squeeze(this, dim); }
  /** Inserts a size-1 dim at `dim`. */
  unsqueeze(dim: number): Tensor { return views.unsqueeze(this, dim); }
  /** Merges dims `startDim…endDim` into one. */
  flatten(startDim = 0, endDim = -1): Tensor { return views.flatten(this, startDim, endDim); }
  /** Elements `start … start+length-1` of `dim`, as a view. */
  narrow(dim: number, start: number, length: number): Tensor { return views.narrow(this, dim, start, length); }
  /** Python-style `start:end:step` of `dim`, as a view. */
  slice(dim: number, start?: number, end?: number, step?: number): Tensor { return views.slice(this, dim, start, end, step); }
  /** Element `index` of `dim`, with that dim removed (a view). */
  select(dim: number, index: number): Tensor { return views.select(this, dim, index); }

  /** Splits into views of `size` along `dim` (or of the listed sizes). */
  split(size: number | readonly number[], dim = 0): Tensor[] { return join.split(this, size, dim); }
  /** Splits into `chunks` views along `dim`. */
  chunk(chunks: number, dim = 0): Tensor[] { return join.chunk(this, chunks, dim); }
  /** Lower triangle of the last two dims. */
  tril(diagonal = 0): Tensor { return shaping.tril(this, diagonal); }
  /** Upper triangle of the last two dims. */
  triu(diagonal = 0): Tensor { return shaping.triu(this, diagonal); }

  // ---------------------------------------------------------------- indexing

  /** Values along `dim` at `index` (int32, same ndim as this). */
  gather(dim: number, index: Tensor): Tensor { return indexing.gather(this, dim, index); }
  /** A copy of this tensor with `src` added at `index` along `dim`. */
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor { return indexing.scatterAdd(this, dim, index, src); }
  /** The entries of `dim` listed in the 1-D int32 `index`. */
  indexSelect(dim: number, index: Tensor): Tensor { return indexing.indexSelect(this, dim, index); }

  // ---------------------------------------------------------------- in place

  /** In-place `this += alpha * other`. */
  add_(other: TensorOrScalar, options?: { alpha?: number }): this { return inplace.binaryInPlace(this, "add", other, options?.alpha); }
  /** In-place `this -= alpha * other`. */
  sub_(other: TensorOrScalar, options?: { alpha?: number }): this { return inplace.binaryInPlace(this, "sub", other, options?.alpha); }
  /** In-place `this *= other`. */
  mul_(other: TensorOrScalar): this { return inplace.binaryInPlace(this, "mul", other); }
  /** In-place `this /= other`. */
  div_(other: TensorOrScalar): this { return inplace.binaryInPlace(this, "div", other); }
  /** Sets every element to 0. */
  zero_(): this { return inplace.fill_(this, 0, "zero_"); }
  /** Sets every element to `value`. */
  fill_(value: number): this { return inplace.fill_(this, value); }
  /** Copies `src` (broadcast to this shape, cast to this dtype, from any device) into this tensor. */
  copy_(src: Tensor): this { return inplace.copy_(this, src); }
  /** Fills with uniform random numbers in [low, high), in place (see `manualSeed`). */
  uniform_(low = 0, high = 1): this { return randomInit.uniform_(this, low, high); }
  /** Fills with normal random numbers, in place (see `manualSeed`). */
  normal_(mean = 0, std = 1): this { return randomInit.normal_(this, mean, std); }
  /** Clamps in place. */
  clamp_(options: { min?: number; max?: number }): this { return inplace.clamp_(this, options.min, options.max); }

  /** A short description: shape, dtype, device, and grad info. */
  toString(): string {
    const grad = this.gradFn ? `, gradFn=<${this.gradFn.name}>` : this.requiresGrad ? ", requiresGrad=true" : "";
    return `Tensor(shape=${formatShape(this.shape)}, dtype=${this.dtype}, device=${this.device}${grad})`;
  }
}

function flatArgs(args: number[] | [readonly number[]]): readonly number[] {
  return args.length === 1 && Array.isArray(args[0]) ? (args[0] as readonly number[]) : (args as number[]);
}

setTensorCheck((v: unknown): v is Tensor => v instanceof Tensor);
