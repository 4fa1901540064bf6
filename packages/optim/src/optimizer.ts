/**
 * The `Optimizer` base class: parameter groups, per-parameter state, `zeroGrad`, `step` and
 * state dicts, in the structure of PyTorch's `torch.optim.Optimizer`.
 */
import { Tensor, enableGrad, keep, noGrad, tidy } from "@tessera/autograd";
import { OptimError } from "./errors.js";
import { show } from "./validate.js";

/**
 * The options every optimizer has: the learning rate. Schedulers change `lr` in each param
 * group.
 *
 * @example
 * const options: OptimizerOptions = { lr: 0.1 };
 */
export interface OptimizerOptions {
  /** The learning rate. */
  lr: number;
}

/**
 * A param group as the optimizer holds it: its parameters and every option (the group's own,
 * else the optimizer's defaults). Options are plain, mutable properties: schedulers set `lr`
 * (and `initialLr`, `momentum`, `betas`, …), and you may too.
 *
 * @example
 * for (const group of optimizer.paramGroups) group.lr *= 0.5;
 */
export type ParamGroup<O extends OptimizerOptions = OptimizerOptions> = O & {
  /** The tensors this group updates. */
  params: Tensor[];
  /** The lr a scheduler started from (set by the first scheduler attached, as in PyTorch). */
  initialLr?: number;
  /** Other keys set by schedulers (`maxLr`, `maxMomentum`, …) or by you. */
  [key: string]: unknown;
};

/**
 * A param group as passed to an optimizer: parameters plus any options that differ from the
 * optimizer's defaults.
 *
 * @example
 * new SGD([{ params: [w1] }, { params: [w2], lr: 0.01 }], { lr: 0.1, momentum: 0.9 });
 */
export type ParamGroupInput<O extends OptimizerOptions = OptimizerOptions> = Partial<O> & {
  /** The tensors to update: leaves that require grad. */
  params: Tensor | Iterable<Tensor>;
};

/**
 * What an optimizer is given: tensors, or param groups.
 *
 * @example
 * const params: Params = [w, b];
 */
export type Params<O extends OptimizerOptions = OptimizerOptions> = Iterable<Tensor> | Iterable<ParamGroupInput<O>>;

/**
 * The state an optimizer keeps for one parameter: its own tensors (created with `keep()`, so no
 * enclosing `tidy` disposes them), step counters, or `null` for a buffer not created yet.
 *
 * @example
 * const s: ParamState = { step: 3, expAvg: zeros([2]) };
 */
export type ParamState = Record<string, Tensor | number | null | undefined>;

/**
 * An optimizer's state dict, in PyTorch's structure: `state` maps a parameter's index (its
 * position across all param groups, in order) to its state; `paramGroups` lists each group's
 * options with `params` as indices.
 *
 * @example
 * const sd: OptimizerStateDict = optimizer.stateDict();
 * sd.paramGroups[0].lr; // 0.1
 * sd.state[0].momentumBuffer; // a Tensor
 */
export interface OptimizerStateDict {
  /** Per-parameter state by parameter index. Tensors are the optimizer's own (not copies). */
  state: Record<number, Record<string, Tensor | number | null>>;
  /** Each group's options, with `params` as parameter indices. */
  paramGroups: Array<{ params: number[]; [option: string]: unknown }>;
}

/**
 * Options of {@link Optimizer.zeroGrad}.
 *
 * @example
 * optimizer.zeroGrad({ setToNone: false });
 */
export interface ZeroGradOptions {
  /**
   * Dispose each gradient and set `.grad = null` (default true), rather than zeroing it in
   * place. Either way a loop reaches a steady state of memory.
   */
  setToNone?: boolean;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A copy of an option value: arrays (like `betas`) are copied so groups never share one. */
function copyOption(value: unknown): unknown {
  return Array.isArray(value) ? [...value] : value;
}

/**
 * The base class of every optimizer: PyTorch's `torch.optim.Optimizer` in camelCase.
 *
 * It holds `paramGroups` (each with its options), per-parameter `state`, and implements
 * `zeroGrad`, `step` (runs the subclass's update for every parameter that has a gradient, under
 * `noGrad`, disposing its temporaries), `addParamGroup`, `stateDict` and `loadStateDict`.
 * A subclass states its option checks (`checkOptions`), its initial state (`initState`) and
 * its update of one parameter (`update`).
 *
 * @example
 * class SignSGD extends Optimizer<{ lr: number }, { steps: number }> {
 *   constructor(params: Params<{ lr: number }>, options: { lr: number }) {
 *     super(params, { lr: options.lr });
 *   }
 *   protected override get optimizerName() { return "SignSGD"; }
 *   protected checkOptions(o: { lr: number }, where: string) {
 *     if (!(o.lr >= 0)) throw new OptimError(`${where}: invalid lr: ${o.lr}; it must be a number >= 0.`);
 *   }
 *   protected initState() { return { steps: 0 }; }
 *   protected update(p: Tensor, grad: Tensor, state: { steps: number }, group: ParamGroup<{ lr: number }>) {
 *     state.steps += 1;
 *     p.sub_(grad.sign().mul(group.lr));
 *   }
 * }
 */
export abstract class Optimizer<O extends OptimizerOptions = OptimizerOptions, S extends ParamState = ParamState> {
  /** The options of groups that don't set their own. */
  readonly defaults: Readonly<O>;
  /** The param groups, in order. */
  readonly paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state, created on a parameter's first step. */
  readonly state = new Map<Tensor, S>();

  /**
   * @param params Tensors to optimize (leaves that require grad), or param groups.
   * @param defaults Every option, used by groups that don't set their own.
   */
  constructor(params: Params<O>, defaults: O) {
    const name = this.optimizerName;
    if (params instanceof Tensor) {
      throw new OptimError(
        `${name}: params must be an array of Tensors or of param groups, but got a single Tensor (shape [${params.shape.join(", ")}]). Wrap it in an array: new ${name}([w], …).`,
      );
    }
    if (params === null || typeof params !== "object" || typeof (params as Iterable<unknown>)[Symbol.iterator] !== "function") {
      throw new OptimError(`${name}: params must be an array of Tensors or of param groups, got ${show(params)}.`);
    }
    this.checkOptions(defaults, name);
    this.defaults = { ...defaults };
    for (const key of Object.keys(this.defaults)) (this.defaults as Record<string, unknown>)[key] = copyOption(defaults[key as keyof O]);
    const list = Array.from(params as Iterable<Tensor | ParamGroupInput<O>>);
    if (list.length === 0) {
      throw new OptimError(`${name}: got an empty parameter list. Pass the tensors to optimize, e.g. new ${name}(model.parameters(), …).`);
    }
    const groups: ParamGroupInput<O>[] = list[0] instanceof Tensor ? [{ params: list as Tensor[] } as unknown as ParamGroupInput<O>] : (list as ParamGroupInput<O>[]);
    for (const group of groups) this.addParamGroup(group);
  }

  /** The name used in error messages (the class's name). */
  protected get optimizerName(): string {
    return "Optimizer";
  }

  /**
   * Options that may be missing from a param group (e.g. `fused`, unset meaning automatic):
   * a state dict saved without one loads, and the group keeps its current value.
   */
  protected get optionalOptions(): readonly string[] {
    return [];
  }

  /**
   * Checks one set of options (the defaults, or a group's merged options); throws an
   * {@link OptimError} naming `where`, the option and its value.
   */
  protected abstract checkOptions(options: O, where: string): void;

  /** The initial state of parameter `p` (tensors made with `keep()`). */
  protected abstract initState(p: Tensor, group: ParamGroup<O>): S;

  /**
   * Updates `p` in place from `grad`. Runs under `noGrad` inside a `tidy`, so temporaries are
   * disposed; tensors kept in `state` must be made with `keep()`.
   */
  protected abstract update(p: Tensor, grad: Tensor, state: S, group: ParamGroup<O>): void;

  /**
   * Adds a param group, e.g. to train layers unfrozen mid-training. Options it omits come from
   * the optimizer's defaults. Every parameter must be a leaf that requires grad and may appear
   * in only one group.
   *
   * @example
   * optimizer.addParamGroup({ params: head.parameters(), lr: 1e-3 });
   */
  addParamGroup(group: ParamGroupInput<O>): void {
    const index = this.paramGroups.length;
    const name = this.optimizerName;
    const where = `${name} (param group ${index})`;
    if (!isPlainObject(group) || !("params" in group)) {
      throw new OptimError(`${name}: a param group must be an object { params: Tensor[], …options }, got ${show(group)}.`);
    }
    const raw = group.params;
    if (raw === null || typeof raw !== "object" || (!(raw instanceof Tensor) && typeof (raw as Iterable<unknown>)[Symbol.iterator] !== "function")) {
      throw new OptimError(`${where}: params must be an array of Tensors, got ${show(raw)}.`);
    }
    const params = raw instanceof Tensor ? [raw] : Array.from(raw as Iterable<unknown>);
    if (params.length === 0) throw new OptimError(`${where}: the group has no parameters.`);
    const seen = new Set<Tensor>();
    params.forEach((p, i) => {
      if (!(p instanceof Tensor)) {
        throw new OptimError(`${where}: can only optimize Tensors, but parameter ${i} is ${show(p)}.`);
      }
      const what = `parameter ${i} (shape [${p.shape.join(", ")}], ${p.dtype})`;
      if (p.isDisposed) throw new OptimError(`${where}: ${what} was disposed.`);
      if (!p.isLeaf) {
        throw new OptimError(
          `${where}: can't optimize a non-leaf Tensor: ${what} was computed by ${p.gradFn!.name}. Optimize the leaf tensors it was computed from, or make it a leaf: t.detach().requiresGrad_().`,
        );
      }
      if (!p.requiresGrad) {
        throw new OptimError(
          `${where}: ${what} does not require grad, so it would never be updated. Create it with { requiresGrad: true } or call requiresGrad_(), or leave it out of the optimizer.`,
        );
      }
      if (seen.has(p)) throw new OptimError(`${where}: ${what} appears twice in the group.`);
      seen.add(p);
    });
    for (const other of this.paramGroups) {
      for (const p of other.params) {
        if (seen.has(p)) throw new OptimError(`${where}: some parameters appear in more than one parameter group.`);
      }
    }
    const merged: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(this.defaults)) merged[key] = copyOption(value);
    for (const [key, value] of Object.entries(group)) {
      if (key !== "params" && value !== undefined) merged[key] = copyOption(value);
    }
    this.checkOptions(merged as unknown as O, where);
    merged.params = params as Tensor[];
    this.paramGroups.push(merged as ParamGroup<O>);
  }

  /**
   * Clears the gradients of every parameter. By default (`setToNone: true`) each `.grad` is
   * disposed and set to `null`, so the next `backward()` stores a fresh one; with
   * `setToNone: false` each gradient is zeroed in place.
   *
   * @example
   * optimizer.zeroGrad();
   * loss.backward();
   * optimizer.step();
   */
  zeroGrad(options: ZeroGradOptions = {}): void {
    const setToNone = options.setToNone ?? true;
    noGrad(() => {
      for (const group of this.paramGroups) {
        for (const p of group.params) {
          const grad = p.grad;
          if (grad === null) continue;
          if (setToNone) {
            p.grad = null;
            grad.dispose();
          } else if (grad.requiresGrad) {
            // A gradient recorded with createGraph: cut it from the graph, as PyTorch's detach_().
            const detached = grad.detach();
            p.grad = detached;
            grad.dispose();
            detached.zero_();
          } else {
            grad.zero_();
          }
        }
      }
    });
  }

  /**
   * Updates every parameter that has a gradient (parameters whose `.grad` is null are skipped).
   * With a `closure`, it first runs it with grad enabled (it should zero the gradients,
   * compute the loss, call `backward()` and return the loss), and returns what it returned.
   * The closure must be synchronous.
   *
   * @example
   * optimizer.step();
   * const loss = optimizer.step(() => {
   *   optimizer.zeroGrad();
   *   const l = model(x).sub(y).square().mean();
   *   l.backward();
   *   return l;
   * });
   */
  step(): undefined;
  step<L>(closure: () => L): L;
  step<L>(closure?: () => L): L | undefined {
    let loss: L | undefined;
    if (closure !== undefined) {
      if (typeof closure !== "function") throw new OptimError(`${this.optimizerName}.step: closure must be a function, got ${show(closure)}.`);
      loss = enableGrad(closure);
      if (loss instanceof Promise) {
        throw new OptimError(
          `${this.optimizerName}.step: the closure returned a Promise. step runs the closure synchronously; call backward() inside it before any await, or call backward() and then step() without a closure.`,
        );
      }
    }
    noGrad(() => {
      for (const group of this.paramGroups) {
        for (const p of group.params) {
          const grad = p.grad;
          if (grad === null) continue;
          let state = this.state.get(p);
          if (state === undefined) {
            state = this.initState(p, group);
            this.state.set(p, state);
          }
          const s = state;
          tidy(() => this.update(p, grad, s, group));
        }
      }
    });
    return loss;
  }

  /**
   * The optimizer's state in PyTorch's structure: `{ state: { [paramIndex]: {...} },
   * paramGroups: [{ ...options, params: [indices] }] }`. Parameters are numbered in order
   * across groups. The state tensors are the optimizer's own, as in PyTorch (not copies):
   * save or clone them before the next `step()` if you need a snapshot.
   *
   * @example
   * const saved = optimizer.stateDict();
   * fresh.loadStateDict(saved);
   */
  stateDict(): OptimizerStateDict {
    const indices = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((group) => {
      const options: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(group)) if (key !== "params") options[key] = copyOption(value);
      const params = group.params.map((p) => {
        if (!indices.has(p)) indices.set(p, indices.size);
        return indices.get(p)!;
      });
      // `params` last, as in PyTorch's dicts.
      return { ...options, params };
    });
    const state: OptimizerStateDict["state"] = {};
    for (const [p, s] of this.state) {
      const i = indices.get(p);
      if (i === undefined) continue;
      const entry: Record<string, Tensor | number | null> = {};
      for (const [key, value] of Object.entries(s)) if (value !== undefined) entry[key] = value;
      state[i] = entry;
    }
    return { state, paramGroups };
  }

  /**
   * Loads a state dict from {@link stateDict} (of an optimizer of the same kind, over
   * parameters of the same shapes, grouped the same way). State tensors are copied, cast to
   * each parameter's dtype and device, so the loaded dict stays independent of this optimizer.
   * Group options (`lr`, …) are replaced by the saved ones. Nothing changes if it throws.
   *
   * @example
   * const resumed = new Adam(model.parameters(), { lr: 1e-3 });
   * resumed.loadStateDict(checkpoint.optimizer);
   */
  loadStateDict(stateDict: OptimizerStateDict): void {
    const name = this.optimizerName;
    const where = `${name}.loadStateDict`;
    if (!isPlainObject(stateDict) || !isPlainObject(stateDict.state) || !Array.isArray(stateDict.paramGroups)) {
      throw new OptimError(`${where}: expected { state: {...}, paramGroups: [...] } as returned by stateDict(), got ${show(stateDict)}.`);
    }
    const saved = stateDict.paramGroups;
    if (saved.length !== this.paramGroups.length) {
      throw new OptimError(
        `${where}: the state dict has ${saved.length} param group(s) but this ${name} has ${this.paramGroups.length}. Create the optimizer with the same param groups as the one that was saved.`,
      );
    }
    // Saved index -> this optimizer's parameter, group by group.
    const byIndex = new Map<number, Tensor>();
    saved.forEach((group, g) => {
      if (!isPlainObject(group) || !Array.isArray(group.params)) {
        throw new OptimError(`${where}: param group ${g} of the state dict must be { params: number[], …options }, got ${show(group)}.`);
      }
      const mine = this.paramGroups[g]!.params;
      if (group.params.length !== mine.length) {
        throw new OptimError(
          `${where}: param group ${g} has ${group.params.length} parameter(s) in the state dict but ${mine.length} in this ${name}; the groups must match the saved optimizer's.`,
        );
      }
      group.params.forEach((id, k) => {
        if (typeof id !== "number") throw new OptimError(`${where}: param group ${g} lists ${show(id)} as a parameter index; expected numbers.`);
        byIndex.set(id, mine[k]!);
      });
      for (const key of Object.keys(this.defaults)) {
        if (!(key in group) && !this.optionalOptions.includes(key)) {
          throw new OptimError(
            `${where}: param group ${g} of the state dict has no "${key}". Was it saved from another kind of optimizer? ${name} groups have ${Object.keys(this.defaults).map((k) => `"${k}"`).join(", ")}.`,
          );
        }
      }
      const options: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(group)) if (key !== "params") options[key] = value;
      this.checkOptions(options as unknown as O, `${where} (param group ${g})`);
    });

    // Check every state entry before copying anything.
    const entries: Array<[Tensor, Record<string, unknown>]> = [];
    for (const [key, entry] of Object.entries(stateDict.state)) {
      const p = byIndex.get(Number(key));
      if (p === undefined) {
        throw new OptimError(`${where}: the state dict has state for parameter ${key}, but its param groups list only ${[...byIndex.keys()].join(", ")}.`);
      }
      if (!isPlainObject(entry)) throw new OptimError(`${where}: state[${key}] must be an object, got ${show(entry)}.`);
      for (const [field, value] of Object.entries(entry)) {
        if (value instanceof Tensor) {
          if (value.isDisposed) throw new OptimError(`${where}: state[${key}].${field} was disposed.`);
          const isStep = field === "step";
          if (!isStep && (value.shape.length !== p.shape.length || value.shape.some((d, i) => d !== p.shape[i]))) {
            throw new OptimError(
              `${where}: state[${key}].${field} has shape [${value.shape.join(", ")}] but parameter ${key} has shape [${p.shape.join(", ")}]; the state dict was saved for other parameters.`,
            );
          }
          if (isStep && value.numel() !== 1) throw new OptimError(`${where}: state[${key}].step must be a number, got a tensor of shape [${value.shape.join(", ")}].`);
        } else if (value !== null && typeof value !== "number") {
          throw new OptimError(`${where}: state[${key}].${field} must be a Tensor, a number or null, got ${show(value)}.`);
        }
      }
      entries.push([p, entry]);
    }

    // Copy the new state, then release the old.
    const next = new Map<Tensor, S>();
    try {
      noGrad(() => {
        for (const [p, entry] of entries) {
          const copy: Record<string, Tensor | number | null> = {};
          next.set(p, copy as S);
          for (const [field, value] of Object.entries(entry)) {
            if (value instanceof Tensor) copy[field] = field === "step" ? value.itemSync() : keep(copyTensorLike(value, p));
            else copy[field] = value as number | null;
          }
        }
      });
    } catch (e) {
      for (const s of next.values()) for (const v of Object.values(s)) if (v instanceof Tensor) v.dispose();
      throw e;
    }
    this.disposeState();
    for (const [p, s] of next) this.state.set(p, s);
    saved.forEach((group, g) => {
      const params = this.paramGroups[g]!.params;
      const replaced: Record<string, unknown> = {};
      for (const key of this.optionalOptions) {
        const current = (this.paramGroups[g] as Record<string, unknown>)[key];
        if (!(key in group) && current !== undefined) replaced[key] = current;
      }
      for (const [key, value] of Object.entries(group)) if (key !== "params") replaced[key] = copyOption(value);
      replaced.params = params;
      this.paramGroups[g] = replaced as ParamGroup<O>;
    });
  }

  /**
   * Disposes the optimizer's state tensors (momentum buffers, moment estimates, …) now rather
   * than when they are garbage-collected. The optimizer can still step afterwards: the state
   * starts over.
   *
   * @example
   * optimizer.dispose();
   */
  dispose(): void {
    this.disposeState();
  }

  /** `using optimizer = new SGD(…)` disposes its state at the end of the block. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  private disposeState(): void {
    for (const s of this.state.values()) {
      for (const value of Object.values(s)) if (value instanceof Tensor) value.dispose();
    }
    this.state.clear();
  }
}

/** A new tensor with `src`'s values and `like`'s dtype and device, sharing nothing with `src`. */
function copyTensorLike(src: Tensor, like: Tensor): Tensor {
  const moved = src.to(like.device); // `to` returns its input when nothing changes
  const cast = moved.to(like.dtype);
  if (cast !== moved) {
    if (moved !== src) moved.dispose();
    return cast;
  }
  return moved !== src ? moved : src.clone();
}
