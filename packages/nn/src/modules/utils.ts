/**
 * Gradient clipping and flat-vector conversion, as `torch.nn.utils`.
 */
import { Tensor, cat, noGrad, stack, tensor, tidy } from "@tessera/autograd";
import { ShapeError, TesseraError, formatShape } from "@tessera/storage";

/** Parameters (or any tensors) as a list, an iterable, or one tensor. */
export type TensorsArg = Tensor | Iterable<Tensor>;

function asList(parameters: TensorsArg): Tensor[] {
  return parameters instanceof Tensor ? [parameters] : [...parameters];
}

/** Options of {@link clipGradNorm_}. */
export interface ClipGradNormOptions {
  /** The p of the p-norm; `Infinity` for the max norm. Default 2. */
  normType?: number;
  /**
   * Throw if the total norm is NaN or infinite, instead of scaling the gradients by it.
   * Reads the norm back, so it needs a device that reads synchronously (the CPU). Default false.
   */
  errorIfNonfinite?: boolean;
}

/** ‖g‖ₚ of one tensor, as a 0-dim tensor. */
function pNorm(g: Tensor, p: number): Tensor {
  if (p === Infinity) return g.abs().max();
  if (p === -Infinity) return g.abs().min();
  if (p === 2) return g.mul(g).sum().sqrt();
  if (p === 1) return g.abs().sum();
  return g.abs().pow(p).sum().pow(1 / p);
}

/**
 * Scales the gradients of `parameters` in place so that their total norm (the norm of the
 * vector of all gradient elements) is at most `maxNorm`, and returns that total norm (before
 * clipping) as a 0-dim tensor. Gradients are multiplied by min(1, maxNorm / (norm + 1e-6)), as
 * PyTorch. Parameters without a gradient are skipped; with none at all the norm is 0.
 *
 * @example
 * loss.backward();
 * const norm = clipGradNorm_(net.parameters(), 1.0);
 * optimizer.step();
 */
export function clipGradNorm_(parameters: TensorsArg, maxNorm: number, options: ClipGradNormOptions = {}): Tensor {
  const normType = options.normType ?? 2;
  if (typeof normType !== "number" || Number.isNaN(normType) || normType <= 0) {
    if (normType !== -Infinity) throw new TesseraError(`clipGradNorm_: normType must be a positive number or ±Infinity, got ${String(normType)}.`);
  }
  const grads = asList(parameters)
    .map((p) => p.grad)
    .filter((g): g is Tensor => g !== null);
  if (grads.length === 0) return tensor(0);
  const first = grads[0]!;
  const total = noGrad(() =>
    tidy(() => {
      const norms = grads.map((g) => pNorm(g, normType).to(first.dtype).to(first.device));
      if (norms.length === 1) return norms[0]!;
      return pNorm(stack(norms), normType);
    }),
  );
  if (options.errorIfNonfinite) {
    const v = total.itemSync();
    if (!Number.isFinite(v)) {
      total.dispose();
      throw new TesseraError(
        `The total norm of order ${normType} for gradients from \`parameters\` is non-finite, so it cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set errorIfNonfinite: false.`,
      );
    }
  }
  noGrad(() =>
    tidy(() => {
      const coef = total.add(1e-6).reciprocal().mul(maxNorm).clamp({ max: 1 });
      for (const g of grads) g.mul_(g.device === coef.device ? coef : coef.to(g.device));
    }),
  );
  return total;
}

/**
 * Clamps every gradient of `parameters` into [−clipValue, clipValue], in place.
 *
 * @example clipGradValue_(net.parameters(), 0.5);
 */
export function clipGradValue_(parameters: TensorsArg, clipValue: number): void {
  if (!(clipValue >= 0)) throw new TesseraError(`clipGradValue_: clipValue must be >= 0, got ${clipValue}.`);
  noGrad(() => {
    for (const p of asList(parameters)) p.grad?.clamp_({ min: -clipValue, max: clipValue });
  });
}

/**
 * All parameters flattened and concatenated into one 1-D tensor (a new tensor, in the graph).
 *
 * @example const flat = parametersToVector(net.parameters()); // [numParams]
 */
export function parametersToVector(parameters: TensorsArg): Tensor {
  const list = asList(parameters);
  if (list.length === 0) throw new TesseraError("parametersToVector: got no parameters.");
  const device = list[0]!.device;
  for (const p of list) {
    if (p.device !== device) {
      throw new TesseraError(`parametersToVector: found parameters on different devices (${device} and ${p.device}); move the module to one device first.`);
    }
  }
  return tidy(() => cat(list.map((p) => p.reshape([-1]))));
}

/**
 * Copies consecutive slices of the 1-D `vec` into `parameters` (in their order and shapes),
 * in place under `noGrad`. Unlike PyTorch, which makes each parameter a view of `vec`, the
 * values are copied, so `vec` can be disposed afterwards. `vec` must hold exactly as many
 * elements as the parameters together.
 *
 * @example vectorToParameters(flat, net.parameters());
 */
export function vectorToParameters(vec: Tensor, parameters: TensorsArg): void {
  if (!(vec instanceof Tensor)) throw new TesseraError(`vectorToParameters: expected vec to be a Tensor, but got ${typeof vec}.`);
  if (vec.ndim !== 1) throw new ShapeError(`vectorToParameters: vec must be 1-D, got shape ${formatShape(vec.shape)}.`);
  const list = asList(parameters);
  const total = list.reduce((n, p) => n + p.numel(), 0);
  if (total !== vec.shape[0]) {
    throw new ShapeError(`vectorToParameters: the parameters hold ${total} elements but vec has ${vec.shape[0]}; they must match.`);
  }
  noGrad(() =>
    tidy(() => {
      let offset = 0;
      for (const p of list) {
        const n = p.numel();
        p.copy_(vec.narrow(0, offset, n).reshape(p.shape));
        offset += n;
      }
    }),
  );
}
