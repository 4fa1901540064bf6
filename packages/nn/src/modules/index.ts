/**
 * The modules half of `@tessera/nn`: `Module`, `Parameter`, the layers, the loss modules,
 * `init` and `utils`.
 */
export { Parameter } from "./parameter.js";
export {
  Module,
  ModuleError,
  StateDictError,
  type AnyModule,
  type StateDict,
  type LoadStateDictResult,
  type NamedMembersOptions,
} from "./module.js";
export { toSnakeCase } from "./naming.js";
export type { FactoryOptions } from "./layers/common.js";
export { Linear, Identity, type LinearOptions } from "./layers/linear.js";
export { Conv2d, type Conv2dLayerOptions, type Size2, type PaddingMode } from "./layers/conv.js";
export { MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, type MaxPool2dLayerOptions, type AvgPool2dLayerOptions } from "./layers/pooling.js";
export { BatchNorm, BatchNorm1d, BatchNorm2d, LayerNorm, type BatchNormOptions, type LayerNormOptions } from "./layers/normalization.js";
export { Embedding, type EmbeddingOptions } from "./layers/embedding.js";
export { Dropout } from "./layers/dropout.js";
export { Flatten } from "./layers/flatten.js";
export { ReLU, LeakyReLU, GELU, SiLU, Sigmoid, Tanh, Softmax, LogSoftmax } from "./layers/activation.js";
export { MultiheadAttention, type MultiheadAttentionOptions, type MultiheadAttentionForwardOptions } from "./layers/attention.js";
export { Sequential, ModuleList, ModuleDict } from "./layers/container.js";
export {
  Loss,
  MSELoss,
  L1Loss,
  CrossEntropyLoss,
  NLLLoss,
  BCELoss,
  BCEWithLogitsLoss,
  type Reduction,
  type NLLLossOptions,
  type CrossEntropyLossOptions,
} from "./layers/loss.js";
export * as init from "./init.js";
export * as utils from "./utils.js";
