/** `Parameter`: a tensor that a `Module` registers as learnable state. */
import { Tensor, keep } from "@tessera/autograd";

/** The fields `setData` rewrites (readonly for everyone else). */
interface MutableTensorFields {
  _storage: Tensor["_storage"];
  _layout: Tensor["_layout"];
  dtype: Tensor["dtype"];
  _backend: Tensor["_backend"];
}

/**
 * A leaf tensor that is a module's learnable state. Assigned to a property of a `Module`
 * (or passed to `registerParameter`), it is listed by `parameters()` and saved by
 * `stateDict()`.
 *
 * `new Parameter(data)` shares `data`'s storage (no copy): writing into one shows in the
 * other. It requires grad unless `requiresGrad` is false. Parameters are `keep()`-marked, so
 * a model built inside `tidy` survives it; dispose a model's tensors with `module.dispose()`.
 *
 * @example
 * const w = new Parameter(randn([3, 4]));
 * w.requiresGrad; // true
 * w.isLeaf;       // true
 */
export class Parameter extends Tensor {
  /**
   * After {@link Parameter.setData}: the tensor that owns the reference to the current
   * storage (and is counted by `memory()`); null while the parameter owns its first storage.
   */
  #holder: Tensor | null = null;

  constructor(data: Tensor, requiresGrad = true) {
    super(data._liveStorage("Parameter").retain(), data._layout, data.dtype, data._backend);
    keep(this);
    if (requiresGrad) {
      try {
        this.requiresGrad_(true);
      } catch (e) {
        this.dispose();
        throw e;
      }
    }
  }

  /**
   * Replaces this parameter's values — and with them its shape, dtype and device — by
   * `data`'s, sharing `data`'s storage, while keeping this object: the counterpart of
   * PyTorch's `param.data = data`. Optimizers and other holders of this parameter see the new
   * values; its `requiresGrad`, gradient hooks and place in the graph are kept. A `.grad`
   * that no longer matches the new shape, dtype or device is disposed and set to null.
   * The old storage is released at once (views of it keep it alive).
   *
   * `Module.to()` uses this to move and cast parameters in place.
   *
   * @example
   * noGrad(() => p.setData(p.to("float64")));
   */
  setData(data: Tensor): void {
    if (data === this) return;
    const holder = keep(data.detach());
    const old = this.#holder;
    if (old === null) {
      // Release the reference this tensor was created with (and its memory() count), but
      // keep its edge in the graph (AccumulateGrad with hooks).
      const edge = this._edge;
      if (edge !== null) edge.node._refs++;
      super.dispose();
      this._edge = edge;
    } else {
      old.dispose();
    }
    this.#holder = holder;
    const fields = this as unknown as MutableTensorFields;
    fields._storage = holder._storage;
    fields._layout = holder._layout;
    fields.dtype = holder.dtype;
    fields._backend = holder._backend;
    const g = this._grad;
    if (g !== null && (g.dtype !== this.dtype || g._backend !== this._backend || !sameShape(g.shape, this.shape))) {
      this._grad = null;
      g.dispose();
    }
  }

  /** Releases this parameter's storage (see `Tensor.dispose`). Safe to call twice. */
  override dispose(): void {
    const holder = this.#holder;
    if (holder === null) {
      super.dispose();
      return;
    }
    if (this._storage === null) return;
    (this as unknown as MutableTensorFields)._storage = null;
    this.#holder = null;
    this._edge?.node._release();
    this._edge = null;
    holder.dispose();
  }

  /** `Parameter containing: Tensor(…)`, as PyTorch prints it. */
  override toString(): string {
    return `Parameter containing: ${super.toString()}`;
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
