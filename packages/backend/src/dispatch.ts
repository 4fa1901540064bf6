/**
 * Finding a backend's kernel for a catalog op, and checking a backend can hold a dtype —
 * with errors that say which registered backends can do it instead.
 */
import { type DType, DTypeError, TesseraError } from "@tessera/storage";
import { type OpName, getOpSchema } from "@tessera/kernels";
import type { Backend, Kernel } from "./contract.js";
import { getBackend, listBackends } from "./registry.js";

/**
 * A backend cannot run what was asked of it (an op it does not implement).
 *
 * @example
 * try { getKernel(webgpu, "conv2d"); }
 * catch (e) { if (e instanceof BackendError) console.log(e.message); }
 */
export class BackendError extends TesseraError {
  override name = "BackendError";
}

/** The registered backends whose kernel table has `op`. */
function backendsWithOp(op: string): string[] {
  return listBackends().filter((name) => getBackend(name).kernels[op as OpName] !== undefined);
}

/** The registered backends that declare `dtype`. */
function backendsWithDType(dtype: DType): string[] {
  return listBackends().filter((name) => getBackend(name).dtypes.includes(dtype));
}

/**
 * `backend`'s kernel for catalog op `op`. Throws a `TesseraError` listing the catalog for a
 * name that is not a catalog op, and a {@link BackendError} naming the op, the backend and the
 * registered backends that do implement it when `backend` lacks it.
 *
 * @example
 * const add = getKernel(cpu, "add");
 * add([a, b], [out], {});
 */
export function getKernel<Buffer, K extends OpName>(backend: Backend<Buffer>, op: K): Kernel<Buffer, K> {
  const kernel = backend.kernels[op];
  if (kernel !== undefined) return kernel as Kernel<Buffer, K>;
  getOpSchema(op); // an unknown op name is a different mistake, with its own message
  const others = backendsWithOp(op).filter((name) => name !== backend.name);
  const where =
    others.length > 0
      ? `Backends that have it: ${others.join(", ")}. Move the tensors there first, e.g. t.to("${others[0]}").`
      : "No registered backend implements it.";
  throw new BackendError(`Op "${op}" is not implemented by backend "${backend.name}". ${where}`);
}

/** What to suggest instead of an unsupported dtype, in order of preference. */
const ALTERNATIVES: Readonly<Record<DType, readonly DType[]>> = {
  float64: ["float32"],
  float32: ["float64"],
  int32: ["float32", "float64"],
  bool: ["int32", "float32"],
};

/**
 * Throws a `DTypeError` unless `backend` declares `dtype`. The message names the dtype, the
 * device and what it supports, suggests a dtype to cast to, and lists the registered
 * backends that do support `dtype`. `op` (an op or API name) prefixes the message.
 *
 * @example
 * checkDTypeSupported(webgpu, "float64", "tensor");
 * // DTypeError: tensor: webgpu does not support float64; use float32 instead (x.to("float32")) …
 */
export function checkDTypeSupported(backend: Backend<any>, dtype: DType, op?: string): void {
  if (backend.dtypes.includes(dtype)) return;
  const prefix = op !== undefined && op.length > 0 ? `${op}: ` : "";
  const alt = ALTERNATIVES[dtype]?.find((d) => backend.dtypes.includes(d)) ?? backend.dtypes[0];
  const use = alt !== undefined ? `use ${alt} instead (x.to("${alt}"))` : "it supports no dtypes at all";
  const others = backendsWithDType(dtype).filter((name) => name !== backend.name);
  const elsewhere = others.length > 0 ? ` Devices that support ${dtype}: ${others.join(", ")}.` : "";
  throw new DTypeError(
    `${prefix}${backend.name} does not support ${dtype}; ${use}. Dtypes ${backend.name} supports: ${backend.dtypes.join(", ")}.${elsewhere}`,
  );
}
