/**
 * Bad input: each mistake is a clear error (the op, the shapes or dtypes, the fix), of the
 * right class, and leaves nothing half-updated — values, versions, `.grad` and `memory()`
 * are as before the call.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { DTypeError, DeviceError, DisposedError, ShapeError, TesseraError } from "@tessera/storage";
import { hasBackend, registerBackend } from "@tessera/backend";
import { createCpuBackend } from "@tessera/backend-cpu";
import {
  AutogradError,
  type Tensor,
  arange,
  avgPool2d,
  conv2d,
  defineFunction,
  grad,
  matmul,
  maxPool2d,
  memory,
  noGrad,
  ones,
  randn,
  setDefaultDevice,
  tensor,
  where,
  zeros,
} from "../src/index.js";
import { values } from "./helpers.js";

beforeAll(() => {
  if (!hasBackend("cpu2")) registerBackend(createCpuBackend({ name: "cpu2" }));
});

/** Runs `fn`, expects it to throw `type` with a message matching every pattern, and returns the error. */
function expectError(fn: () => unknown, type: new (...args: never[]) => Error, ...patterns: (RegExp | string)[]): Error {
  let caught: unknown = null;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, "expected an error").toBeInstanceOf(type);
  const message = (caught as Error).message;
  for (const p of patterns) {
    if (typeof p === "string") expect(message).toContain(p);
    else expect(message).toMatch(p);
  }
  return caught as Error;
}

/** Asserts `fn` throws and that the live tensor count and bytes are the same afterwards. */
function expectNoLeak(fn: () => unknown): void {
  const before = memory();
  expect(fn).toThrow();
  const after = memory();
  expect({ tensors: after.tensors, bytes: after.bytes }).toEqual({ tensors: before.tensors, bytes: before.bytes });
}

describe("shape mismatch", () => {
  it("elementwise ops name the op, both shapes and the dim", () => {
    const a = zeros([2, 3]);
    const b = zeros([4]);
    expectError(() => a.add(b), ShapeError, "add", "[2, 3]", "[4]", "dimension 1");
    expectError(() => a.mul(b), ShapeError, "mul", "[2, 3]", "[4]");
    expectError(() => a.sub(zeros([3, 3])), ShapeError, "sub", "[2, 3]", "[3, 3]");
    expectError(() => a.maximum(b), ShapeError, "maximum");
    expectError(() => a.eq(b), ShapeError, "eq");
  });

  it("matmul names both shapes and says how to fix them", () => {
    expectError(() => matmul(zeros([2, 3]), zeros([4, 5])), ShapeError, "matmul", "[2, 3]", "[4, 5]", /Transpose or reshape/);
    expectError(() => matmul(zeros([3]), zeros([4])), ShapeError, "matmul", "3", "4");
    expectError(() => matmul(zeros([2, 2, 3]), zeros([3, 3, 5])), ShapeError, "matmul", "batch", "[2, 2, 3]", "[3, 3, 5]");
    expectError(() => matmul(tensor(1), zeros([2])), ShapeError, "matmul", "at least 1 dimension", "mul");
  });

  it("reshape / view / expand / permute / narrow / select", () => {
    const a = zeros([2, 3]);
    expectError(() => a.reshape([4]), ShapeError, "reshape", "[4]", "6");
    expectError(() => a.reshape([-1, -1]), ShapeError, "only one dimension can be inferred");
    expectError(() => a.t().view([6]), ShapeError, "view", "[3, 2]", "reshape");
    expectError(() => zeros([3]).expand([2, 4]), ShapeError, "expand", "[2, 4]", "[3]");
    expectError(() => a.expand([3]), ShapeError, "expand", "[2, 3]", "[3]");
    expectError(() => a.permute(0, 0), ShapeError, "permute", "repeated");
    expectError(() => a.permute(0), ShapeError, "permute", "2 dims", "[0]");
    expectError(() => a.transpose(0, 5), ShapeError, "transpose", "out of range", "5");
    expectError(() => a.narrow(1, 2, 2), ShapeError, "narrow", "[2, 3]");
    expectError(() => a.select(0, 2), ShapeError, "select", "index 2", "[2, 3]");
    expectError(() => a.slice(0, 0, 2, 0), ShapeError, "slice", "step");
    expectError(() => a.sum({ dim: 2 }), ShapeError, "sum", "out of range", "[2, 3]");
    expectError(() => a.sum({ dim: [0, 0] }), ShapeError, "sum", "multiple times");
    expectError(() => a.t().t().t().t().view([4]), ShapeError, "view");
  });

  it("where, copy_, in-place and the indexing ops", () => {
    const a = zeros([2, 3]);
    expectError(() => where(tensor([true, false]), zeros([3]), 1), ShapeError, "where", "[2]", "[3]");
    expectError(() => zeros([2]).copy_(zeros([3])), ShapeError, "copy_", "[2]", "[3]");
    expectError(() => zeros([2]).add_(zeros([2, 2])), ShapeError, "add_", "[2]", "[2, 2]");
    const index = tensor([[0, 5, 1]], { dtype: "int32" });
    expectError(() => a.gather(1, index), TesseraError, "gather", "index 5", "[2, 3]");
    expectError(() => a.gather(1, tensor([0], { dtype: "int32" })), ShapeError, "gather", "[1]", "[2, 3]");
    expectError(() => a.gather(1, tensor([[0.0]])), DTypeError, "gather", "int32", "float32");
    expectError(() => a.indexSelect(0, tensor([2], { dtype: "int32" })), TesseraError, "indexSelect", "index 2", "[2, 3]");
    expectError(() => a.indexSelect(0, tensor([[0]], { dtype: "int32" })), ShapeError, "indexSelect", "vector", "[1, 1]");
    expectError(() => a.scatterAdd(0, tensor([[0, 1, 0, 1]], { dtype: "int32" }), zeros([1, 2])), ShapeError, "scatterAdd", "[1, 4]", "[1, 2]");
    expectError(() => a.scatterAdd(0, tensor([[0, 1, 0]], { dtype: "int32" }), zeros([1, 3], { dtype: "float64" })), DTypeError, "scatterAdd", "float32", "float64");
  });

  it("conv2d and pooling", () => {
    expectError(() => conv2d(zeros([1, 3, 4, 4]), zeros([2, 2, 3, 3])), ShapeError, "conv2d", "[2, 2, 3, 3]", "[1, 3, 4, 4]", "channels");
    expectError(() => conv2d(zeros([4, 4]), zeros([2, 2, 3, 3])), ShapeError, "conv2d", "[4, 4]");
    expectError(() => conv2d(zeros([1, 2, 4, 4]), zeros([2, 2, 3, 3]), zeros([3])), ShapeError, "conv2d", "bias", "[2]", "[3]");
    expectError(() => conv2d(zeros([1, 2, 4, 4]), zeros([2, 2, 3, 3], { dtype: "float64" })), DTypeError, "conv2d", "float32", "float64");
    expectError(() => conv2d(zeros([1, 2, 4, 4]), zeros([2, 2, 3, 3]), null, { stride: 0 }), ShapeError, "conv2d", "stride");
    expectError(() => maxPool2d(zeros([1, 1, 2, 2]), { kernelSize: 3 }), ShapeError, "maxPool2d", "too small");
    expectError(() => avgPool2d(zeros([2, 2]), { kernelSize: 1 }), ShapeError, "avgPool2d", "[2, 2]");
  });

  it("creation", () => {
    expectError(() => tensor([[1, 2], [3]]), ShapeError, "ragged", "[2, 2]");
    expectError(() => tensor([[1, 2], 3] as never), ShapeError, "ragged");
    expectError(() => zeros([-1]), ShapeError, "[-1]");
    expectError(() => zeros([2.5]), ShapeError);
    expectError(() => arange(0, 5, -1), ShapeError, "arange", "step");
    expectError(() => arange(0, 5, 0), ShapeError, "arange", "nonzero");
  });
});

describe("dtypes", () => {
  it("only floating point tensors can require gradients", () => {
    expectError(() => tensor([1, 2], { dtype: "int32", requiresGrad: true }), DTypeError, "only Tensors of floating point dtype can require gradients", "int32", 'to("float32")');
    const t = tensor([1, 2], { dtype: "int32" });
    expectError(() => t.requiresGrad_(), DTypeError, "only Tensors of floating point dtype can require gradients");
    expect(t.requiresGrad).toBe(false);
    expectError(() => tensor([true]).requiresGrad_(), DTypeError, "bool");
  });

  it("int and float mix by PyTorch's promotion rules", () => {
    const i = tensor([1, 2], { dtype: "int32" });
    const f = tensor([0.5, 0.25]);
    const r1 = i.add(f);
    expect(r1.dtype).toBe("float32");
    expect(values(r1)).toEqual([1.5, 2.25]);
    const r2 = i.mul(2.5);
    expect(r2.dtype).toBe("float32");
    expect(values(r2)).toEqual([2.5, 5]);
    const r3 = i.mul(2);
    expect(r3.dtype).toBe("int32");
    expect(values(r3)).toEqual([2, 4]);
    // A 0-dim tensor, like a scalar, does not raise the dtype within a category…
    const r4 = f.add(tensor(0.5, { dtype: "float64" }));
    expect(r4.dtype).toBe("float32");
    expect(values(r4)).toEqual([1, 0.75]);
    expect(tensor(0.5, { dtype: "float64" }).add(f).dtype).toBe("float32");
    // …but does lift the category.
    expect(i.add(tensor(0.5)).dtype).toBe("float32");
    expect(f.add(tensor(3, { dtype: "int32" })).dtype).toBe("float32");
    // Tensors of the same rank promote fully.
    expect(f.add(tensor([1, 2], { dtype: "float64" })).dtype).toBe("float64");
    expect(tensor(0.5).add(tensor([1, 2], { dtype: "float64" })).dtype).toBe("float64");
    expect(tensor(0.5).add(tensor(1, { dtype: "float64" })).dtype).toBe("float64");
  });

  it("division of integers is true division in float32", () => {
    const r = tensor([1, 3], { dtype: "int32" }).div(tensor([2, 2], { dtype: "int32" }));
    expect(r.dtype).toBe("float32");
    expect(values(r)).toEqual([0.5, 1.5]);
    expect(values(tensor([7], { dtype: "int32" }).div(2))).toEqual([3.5]);
  });

  it("bool arithmetic: + is or, * is and; with numbers bools count as 0/1", () => {
    const a = tensor([true, false, true, false]);
    const b = tensor([true, true, false, false]);
    const sum = a.add(b);
    expect(sum.dtype).toBe("bool");
    expect(sum.tolistSync()).toEqual([true, true, true, false]);
    const prod = a.mul(b);
    expect(prod.dtype).toBe("bool");
    expect(prod.tolistSync()).toEqual([true, false, false, false]);
    expect(a.maximum(b).tolistSync()).toEqual([true, true, true, false]);
    expect(a.minimum(b).tolistSync()).toEqual([true, false, false, false]);
    const plusOne = a.add(1);
    expect(plusOne.dtype).toBe("int32");
    expect(values(plusOne)).toEqual([2, 1, 2, 1]);
    expect(a.add(1.5).dtype).toBe("float32");
    expect(a.add(tensor([1, 2, 3, 4], { dtype: "int32" })).tolistSync()).toEqual([2, 2, 4, 4]);
    expect(a.sum().dtype).toBe("int32");
    expect(a.sum().itemSync()).toBe(2);
    // Subtracting masks is an error, as in PyTorch.
    expectError(() => a.sub(b), DTypeError, "sub", "bool");
    expectError(() => a.neg(), DTypeError, "neg", "bool");
    // In place: or-ing a mask into a mask works; adding a number into it can't be stored.
    const m = tensor([false, true, false]);
    m.add_(tensor([true, false, false]));
    expect(m.tolistSync()).toEqual([true, true, false]);
    expectError(() => m.add_(1), DTypeError, "add_", "can't be cast", "bool");
  });

  it("in-place ops can't store a wider type", () => {
    const i = tensor([1, 3], { dtype: "int32" });
    expectError(() => i.add_(1.5), DTypeError, "add_", "can't be cast", "float32", "int32");
    expectError(() => i.add_(tensor([1.5, 1])), DTypeError, "add_", "can't be cast");
    expectError(() => i.div_(2), DTypeError, "div_", "can't be cast");
    expectError(() => i.fill_(1.5), DTypeError, "fill_", "1.5", "int32");
    expectError(() => i.clamp_({ min: 0.5 }), DTypeError, "clamp_", "can't be cast");
    expect(values(i)).toEqual([1, 3]);
    expect(i.version).toBe(0);
    // Narrower types are fine: an int into a float tensor, float64 into float32.
    i.mul_(2);
    expect(values(i)).toEqual([2, 6]);
    const f = tensor([1, 3]);
    f.add_(tensor([1.5, 1], { dtype: "float64" }));
    expect(f.dtype).toBe("float32");
    expect(values(f)).toEqual([2.5, 4]);
  });

  it("float-only ops reject integer tensors, and say how to cast", () => {
    const i = tensor([1, 2], { dtype: "int32" });
    expectError(() => i.mean(), DTypeError, "mean", "int32", 'to("float32")');
    expectError(() => i.var(), DTypeError, "var", "int32");
    expectError(() => i.softmax(0), DTypeError, "softmax", "int32");
    expectError(() => i.logSoftmax(0), DTypeError, "logSoftmax", "int32");
    expectError(() => i.logsumexp({ dim: 0 }), DTypeError, "logsumexp", "int32");
    expectError(() => where(i, 1, 0), DTypeError, "where", "bool", "int32");
    expectError(() => randn([2], { dtype: "int32" }), DTypeError, "randn", "int32");
    expectError(() => zeros([2], { dtype: "float16" as never }), DTypeError, "float16");
    expectError(() => tensor([1.5], { dtype: "int32" }), DTypeError, "1.5", "int32");
    // Elementwise float functions promote integers, as PyTorch does.
    expect(i.exp().dtype).toBe("float32");
    expect(i.sqrt().dtype).toBe("float32");
  });
});

describe("devices", () => {
  it("ops on two devices name both", () => {
    const a = zeros([2]);
    const b = zeros([2], { device: "cpu2" });
    expect(b.device).toBe("cpu2");
    expectError(() => a.add(b), DeviceError, "add", "cpu", "cpu2", 'to("cpu")');
    expectError(() => b.mul(a), DeviceError, "mul", "cpu2", "cpu");
    expectError(() => matmul(zeros([2, 2]), zeros([2, 2], { device: "cpu2" })), DeviceError, "matmul", "cpu", "cpu2");
    expectError(() => where(tensor([true, false]), a, b), DeviceError, "where", "cpu", "cpu2");
    expectError(() => a.add_(b), DeviceError, "add_", "cpu", "cpu2");
    expectError(() => a.add_(b, { alpha: 2 }), DeviceError, "add_", "cpu2");
    expectError(() => a.add(b, { alpha: 2 }), DeviceError, "cpu", "cpu2");
    expectError(() => a.gather(0, tensor([0], { dtype: "int32", device: "cpu2" })), DeviceError, "gather", "cpu2");
  });

  it("to() moves tensors, with gradients flowing back", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.to("cpu2");
    expect(y.device).toBe("cpu2");
    expect(values(y)).toEqual([1, 2]);
    y.mul(y).sum().backward();
    expect(x.grad!.device).toBe("cpu");
    expect(values(x.grad!)).toEqual([2, 4]);
    expect(x.to("cpu")).toBe(x);
    // copy_ reads from any device.
    const z = zeros([2]);
    z.copy_(ones([2], { device: "cpu2" }));
    expect(values(z)).toEqual([1, 1]);
  });

  it("the gradient passed to backward must be on the tensor's device", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    expectError(() => x.mul(2).backward(ones([2], { device: "cpu2" })), AutogradError, "cpu2", "cpu");
    expect(x.grad).toBeNull();
    expectError(
      () => {
        x.grad = zeros([2], { device: "cpu2" });
      },
      TesseraError,
      "cpu2",
    );
  });

  it("an unknown device name is a clear error listing the registered ones", () => {
    expectError(() => zeros([2], { device: "tpu" }), DeviceError, '"tpu"', "not available", '"cpu"', "registerBackend");
    expectError(() => zeros([2]).to("tpu"), DeviceError, '"tpu"');
    expectError(() => setDefaultDevice("tpu"), DeviceError, '"tpu"');
    expect(zeros([1]).device).toBe("cpu");
  });
});

describe("autograd misuse", () => {
  it("backward twice through a freed graph", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.exp().sum();
    y.backward();
    const first = values(x.grad!);
    expectError(() => y.backward(), AutogradError, "ExpBackward0", "second time", "retainGraph: true");
    expect(values(x.grad!)).toEqual(first);
  });

  it("backward on a non-scalar without gradient", () => {
    const x = tensor([[1, 2, 3]], { requiresGrad: true });
    expectError(() => x.mul(2).backward(), AutogradError, "gradient", "[1, 3]", "t.sum().backward()");
    expectError(() => x.mul(2).backward(zeros([3])), AutogradError, "gradient", "[3]", "[1, 3]");
    expectError(() => x.mul(2).backward(zeros([1, 3], { dtype: "float64" })), AutogradError, "float64", "float32");
    expectError(() => tensor([1, 2]).sum().backward(), AutogradError, "does not require grad");
    expect(x.grad).toBeNull();
  });

  it("an in-place op on a leaf that requires grad", () => {
    const w = tensor([1, 2], { requiresGrad: true });
    expectError(() => w.add_(1), AutogradError, "add_", "leaf", "[2]", "noGrad");
    expectError(() => w.zero_(), AutogradError, "zero_", "leaf");
    expectError(() => w.fill_(1), AutogradError, "fill_", "leaf");
    expectError(() => w.copy_(tensor([3, 4])), AutogradError, "copy_", "leaf");
    expectError(() => w.clamp_({ min: 0 }), AutogradError, "clamp_", "leaf");
    expectError(() => w.t().mul_(2), AutogradError, "mul_", "view of a leaf");
    expect(values(w)).toEqual([1, 2]);
    expect(w.version).toBe(0);
  });

  it("a saved tensor changed in place", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.sigmoid(); // saves its output
    const loss = y.sum();
    noGrad(() => y.mul_(2));
    expectError(() => loss.backward(), AutogradError, "modified by an inplace operation", "SigmoidBackward0", "[float32 [2]]", "version 1", "version 0", "clone()");
  });

  it("requiresGrad on a non-leaf, retainGrad/registerHook without requiresGrad", () => {
    const y = tensor([1], { requiresGrad: true }).mul(2);
    expectError(() => {
      y.requiresGrad = false;
    }, AutogradError, "leaf", "MulBackward0", "detach()");
    expectError(() => tensor([1]).retainGrad(), AutogradError, "requiresGrad=false");
    expectError(() => tensor([1]).registerHook(() => undefined), AutogradError, "doesn't require gradient");
  });

  it("a custom backward that returns a gradient of another shape or dtype", () => {
    const wrongDType = defineFunction({ forward: (_ctx, x: Tensor) => x.mul(2), backward: (_ctx, g: Tensor) => [g.to("float64")] });
    const wrongShape = defineFunction({ forward: (_ctx, x: Tensor) => x.mul(2), backward: (_ctx, g: Tensor) => [g.sum()] });
    const x = tensor([1, 2], { requiresGrad: true });
    expectError(() => (wrongDType(x) as Tensor).sum().backward(), AutogradError, "CustomFunctionBackward", "float32", "float64");
    expectError(() => (wrongShape(x) as Tensor).sum().backward(), AutogradError, "CustomFunctionBackward", "[]", "[2]");
    expect(x.grad).toBeNull();
  });

  it("a hook that returns a gradient of another shape or dtype", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const h = x.registerHook((g) => g.sum());
    expectError(() => x.mul(2).sum().backward(), AutogradError, "hook", "[]", "[2]", "same shape");
    expect(x.grad).toBeNull();
    h.remove();
    x.registerHook((g) => g.to("float64"));
    expectError(() => x.mul(2).sum().backward(), AutogradError, "hook", "float64", "float32");
    expect(x.grad).toBeNull();
    const a = tensor([1, 2], { requiresGrad: true });
    const y = a.mul(2);
    y.registerHook((g) => g.reshape([2, 1]));
    expectError(() => y.sum().backward(), AutogradError, "hook", "MulBackward0", "[2, 1]", "[2]");
  });

  it("grad() on unused inputs and inputs that don't require grad", () => {
    const x = tensor([1], { requiresGrad: true });
    const u = tensor([1], { requiresGrad: true });
    expectError(() => grad(x.mul(2).sum(), [x, u]), AutogradError, "input 1", "allowUnused");
    expectError(() => grad(x.mul(2).sum(), [tensor([1])]), AutogradError, "input 0", "requiresGrad_()");
    expect(x.grad).toBeNull();
  });

  it("assigning a .grad of the wrong shape or dtype", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    expectError(
      () => {
        x.grad = zeros([3]);
      },
      TesseraError,
      "[3]",
      "[2]",
    );
    expectError(
      () => {
        x.grad = zeros([2], { dtype: "float64" });
      },
      TesseraError,
      "float64",
      "float32",
    );
    expect(x.grad).toBeNull();
  });

  it("double backward through conv2d is reported as unsupported", () => {
    const x = randn([1, 1, 3, 3], { requiresGrad: true });
    const w = randn([1, 1, 2, 2], { requiresGrad: true });
    expectError(() => grad(conv2d(x, w).sum(), x, { createGraph: true }), AutogradError, "ConvolutionBackward0", "double backward");
    expectError(() => grad(maxPool2d(x, { kernelSize: 2 }).sum(), x, { createGraph: true }), AutogradError, "MaxPool2DWithIndicesBackward0", "double backward");
    // First order is fine.
    const [gx] = grad(conv2d(x, w).sum(), x);
    expect(gx!.shape).toEqual([1, 1, 3, 3]);
  });
});

describe("use after dispose", () => {
  const disposed = () => {
    const t = tensor([1, 2]);
    t.dispose();
    return t;
  };
  const disposedScalar = () => {
    const t = tensor(1);
    t.dispose();
    return t;
  };

  it("any op, reading values, or backward throws DisposedError naming the op", () => {
    const d = disposed();
    expect(d.isDisposed).toBe(true);
    expectError(() => d.add(1), DisposedError, "add", "disposed", "[2]", "keep()");
    expectError(() => zeros([2]).mul(d), DisposedError, "mul", "disposed");
    expectError(() => d.exp(), DisposedError, "exp");
    expectError(() => d.sum(), DisposedError, "sum");
    expectError(() => d.reshape([2, 1]), DisposedError, "disposed");
    expectError(() => d.t(), DisposedError, "disposed");
    expectError(() => d.clone(), DisposedError, "disposed");
    expectError(() => d.detach(), DisposedError, "detach");
    expectError(() => d.dataSync(), DisposedError, "dataSync");
    expectError(() => disposedScalar().itemSync(), DisposedError);
    expectError(() => d.tolistSync(), DisposedError);
    expectError(() => d.add_(1), DisposedError, "add_");
    expectError(() => d.zero_(), DisposedError, "zero_");
    expectError(() => zeros([2]).copy_(d), DisposedError);
    expectError(() => d.version, DisposedError, "version");
    expectError(() => d.to("float64"), DisposedError);
    expectError(() => d.to("cpu2"), DisposedError);
    expect(d.shape).toEqual([2]); // metadata stays readable
  });

  it("data() and item() reject with DisposedError", async () => {
    await expect(disposed().data()).rejects.toBeInstanceOf(DisposedError);
    await expect(disposedScalar().item()).rejects.toBeInstanceOf(DisposedError);
    await expect(disposed().tolist()).rejects.toBeInstanceOf(DisposedError);
  });

  it("backward of a disposed tensor", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(2).sum();
    y.dispose();
    expectError(() => y.backward(), DisposedError, "backward");
    expect(x.grad).toBeNull();
  });

  it("dispose twice is harmless, and disposing a tensor does not break its graph", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.exp();
    const loss = y.sum();
    y.dispose();
    y.dispose();
    loss.backward();
    expect(values(x.grad!)[0]).toBeCloseTo(Math.E, 5);
  });
});

describe("reading values", () => {
  it("item on tensors with other than one element", () => {
    expectError(() => zeros([2]).itemSync(), TesseraError, "item", "2 elements", "[2]", "sum()");
    expectError(() => zeros([0]).itemSync(), TesseraError, "item", "0 elements");
    expect(tensor(3).itemSync()).toBe(3);
    expect(tensor([[4]]).itemSync()).toBe(4);
  });

  it("dataSync / tolist on 0-element and 0-dim tensors", () => {
    expect(Array.from(zeros([0]).dataSync())).toEqual([]);
    expect(zeros([2, 0]).tolistSync()).toEqual([[], []]);
    expect(zeros([0, 2]).tolistSync()).toEqual([]);
    expect(tensor(3).tolistSync()).toBe(3);
    expect(tensor(true).tolistSync()).toBe(true);
    expect(Array.from(tensor(3).dataSync())).toEqual([3]);
  });

  it("a device that can't read synchronously says to await data() / toAsync()", async () => {
    const { readSync: _drop, ...asyncOnly } = createCpuBackend({ name: "async-cpu" });
    void _drop;
    if (!hasBackend("async-cpu")) registerBackend(asyncOnly);
    const t = ones([2], { device: "async-cpu" });
    expectError(() => t.dataSync(), DeviceError, "dataSync", "async-cpu", "await t.data()");
    expectError(() => t.to("cpu"), DeviceError, "async-cpu", 'await t.toAsync("cpu")');
    await expect(t.data().then((d) => Array.from(d))).resolves.toEqual([1, 1]);
    const moved = await t.toAsync("cpu");
    expect(moved.device).toBe("cpu");
    expect(moved.tolistSync()).toEqual([1, 1]);
  });
});

describe("nothing is left half-updated", () => {
  it("a failed in-place op leaves values and version unchanged", () => {
    const t = tensor([1, 2, 3]);
    const v = t.version;
    expect(() => t.add_(zeros([2]))).toThrow(ShapeError);
    expect(() => t.add_(zeros([3], { device: "cpu2" }))).toThrow(DeviceError);
    expect(() => t.add_(zeros([3], { device: "cpu2" }), { alpha: 3 })).toThrow(DeviceError);
    expect(() => t.mul_(tensor([[1, 2, 3], [4, 5, 6]]))).toThrow(ShapeError);
    expect(() => t.copy_(zeros([2]))).toThrow(ShapeError);
    const i = tensor([1, 2], { dtype: "int32" });
    expect(() => i.add_(0.5)).toThrow(DTypeError);
    expect(values(t)).toEqual([1, 2, 3]);
    expect(t.version).toBe(v);
    expect(values(i)).toEqual([1, 2]);
    expect(i.version).toBe(0);
  });

  it("a failed in-place op on a non-leaf leaves its graph unchanged", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(3);
    const node = y.gradFn;
    expect(() => y.add_(zeros([3]))).toThrow(ShapeError);
    expect(() => y.add_(zeros([2], { device: "cpu2" }))).toThrow(DeviceError);
    expect(y.gradFn).toBe(node);
    expect(y.version).toBe(0);
    y.sum().backward();
    expect(values(x.grad!)).toEqual([3, 3]);
  });

  it("a backward that fails part-way changes no .grad", () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([1, 2], { requiresGrad: true });
    a.grad = tensor([10, 10]);
    const e = b.exp();
    // a's branch is ready before b's (and would be accumulated first).
    const loss = a.mul(2).sum().add(e.sum());
    noGrad(() => e.add_(1));
    expect(() => loss.backward()).toThrow(/modified by an inplace operation/);
    expect(values(a.grad!)).toEqual([10, 10]);
    expect(b.grad).toBeNull();
  });

  it("a failing hook changes no .grad, and a retained grad is untouched too", () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3, 4], { requiresGrad: true });
    const m = a.mul(b);
    m.retainGrad();
    b.registerHook(() => {
      throw new Error("hook failed");
    });
    expect(() => m.sum().backward()).toThrow("hook failed");
    expect(a.grad).toBeNull();
    expect(b.grad).toBeNull();
    expect(m.grad).toBeNull();
  });

  it("failed ops leave memory() as it was", () => {
    const f = zeros([2, 3]);
    const i = zeros([2, 3], { dtype: "int32" });
    const four = zeros([4]);
    const other = zeros([2, 3], { device: "cpu2" });
    const g = zeros([2, 3], { requiresGrad: true });
    const nonLeaf = g.mul(2);
    const vector = zeros([3]);
    const badIndex = tensor([[0, 5, 1]], { dtype: "int32" });
    const scalarIndex = tensor(5, { dtype: "int32" });
    const x3 = zeros([1, 3, 4, 4]);
    const w = zeros([2, 2, 3, 3]);
    const small = zeros([1, 2, 2]);
    const cond = tensor([true, false, true, true]);
    expectNoLeak(() => f.add(four));
    expectNoLeak(() => i.add(four)); // after promoting i to float32
    expectNoLeak(() => f.add(other, { alpha: 2 }));
    const gone = zeros([2]);
    gone.dispose();
    expectNoLeak(() => gone.add(1.5)); // the wrapped scalar is freed too
    const cond22 = cond.reshape([2, 2]);
    expectNoLeak(() => i.where(cond22, 0.5));
    expectNoLeak(() => matmul(i, f));
    expectNoLeak(() => matmul(vector, four));
    expectNoLeak(() => where(cond, f, 0));
    expectNoLeak(() => f.add_(other, { alpha: 2 }));
    expectNoLeak(() => nonLeaf.add_(four));
    expectNoLeak(() => conv2d(x3, w));
    expectNoLeak(() => maxPool2d(small, { kernelSize: 3 }));
    expectNoLeak(() => avgPool2d(small, { kernelSize: 3 }));
    expectNoLeak(() => f.gather(1, badIndex));
    expectNoLeak(() => f.indexSelect(0, scalarIndex));
    expectNoLeak(() => nonLeaf.backward());
    expectNoLeak(() => nonLeaf.backward(vector));
    const total = nonLeaf.sum();
    expectNoLeak(() => grad(total, [f]));
    expectNoLeak(() => grad(total, [g, f]));
  });

  it("a failed backward frees what it created", () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([1, 2], { requiresGrad: true });
    const e = b.exp();
    const loss = e.sum().add(a.mul(a).sum());
    noGrad(() => e.add_(1));
    const before = memory().tensors;
    expect(() => loss.backward()).toThrow(/modified/);
    expect(memory().tensors).toBe(before);
  });
});

describe("errors are TesseraErrors with names", () => {
  it("each class has its name", () => {
    const errors: [() => unknown, string][] = [
      [() => zeros([2]).add(zeros([3])), "ShapeError"],
      [() => tensor([1], { dtype: "int32" }).mean(), "DTypeError"],
      [() => zeros([1], { device: "nope" }), "DeviceError"],
      [() => tensor([1]).backward(), "AutogradError"],
    ];
    for (const [fn, name] of errors) {
      const e = expectError(fn, TesseraError);
      expect(e.name).toBe(name);
    }
  });
});
