/**
 * The backward engine. It finds every node reachable from the roots, orders them so each
 * node runs once after all nodes that feed it gradients (Kahn's algorithm), and walks that
 * order, summing the gradients that meet at a node and adding the results into the leaves'
 * `.grad` (or capturing them, for `grad()`).
 *
 * Memory: tensors created while a node runs are disposed unless they are the node's results;
 * results are disposed once every node that consumes them has run; saved tensors are released
 * as each node finishes (unless `retainGraph`).
 */
import { formatShape, shapesEqual, isContiguous } from "@tessera/storage";
import { AutogradError } from "../errors.js";
import { setGradEnabled, noGrad } from "../grad-mode.js";
import { adoptIntoScope, popScope, pushScope } from "../memory.js";
import { type Tensor, nextTensorId } from "../tensor.js";
import { AccumulateGrad } from "./accumulate.js";
import type { Edge, Node } from "./node.js";
import { onesLikeRaw } from "../functions/raw.js";

/** Options of `backward()`. */
export interface BackwardOptions {
  /** Keep the saved tensors so backward can run through this graph again. Default: `createGraph`. */
  retainGraph?: boolean;
  /** Record the backward pass itself, for higher-order gradients. Default false. */
  createGraph?: boolean;
}

/** Where `grad()` collects gradients instead of accumulating into `.grad`. */
interface Capture {
  /** Per target edge node, per output index, the positions in the result list. */
  targets: Map<Node, Map<number, number[]>>;
  results: (Tensor | null)[];
}

/**
 * Computes gradients of `roots` (seeded with `grads`, or ones for one-element roots) and
 * accumulates them into the leaves' `.grad`.
 */
export function backward(roots: readonly Tensor[], grads: readonly Tensor[] | undefined, options: BackwardOptions): void {
  const createGraph = options.createGraph ?? false;
  runEngine(roots, grads, options.retainGraph ?? createGraph, createGraph, null);
}

/**
 * Computes gradients of `roots` with respect to `inputs`, returning them without touching any
 * `.grad`. `null` for an input the roots do not depend on.
 */
export function captureGradients(
  roots: readonly Tensor[],
  grads: readonly Tensor[] | undefined,
  inputs: readonly Tensor[],
  retainGraph: boolean,
  createGraph: boolean,
): (Tensor | null)[] {
  const targets = new Map<Node, Map<number, number[]>>();
  inputs.forEach((t, i) => {
    if (!t.requiresGrad) {
      throw new AutogradError(`grad: input ${i} (shape ${formatShape(t.shape)}) does not require grad, so no gradient can be computed for it. Call requiresGrad_() on it before building the graph.`);
    }
    const edge = t._gradEdge();
    let byIndex = targets.get(edge.node);
    if (byIndex === undefined) targets.set(edge.node, (byIndex = new Map()));
    const list = byIndex.get(edge.index) ?? [];
    list.push(i);
    byIndex.set(edge.index, list);
  });
  const capture: Capture = { targets, results: inputs.map(() => null) };
  runEngine(roots, grads, retainGraph, createGraph, capture);
  for (const r of capture.results) if (r !== null) adoptIntoScope(r);
  return capture.results;
}

function seedGradients(roots: readonly Tensor[], grads: readonly Tensor[] | undefined): Tensor[] {
  if (grads !== undefined && grads.length !== roots.length) {
    throw new AutogradError(`backward: got ${grads.length} gradients for ${roots.length} tensors; pass one gradient per tensor.`);
  }
  return roots.map((root, i) => {
    root._liveStorage("backward");
    if (!root.requiresGrad) {
      throw new AutogradError(
        `element ${i} of tensors does not require grad and does not have a gradFn (shape ${formatShape(root.shape)}). Make sure a leaf it depends on has requiresGrad: true and that it was not computed inside noGrad().`,
      );
    }
    const given = grads?.[i];
    if (given === undefined || given === null) {
      if (root.numel() !== 1) {
        throw new AutogradError(
          `grad can be implicitly created only for scalar outputs, but this tensor has shape ${formatShape(root.shape)}. Pass the gradient of the output explicitly: t.backward(gradient) with a gradient of shape ${formatShape(root.shape)} (e.g. onesLike(t)), or reduce first: t.sum().backward().`,
        );
      }
      return onesLikeRaw(root);
    }
    if (!shapesEqual(given.shape, root.shape)) {
      throw new AutogradError(`backward: gradient has shape ${formatShape(given.shape)} but the tensor has shape ${formatShape(root.shape)}; they must match.`);
    }
    if (given.dtype !== root.dtype || given.device !== root.device) {
      throw new AutogradError(
        `backward: gradient is ${given.dtype} on ${given.device} but the tensor is ${root.dtype} on ${root.device}; they must match (use gradient.to(...)).`,
      );
    }
    return given;
  });
}

/** Every node reachable from `starts`, with the number of edges that reach each. */
function countDependencies(starts: readonly Node[]): Map<Node, number> {
  const deps = new Map<Node, number>();
  const stack: Node[] = [];
  for (const n of starts) {
    if (!deps.has(n)) {
      deps.set(n, 0);
      stack.push(n);
    }
  }
  while (stack.length > 0) {
    const n = stack.pop()!;
    for (const e of n.next) {
      if (e === null) continue;
      const d = deps.get(e.node);
      if (d === undefined) {
        deps.set(e.node, 1);
        stack.push(e.node);
      } else {
        deps.set(e.node, d + 1);
      }
    }
  }
  return deps;
}

/** Nodes in an order where every node comes after all nodes that send it gradients. */
function topologicalOrder(deps: Map<Node, number>): Node[] {
  const remaining = new Map(deps);
  const ready: Node[] = [];
  for (const [n, d] of remaining) if (d === 0) ready.push(n);
  const order: Node[] = [];
  while (ready.length > 0) {
    // Latest-created first among ready nodes, as PyTorch does; keeps peak memory low.
    let best = 0;
    for (let i = 1; i < ready.length; i++) if (ready[i]!.sequenceNr > ready[best]!.sequenceNr) best = i;
    const n = ready[best]!;
    ready[best] = ready[ready.length - 1]!;
    ready.pop();
    order.push(n);
    for (const e of n.next) {
      if (e === null) continue;
      const d = remaining.get(e.node)! - 1;
      remaining.set(e.node, d);
      if (d === 0) ready.push(e.node);
    }
  }
  return order;
}

/**
 * For `grad()`: the nodes to visit (a capture target is reachable from them) and, among
 * those, the nodes whose backward must run (a target lies strictly below them).
 */
function neededNodes(order: readonly Node[], capture: Capture): { visit: Set<Node>; run: Set<Node> } {
  const visit = new Set<Node>();
  const run = new Set<Node>();
  for (let i = order.length - 1; i >= 0; i--) {
    const n = order[i]!;
    for (const e of n.next) {
      if (e !== null && visit.has(e.node)) {
        run.add(n);
        break;
      }
    }
    if (run.has(n) || capture.targets.has(n)) visit.add(n);
  }
  return { visit, run };
}

function runEngine(
  roots: readonly Tensor[],
  grads: readonly Tensor[] | undefined,
  retainGraph: boolean,
  createGraph: boolean,
  capture: Capture | null,
): void {
  const firstOwnedId = nextTensorId();
  pushScope();
  let seeds: Tensor[];
  try {
    seeds = seedGradients(roots, grads);
  } catch (e) {
    for (const t of popScope()) t.dispose();
    throw e;
  }
  const buffers = new Map<Node, (Tensor | null)[]>();
  const pending = new Map<Tensor, number>();
  const kept = new Set<Tensor>();
  const owned = (t: Tensor) => t._id >= firstOwnedId && !kept.has(t);

  const place = (edge: Edge, g: Tensor) => {
    let buf = buffers.get(edge.node);
    if (buf === undefined) {
      buf = new Array<Tensor | null>(edge.node.numOutputs).fill(null);
      buffers.set(edge.node, buf);
    }
    const existing = buf[edge.index];
    if (existing === null || existing === undefined) {
      buf[edge.index] = g;
      pending.set(g, (pending.get(g) ?? 0) + 1);
      return;
    }
    const sum = setGradEnabled(createGraph, () => existing.add(g));
    buf[edge.index] = sum;
    pending.set(sum, (pending.get(sum) ?? 0) + 1);
    release(existing);
    pending.set(g, (pending.get(g) ?? 0) + 1);
    release(g);
  };

  const release = (t: Tensor) => {
    const c = (pending.get(t) ?? 1) - 1;
    if (c > 0) {
      pending.set(t, c);
      return;
    }
    pending.delete(t);
    if (owned(t)) t.dispose();
  };

  // Gradients for `.grad` are written only after the whole pass succeeded, so a backward that
  // throws part-way (a modified saved tensor, a failing hook) leaves every `.grad` as it was.
  const stores: [Tensor, Tensor][] = [];
  let succeeded = false;
  try {
    const edges = roots.map((r) => r._gradEdge());
    edges.forEach((e, i) => place(e, seeds[i]!));
    const starts = edges.map((e) => e.node);
    const deps = countDependencies(starts);
    const order = topologicalOrder(deps);
    const needed = capture === null ? null : neededNodes(order, capture);

    for (const node of order) {
      const buf = buffers.get(node);
      if (buf === undefined) continue;
      if (needed !== null && !needed.visit.has(node)) {
        for (const g of buf) if (g !== null) release(g);
      } else {
        const mustRun = needed === null || needed.run.has(node);
        runNode(node, buf, { createGraph, retainGraph, capture, mustRun, place, release, kept, owned, pending, stores });
      }
      // Removed only now, so a node that throws leaves its gradients for the cleanup below.
      buffers.delete(node);
    }
    for (const [t, g] of stores) {
      storeGrad(t, g, { createGraph, kept, owned, pending });
      release(g);
    }
    succeeded = true;
  } finally {
    // Whatever is left (tensors created by hooks or gradient sums never consumed) is freed;
    // after a failure, so are the gradients still waiting in buffers or for their store, and
    // the gradients captured for grad().
    if (!succeeded) {
      for (const buf of buffers.values()) for (const g of buf) if (g !== null && g !== undefined && owned(g)) g.dispose();
      for (const [, g] of stores) if (owned(g)) g.dispose();
    }
    for (const t of popScope()) if (!succeeded || !kept.has(t)) t.dispose();
  }
}

interface RunContext {
  createGraph: boolean;
  retainGraph: boolean;
  capture: Capture | null;
  /** False for a `grad()` target below which nothing is needed: capture only. */
  mustRun: boolean;
  place: (edge: Edge, g: Tensor) => void;
  release: (t: Tensor) => void;
  kept: Set<Tensor>;
  owned: (t: Tensor) => boolean;
  pending: Map<Tensor, number>;
  /** Gradients to add into `.grad` once the pass succeeded (each holds a `pending` count). */
  stores: [Tensor, Tensor][];
}

function runNode(node: Node, buf: (Tensor | null)[], ctx: RunContext): void {
  const { createGraph } = ctx;
  // Tensor hooks (registerHook) may replace a gradient.
  if (node.preHooks !== null) {
    for (const [index, hooks] of node.preHooks) {
      for (const hook of hooks) {
        const g = buf[index];
        if (g === null || g === undefined) continue;
        const replaced = setGradEnabled(createGraph, () => hook(g));
        if (replaced !== undefined && replaced !== g) {
          checkHookResult(node, g, replaced);
          ctx.pending.set(replaced, (ctx.pending.get(replaced) ?? 0) + 1);
          ctx.release(g);
          buf[index] = replaced;
        }
      }
    }
  }
  // grad() touches no `.grad`, not even of tensors that called retainGrad().
  if (node.retained !== null && ctx.capture === null) {
    for (const [index, t] of node.retained) {
      const g = buf[index];
      if (g !== null && g !== undefined) deferStore(t, g, ctx);
    }
  }
  const targets = ctx.capture?.targets.get(node);
  if (targets !== undefined) {
    for (const [index, positions] of targets) {
      const g = buf[index];
      if (g === null || g === undefined) continue;
      for (const p of positions) {
        const prev = ctx.capture!.results[p];
        ctx.capture!.results[p] = prev === null ? keepResult(g, ctx) : setGradEnabled(createGraph, () => prev!.add(g));
        ctx.kept.add(ctx.capture!.results[p]!);
      }
    }
  }

  if (node instanceof AccumulateGrad) {
    if (ctx.capture === null && buf[0] !== null && buf[0] !== undefined) deferStore(node.variable, buf[0], ctx);
    for (const g of buf) if (g !== null) ctx.release(g);
    return;
  }
  if (!ctx.mustRun) {
    for (const g of buf) if (g !== null) ctx.release(g);
    return;
  }

  pushScope();
  let outs: (Tensor | null)[];
  try {
    outs = setGradEnabled(createGraph, () => node.backward(buf));
  } finally {
    const created = popScope();
    // Intermediates of the formula are freed now; its results live until consumed.
    for (const t of created) {
      if (!outsContain(outs!, t)) t.dispose();
    }
  }
  if (!ctx.retainGraph) node.releaseSaved();
  checkGradients(node, outs);
  for (let i = 0; i < node.next.length; i++) {
    const edge = node.next[i];
    const g = outs[i];
    if (edge === null || edge === undefined || g === null || g === undefined) continue;
    ctx.place(edge, g);
  }
  for (const g of buf) if (g !== null) ctx.release(g);
  // A result that no edge took (an input that needs no grad but got one anyway) is freed.
  for (let i = 0; i < outs.length; i++) {
    const g = outs[i];
    if (g !== null && g !== undefined && !ctx.pending.has(g) && ctx.owned(g) && !bufContains(buf, g)) g.dispose();
  }
}

/** A hook may replace a gradient, but not with one of another shape, dtype or device. */
function checkHookResult(node: Node, g: Tensor, replaced: Tensor): void {
  if (!shapesEqual(replaced.shape, g.shape) || replaced.dtype !== g.dtype || replaced.device !== g.device) {
    throw new AutogradError(
      `registerHook: a hook on a gradient flowing into ${node.name} returned a tensor of shape ${formatShape(replaced.shape)} (${replaced.dtype} on ${replaced.device}), but the gradient has shape ${formatShape(g.shape)} (${g.dtype} on ${g.device}). A hook must return a gradient of the same shape, dtype and device, or nothing.`,
    );
  }
}

function outsContain(outs: (Tensor | null)[] | undefined, t: Tensor): boolean {
  if (outs === undefined) return false;
  for (const o of outs) if (o === t) return true;
  return false;
}

function bufContains(buf: (Tensor | null)[], t: Tensor): boolean {
  for (const o of buf) if (o === t) return true;
  return false;
}

function checkGradients(node: Node, outs: (Tensor | null)[]): void {
  if (!Array.isArray(outs) || outs.length !== node.next.length) {
    throw new AutogradError(
      `function ${node.name} returned an incorrect number of gradients (expected ${node.next.length}, got ${Array.isArray(outs) ? outs.length : typeof outs})`,
    );
  }
  for (let i = 0; i < outs.length; i++) {
    const g = outs[i];
    if (g === null || g === undefined || node.next[i] === null) continue;
    if (!shapesEqual(g.shape, node.inputShapes[i]!)) {
      throw new AutogradError(
        `function ${node.name} returned an invalid gradient at index ${i} - got ${formatShape(g.shape)} but expected shape compatible with ${formatShape(node.inputShapes[i]!)}`,
      );
    }
    if (g.dtype !== node.inputDTypes[i]) {
      throw new AutogradError(
        `function ${node.name} returned an invalid gradient at index ${i} - expected dtype ${node.inputDTypes[i]} (the input's) but got ${g.dtype}; cast it with .to("${node.inputDTypes[i]}").`,
      );
    }
  }
}

/** A captured gradient the caller owns: kept out of the engine's disposal. */
function keepResult(g: Tensor, ctx: RunContext): Tensor {
  if (ctx.owned(g) && (ctx.pending.get(g) ?? 0) <= 1) {
    ctx.kept.add(g);
    return g;
  }
  const copy = setGradEnabled(ctx.createGraph, () => g.clone());
  ctx.kept.add(copy);
  return copy;
}

/** Queues `g` to be added into `t.grad` at the end of the pass, keeping `g` alive until then. */
function deferStore(t: Tensor, g: Tensor, ctx: RunContext): void {
  ctx.pending.set(g, (ctx.pending.get(g) ?? 0) + 1);
  ctx.stores.push([t, g]);
}

/** Adds `g` into `t.grad` (a leaf, or a non-leaf that retains its grad). */
function storeGrad(t: Tensor, g: Tensor, ctx: Pick<RunContext, "createGraph" | "kept" | "owned" | "pending">): void {
  const existing = t._grad;
  if (existing === null || existing.isDisposed) {
    let stored: Tensor;
    if (ctx.createGraph) {
      stored = ctx.owned(g) && (ctx.pending.get(g) ?? 0) <= 1 ? g : g.add(0);
    } else if (ctx.owned(g) && (ctx.pending.get(g) ?? 0) <= 1 && g._storage!.refCount === 1 && isContiguous(g._layout) && g._layout.offset === 0) {
      stored = g; // steal: nothing else holds this buffer
    } else {
      stored = noGrad(() => g.clone());
    }
    ctx.kept.add(stored);
    t._grad = stored;
    return;
  }
  if (ctx.createGraph) {
    const sum = existing.add(g);
    ctx.kept.add(sum);
    t._grad = sum;
  } else {
    noGrad(() => existing.add_(g));
  }
}
