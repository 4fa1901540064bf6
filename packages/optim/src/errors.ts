/** The one error class of `@tessera/optim`. */

/**
 * A misconfigured optimizer or scheduler, or a state dict that does not fit: the message names
 * the class, the option and its value, and the fix.
 *
 * @example
 * try {
 *   new SGD([w], { lr: -1 });
 * } catch (e) {
 *   e instanceof OptimError; // true: "SGD: invalid lr: -1; it must be a number >= 0."
 * }
 */
export class OptimError extends Error {
  override name = "OptimError";
}
