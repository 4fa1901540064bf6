/** A tidy scope for composite ops: intermediates are freed, the result survives. */
import { popScope, pushScope, adoptIntoScope } from "../memory.js";
import type { Tensor } from "../tensor.js";

/**
 * Runs `fn` and disposes every tensor it created except its result (which is handed to the
 * enclosing scope). Intermediates that a graph node saved stay alive through the node.
 */
export function tidyInternal(fn: () => Tensor): Tensor {
  pushScope();
  let result: Tensor | undefined;
  try {
    result = fn();
  } finally {
    for (const t of popScope()) if (t !== result && !t._kept) t.dispose();
  }
  adoptIntoScope(result!);
  return result!;
}
