/** The one error type of the safetensors reader and writer. */
import { TesseraError } from "@tessera/storage";

/**
 * A safetensors file that is malformed, holds a dtype Tessera cannot represent, or a state
 * dict that cannot be written. The message says what is wrong and where (the tensor's name,
 * the byte offset), and how to fix it where there is a fix.
 *
 * @example
 * try {
 *   safetensors.deserialize(bytes);
 * } catch (e) {
 *   if (e instanceof safetensors.SafetensorsError) console.error(e.message);
 * }
 */
export class SafetensorsError extends TesseraError {
  override name = "SafetensorsError";
}

/** The error for a tensor whose values can't be read while writing, naming it. */
export function readFailure(where: string, name: string, e: unknown, hint = ""): SafetensorsError {
  const message = e instanceof Error ? e.message : String(e);
  return new SafetensorsError(`${where}: can't read tensor ${quote(name)}: ${message}${hint}`, { cause: e });
}

/** A name or value quoted for a message, shortened past 120 characters. */
export function quote(s: string): string {
  return JSON.stringify(s.length > 120 ? `${s.slice(0, 120)}…` : s);
}
