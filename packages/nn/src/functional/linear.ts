/** The affine map of a fully connected layer: PyTorch's `F.linear`. */
import { type Tensor, tidy } from "@tessera/autograd";
import { DTypeError, ShapeError, formatShape } from "@tessera/storage";

/**
 * `input @ weightᵀ + bias`: `input` [..., in], `weight` [out, in], `bias` [out] →
 * [..., out]. Leading dims of `input` are batch dims.
 *
 * @example
 * const w = randn([4, 3]), b = zeros([4]);
 * linear(randn([2, 3]), w, b).shape; // [2, 4]
 */
export function linear(input: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  if (weight.ndim !== 2) {
    throw new ShapeError(`linear: weight must be 2-D [outFeatures, inFeatures], got shape ${formatShape(weight.shape)}.`);
  }
  const [outFeatures, inFeatures] = weight.shape as [number, number];
  if (input.ndim === 0 || input.shape[input.ndim - 1] !== inFeatures) {
    throw new ShapeError(
      `linear: input of shape ${formatShape(input.shape)} cannot be multiplied by weight of shape ${formatShape(weight.shape)}: the last dim of input must be inFeatures = ${inFeatures}. Reshape the input to [..., ${inFeatures}] (e.g. x.flatten(1)).`,
    );
  }
  if (input.dtype !== weight.dtype) {
    throw new DTypeError(`linear: input is ${input.dtype} but weight is ${weight.dtype}; they must match. Cast the input: x.to("${weight.dtype}").`);
  }
  if (bias !== undefined && bias !== null) {
    if (bias.ndim !== 1 || bias.shape[0] !== outFeatures) {
      throw new ShapeError(`linear: bias must have shape [${outFeatures}] (one per output feature), got ${formatShape(bias.shape)}.`);
    }
  }
  return tidy(() => {
    const out = input.matmul(weight.t());
    return bias !== undefined && bias !== null ? out.add(bias) : out;
  });
}
