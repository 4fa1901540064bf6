/** Grad mode: whether new ops are recorded into the graph. */

let enabled = true;

/** True if ops record the graph (the default), false inside {@link noGrad}. */
export function isGradEnabled(): boolean {
  return enabled;
}

/**
 * Runs `fn` with graph recording switched to `mode`, restoring the previous mode afterwards
 * even if `fn` throws.
 */
export function setGradEnabled<T>(mode: boolean, fn: () => T): T {
  const previous = enabled;
  enabled = mode;
  try {
    return fn();
  } finally {
    enabled = previous;
  }
}

/**
 * Runs `fn` without recording the graph: results never require grad. Use it for inference
 * and for parameter updates.
 *
 * @example
 * noGrad(() => w.sub_(w.grad!.mul(0.1)));
 */
export function noGrad<T>(fn: () => T): T {
  return setGradEnabled(false, fn);
}

/**
 * Runs `fn` with graph recording on, even inside {@link noGrad}.
 *
 * @example
 * noGrad(() => enableGrad(() => x.mul(2))).requiresGrad; // true if x requires grad
 */
export function enableGrad<T>(fn: () => T): T {
  return setGradEnabled(true, fn);
}
