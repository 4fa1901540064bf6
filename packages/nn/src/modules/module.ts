/** `Module`: the base class of every layer and model, with PyTorch's `nn.Module` API. */
import { Tensor, keep, noGrad, zerosLike } from "@tessera/autograd";
import { TesseraError, formatShape, isDType, isFloatingPoint } from "@tessera/storage";
import { Parameter } from "./parameter.js";
import { toSnakeCase } from "./naming.js";

/** Any module, whatever its `forward` takes and returns. */
export type AnyModule = Module<any, any>;

/** A state dict: tensors by PyTorch-style dotted name (`"0.weight"`, `"fc1.bias"`). */
export type StateDict = Record<string, Tensor>;

/** What {@link Module.loadStateDict} returns. */
export interface LoadStateDictResult {
  /** Keys the module expects but the state dict lacks (empty unless `strict: false`). */
  missingKeys: string[];
  /** Keys of the state dict the module doesn't have (empty unless `strict: false`). */
  unexpectedKeys: string[];
}

/** A state dict that doesn't fit the module: missing or unexpected keys, or a size mismatch. */
export class StateDictError extends TesseraError {
  override name = "StateDictError";
}

/** Misuse of a module's registration API (a bad name, a taken name, a wrong value type). */
export class ModuleError extends TesseraError {
  override name = "ModuleError";
}

type SlotKind = "parameter" | "buffer" | "module";

/**
 * One registered name. Explicit slots (`register*`) hold their value; discovered slots point
 * at an own property (`key`) whose current value is read each time.
 */
interface Slot {
  readonly name: string;
  readonly key: string | null;
  kind: SlotKind;
  value: Parameter | Tensor | AnyModule | null;
  persistent: boolean;
}

/** Options of {@link Module.namedParameters} and {@link Module.namedBuffers}. */
export interface NamedMembersOptions {
  /** Prepended to every name, with a dot. Default "". */
  prefix?: string;
  /** Include the members of submodules. Default true. */
  recurse?: boolean;
  /** List a tensor shared under several names only once (first name). Default true. */
  removeDuplicate?: boolean;
}

/**
 * Base class of all neural-network modules: subclass it, assign layers and parameters to
 * properties, and implement `forward`.
 *
 * **Registration.** Besides explicit `registerParameter` / `registerBuffer` /
 * `registerModule` calls, a module's own enumerable properties that hold a `Module` or a
 * `Parameter` are registered automatically, in the order they were first seen (definition
 * order for class fields), like PyTorch's `__setattr__`. Their names in `namedParameters()`
 * and `stateDict()` are the property names converted from camelCase to snake_case
 * (`inProjWeight` → `in_proj_weight`, `outProj` → `out_proj`, `fc1` → `fc1`), so PyTorch
 * checkpoints line up. Names given to `register*` are used exactly as given. Plain tensors in
 * properties are not state: register them with `registerBuffer`. Arrays of modules are not
 * searched: use `ModuleList`.
 *
 * @example
 * class Net extends Module {
 *   fc1 = new Linear(784, 256);
 *   fc2 = new Linear(256, 10);
 *   forward(x: Tensor): Tensor {
 *     return this.fc2.forward(this.fc1.forward(x).relu());
 *   }
 * }
 * const net = new Net();
 * Object.keys(net.stateDict()); // ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
 */
export abstract class Module<In extends unknown[] = [Tensor], Out = Tensor> {
  /** True in training mode (the default), false after `eval()`. Set by `train()` / `eval()`. */
  training = true;

  #slots: Slot[] = [];
  #byName = new Map<string, Slot>();
  #byKey = new Map<string, Slot>();

  /** The computation of this module. Subclasses implement it. */
  abstract forward(...args: In): Out;

  // ------------------------------------------------------------------ registration

  /** Registers own properties holding a Module or Parameter that were not seen yet. */
  #discover(): void {
    const self = this as unknown as Record<string, unknown>;
    for (const key of Object.keys(this)) {
      if (this.#byKey.has(key)) continue;
      const v = self[key];
      const kind: SlotKind | null = v instanceof Parameter ? "parameter" : v instanceof Module ? "module" : null;
      if (kind === null) continue;
      const name = toSnakeCase(key);
      const taken = this.#byName.get(name);
      if (taken !== undefined) {
        throw new ModuleError(
          `${this.#className()}: property "${key}" would be registered as "${name}", but that name is already used by ${describeSlot(taken)}. Rename the property, or register it explicitly under another name.`,
        );
      }
      this.#add({ name, key, kind, value: null, persistent: true });
    }
  }

  #add(slot: Slot): void {
    this.#slots.push(slot);
    this.#byName.set(slot.name, slot);
    if (slot.key !== null) this.#byKey.set(slot.key, slot);
  }

  /** The current value of a slot, or null when it holds nothing of its kind. */
  #read(slot: Slot): { kind: SlotKind; value: Parameter | Tensor | AnyModule } | null {
    if (slot.key === null) return slot.value === null ? null : { kind: slot.kind, value: slot.value };
    const v = (this as unknown as Record<string, unknown>)[slot.key];
    if (v instanceof Parameter) return { kind: "parameter", value: v };
    if (v instanceof Module) return { kind: "module", value: v };
    if (v instanceof Tensor && slot.kind === "parameter") {
      throw new ModuleError(
        `${this.#className()}: property "${slot.key}" held a Parameter and now holds a plain Tensor, which is not module state. Assign new Parameter(t) to replace the parameter, or call ${slot.key}.setData(t) to change its values in place.`,
      );
    }
    return null;
  }

  /** Own members of one kind, in registration order: [name, value] (null values skipped). */
  #own<T>(kind: SlotKind, filter?: (slot: Slot) => boolean): [string, T][] {
    this.#discover();
    const out: [string, T][] = [];
    for (const slot of this.#slots) {
      const r = this.#read(slot);
      if (r === null || r.kind !== kind || (filter && !filter(slot))) continue;
      out.push([slot.name, r.value as T]);
    }
    return out;
  }

  #className(): string {
    return this.constructor.name || "Module";
  }

  #checkName(op: string, name: string): void {
    if (typeof name !== "string" || name.length === 0) {
      throw new ModuleError(`${op}: the name must be a non-empty string, got ${JSON.stringify(name)}.`);
    }
    if (name.includes(".")) {
      throw new ModuleError(`${op}: the name can't contain ".", got "${name}" (dots separate submodule names in state dicts).`);
    }
  }

  #register(op: string, kind: SlotKind, name: string, value: Slot["value"], persistent: boolean): void {
    this.#checkName(op, name);
    this.#discover();
    const slot = this.#byName.get(name);
    if (slot === undefined) {
      this.#add({ name, key: null, kind, value, persistent });
      return;
    }
    if (slot.key !== null || slot.kind !== kind) {
      throw new ModuleError(`${op}: "${name}" is already used by ${describeSlot(slot)} of ${this.#className()}. Choose another name.`);
    }
    slot.value = value;
    slot.persistent = persistent;
  }

  /**
   * Registers `param` (or null, which reserves the name and is skipped everywhere) under
   * `name`, used exactly as given. Registering the same name again replaces the parameter.
   *
   * @example this.registerParameter("in_proj_weight", new Parameter(empty([3 * e, e])));
   */
  registerParameter(name: string, param: Parameter | null): void {
    if (param !== null && !(param instanceof Parameter)) {
      throw new ModuleError(
        `registerParameter: cannot assign ${describeValue(param)} as parameter "${name}" (Parameter or null expected). Wrap a tensor: new Parameter(t).`,
      );
    }
    this.#register("registerParameter", "parameter", name, param, true);
  }

  /**
   * Registers a buffer: state that is not learnable (running statistics, masks). It moves and
   * casts with the module (`to`), and a persistent buffer (the default) is saved in
   * `stateDict()`. The tensor is `keep()`-marked; registering the same name again replaces it.
   *
   * @example this.registerBuffer("running_mean", zeros([c]));
   */
  registerBuffer(name: string, tensor: Tensor | null, options: { persistent?: boolean } = {}): void {
    if (tensor !== null && !(tensor instanceof Tensor)) {
      throw new ModuleError(`registerBuffer: cannot assign ${describeValue(tensor)} as buffer "${name}" (Tensor or null expected).`);
    }
    if (tensor instanceof Parameter) {
      throw new ModuleError(`registerBuffer: "${name}" is a Parameter; register it with registerParameter, or pass t.detach() to make a buffer.`);
    }
    if (tensor !== null) keep(tensor);
    this.#register("registerBuffer", "buffer", name, tensor, options.persistent ?? true);
  }

  /**
   * Registers a submodule under `name` (used exactly as given; PyTorch's `add_module`).
   *
   * @example this.registerModule("0", new Linear(4, 4));
   */
  registerModule(name: string, module: AnyModule | null): void {
    if (module !== null && !(module instanceof Module)) {
      throw new ModuleError(`registerModule: cannot assign ${describeValue(module)} as child module "${name}" (Module or null expected).`);
    }
    this.#register("registerModule", "module", name, module, true);
  }

  /**
   * Removes the parameter, buffer or submodule registered as `name` (deleting the property
   * for an auto-discovered one). Returns whether something was removed. For containers.
   */
  protected unregister(name: string): boolean {
    this.#discover();
    const slot = this.#byName.get(name);
    if (slot === undefined) return false;
    this.#slots.splice(this.#slots.indexOf(slot), 1);
    this.#byName.delete(name);
    if (slot.key !== null) {
      this.#byKey.delete(slot.key);
      delete (this as unknown as Record<string, unknown>)[slot.key];
    }
    return true;
  }

  // ------------------------------------------------------------------ traversal

  /**
   * The direct submodules with their names, each module once.
   *
   * @example for (const [name, child] of net.namedChildren()) console.log(name);
   */
  namedChildren(): [string, AnyModule][] {
    const seen = new Set<AnyModule>();
    return this.#own<AnyModule>("module").filter(([, m]) => (seen.has(m) ? false : (seen.add(m), true)));
  }

  /** The direct submodules. */
  children(): AnyModule[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /**
   * This module and every submodule, depth first, with dotted names (this one is `prefix`,
   * `""` by default). A module reachable by several paths is listed once unless
   * `removeDuplicate` is false.
   *
   * @example net.namedModules().map(([n]) => n); // ["", "fc1", "fc2"]
   */
  namedModules(options: { prefix?: string; removeDuplicate?: boolean } = {}): [string, AnyModule][] {
    const out: [string, AnyModule][] = [];
    const memo = new Set<AnyModule>();
    const removeDuplicate = options.removeDuplicate ?? true;
    const visit = (m: AnyModule, prefix: string): void => {
      if (memo.has(m)) return;
      if (removeDuplicate) memo.add(m);
      out.push([prefix, m]);
      for (const [name, child] of m.#own<AnyModule>("module")) visit(child, prefix === "" ? name : `${prefix}.${name}`);
    };
    visit(this, options.prefix ?? "");
    return out;
  }

  /** This module and every submodule, each once. */
  modules(): AnyModule[] {
    return this.namedModules().map(([, m]) => m);
  }

  #namedMembers<T extends Tensor>(kind: "parameter" | "buffer", options: NamedMembersOptions): [string, T][] {
    const prefix = options.prefix ?? "";
    const removeDuplicate = options.removeDuplicate ?? true;
    const modules: [string, AnyModule][] = (options.recurse ?? true) ? this.namedModules({ prefix, removeDuplicate }) : [[prefix, this]];
    const memo = new Set<Tensor>();
    const out: [string, T][] = [];
    for (const [modulePrefix, m] of modules) {
      for (const [name, t] of m.#own<T>(kind)) {
        if (memo.has(t)) continue;
        if (removeDuplicate) memo.add(t);
        out.push([modulePrefix === "" ? name : `${modulePrefix}.${name}`, t]);
      }
    }
    return out;
  }

  /**
   * Parameters with their dotted names (`"fc1.weight"`). A parameter shared by several
   * modules is listed once, under its first name (as PyTorch).
   *
   * @example const names = net.namedParameters().map(([n]) => n);
   */
  namedParameters(options: NamedMembersOptions = {}): [string, Parameter][] {
    return this.#namedMembers<Parameter>("parameter", options);
  }

  /**
   * The parameters of this module and (with `recurse`, the default) its submodules, each once:
   * what an optimizer takes.
   *
   * @example const opt = new SGD(net.parameters(), { lr: 0.1 });
   */
  parameters(options: { recurse?: boolean } = {}): Parameter[] {
    return this.namedParameters(options).map(([, p]) => p);
  }

  /** Buffers (persistent or not) with their dotted names, each once. */
  namedBuffers(options: NamedMembersOptions = {}): [string, Tensor][] {
    return this.#namedMembers<Tensor>("buffer", options);
  }

  /** The buffers of this module and (by default) its submodules. */
  buffers(options: { recurse?: boolean } = {}): Tensor[] {
    return this.namedBuffers(options).map(([, b]) => b);
  }

  /**
   * The submodule at a dotted path (`"encoder.layers.0"`); `""` is this module.
   *
   * @example net.getSubmodule("fc1")
   */
  getSubmodule(target: string): AnyModule {
    if (target === "") return this;
    let m: AnyModule = this;
    let path = "";
    for (const part of target.split(".")) {
      const next = m.#own<AnyModule>("module").find(([n]) => n === part);
      if (next === undefined) {
        throw new ModuleError(`getSubmodule: ${path === "" ? m.#className() : `"${path}" (${m.#className()})`} has no submodule "${part}" (looking up "${target}").`);
      }
      m = next[1];
      path = path === "" ? part : `${path}.${part}`;
    }
    return m;
  }

  /**
   * The parameter at a dotted path (`"fc1.weight"`).
   *
   * @example net.getParameter("fc1.weight").shape
   */
  getParameter(target: string): Parameter {
    const { module, name } = this.#splitTarget(target);
    const p = module.#own<Parameter>("parameter").find(([n]) => n === name);
    if (p === undefined) throw new ModuleError(`getParameter: ${module.#className()} has no parameter "${name}" (looking up "${target}").`);
    return p[1];
  }

  /**
   * The buffer at a dotted path (`"bn.running_mean"`).
   *
   * @example bn.getBuffer("running_mean")
   */
  getBuffer(target: string): Tensor {
    const { module, name } = this.#splitTarget(target);
    const b = module.#own<Tensor>("buffer").find(([n]) => n === name);
    if (b === undefined) throw new ModuleError(`getBuffer: ${module.#className()} has no buffer "${name}" (looking up "${target}").`);
    return b[1];
  }

  #splitTarget(target: string): { module: AnyModule; name: string } {
    const dot = target.lastIndexOf(".");
    return dot < 0 ? { module: this, name: target } : { module: this.getSubmodule(target.slice(0, dot)), name: target.slice(dot + 1) };
  }

  /**
   * The submodules registered on this module, in order, without removing repeats (a module
   * added twice is listed twice). For containers such as `Sequential`.
   */
  protected ownModules(): [string, AnyModule][] {
    return this.#own<AnyModule>("module");
  }

  /**
   * The buffer registered under `name` on this module, or null (also when registered as null).
   * Layers use it for typed accessors (`BatchNorm.runningMean`).
   */
  protected bufferOrNull(name: string): Tensor | null {
    return this.#own<Tensor>("buffer").find(([n]) => n === name)?.[1] ?? null;
  }

  // ------------------------------------------------------------------ modes and gradients

  /**
   * Sets training mode on this module and every submodule (`eval()` is `train(false)`).
   * Affects `Dropout`, `BatchNorm` and `MultiheadAttention`'s dropout.
   *
   * @example net.train(); net.eval();
   */
  train(mode = true): this {
    this.training = mode;
    for (const child of this.children()) child.train(mode);
    return this;
  }

  /** Evaluation mode: `train(false)`. */
  eval(): this {
    return this.train(false);
  }

  /**
   * Sets `requiresGrad` of every parameter (to freeze or unfreeze a part of a model).
   *
   * @example net.fc1.requiresGrad_(false);
   */
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad_(requiresGrad);
    return this;
  }

  /**
   * Clears the gradients of every parameter. With `setToNone` (the default) each `.grad` is
   * disposed and set to null, so memory stays flat across steps; don't keep references to
   * old gradients. With `setToNone: false` they are zeroed in place.
   *
   * @example net.zeroGrad();
   */
  zeroGrad(options: { setToNone?: boolean } = {}): void {
    const setToNone = options.setToNone ?? true;
    for (const p of this.parameters()) {
      const g = p.grad;
      if (g === null) continue;
      if (setToNone) {
        p.grad = null;
        g.dispose();
      } else if (g.requiresGrad) {
        // A gradient recorded with createGraph: replace it by a detached zero tensor.
        p.grad = keep(noGrad(() => zerosLike(g)));
        g.dispose();
      } else {
        noGrad(() => g.zero_());
      }
    }
  }

  // ------------------------------------------------------------------ devices and dtypes

  /**
   * Moves (device name) or casts (floating-point dtype) every parameter and buffer, in place,
   * and returns this module. Parameters keep their identity — the same `Parameter` objects get
   * the new storage (`Parameter.setData`), so an optimizer built before `to()` still updates
   * them; their gradients are moved or cast too. Buffers are replaced by converted tensors and
   * the old ones disposed. Casting leaves integer and bool buffers (`num_batches_tracked`)
   * alone, as PyTorch.
   *
   * @example
   * net.to("float64");
   * net.to("webgpu");
   */
  to(target: string): this {
    const isCast = isDType(target);
    if (isCast && !isFloatingPoint(target)) {
      throw new ModuleError(`Module.to only accepts floating point dtypes (or a device), but got "${target}". Cast individual tensors with t.to("${target}").`);
    }
    const done = new Set<Parameter>();
    const buffersDone = new Map<Tensor, Tensor>();
    for (const [, m] of this.namedModules()) {
      for (const [, p] of m.#own<Parameter>("parameter")) {
        if (done.has(p)) continue;
        done.add(p);
        if (isCast && !isFloatingPoint(p.dtype)) continue;
        convertParameter(p, (t) => t.to(target));
      }
      for (const slot of m.#slots) {
        if (slot.kind !== "buffer" || slot.key !== null || !(slot.value instanceof Tensor)) continue;
        const b = slot.value;
        if (isCast && !isFloatingPoint(b.dtype)) continue;
        let nb = buffersDone.get(b);
        if (nb === undefined) {
          const moved = noGrad(() => b.to(target));
          nb = moved === b ? b : keep(moved);
          buffersDone.set(b, nb);
          if (nb !== b) b.dispose();
        }
        slot.value = nb;
      }
    }
    return this;
  }

  /**
   * Applies `fn` to every submodule (children first, recursively) and then to this module;
   * returns this module. Typical use: custom initialization.
   *
   * @example net.apply((m) => { if (m instanceof Linear) init.zeros_(m.bias!); });
   */
  apply(fn: (module: AnyModule) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  /**
   * Disposes every parameter and buffer of this module and its submodules (their gradients
   * too). The module can't be used afterwards.
   */
  dispose(): void {
    for (const p of this.parameters()) {
      p.grad?.dispose();
      p.grad = null;
      p.dispose();
    }
    for (const b of this.buffers()) b.dispose();
  }

  // ------------------------------------------------------------------ state dicts

  /** Every persistent entry with its full key, recursing without dedup (as PyTorch). */
  #stateEntries(prefix: string, out: [string, Tensor][]): void {
    for (const [name, p] of this.#own<Parameter>("parameter")) out.push([prefix + name, p]);
    for (const [name, b] of this.#own<Tensor>("buffer", (s) => s.persistent)) out.push([prefix + name, b]);
    for (const [name, m] of this.#own<AnyModule>("module")) m.#stateEntries(`${prefix}${name}.`, out);
  }

  /**
   * The module's state: parameters, then persistent buffers, of this module and then of each
   * submodule (recursively, `"child.name"` keys), in registration order — PyTorch's names and
   * order. Values are detached views sharing the parameters' storage (`keepVars: true` gives
   * the parameters themselves). A parameter shared by two submodules appears under both keys.
   *
   * @example
   * const sd = net.stateDict();
   * Object.keys(sd); // ["fc1.weight", "fc1.bias", …]
   */
  stateDict(options: { prefix?: string; keepVars?: boolean } = {}): StateDict {
    const entries: [string, Tensor][] = [];
    this.#stateEntries(options.prefix ?? "", entries);
    const out: StateDict = {};
    for (const [key, t] of entries) out[key] = options.keepVars ? t : t.detach();
    return out;
  }

  /**
   * Copies a state dict's tensors into this module's parameters and buffers (under `noGrad`,
   * casting dtypes and moving devices as needed). Every key is checked before anything is
   * copied, so a failed load leaves the module unchanged. With `strict` (the default) missing
   * and unexpected keys are errors; with `strict: false` they are returned. A shape mismatch
   * is always an error. The error lists every problem, in PyTorch's words.
   *
   * @example
   * net.loadStateDict(sd);
   * const { missingKeys, unexpectedKeys } = net.loadStateDict(partial, { strict: false });
   */
  loadStateDict(stateDict: Readonly<StateDict> | ReadonlyMap<string, Tensor>, options: { strict?: boolean } = {}): LoadStateDictResult {
    const strict = options.strict ?? true;
    const source = stateDict instanceof Map ? stateDict : new Map(Object.entries(stateDict as StateDict));
    const expected: [string, Tensor][] = [];
    this.#stateEntries("", expected);
    const expectedKeys = new Set(expected.map(([k]) => k));
    const missingKeys = expected.map(([k]) => k).filter((k) => !source.has(k));
    const unexpectedKeys = [...source.keys()].filter((k) => !expectedKeys.has(k));
    const errors: string[] = [];
    if (strict && missingKeys.length > 0) errors.push(`Missing key(s) in state_dict: ${missingKeys.map((k) => `"${k}"`).join(", ")}.`);
    if (strict && unexpectedKeys.length > 0) errors.push(`Unexpected key(s) in state_dict: ${unexpectedKeys.map((k) => `"${k}"`).join(", ")}.`);
    const copies: [Tensor, Tensor][] = [];
    for (const [key, target] of expected) {
      if (!source.has(key)) continue;
      const src = source.get(key);
      if (!(src instanceof Tensor)) {
        errors.push(`While copying the parameter named "${key}", expected a Tensor from checkpoint but received ${describeValue(src)}.`);
      } else if (src.isDisposed) {
        errors.push(`While copying the parameter named "${key}", the checkpoint's tensor was disposed.`);
      } else if (!sameShape(src.shape, target.shape)) {
        errors.push(
          `size mismatch for ${key}: copying a param with shape ${formatShape(src.shape)} from checkpoint, the shape in current model is ${formatShape(target.shape)}.`,
        );
      } else {
        copies.push([target, src]);
      }
    }
    if (errors.length > 0) {
      throw new StateDictError(`Error(s) in loading state_dict for ${this.#className()}:\n\t${errors.join("\n\t")}`);
    }
    noGrad(() => {
      for (const [target, src] of copies) if (target !== src) target.copy_(src);
    });
    return { missingKeys, unexpectedKeys };
  }

  // ------------------------------------------------------------------ printing

  /**
   * Extra text printed between the parentheses of this module's `toString()`
   * (`Linear(inFeatures=4, outFeatures=2, bias=true)`). Override it in layers.
   */
  extraRepr(): string {
    return "";
  }

  /**
   * The module tree, as PyTorch prints it.
   *
   * @example String(new Sequential(new Linear(2, 2), new ReLU()))
   * // Sequential(\n  (0): Linear(inFeatures=2, outFeatures=2, bias=true)\n  (1): ReLU()\n)
   */
  toString(): string {
    const children = this.#own<AnyModule>("module");
    const extra = this.extraRepr();
    if (children.length === 0) return `${this.#className()}(${extra})`;
    const lines = extra === "" ? [] : extra.split("\n");
    for (const [name, child] of children) lines.push(`(${name}): ${String(child).split("\n").join("\n  ")}`);
    return `${this.#className()}(\n  ${lines.join("\n  ")}\n)`;
  }
}

/** Replaces `p`'s data (and grad) by `convert` of them, keeping the Parameter object. */
function convertParameter(p: Parameter, convert: (t: Tensor) => Tensor): void {
  const data = p.detach();
  const moved = noGrad(() => convert(data));
  if (moved !== data) {
    const g = p.grad;
    let movedGrad: Tensor | null = null;
    if (g !== null) {
      const gd = g.detach();
      const mg = noGrad(() => convert(gd));
      movedGrad = mg === gd ? null : keep(mg);
      if (mg !== gd) gd.dispose();
      p.grad = null;
    }
    p.setData(moved);
    moved.dispose();
    if (movedGrad !== null) {
      p.grad = movedGrad;
      g!.dispose();
    } else if (g !== null) {
      p.grad = g;
    }
  }
  data.dispose();
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function describeSlot(slot: Slot): string {
  const what = slot.key !== null ? `the property "${slot.key}"` : `the ${slot.kind} registered as "${slot.name}"`;
  return what;
}

function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "undefined";
  if (typeof v === "object") return `a ${(v as object).constructor?.name ?? "object"}`;
  return `a ${typeof v}`;
}
