/** Errors of the autograd layer. */
import { TesseraError } from "@tessera/storage";

/** Misuse of the graph: backward twice, in-place on a leaf, a modified saved tensor, … */
export class AutogradError extends TesseraError {
  override name = "AutogradError";
}
