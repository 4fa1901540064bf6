/**
 * `@tessera/autograd`: the user-facing `Tensor`, its dynamic graph and reverse-mode automatic
 * differentiation, with PyTorch's semantics and camelCase names.
 *
 * @packageDocumentation
 */
export { Tensor, type TensorOrScalar, type ReduceOptions, type VarianceOptions, type RemovableHandle } from "./tensor.js";
export { AutogradError } from "./errors.js";
export { noGrad, enableGrad, isGradEnabled, setGradEnabled } from "./grad-mode.js";
export { tidy, keep, memory, type MemoryInfo } from "./memory.js";
export { Node, type Edge, type GradHook } from "./graph/node.js";
export { AccumulateGrad } from "./graph/accumulate.js";
export type { BackwardOptions } from "./graph/engine.js";
export { grad, type GradOptions } from "./grad.js";
export { defineFunction, type FunctionContext, type FunctionDefinition } from "./custom-function.js";
export { gradcheck, GradcheckError, type GradcheckOptions } from "./gradcheck.js";
export { manualSeed, getRngState, setRngState } from "./random.js";
export { tensor, type TensorData, type TensorOptions } from "./creation/from-data.js";
export { zeros, ones, full, empty, zerosLike, onesLike, fullLike, emptyLike, arange, linspace, eye } from "./creation/factories.js";
export { rand, randn, randint, uniform_, normal_, bernoulli } from "./creation/random.js";
export { cat, stack, split, chunk } from "./functions/join.js";
export { pad, tril, triu } from "./functions/pad.js";
export { setDefaultDevice, getDefaultDevice } from "./runtime.js";
export { hasKernel, adamStep_ } from "./fused.js";
export { where, clamp } from "./functions/where.js";
export { matmul } from "./functions/matmul.js";
export { conv2d, type Conv2dOptions } from "./functions/conv.js";
export { maxPool2d, maxPool2dWithIndices, avgPool2d, type MaxPool2dOptions, type AvgPool2dOptions } from "./functions/pool.js";
export { softmax, logSoftmax, logsumexp } from "./functions/composite.js";
export { cumsum, type CumsumOptions } from "./functions/scan.js";
export { multinomial, type MultinomialOptions } from "./functions/multinomial.js";
