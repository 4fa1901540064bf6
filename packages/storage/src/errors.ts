/**
 * Error types shared by every Tessera package. Each message names the op, the shapes or
 * dtypes involved and the fix, in the spirit of PyTorch's messages.
 */

/** Base class of every error Tessera throws on purpose. */
export class TesseraError extends Error {
  override name = "TesseraError";
}

/** Shapes that do not fit the op (mismatched sizes, bad dims, impossible views). */
export class ShapeError extends TesseraError {
  override name = "ShapeError";
}

/** A dtype the op does not accept, or dtypes that cannot be combined. */
export class DTypeError extends TesseraError {
  override name = "DTypeError";
}

/** Tensors on different devices, or a device that is not available. */
export class DeviceError extends TesseraError {
  override name = "DeviceError";
}

/** A tensor or storage used after `dispose()`. */
export class DisposedError extends TesseraError {
  override name = "DisposedError";
}

/** Formats a shape the way PyTorch prints it in messages: `[2, 3]`. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}
