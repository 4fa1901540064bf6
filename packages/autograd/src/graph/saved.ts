/**
 * Tensors a node keeps for its backward. A saved tensor holds its own reference to the
 * storage (so the user may dispose the original), remembers the storage version at save time
 * (so an in-place change is caught), and is released after backward.
 */
import type { Layout, Storage } from "@tessera/storage";
import { formatShape } from "@tessera/storage";
import type { Backend } from "@tessera/backend";
import { AutogradError } from "../errors.js";
import type { Tensor } from "../tensor.js";
import type { Edge, Node } from "./node.js";
import { aliasTensor } from "../runtime.js";

/**
 * The safety net for graphs dropped without dispose (their nodes garbage-collected with saved
 * tensors never released): the storage reference is released when the SavedTensor is collected.
 */
const finalizer = new FinalizationRegistry<Storage>((storage) => storage.release());

/** A tensor saved for backward. */
export class SavedTensor {
  private storage: Storage | null;
  private readonly layout: Layout;
  private readonly dtype: Tensor["dtype"];
  private readonly backend: Backend;
  private readonly version: number;
  private readonly edge: Edge | null;
  private readonly requiresGrad: boolean;
  /** True when this holds a reference on `edge.node` (not for a node's own output: no cycle). */
  private readonly holdsNode: boolean;

  /**
   * @param t the tensor to save
   * @param outputOf when `t` is an output of the node saving it (not yet attached), that node
   */
  constructor(t: Tensor, outputOf?: Node, outputIndex = 0) {
    this.storage = t._liveStorage("saveForBackward").retain();
    this.layout = t._layout;
    this.dtype = t.dtype;
    this.backend = t._backend;
    this.version = this.storage.version;
    if (outputOf !== undefined) {
      this.requiresGrad = true;
      this.edge = { node: outputOf, index: outputIndex };
      this.holdsNode = false;
    } else {
      this.requiresGrad = t.requiresGrad;
      this.edge = t.requiresGrad ? t._gradEdge() : null;
      // The unpacked tensor is connected to this node's graph, so keep that graph alive.
      this.holdsNode = this.edge !== null;
      if (this.holdsNode) this.edge!.node._refs++;
    }
    finalizer.register(this, this.storage, this);
  }

  /** The saved tensor, connected to the graph as the original was. Throws if freed or modified. */
  unpack(nodeName: string): Tensor {
    const storage = this.storage;
    if (storage === null) {
      throw new AutogradError(
        `${nodeName}: trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Saved intermediate values of the graph are freed when you call backward() or grad(). Specify retainGraph: true if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.`,
      );
    }
    if (storage.version !== this.version) {
      throw new AutogradError(
        `one of the variables needed for gradient computation has been modified by an inplace operation: [${this.dtype} ${formatShape(this.layout.shape)}], saved by ${nodeName}, is at version ${storage.version}; expected version ${this.version} instead. Hint: use the out-of-place op (e.g. add instead of add_) or clone() the tensor before changing it in place.`,
      );
    }
    return aliasTensor(storage, this.layout, this.dtype, this.backend, this.requiresGrad, this.edge);
  }

  /** True once released. */
  get released(): boolean {
    return this.storage === null;
  }

  /** Drops the storage reference (and the reference on the saved tensor's node). */
  release(): void {
    const storage = this.storage;
    if (storage === null) return;
    this.storage = null;
    finalizer.unregister(this);
    storage.release();
    if (this.holdsNode) this.edge!.node._release();
  }
}
