/** Containers: `Sequential`, `ModuleList`, `ModuleDict`. */
import type { Tensor } from "@tessera/autograd";
import { TesseraError } from "@tessera/storage";
import { type AnyModule, Module, ModuleError } from "../module.js";

function normalizeIndex(op: string, i: number, length: number, allowEnd = false): number {
  const n = i < 0 ? i + length : i;
  if (!Number.isInteger(i) || n < 0 || n > length || (n === length && !allowEnd)) {
    throw new RangeError(`${op}: index ${i} is out of range for a container of length ${length}.`);
  }
  return n;
}

/**
 * Modules applied one after another: `forward(x)` is `mₙ(…m₁(m₀(x)))`. Children are named
 * `"0"`, `"1"`, … as in PyTorch, so state-dict keys are `"0.weight"`, `"2.bias"`, ….
 *
 * @example
 * const mlp = new Sequential(new Linear(784, 128), new ReLU(), new Linear(128, 10));
 * mlp.forward(randn([32, 784])).shape; // [32, 10]
 * Object.keys(mlp.stateDict());        // ["0.weight", "0.bias", "2.weight", "2.bias"]
 */
export class Sequential extends Module {
  constructor(...modules: AnyModule[]) {
    super();
    modules.forEach((m, i) => this.registerModule(String(i), checkModule("Sequential", m)));
  }

  /** The modules, in order (repeats included). */
  #list(): AnyModule[] {
    return this.ownModules().map(([, m]) => m);
  }

  forward(input: Tensor): Tensor {
    let x = input;
    for (const m of this.#list()) x = m.forward(x) as Tensor;
    return x;
  }

  /** Number of modules. */
  get length(): number {
    return this.ownModules().length;
  }

  /** The module at `index` (negative counts from the end). */
  at(index: number): AnyModule {
    const list = this.#list();
    return list[normalizeIndex("Sequential.at", index, list.length)]!;
  }

  /** Adds a module at the end; returns this. */
  append(module: AnyModule): this {
    this.registerModule(String(this.length), checkModule("Sequential.append", module));
    return this;
  }

  /** Adds modules at the end; returns this. */
  extend(modules: Iterable<AnyModule>): this {
    for (const m of modules) this.append(m);
    return this;
  }

  /** Inserts a module before `index` (children are renumbered); returns this. */
  insert(index: number, module: AnyModule): this {
    const list = this.#list();
    list.splice(normalizeIndex("Sequential.insert", index, list.length, true), 0, checkModule("Sequential.insert", module));
    list.forEach((m, i) => this.registerModule(String(i), m));
    return this;
  }

  /** Removes and returns the module at `index` (default: the last); children are renumbered. */
  pop(index = -1): AnyModule {
    const list = this.#list();
    const [removed] = list.splice(normalizeIndex("Sequential.pop", index, list.length), 1);
    list.forEach((m, i) => this.registerModule(String(i), m));
    this.unregister(String(list.length));
    return removed!;
  }

  /** A new Sequential of the modules `start … end − 1` (the same module objects). */
  slice(start?: number, end?: number): Sequential {
    return new Sequential(...this.#list().slice(start, end));
  }

  [Symbol.iterator](): Iterator<AnyModule> {
    return this.#list()[Symbol.iterator]();
  }
}

/**
 * A list of submodules, registered as `"0"`, `"1"`, …: use it (not a plain array, which is
 * not searched) to hold a variable number of layers. It has no `forward`.
 *
 * @example
 * class Stack extends Module {
 *   layers = new ModuleList(Array.from({ length: 4 }, () => new Linear(64, 64)));
 *   forward(x: Tensor) { for (const l of this.layers) x = l.forward(x); return x; }
 * }
 * // state-dict keys: "layers.0.weight", …, "layers.3.bias"
 */
export class ModuleList<M extends AnyModule = AnyModule> extends Module<never[], never> {
  constructor(modules: Iterable<M> = []) {
    super();
    this.extend(modules);
  }

  forward(): never {
    throw new ModuleError("ModuleList has no forward(); iterate it and call each module's forward.");
  }

  #list(): M[] {
    return this.ownModules().map(([, m]) => m as M);
  }

  /** Number of modules. */
  get length(): number {
    return this.ownModules().length;
  }

  /** The module at `index` (negative counts from the end). */
  at(index: number): M {
    const list = this.#list();
    return list[normalizeIndex("ModuleList.at", index, list.length)]!;
  }

  /** Replaces the module at `index`. */
  set(index: number, module: M): void {
    this.registerModule(String(normalizeIndex("ModuleList.set", index, this.length)), checkModule("ModuleList.set", module));
  }

  /** Adds a module at the end; returns this. */
  append(module: M): this {
    this.registerModule(String(this.length), checkModule("ModuleList.append", module));
    return this;
  }

  /** Adds modules at the end; returns this. */
  extend(modules: Iterable<M>): this {
    for (const m of modules) this.append(m);
    return this;
  }

  /** Inserts a module before `index` (later modules are renumbered). */
  insert(index: number, module: M): void {
    const list = this.#list();
    list.splice(normalizeIndex("ModuleList.insert", index, list.length, true), 0, checkModule("ModuleList.insert", module));
    list.forEach((m, i) => this.registerModule(String(i), m));
  }

  /** Removes and returns the module at `index` (default: the last); later ones are renumbered. */
  pop(index = -1): M {
    const list = this.#list();
    const [removed] = list.splice(normalizeIndex("ModuleList.pop", index, list.length), 1);
    list.forEach((m, i) => this.registerModule(String(i), m));
    this.unregister(String(list.length));
    return removed!;
  }

  [Symbol.iterator](): Iterator<M> {
    return this.#list()[Symbol.iterator]();
  }
}

/**
 * Submodules by name (names used exactly as given, so `"encoder"` gives keys
 * `"encoder.weight"`); insertion ordered. It has no `forward`.
 *
 * @example
 * const heads = new ModuleDict({ cls: new Linear(64, 10), box: new Linear(64, 4) });
 * heads.get("cls").forward(h);
 */
export class ModuleDict<M extends AnyModule = AnyModule> extends Module<never[], never> {
  constructor(modules: Record<string, M> | Iterable<readonly [string, M]> = {}) {
    super();
    this.update(modules);
  }

  forward(): never {
    throw new ModuleError("ModuleDict has no forward(); look modules up with get(name) and call their forward.");
  }

  /** The module named `key`; throws if there is none. */
  get(key: string): M {
    const found = this.ownModules().find(([n]) => n === key);
    if (found === undefined) throw new ModuleError(`ModuleDict: no module named "${key}" (keys: ${this.keys().map((k) => `"${k}"`).join(", ") || "none"}).`);
    return found[1] as M;
  }

  /** Adds or replaces the module named `key`. */
  set(key: string, module: M): void {
    this.registerModule(key, checkModule("ModuleDict.set", module));
  }

  /** True if a module is named `key`. */
  has(key: string): boolean {
    return this.ownModules().some(([n]) => n === key);
  }

  /** Removes the module named `key`; returns whether there was one. */
  delete(key: string): boolean {
    return this.unregister(key);
  }

  /** Adds or replaces every entry of `modules`. */
  update(modules: Record<string, M> | Iterable<readonly [string, M]>): void {
    const entries = Symbol.iterator in modules ? [...(modules as Iterable<readonly [string, M]>)] : Object.entries(modules);
    for (const [k, m] of entries) this.set(k, m);
  }

  /** Number of modules. */
  get size(): number {
    return this.ownModules().length;
  }

  /** The names, in insertion order. */
  keys(): string[] {
    return this.ownModules().map(([n]) => n);
  }

  /** The modules, in insertion order. */
  values(): M[] {
    return this.ownModules().map(([, m]) => m as M);
  }

  /** [name, module] pairs, in insertion order. */
  entries(): [string, M][] {
    return this.ownModules() as [string, M][];
  }

  [Symbol.iterator](): Iterator<[string, M]> {
    return this.entries()[Symbol.iterator]();
  }
}

function checkModule<T>(op: string, m: T): T {
  if (!(m instanceof Module)) throw new TesseraError(`${op}: expected a Module, got ${m === null ? "null" : typeof m === "object" ? (m as object).constructor?.name : typeof m}.`);
  return m;
}
