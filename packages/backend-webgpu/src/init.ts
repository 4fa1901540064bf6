/**
 * Starting WebGPU: the one asynchronous call a program makes before using `device: "webgpu"`.
 */
import { DeviceError } from "@tessera/storage";
import { getBackend, hasBackend, registerBackend } from "@tessera/backend";
import { type WebGPUBackend, type WebGPUBackendOptions, createWebGPUBackend } from "./backend.js";

/**
 * Options of {@link initWebGPU}: those of the backend, plus how to get the device.
 *
 * @example
 * await initWebGPU({ powerPreference: "high-performance", maxPooledBytes: 512 * 1024 * 1024 });
 */
export interface InitWebGPUOptions extends WebGPUBackendOptions {
  /** Which adapter to ask for. */
  readonly powerPreference?: GPUPowerPreference;
  /** Limits to request beyond the adapter's buffer-size maxima (which are always requested). */
  readonly requiredLimits?: Record<string, number>;
  /** In Node: the options passed to the `webgpu` package's `create()` (Dawn toggles). Default `[]`. */
  readonly dawnOptions?: readonly string[];
  /** Register the backend under its name (replacing one that was lost). Default true. */
  readonly register?: boolean;
  /** Make a new device even if a live backend of this name was already started. Default false. */
  readonly forceNew?: boolean;
}

/** The `GPU` objects made from the `webgpu` package, kept alive for the life of the process. */
const nodeGPUs: GPU[] = [];

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === "string";
}

const SWIFTSHADER_HINT =
  "On a machine without a GPU, Dawn can run on SwiftShader (a CPU Vulkan driver) from Debian's chromium package: " +
  "`apt-get install chromium`, then run with VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json " +
  "(and LD_LIBRARY_PATH=/usr/lib/chromium when the system has no Vulkan loader, libvulkan1).";

/** The `GPU` object: `navigator.gpu` in browsers, the `webgpu` package (Dawn) in Node. */
async function getGPU(dawnOptions: readonly string[]): Promise<GPU> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu !== undefined) return nav.gpu;
  if (!isNode()) {
    throw new DeviceError(
      "initWebGPU: this browser has no WebGPU (navigator.gpu is undefined). Use a browser with WebGPU enabled (a secure context: https or localhost), or use the \"cpu\" device.",
    );
  }
  let mod: { create: (options: string[]) => GPU; globals: object };
  try {
    const name = "webgpu";
    mod = (await import(/* @vite-ignore */ name)) as typeof mod;
  } catch (error) {
    throw new DeviceError(
      `initWebGPU: WebGPU in Node needs the "webgpu" package (Dawn), which could not be loaded (${error instanceof Error ? error.message : String(error)}). ` +
        `Install it next to @tessera/backend-webgpu: \`npm install webgpu@0.6.2\`. ${SWIFTSHADER_HINT}`,
    );
  }
  // The WebGPU interface objects and flag enums (GPUBufferUsage, GPUMapMode, …) a browser has
  // as globals, for code that uses them; never replaces globals that already exist.
  for (const [key, value] of Object.entries(mod.globals ?? {})) {
    if (!(key in globalThis)) Object.defineProperty(globalThis, key, { value, writable: true, configurable: true });
  }
  const gpu = mod.create([...dawnOptions]);
  nodeGPUs.push(gpu);
  return gpu;
}

/**
 * Starts the WebGPU backend and registers it as the device `"webgpu"`: gets the GPU (in
 * browsers `navigator.gpu`; in Node the `webgpu` package, loaded on demand), requests an
 * adapter and a device with the adapter's largest buffer limits, and returns the backend.
 * After it resolves, ops on `"webgpu"` tensors are synchronous; reading values is
 * `await t.data()`. Calling it again returns the same backend while its device lives.
 *
 * Throws a `DeviceError` that says what to install or enable when there is no WebGPU or no
 * adapter.
 *
 * @example
 * import { initWebGPU } from "@tessera/backend-webgpu";
 * import { tensor } from "@tessera/autograd";
 *
 * await initWebGPU();
 * const x = tensor([[1, 2], [3, 4]], { device: "webgpu" });
 * console.log(await x.matmul(x).data()); // Float32Array [7, 10, 15, 22]
 */
export async function initWebGPU(options: InitWebGPUOptions = {}): Promise<WebGPUBackend> {
  const name = options.name ?? "webgpu";
  const register = options.register ?? true;
  if (register && !options.forceNew) {
    const inFlight = starting.get(name);
    if (inFlight !== undefined) return inFlight;
    if (hasBackend(name)) {
      const existing = getBackend(name) as Partial<WebGPUBackend>;
      if (existing.device !== undefined && started.get(name) === existing && !lostBackends.has(existing as WebGPUBackend)) {
        return existing as WebGPUBackend;
      }
    }
  }
  const start = startBackend(name, register, options);
  if (register) {
    starting.set(name, start);
    void start.then(
      () => starting.delete(name),
      () => starting.delete(name),
    );
  }
  return start;
}

async function startBackend(name: string, register: boolean, options: InitWebGPUOptions): Promise<WebGPUBackend> {
  const gpu = await getGPU(options.dawnOptions ?? []);
  const adapter = await gpu.requestAdapter(options.powerPreference ? { powerPreference: options.powerPreference } : undefined);
  if (adapter === null) {
    throw new DeviceError(
      isNode()
        ? `initWebGPU: no WebGPU adapter found: Dawn (the "webgpu" package) found no usable GPU driver. ${SWIFTSHADER_HINT}`
        : "initWebGPU: no WebGPU adapter found (navigator.gpu.requestAdapter() returned null): this browser or machine offers no GPU to WebGPU. Use the \"cpu\" device.",
    );
  }
  const requiredLimits: Record<string, number> = {
    maxBufferSize: adapter.limits.maxBufferSize,
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
    ...options.requiredLimits,
  };
  const device = await adapter.requestDevice({ requiredLimits, label: `tessera ${name}` });
  const backend = createWebGPUBackend(device, options);
  void backend.lost.then(() => lostBackends.add(backend));
  if (register) {
    registerBackend(backend, { replace: true });
    started.set(name, backend);
  }
  return backend;
}

/** Calls of {@link initWebGPU} still getting their device, by name (concurrent calls share one). */
const starting = new Map<string, Promise<WebGPUBackend>>();
/** Backends started by {@link initWebGPU}, by name. */
const started = new Map<string, WebGPUBackend>();
/** Backends whose device was lost. */
const lostBackends = new WeakSet<WebGPUBackend>();
