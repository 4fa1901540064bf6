/**
 * Tensor lifetimes: a live-tensor count, `tidy` scopes, and the FinalizationRegistry safety
 * net that releases the storage of tensors the user forgot to dispose.
 */
import { type Storage, TesseraError, storageStats } from "@tessera/storage";
import type { Tensor } from "./tensor.js";

let liveTensors = 0;
const scopes: Tensor[][] = [];

const finalizer = new FinalizationRegistry<Storage>((storage) => {
  liveTensors--;
  storage.release();
});

/**
 * Tensors not yet registered with the finalizer. Registering costs about half of a small op,
 * and most tensors are disposed right after use (tidy, engine intermediates), so registration
 * is deferred to a microtask (or to every 4,096 new tensors): tensors disposed by then never
 * touch the registry, and forgotten ones are caught one tick later.
 */
const unregistered: Tensor[] = [];
let flushQueued = false;
const FLUSH_EVERY = 4096;

function registerPending(): void {
  flushQueued = false;
  for (const t of unregistered) {
    const storage = t._storage;
    // Disposed already (even if something reused the object's fields since): nothing to guard.
    if (storage === null || !t._tracked) continue;
    finalizer.register(t, storage, t);
    t._registered = true;
  }
  unregistered.length = 0;
}

/** Counts a new tensor and adds it to the innermost `tidy` scope. */
export function trackTensor(t: Tensor): void {
  liveTensors++;
  unregistered.push(t);
  if (unregistered.length >= FLUSH_EVERY) registerPending();
  else if (!flushQueued) {
    flushQueued = true;
    queueMicrotask(registerPending);
  }
  if (scopes.length > 0) scopes[scopes.length - 1]!.push(t);
}

/** Stops counting a tensor that was disposed. */
export function untrackTensor(t: Tensor): void {
  liveTensors--;
  t._tracked = false;
  if (t._registered) {
    finalizer.unregister(t);
    t._registered = false;
  }
}

/** @internal Opens a tracking scope: tensors created until {@link popScope} are listed in it. */
export function pushScope(): void {
  scopes.push([]);
}

/** @internal Closes the innermost scope and returns the tensors created in it. */
export function popScope(): Tensor[] {
  return scopes.pop()!;
}

/** @internal Adds a tensor to the innermost scope (to hand a result to an enclosing tidy). */
export function adoptIntoScope(t: Tensor): void {
  if (scopes.length > 0) scopes[scopes.length - 1]!.push(t);
}

/** What {@link memory} reports. */
export interface MemoryInfo {
  /** Tensors created and not yet disposed (or collected). */
  tensors: number;
  /** Bytes of live storage on all devices. */
  bytes: number;
  /** Live storage bytes and buffer count per device. */
  devices: Record<string, { bytes: number; buffers: number }>;
}

/**
 * Live tensors and storage bytes, per device. Views share storage, so bytes count each buffer
 * once. In a training loop that disposes what it creates (or runs inside `tidy`), both numbers
 * reach a steady state.
 *
 * @example
 * const before = memory().bytes;
 * tidy(() => x.mul(2).sum());
 * memory().bytes === before; // true
 */
export function memory(): MemoryInfo {
  const devices = storageStats();
  let bytes = 0;
  for (const d of Object.values(devices)) bytes += d.bytes;
  return { tensors: liveTensors, bytes, devices };
}

/** Anything `tidy` may return: tensors are searched in arrays and plain objects. */
export type TidyResult = unknown;

function collectTensors(value: unknown, out: Set<Tensor>, isTensor: (v: unknown) => v is Tensor, depth = 0): void {
  if (depth > 8 || value === null || typeof value !== "object") return;
  if (isTensor(value)) {
    out.add(value);
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) collectTensors(v, out, isTensor, depth + 1);
    return;
  }
  if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collectTensors(v, out, isTensor, depth + 1);
  }
}

let tensorCheck: (v: unknown) => v is Tensor = (_v): _v is Tensor => false;

/** Lets this module recognise tensors without importing the class (avoids an import cycle). */
export function setTensorCheck(check: (v: unknown) => v is Tensor): void {
  tensorCheck = check;
}

/**
 * Runs `fn` and disposes every tensor created inside it, except the tensors it returns
 * (directly, or inside arrays and plain objects) and tensors passed to {@link keep}.
 * Gradients stored into `.grad` by `backward()` are kept. `fn` must be synchronous.
 *
 * @example
 * const loss = tidy(() => model(x).sub(y).pow(2).mean()); // intermediates freed
 */
export function tidy<T extends TidyResult>(fn: () => T): T {
  const scope: Tensor[] = [];
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    scopes.pop();
    for (const t of scope) if (!t._kept) t.dispose();
    throw e;
  }
  scopes.pop();
  if (result instanceof Promise) {
    throw new TesseraError("tidy(fn): fn returned a Promise. tidy only tracks synchronous code; await the values outside tidy.");
  }
  const keepSet = new Set<Tensor>();
  collectTensors(result, keepSet, tensorCheck);
  const parent = scopes.length > 0 ? scopes[scopes.length - 1] : undefined;
  for (const t of scope) {
    if (keepSet.has(t) || t._kept) parent?.push(t);
    else t.dispose();
  }
  return result;
}

/**
 * Marks a tensor so no enclosing `tidy` disposes it (for state created inside a scope that
 * must outlive it, like optimizer buffers). Returns the tensor.
 */
export function keep<T extends Tensor>(t: T): T {
  t._kept = true;
  return t;
}
