/**
 * `@tessera/optim`: PyTorch's `torch.optim` in camelCase — the `Optimizer` base class, SGD,
 * Adam, AdamW, RMSprop and Adagrad, and the learning-rate schedulers — written only against
 * the public `Tensor` API of `@tessera/autograd`.
 *
 * @example
 * import { Adam, CosineAnnealingLR } from "@tessera/optim";
 * const optimizer = new Adam(params, { lr: 1e-3 });
 * const scheduler = new CosineAnnealingLR(optimizer, { tMax: 100 });
 *
 * @packageDocumentation
 */
export { OptimError } from "./errors.js";
export {
  Optimizer,
  type OptimizerOptions,
  type OptimizerStateDict,
  type ParamGroup,
  type ParamGroupInput,
  type ParamState,
  type Params,
  type ZeroGradOptions,
} from "./optimizer.js";
export { SGD, type SGDOptions, type SGDState } from "./sgd.js";
export { Adam, type AdamOptions } from "./adam.js";
export { type AdamState } from "./adam-update.js";
export { AdamW, type AdamWOptions } from "./adamw.js";
export { RMSprop, type RMSpropOptions, type RMSpropState } from "./rmsprop.js";
export { Adagrad, type AdagradOptions, type AdagradState } from "./adagrad.js";
export * from "./lr-scheduler/index.js";
