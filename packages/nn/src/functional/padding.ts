/** Padding: PyTorch's `F.pad`, in its constant, reflect, replicate and circular modes. */
import { type Tensor, pad as agPad, tensor, tidy } from "@tessera/autograd";
import { ShapeError, TesseraError, formatShape } from "@tessera/storage";
import { alias } from "./util.js";

/** The padding modes of {@link pad}. */
export type PadMode = "constant" | "reflect" | "replicate" | "circular";

const MODES: readonly PadMode[] = ["constant", "reflect", "replicate", "circular"];

/** Options of {@link pad}. */
export interface PadOptions {
  /**
   * `"constant"` (default): fill with `value`. `"reflect"`: mirror without repeating the edge
   * (`[1, 2, 3]` padded by 2 on the left → `[3, 2, 1, 2, 3]`). `"replicate"`: repeat the edge.
   * `"circular"`: wrap around.
   */
  mode?: PadMode;
  /** The fill value of `"constant"` mode. Default 0. */
  value?: number;
}

/**
 * Pads `x`. `padding` lists (before, after) pairs starting from the LAST dim, as PyTorch:
 * `[left, right]` pads the last dim, `[left, right, top, bottom]` the last two, and so on.
 * In constant mode a negative size crops instead. The other modes index the input (so the
 * gradient of an input element sums over its copies) and may pad any number of trailing
 * dims, a superset of PyTorch's 1–3.
 *
 * @example
 * pad(x, [1, 1]);                          // one zero on each side of the last dim
 * pad(img, [2, 2, 2, 2], { mode: "reflect" });
 */
export function pad(x: Tensor, padding: readonly number[], options: PadOptions = {}): Tensor {
  const mode = options.mode ?? "constant";
  if (!MODES.includes(mode)) {
    throw new TesseraError(`pad: unknown mode ${JSON.stringify(mode)}; the modes are ${MODES.map((m) => `"${m}"`).join(", ")}.`);
  }
  if (!Array.isArray(padding) || padding.length % 2 !== 0 || padding.length / 2 > x.ndim) {
    throw new ShapeError(
      `pad: padding must list (before, after) pairs for at most ${x.ndim} dims (input shape ${formatShape(x.shape)}), i.e. an even length <= ${2 * x.ndim}; got ${JSON.stringify(padding)}.`,
    );
  }
  if (!padding.every((p) => Number.isInteger(p))) {
    throw new ShapeError(`pad: padding sizes must be integers, got ${JSON.stringify(padding)}.`);
  }
  if (mode === "constant") return padConstant(x, padding, options.value ?? 0);
  if (options.value !== undefined && options.value !== 0) {
    throw new TesseraError(`pad: value is only used in "constant" mode, but mode is "${mode}"; drop value or use mode "constant".`);
  }
  return padByIndex(x, padding, mode);
}

function padConstant(x: Tensor, padding: readonly number[], value: number): Tensor {
  if (padding.every((p) => p >= 0)) return padding.every((p) => p === 0) ? alias(x) : agPad(x, padding, value);
  return tidy(() => {
    let cropped = x;
    for (let i = 0; i < padding.length / 2; i++) {
      const d = x.ndim - 1 - i;
      const before = Math.min(padding[2 * i]!, 0);
      const after = Math.min(padding[2 * i + 1]!, 0);
      const size = cropped.shape[d]! + before + after;
      if (size < 0) {
        throw new ShapeError(`pad: negative padding ${formatShape([padding[2 * i]!, padding[2 * i + 1]!])} removes more than the ${cropped.shape[d]} elements of dim ${d} (input shape ${formatShape(x.shape)}).`);
      }
      cropped = cropped.narrow(d, -before, size);
    }
    return agPad(cropped, padding.map((p) => Math.max(p, 0)), value);
  });
}

/** Where padded position `j` of a dim of size `n` reads from, for each non-constant mode. */
function sourceIndex(mode: Exclude<PadMode, "constant">, i: number, n: number): number {
  if (mode === "replicate") return Math.min(Math.max(i, 0), n - 1);
  if (mode === "circular") return ((i % n) + n) % n;
  return i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i;
}

function padByIndex(x: Tensor, padding: readonly number[], mode: Exclude<PadMode, "constant">): Tensor {
  for (let i = 0; i < padding.length / 2; i++) {
    const d = x.ndim - 1 - i;
    const n = x.shape[d]!;
    const [before, after] = [padding[2 * i]!, padding[2 * i + 1]!];
    if (before < 0 || after < 0) {
      throw new ShapeError(`pad: negative padding is only supported in "constant" mode, got ${formatShape([before, after])} for dim ${d} in "${mode}" mode.`);
    }
    const limit = mode === "reflect" ? n - 1 : mode === "circular" ? n : Infinity;
    if (n === 0 || before > limit || after > limit) {
      const rule = mode === "reflect" ? "smaller than" : mode === "circular" ? "at most" : "(any size, for a non-empty dim)";
      throw new ShapeError(
        `pad: in "${mode}" mode the padding of a dim must be ${rule} its size; got padding ${formatShape([before, after])} for dim ${d} of size ${n} (input shape ${formatShape(x.shape)}). Use smaller padding or mode "constant".`,
      );
    }
  }
  if (padding.every((p) => p === 0)) return alias(x);
  return tidy(() => {
    let out = x;
    for (let i = 0; i < padding.length / 2; i++) {
      const d = x.ndim - 1 - i;
      const n = x.shape[d]!;
      const [before, after] = [padding[2 * i]!, padding[2 * i + 1]!];
      if (before === 0 && after === 0) continue;
      const index = new Int32Array(n + before + after);
      for (let j = 0; j < index.length; j++) index[j] = sourceIndex(mode, j - before, n);
      out = out.indexSelect(d, tensor(index, { dtype: "int32", device: x.device }));
    }
    return out;
  });
}
