/**
 * `@tessera/nn`: what a PyTorch user reaches for right after autograd — `Module` and
 * `Parameter`, layers with PyTorch's default initialization, `functional` ops and losses,
 * `init`, `utils`, and state dicts saved as safetensors with PyTorch's parameter names.
 *
 * @packageDocumentation
 */
export * from "./modules/index.js";
export * as functional from "./functional/index.js";
export * as safetensors from "./safetensors/index.js";
