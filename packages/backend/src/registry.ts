/**
 * The backend registry: the devices users can name (`"cpu"`, `"webgpu"`, a custom one), each
 * registered once by the package that implements it.
 */
import { DeviceError, TesseraError } from "@tessera/storage";
import type { Backend } from "./contract.js";

/**
 * How to make a well-known device available, shown when it is asked for before it is
 * registered. Keyed by device name.
 */
const START_HINTS: Readonly<Record<string, string>> = {
  cpu:
    'Import the "tessera" umbrella package (it registers the CPU backend), or register it yourself once: `import { registerBackend } from "@tessera/backend"; import { cpuBackend } from "@tessera/backend-cpu"; registerBackend(cpuBackend);`.',
  webgpu:
    'WebGPU must be started once, asynchronously, before it is used: `import { initWebGPU } from "@tessera/backend-webgpu"; await initWebGPU();`. In Node it needs the "webgpu" package (Dawn); in browsers, navigator.gpu.',
};

/**
 * The registry lives on `globalThis` under a registered symbol, so that two copies of this
 * package (an ESM and a CJS build loaded side by side) still share one set of devices.
 */
const REGISTRY_KEY = Symbol.for("@tessera/backend/registry");

function registry(): Map<string, Backend<any>> {
  const g = globalThis as { [REGISTRY_KEY]?: Map<string, Backend<any>> };
  let map = g[REGISTRY_KEY];
  if (map === undefined) {
    map = new Map();
    g[REGISTRY_KEY] = map;
  }
  return map;
}

/**
 * Options of {@link registerBackend}.
 *
 * @example
 * registerBackend(patchedCpu, { replace: true });
 */
export interface RegisterBackendOptions {
  /** Replace a backend already registered under the same name instead of throwing. */
  readonly replace?: boolean;
}

/**
 * Makes `backend` available under `backend.name`. Throws a `TesseraError` if that name is
 * taken, unless `{ replace: true }`.
 *
 * @example
 * import { registerBackend } from "@tessera/backend";
 * registerBackend(myBackend);                      // tensors can now use { device: myBackend.name }
 * registerBackend(myBackend2, { replace: true });  // swap in another implementation
 */
export function registerBackend(backend: Backend<any>, options: RegisterBackendOptions = {}): void {
  const name = backend?.name;
  if (typeof name !== "string" || name.length === 0) {
    throw new TesseraError(
      `registerBackend: a backend needs a non-empty string \`name\` (the device name users pass, e.g. "cpu"), but got ${JSON.stringify(name)}.`,
    );
  }
  const map = registry();
  const existing = map.get(name);
  if (existing !== undefined && existing !== backend && options.replace !== true) {
    throw new TesseraError(
      `registerBackend: a backend named "${name}" is already registered. Pass { replace: true } to replace it, call unregisterBackend("${name}") first, or give the new backend another name.`,
    );
  }
  map.set(name, backend);
}

/**
 * Removes the backend registered as `name`. Returns true if there was one.
 *
 * @example
 * unregisterBackend("my-device"); // true
 * unregisterBackend("my-device"); // false: already gone
 */
export function unregisterBackend(name: string): boolean {
  return registry().delete(name);
}

/**
 * The backend registered as `name`. Throws a `DeviceError` when there is none, naming the
 * registered backends and, for known devices such as `"webgpu"`, how to start it.
 *
 * @example
 * const cpu = getBackend("cpu");
 * getBackend("webgpu"); // before `await initWebGPU()`: DeviceError 'Device "webgpu" is not available …'
 */
export function getBackend<Buffer = unknown>(name: string): Backend<Buffer> {
  const backend = registry().get(name);
  if (backend === undefined) throw new DeviceError(notAvailableMessage(name));
  return backend as Backend<Buffer>;
}

/**
 * The names of the registered backends, in registration order.
 *
 * @example
 * listBackends(); // ["cpu", "webgpu"]
 */
export function listBackends(): string[] {
  return [...registry().keys()];
}

/**
 * True if a backend is registered as `name`.
 *
 * @example
 * const device = hasBackend("webgpu") ? "webgpu" : "cpu";
 */
export function hasBackend(name: string): boolean {
  return registry().has(name);
}

/** The message of the error {@link getBackend} throws for an unregistered `name`. */
function notAvailableMessage(name: string): string {
  const names = listBackends();
  const registered =
    names.length === 0 ? "No backends are registered yet." : `Registered backends: ${names.map((n) => `"${n}"`).join(", ")}.`;
  const hint = Object.prototype.hasOwnProperty.call(START_HINTS, name)
    ? START_HINTS[name]!
    : `If "${name}" is a custom backend, register it first with registerBackend(backend) from "@tessera/backend".`;
  return `Device "${name}" is not available: no backend with that name is registered. ${registered} ${hint}`;
}
