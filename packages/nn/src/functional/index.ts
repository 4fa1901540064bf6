/**
 * `functional`: PyTorch's `torch.nn.functional` in camelCase — stateless ops that the layers
 * in `@tessera/nn` call, usable on their own. Written against `@tessera/autograd`'s public
 * API only, so every op works on every device and its gradient comes from autograd.
 *
 * @example
 * import { functional as F } from "@tessera/nn";
 * const loss = F.crossEntropy(F.linear(F.relu(x), w, b), labels, { labelSmoothing: 0.1 });
 *
 * @packageDocumentation
 */
export { relu, leakyRelu, gelu, silu, sigmoid, tanh, softmax, logSoftmax, type GeluOptions } from "./activation.js";
export { linear } from "./linear.js";
export {
  conv2d,
  maxPool2d,
  avgPool2d,
  adaptiveAvgPool2d,
  type Size2,
  type Conv2dOptions,
  type MaxPool2dOptions,
  type AvgPool2dOptions,
} from "./conv.js";
export { dropout, type DropoutOptions } from "./dropout.js";
export { layerNorm, batchNorm, type LayerNormOptions, type BatchNormOptions } from "./normalization.js";
export { embedding, oneHot, type EmbeddingOptions } from "./embedding.js";
export { pad, type PadMode, type PadOptions } from "./padding.js";
export { scaledDotProductAttention, type ScaledDotProductAttentionOptions } from "./attention.js";
export {
  mseLoss,
  l1Loss,
  smoothL1Loss,
  huberLoss,
  type RegressionLossOptions,
  type SmoothL1LossOptions,
  type HuberLossOptions,
} from "./loss.js";
export { nllLoss, crossEntropy, type NllLossOptions, type CrossEntropyOptions } from "./cross-entropy.js";
export {
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  type BinaryCrossEntropyOptions,
  type BinaryCrossEntropyWithLogitsOptions,
} from "./binary-cross-entropy.js";
export type { Reduction } from "./util.js";
