/**
 * Fused kernels run on tensors: the glue between `@tessera/optim` and the catalog's fused ops
 * (`adamStep`), which a backend may or may not implement. Internal API: exported for the
 * optimizers (and third-party ones), not part of the `Tensor` surface.
 */
import { DeviceError, formatShape } from "@tessera/storage";
import { type AdamStepAttrs, type OpName, CATALOG } from "@tessera/kernels";
import { type TensorView, getKernel } from "@tessera/backend";
import { AutogradError } from "./errors.js";
import { isGradEnabled } from "./grad-mode.js";
import type { Tensor } from "./tensor.js";
import { commonBackend, execute1, viewOf } from "./runtime.js";

/**
 * True if the backend of `t`'s device implements catalog op `op`. Fused ops are optional for
 * backends (a third-party backend may implement only the primitives); callers use the fused
 * op when this says so and compose it from primitives otherwise.
 *
 * @example
 * if (hasKernel(p, "adamStep")) adamStep_(p, grad, m, v, null, attrs);
 * else composedUpdate(p, grad, m, v);
 */
export function hasKernel(t: Tensor, op: OpName): boolean {
  return t._backend.kernels[op] !== undefined;
}

const NAMES = ["param", "expAvg", "expAvgSq", "maxExpAvgSq"] as const;

/**
 * @internal One fused Adam/AdamW update, in place: `param`, `expAvg`, `expAvgSq` (and
 * `maxExpAvgSq` with `attrs.amsgrad`) are overwritten in one pass of the catalog's `adamStep`
 * op from `grad`, with exactly the arithmetic of the composed update (see `@tessera/kernels`).
 * Records no graph, and bumps the version counter of every tensor it writes.
 *
 * Every tensor must be on one device whose backend has `adamStep` ({@link hasKernel}), with
 * the param's shape and float dtype. It must run with grad mode off (`noGrad`), as an
 * optimizer step does: written tensors that require grad are an error otherwise, as for other
 * in-place ops. Checks come first: when it throws, no tensor was changed. Tensors of any
 * strided layout work; `grad` may even share storage with a written tensor (it is copied
 * first), but two written tensors may not share storage.
 *
 * @example
 * noGrad(() => {
 *   state.step += 1;
 *   adamStep_(p, p.grad!, state.expAvg, state.expAvgSq, null, {
 *     lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0,
 *     decoupled: false, amsgrad: false, maximize: false, step: state.step,
 *   });
 * });
 */
export function adamStep_(
  param: Tensor,
  grad: Tensor,
  expAvg: Tensor,
  expAvgSq: Tensor,
  maxExpAvgSq: Tensor | null,
  attrs: AdamStepAttrs,
): void {
  const op = "adamStep_";
  const written = maxExpAvgSq === null ? [param, expAvg, expAvgSq] : [param, expAvg, expAvgSq, maxExpAvgSq];
  const inputs = maxExpAvgSq === null ? [param, grad, expAvg, expAvgSq] : [param, grad, expAvg, expAvgSq, maxExpAvgSq];
  for (const t of inputs) t._liveStorage(op);
  if (isGradEnabled()) {
    const i = written.findIndex((t) => t.requiresGrad);
    if (i >= 0) {
      const t = written[i]!;
      const what = t.isLeaf ? "a leaf Variable that requires grad" : "a tensor that requires grad";
      throw new AutogradError(
        `${op}: ${NAMES[i]} (shape ${formatShape(t.shape)}) is ${what} and is being used in an in-place operation that records no graph. Wrap the update in noGrad(() => …), as Optimizer.step does.`,
      );
    }
  }
  let backend;
  try {
    backend = commonBackend(op, inputs);
  } catch (e) {
    if (!(e instanceof DeviceError)) throw e;
    const where = inputs.map((t, k) => `${CATALOG.adamStep.inputs[k]} on ${t.device}`).join(", ");
    throw new DeviceError(`${op}: expected every tensor on one device, but got ${where}. Move them with .to("${param.device}").`);
  }
  const kernel = getKernel(backend, "adamStep");
  CATALOG.adamStep.infer(inputs, attrs);
  for (let i = 0; i < written.length; i++) {
    for (let j = i + 1; j < written.length; j++) {
      if (written[i]!._storage === written[j]!._storage) {
        throw new AutogradError(
          `${op}: ${NAMES[i]} and ${NAMES[j]} share storage; each tensor the update writes needs its own. Clone one of them first.`,
        );
      }
    }
  }
  // A gradient that shares storage with a written tensor is read from a copy.
  const g = written.some((t) => t._storage === grad._storage) ? execute1("copy", [grad], {}, backend) : grad;
  try {
    const views: TensorView[] = inputs.map((t, k) => viewOf(k === 1 ? g : t, op));
    (kernel as (i: readonly TensorView[], o: readonly TensorView[], a: AdamStepAttrs) => void)(
      views,
      written.map((t) => viewOf(t, op)),
      attrs,
    );
  } finally {
    if (g !== grad) g.dispose();
  }
  for (const t of written) t._liveStorage(op).version++;
}
