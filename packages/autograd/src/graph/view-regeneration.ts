/**
 * The seam between `Tensor` and the in-place-on-views machinery (`functions/view-inplace.ts`):
 * a view whose base's history changed asks for its gradient edge to be regenerated through
 * here, so `tensor.ts` needs no import of the op modules that import it.
 */
import type { Tensor } from "../tensor.js";

let regenerator: ((view: Tensor, base: Tensor) => void) | null = null;

/** Installs the function that regenerates a view's gradient edge (once, at load). */
export function setViewRegenerator(fn: (view: Tensor, base: Tensor) => void): void {
  regenerator = fn;
}

/** Regenerates `view`'s gradient edge onto `base`'s current history. */
export function regenerateView(view: Tensor, base: Tensor): void {
  regenerator!(view, base);
}
