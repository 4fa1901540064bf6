/** Helpers shared by the layers. */
import { empty } from "@tessera/autograd";
import { type DType, TesseraError } from "@tessera/storage";
import { Parameter } from "../parameter.js";

/** Where a layer creates its parameters and buffers (PyTorch's `device=`, `dtype=`). */
export interface FactoryOptions {
  /** Floating-point dtype of the parameters. Default float32. */
  dtype?: DType;
  /** Device of the parameters. Default: the default device. */
  device?: string;
}

/** A new parameter of `shape` with unspecified values (the caller initializes it). */
export function newParameter(shape: readonly number[], options: FactoryOptions): Parameter {
  const data = empty(shape, { dtype: options.dtype ?? "float32", device: options.device });
  const p = new Parameter(data);
  data.dispose();
  return p;
}

/** Checks that `n` is an integer ≥ `min`, naming the layer and argument. */
export function checkInt(layer: string, name: string, n: unknown, min: number): number {
  if (typeof n !== "number" || !Number.isInteger(n) || n < min) {
    throw new TesseraError(`${layer}: ${name} must be an integer >= ${min}, got ${String(n)}.`);
  }
  return n;
}

/** Formats a value for `extraRepr`. */
export function repr(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(repr).join(", ")}]`;
  if (typeof v === "string") return `"${v}"`;
  return String(v);
}

/** `extraRepr` text from name/value pairs. */
export function reprFields(fields: Record<string, unknown>): string {
  return Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${repr(v)}`)
    .join(", ");
}

