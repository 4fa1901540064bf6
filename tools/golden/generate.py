#!/usr/bin/env python3
"""Golden fixtures from PyTorch for every differentiable op of Tessera, forward and backward.

Runs each case in PyTorch (Debian's python3-torch) and writes
packages/autograd/test/fixtures/golden.json, which packages/autograd/test/golden.test.ts
replays through Tessera. See README.md beside this file.

Every case is data: an `op` name and its `args` (Tessera's option names), the inputs, the
output, the gradient seed and each input's gradient. The same (op, args) pair is interpreted
here by OPS (PyTorch) and in the test by its own table (Tessera), so the two stay in step.

Input layouts (the leaf handed to the op is a view with these strides; values are always the
logical tensor's, in row-major order):
  "transposed": the last two dims are stored swapped, the leaf is `.transpose(-1, -2)` of a
                contiguous tensor (strides like a column-major matrix).
  "stepped":    every other element of a twice-as-long last dim (last stride 2).
Dtypes are Tessera's: PyTorch's int64 indices are written as "int32" (Tessera's index dtype).
"""
from __future__ import annotations

import json
import math
import os
import sys

try:
    import torch
    import torch.nn.functional as F
except ImportError:  # pragma: no cover
    sys.exit("generate.py needs PyTorch: apt-get install python3-torch, then run it with Debian's /usr/bin/python3.")

SEED = 20240611
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "packages", "autograd", "test", "fixtures", "golden.json")

torch.set_num_threads(1)  # deterministic reduction order
gen = torch.Generator().manual_seed(SEED)

F64 = torch.float64
F32 = torch.float32


# ---------------------------------------------------------------------------- random inputs

def randn(*shape, scale=1.0):
    return torch.randn(shape, generator=gen, dtype=F64) * scale


def uniform(*shape, lo=0.0, hi=1.0):
    return lo + (hi - lo) * torch.rand(shape, generator=gen, dtype=F64)


def away(*shape, lo=0.3, hi=2.0):
    """Values with |x| in [lo, hi] and a random sign (safe for 1/x)."""
    sign = torch.randint(0, 2, shape, generator=gen).to(F64) * 2 - 1
    return sign * uniform(*shape, lo=lo, hi=hi)


def small_ints(*shape, lo=-2, hi=3):
    """Integer-valued floats: forces ties for max/min."""
    return torch.randint(lo, hi, shape, generator=gen).to(F64)


def index(*shape, hi):
    return torch.randint(0, hi, shape, generator=gen)


# ---------------------------------------------------------------------------- inputs

def x(t, grad=True, layout=None, dtype=None):
    """A floating-point input: the case's dtype (float64 unless it says float32), or `dtype`."""
    return {"t": t, "grad": grad, "layout": layout, "kind": "float", "dtype": dtype}


def idx(t, layout=None):
    return {"t": t.to(torch.int64), "grad": False, "layout": layout, "kind": "index"}


def cond(t, layout=None):
    return {"t": t.to(torch.bool), "grad": False, "layout": layout, "kind": "bool"}


def make_leaf(spec, dtype):
    t = spec["t"]
    if spec["kind"] == "float":
        t = t.to(spec["dtype"] or dtype)
    layout = spec["layout"]
    if layout == "transposed":
        assert t.dim() >= 2
        t = t.transpose(-1, -2).contiguous().transpose(-1, -2)
        assert not t.is_contiguous() or t.shape[-1] == 1 or t.shape[-2] == 1
    elif layout == "stepped":
        assert t.dim() >= 1
        t = torch.stack([t, torch.zeros_like(t)], -1).reshape(*t.shape[:-1], 2 * t.shape[-1])[..., ::2]
    elif layout is not None:
        raise ValueError(layout)
    t = t.detach()
    if spec["grad"]:
        t.requires_grad_(True)
    return t


# ---------------------------------------------------------------------------- op table

def _second(a, xs):
    return xs[1] if len(xs) > 1 else a["other"]


def _reduce(fn):
    def run(a, xs):
        t = xs[0]
        dim = a.get("dim")
        keepdim = a.get("keepdim", False)
        if dim is None:
            out = fn(t)
            return out.reshape([1] * t.dim()) if keepdim else out
        return fn(t, dim, keepdim=keepdim)
    return run


def _variance(fn):
    def run(a, xs):
        kw = {"correction": a.get("correction", 1), "keepdim": a.get("keepdim", False)}
        return fn(xs[0], dim=a.get("dim"), **kw)
    return run


def _slice(a, xs):
    t = xs[0]
    d = a["dim"] % t.dim()
    key = (slice(None),) * d + (slice(a.get("start"), a.get("end"), a.get("step")),)
    return t[key]


def _pair(v):
    return tuple(v) if isinstance(v, list) else v


def _conv2d(a, xs):
    return F.conv2d(xs[0], xs[1], xs[2] if len(xs) > 2 else None, stride=_pair(a.get("stride", 1)),
                    padding=_pair(a.get("padding", 0)), dilation=_pair(a.get("dilation", 1)), groups=a.get("groups", 1))


def _max_pool2d(a, xs):
    return F.max_pool2d(xs[0], _pair(a["kernelSize"]), stride=_pair(a.get("stride")), padding=_pair(a.get("padding", 0)),
                        dilation=_pair(a.get("dilation", 1)), ceil_mode=a.get("ceilMode", False))


def _avg_pool2d(a, xs):
    return F.avg_pool2d(xs[0], _pair(a["kernelSize"]), stride=_pair(a.get("stride")), padding=_pair(a.get("padding", 0)),
                        ceil_mode=a.get("ceilMode", False), count_include_pad=a.get("countIncludePad", True),
                        divisor_override=a.get("divisorOverride"))


def _layer_norm(a, xs):
    t, w, b = xs
    mu = t.mean(-1, keepdim=True)
    var = t.var(-1, correction=0, keepdim=True)
    return (t - mu) / (var + a["eps"]).sqrt() * w + b


def _attention(a, xs):
    q, k, v = xs
    return torch.softmax(q.matmul(k.transpose(-1, -2)) * a["scale"], -1).matmul(v)


def _inplace_chain(a, xs):
    t, z, w = xs
    y = t * 1.5
    y.add_(z, alpha=2)
    y.mul_(w)
    y.sub_(0.25)
    y.div_(2.5)
    y.clamp_(min=-1)
    return y


def _inplace_view(a, xs):
    """In-place ops through views of tensors in the graph (PyTorch records them as CopySlices)."""
    scenario = a["scenario"]
    if scenario == "region":  # an op on a slice, then the whole base
        t, s = xs
        b = t * 2
        b[:, 1:3].mul_(s)
        return b * b
    if scenario == "buffer":  # a buffer that needs no grad, filled through views
        h, w = xs
        buf = torch.zeros(4, 3, dtype=h.dtype)
        buf[1:3].copy_(h.tanh())
        col = buf[:, 2]
        col.add_(1)
        col.mul_(w)
        return buf * 3
    if scenario == "base-then-view":  # an older view sees an in-place op on its base
        t, = xs
        b = t * 2
        v = b[0:2]
        b.mul_(t)
        return v * v
    if scenario == "overlapping":  # a view overlapping the written one
        t, = xs
        b = t * 1
        v1 = b[0:3]
        v2 = b[1:4]
        v1.mul_(2)
        return v2 * v2
    if scenario == "nested":  # views of views: transpose, select, reshape, step
        t, s = xs
        b = t + 0
        b.t()[1].fill_(0.5)
        b.view(2, 6)[1].view(3, 2)[:, 0].div_(s)
        b[:, ::2].clamp_(min=-0.5)
        return b * t
    raise KeyError(scenario)


def _conv_net(a, xs):
    img, w, b, fc = xs
    h = F.max_pool2d(torch.relu(F.conv2d(img, w, b, padding=1)), 2)
    return h.flatten(1).matmul(fc.t()).logsumexp(1).mean()


UNARY = ["neg", "abs", "sign", "exp", "log", "sqrt", "rsqrt", "sin", "cos", "tanh", "sigmoid", "relu", "erf",
         "reciprocal", "floor", "ceil", "round"]

OPS = {name: (lambda n: lambda a, xs: getattr(torch, n)(xs[0]))(name) for name in UNARY}
OPS.update({
    "add": lambda a, xs: torch.add(xs[0], _second(a, xs), alpha=a.get("alpha", 1)),
    "sub": lambda a, xs: torch.sub(xs[0], _second(a, xs), alpha=a.get("alpha", 1)),
    "mul": lambda a, xs: torch.mul(xs[0], _second(a, xs)),
    "div": lambda a, xs: torch.div(xs[0], _second(a, xs)),
    "pow": lambda a, xs: torch.pow(xs[0], xs[1] if len(xs) > 1 else a["exponent"]),
    "maximum": lambda a, xs: torch.maximum(xs[0], xs[1]),
    "minimum": lambda a, xs: torch.minimum(xs[0], xs[1]),
    "where": lambda a, xs: torch.where(xs[0], xs[1], xs[2] if len(xs) > 2 else a["other"]),
    "clamp": lambda a, xs: torch.clamp(xs[0], min=a.get("min"), max=a.get("max")),
    "sum": _reduce(torch.sum),
    "mean": _reduce(torch.mean),
    "prod": _reduce(torch.prod),
    "amax": _reduce(torch.amax),
    "amin": _reduce(torch.amin),
    "var": _variance(torch.var),
    "std": _variance(torch.std),
    "logsumexp": lambda a, xs: torch.logsumexp(xs[0], a["dim"], keepdim=a.get("keepdim", False)),
    "softmax": lambda a, xs: torch.softmax(xs[0], a["dim"]),
    "log_softmax": lambda a, xs: torch.log_softmax(xs[0], a["dim"]),
    "matmul": lambda a, xs: torch.matmul(xs[0], xs[1]),
    "reshape": lambda a, xs: xs[0].reshape(a["shape"]),
    "permute": lambda a, xs: xs[0].permute(a["dims"]),
    "transpose": lambda a, xs: xs[0].transpose(a["dim0"], a["dim1"]),
    "t": lambda a, xs: xs[0].t(),
    "expand": lambda a, xs: xs[0].expand(a["shape"]),
    "squeeze": lambda a, xs: xs[0].squeeze(a["dim"]) if "dim" in a else xs[0].squeeze(),
    "unsqueeze": lambda a, xs: xs[0].unsqueeze(a["dim"]),
    "flatten": lambda a, xs: xs[0].flatten(a.get("startDim", 0), a.get("endDim", -1)),
    "narrow": lambda a, xs: xs[0].narrow(a["dim"], a["start"], a["length"]),
    "slice": _slice,
    "select": lambda a, xs: xs[0].select(a["dim"], a["index"]),
    "view": lambda a, xs: xs[0].view(a["shape"]),
    "contiguous": lambda a, xs: xs[0].contiguous(),
    "clone": lambda a, xs: xs[0].clone(),
    "to": lambda a, xs: xs[0].to({"float32": F32, "float64": F64}[a["dtype"]]),
    "gather": lambda a, xs: torch.gather(xs[0], a["dim"], xs[1]),
    "scatter_add": lambda a, xs: torch.scatter_add(xs[0], a["dim"], xs[1], xs[2]),
    "index_select": lambda a, xs: torch.index_select(xs[0], a["dim"], xs[1]),
    "conv2d": _conv2d,
    "max_pool2d": _max_pool2d,
    "avg_pool2d": _avg_pool2d,
    # composites
    "mul_add_sum": lambda a, xs: (xs[0] * xs[1] + xs[2]).sum(),
    "linear_relu": lambda a, xs: torch.relu(xs[0].matmul(xs[1].t()) + xs[2]),
    "cross_entropy": lambda a, xs: -(torch.log_softmax(xs[0], 1).gather(1, xs[1])).mean(),
    "mse": lambda a, xs: ((xs[0] - xs[1]) ** 2).mean(),
    "silu_sum": lambda a, xs: (xs[0] * torch.sigmoid(xs[0])).sum(),
    "layer_norm": _layer_norm,
    "attention": _attention,
    "conv_net": _conv_net,
    "square": lambda a, xs: xs[0].square(),
    "add_self": lambda a, xs: xs[0] + xs[0],
    "gram": lambda a, xs: xs[0].matmul(xs[0].t()),
    "inplace_chain": _inplace_chain,
    "inplace_view": _inplace_view,
    "cumsum": lambda a, xs: torch.cumsum(xs[0], a["dim"]),
})


# ---------------------------------------------------------------------------- cases

CASES: list[dict] = []
NAMES: set[str] = set()


def floats(t):
    """Flat values; JSON has no NaN or infinities, so those are the strings "NaN", "Infinity",
    "-Infinity" (JavaScript's Number() reads them back)."""
    out = []
    for v in t.detach().reshape(-1).tolist():
        v = float(v)
        if math.isnan(v):
            out.append("NaN")
        elif math.isinf(v):
            out.append("Infinity" if v > 0 else "-Infinity")
        else:
            out.append(v)
    return out


DTYPE_NAMES = {F64: "float64", F32: "float32"}


def case(name, op, args, inputs, dtype=F64):
    assert name not in NAMES, name
    NAMES.add(name)
    leaves = [make_leaf(s, dtype) for s in inputs]
    out = OPS[op](args, leaves)
    grad_out = torch.randn(out.shape, generator=gen, dtype=F64).to(out.dtype)
    out.backward(grad_out)
    entries = []
    grads = []
    for spec, leaf in zip(inputs, leaves):
        e = {"shape": list(leaf.shape)}
        if spec["kind"] == "float":
            e["dtype"] = DTYPE_NAMES[leaf.dtype]
            e["values"] = floats(leaf)
        elif spec["kind"] == "index":
            e["dtype"] = "int32"
            e["values"] = [int(v) for v in leaf.reshape(-1).tolist()]
        else:
            e["dtype"] = "bool"
            e["values"] = [bool(v) for v in leaf.reshape(-1).tolist()]
        e["requiresGrad"] = spec["grad"]
        if spec["layout"] is not None:
            e["layout"] = spec["layout"]
        entries.append(e)
        if spec["grad"]:
            assert leaf.grad is not None, (name, "input without gradient")
            grads.append(floats(leaf.grad))
        else:
            grads.append(None)
    CASES.append({
        "name": name,
        "op": op,
        "args": args,
        "inputs": entries,
        "output": {"shape": list(out.shape), "dtype": DTYPE_NAMES[out.dtype], "values": floats(out)},
        "gradOutput": floats(grad_out),
        "grads": grads,
    })


def unary_cases():
    domain = {
        "log": lambda s: uniform(*s, lo=0.1, hi=4.0),
        "sqrt": lambda s: uniform(*s, lo=0.1, hi=4.0),
        "rsqrt": lambda s: uniform(*s, lo=0.1, hi=4.0),
        "reciprocal": lambda s: away(*s),
        "exp": lambda s: randn(*s, scale=1.5),
        "sin": lambda s: randn(*s, scale=3.0),
        "cos": lambda s: randn(*s, scale=3.0),
        "tanh": lambda s: randn(*s, scale=1.5),
        "sigmoid": lambda s: randn(*s, scale=3.0),
        "erf": lambda s: randn(*s, scale=1.2),
        "floor": lambda s: randn(*s, scale=3.0),
        "ceil": lambda s: randn(*s, scale=3.0),
        "round": lambda s: randn(*s, scale=3.0),
    }
    for op in UNARY:
        make = domain.get(op, lambda s: randn(*s))
        case(f"{op} [3,4]", op, {}, [x(make((3, 4)))])
        case(f"{op} [2,3,4] transposed", op, {}, [x(make((2, 3, 4)), layout="transposed")])
    # Exact zeros and boundary values: PyTorch's subgradients at 0, and rounding halves.
    case("abs at zero", "abs", {}, [x(torch.tensor([-1.5, 0.0, 2.0, -0.0, 0.25], dtype=F64))])
    case("relu at zero", "relu", {}, [x(torch.tensor([-1.5, 0.0, 2.0, -0.0, 0.25], dtype=F64))])
    case("sign at zero", "sign", {}, [x(torch.tensor([-1.5, 0.0, 2.0, -0.0], dtype=F64))])
    halves = torch.tensor([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 0.49999999999999994], dtype=F64)
    case("round half to even", "round", {}, [x(halves)])
    case("floor halves", "floor", {}, [x(halves)])
    case("ceil halves", "ceil", {}, [x(halves)])
    case("exp scalar []", "exp", {}, [x(randn())])
    case("sigmoid large magnitude", "sigmoid", {}, [x(torch.tensor([-40.0, -12.0, -1.0, 0.0, 1.0, 12.0, 40.0], dtype=F64))])
    case("tanh large magnitude", "tanh", {}, [x(torch.tensor([-25.0, -3.0, -0.1, 0.0, 0.1, 3.0, 25.0], dtype=F64))])
    case("erf wide range", "erf", {}, [x(torch.tensor([-4.5, -2.0, -0.7, -1e-3, 0.0, 0.3, 0.9, 1.7, 3.0, 6.0], dtype=F64))])


def binary_cases():
    for op in ["add", "sub", "mul", "div"]:
        other = (lambda *s: away(*s)) if op == "div" else randn
        case(f"{op} [3,4] [3,4]", op, {}, [x(randn(3, 4)), x(other(3, 4))])
        case(f"{op} broadcast [3,1] [4]", op, {}, [x(randn(3, 1)), x(other(4))])
        case(f"{op} broadcast [2,3,4] [3,1] transposed", op, {}, [x(randn(2, 3, 4), layout="transposed"), x(other(3, 1))])
        case(f"{op} broadcast [] [2,3]", op, {}, [x(randn()), x(other(2, 3))])
        case(f"{op} scalar", op, {"other": 1.75 if op != "div" else -0.625}, [x(randn(2, 3))])
    case("add alpha", "add", {"alpha": -2.5}, [x(randn(2, 3)), x(randn(3))])
    case("sub alpha", "sub", {"alpha": 0.75}, [x(randn(2, 3)), x(randn(2, 1))])
    case("add second no grad", "add", {}, [x(randn(2, 3)), x(randn(2, 3), grad=False)])
    case("mul first no grad", "mul", {}, [x(randn(2, 3), grad=False), x(randn(3))])
    case("mul same shape stepped", "mul", {}, [x(randn(3, 4), layout="stepped"), x(randn(3, 4), layout="transposed")])
    case("div second no grad", "div", {}, [x(randn(2, 3)), x(away(2, 3), grad=False)])

    case("pow tensor^3 negative base", "pow", {"exponent": 3}, [x(randn(3, 4))])
    case("pow tensor^2", "pow", {"exponent": 2}, [x(randn(3, 4), layout="transposed")])
    case("pow tensor^2.5", "pow", {"exponent": 2.5}, [x(uniform(3, 4, lo=0.1, hi=3.0))])
    case("pow tensor^-1.5", "pow", {"exponent": -1.5}, [x(uniform(3, 4, lo=0.2, hi=3.0))])
    case("pow tensor^0.5", "pow", {"exponent": 0.5}, [x(uniform(2, 5, lo=0.2, hi=3.0))])
    case("pow tensor^0", "pow", {"exponent": 0}, [x(randn(2, 3))])
    case("pow tensor^tensor", "pow", {}, [x(uniform(3, 4, lo=0.2, hi=3.0)), x(randn(3, 4))])
    case("pow tensor^tensor broadcast [3,1] [4]", "pow", {}, [x(uniform(3, 1, lo=0.2, hi=3.0)), x(randn(4))])
    case("pow tensor^tensor zero base", "pow", {},
         [x(torch.tensor([0.0, 0.0, 0.0, 0.0, 1.5, 2.0], dtype=F64)), x(torch.tensor([0.0, 1.0, 2.0, 3.0, 0.0, -1.0], dtype=F64))])
    case("pow tensor^tensor integer exponents negative base", "pow", {},
         [x(torch.tensor([-2.0, -1.5, -0.5, 0.5], dtype=F64)), x(torch.tensor([2.0, 3.0, -1.0, 2.0], dtype=F64), grad=False)])

    for op in ["maximum", "minimum"]:
        case(f"{op} [3,4] [3,4]", op, {}, [x(randn(3, 4)), x(randn(3, 4))])
        case(f"{op} broadcast [3,1] [4]", op, {}, [x(randn(3, 1)), x(randn(4))])
        case(f"{op} ties", op, {}, [x(small_ints(3, 4)), x(small_ints(3, 4))])
        case(f"{op} ties broadcast [3,1] [4]", op, {}, [x(small_ints(3, 1)), x(small_ints(4))])


def selection_cases():
    case("where [3,4]", "where", {}, [cond(torch.rand(3, 4, generator=gen) > 0.5), x(randn(3, 4)), x(randn(3, 4))])
    case("where broadcast cond [3,1] a [4] b [3,4]", "where", {},
         [cond(torch.tensor([[True], [False], [True]])), x(randn(4)), x(randn(3, 4), layout="transposed")])
    case("where broadcast cond [4] a [3,1] b []", "where", {},
         [cond(torch.tensor([True, False, False, True])), x(randn(3, 1)), x(randn())])
    case("where scalar other", "where", {"other": -0.5}, [cond(torch.rand(2, 5, generator=gen) > 0.4), x(randn(2, 5))])
    case("clamp min max", "clamp", {"min": -0.5, "max": 0.75}, [x(randn(3, 4))])
    case("clamp min", "clamp", {"min": 0.1}, [x(randn(3, 4), layout="transposed")])
    case("clamp max", "clamp", {"max": -0.2}, [x(randn(3, 4))])
    case("clamp at bounds", "clamp", {"min": -1.0, "max": 1.0},
         [x(torch.tensor([-2.0, -1.0, -0.5, 0.0, 1.0, 1.5], dtype=F64))])


def reduction_cases():
    for op in ["sum", "mean"]:
        case(f"{op} all", op, {}, [x(randn(3, 4))])
        case(f"{op} dim 1", op, {"dim": 1}, [x(randn(3, 4))])
        case(f"{op} dim -1 keepdim", op, {"dim": -1, "keepdim": True}, [x(randn(2, 3, 4))])
        case(f"{op} dims [0,2]", op, {"dim": [0, 2]}, [x(randn(2, 3, 4), layout="transposed")])
        case(f"{op} dims [0,2] keepdim", op, {"dim": [0, 2], "keepdim": True}, [x(randn(2, 3, 4))])
        case(f"{op} all keepdim", op, {"keepdim": True}, [x(randn(2, 3))])
    case("sum zero-size dim", "sum", {"dim": 0}, [x(torch.zeros(0, 3, dtype=F64))])
    case("sum scalar []", "sum", {}, [x(randn())])

    case("prod all", "prod", {}, [x(uniform(2, 3, lo=0.5, hi=1.5) * torch.sign(randn(2, 3)))])
    case("prod dim 1", "prod", {"dim": 1}, [x(randn(3, 4))])
    case("prod dim 0 keepdim transposed", "prod", {"dim": 0, "keepdim": True}, [x(randn(3, 4), layout="transposed")])
    case("prod one zero per row", "prod", {"dim": 1},
         [x(torch.tensor([[1.5, 0.0, -2.0, 0.5], [0.0, 3.0, 1.25, -1.0], [2.0, -0.5, 1.5, 0.75]], dtype=F64))])
    case("prod two zeros per row", "prod", {"dim": 1},
         [x(torch.tensor([[1.5, 0.0, -2.0, 0.0], [0.0, 3.0, 0.0, -1.0], [2.0, -0.5, 1.5, 0.75]], dtype=F64))])
    case("prod all one zero", "prod", {}, [x(torch.tensor([[1.5, -2.0], [0.0, 0.75]], dtype=F64))])

    for op in ["amax", "amin"]:
        case(f"{op} all", op, {}, [x(randn(3, 4))])
        case(f"{op} dim 1", op, {"dim": 1}, [x(randn(3, 4))])
        case(f"{op} dim 0 keepdim transposed", op, {"dim": 0, "keepdim": True}, [x(randn(3, 4), layout="transposed")])
        case(f"{op} dims [0,2]", op, {"dim": [0, 2]}, [x(randn(2, 3, 4))])
        case(f"{op} ties dim 1", op, {"dim": 1}, [x(small_ints(4, 5, lo=0, hi=3))])
        case(f"{op} ties all", op, {}, [x(small_ints(3, 3, lo=0, hi=2))])

    for op in ["var", "std"]:
        case(f"{op} all", op, {}, [x(randn(3, 4))])
        case(f"{op} all correction 0", op, {"correction": 0}, [x(randn(3, 4))])
        case(f"{op} dim 1", op, {"dim": 1}, [x(randn(3, 5))])
        case(f"{op} dim 0 correction 0 keepdim", op, {"dim": 0, "correction": 0, "keepdim": True},
             [x(randn(4, 3), layout="transposed")])
        case(f"{op} dims [0,2]", op, {"dim": [0, 2]}, [x(randn(2, 3, 4))])
        case(f"{op} dim -1 correction 0", op, {"dim": -1, "correction": 0}, [x(randn(2, 3, 4) * 3 + 1)])

    case("logsumexp dim 1", "logsumexp", {"dim": 1}, [x(randn(3, 5, scale=2.0))])
    case("logsumexp dim 0 keepdim", "logsumexp", {"dim": 0, "keepdim": True}, [x(randn(3, 5), layout="transposed")])
    case("logsumexp dims [0,2]", "logsumexp", {"dim": [0, 2]}, [x(randn(2, 3, 4))])
    case("logsumexp large values", "logsumexp", {"dim": -1}, [x(randn(2, 4) + torch.tensor([[800.0], [-800.0]], dtype=F64))])
    for op in ["softmax", "log_softmax"]:
        case(f"{op} dim -1", op, {"dim": -1}, [x(randn(3, 5, scale=2.0))])
        case(f"{op} dim 0", op, {"dim": 0}, [x(randn(3, 5))])
        case(f"{op} dim 1 of 3-D transposed", op, {"dim": 1}, [x(randn(2, 4, 3), layout="transposed")])
        case(f"{op} large values", op, {"dim": 1}, [x(randn(2, 4) * 5 + torch.tensor([[600.0], [-600.0]], dtype=F64))])


def matmul_cases():
    case("matmul 2-D", "matmul", {}, [x(randn(3, 4)), x(randn(4, 5))])
    case("matmul 2-D transposed operands", "matmul", {}, [x(randn(3, 4), layout="transposed"), x(randn(4, 2), layout="transposed")])
    case("matmul 1-D @ 2-D", "matmul", {}, [x(randn(4)), x(randn(4, 3))])
    case("matmul 2-D @ 1-D", "matmul", {}, [x(randn(3, 4)), x(randn(4))])
    case("matmul 1-D @ 1-D", "matmul", {}, [x(randn(5)), x(randn(5))])
    case("matmul batched", "matmul", {}, [x(randn(2, 3, 4)), x(randn(2, 4, 2))])
    case("matmul batched broadcast [2,1,3,4] @ [3,4,2]", "matmul", {}, [x(randn(2, 1, 3, 4)), x(randn(3, 4, 2))])
    case("matmul batched @ 2-D", "matmul", {}, [x(randn(2, 3, 4)), x(randn(4, 5), layout="transposed")])
    case("matmul 2-D @ batched", "matmul", {}, [x(randn(3, 4)), x(randn(2, 4, 2))])
    case("matmul 1-D @ batched", "matmul", {}, [x(randn(4)), x(randn(2, 4, 3))])
    case("matmul batched @ 1-D", "matmul", {}, [x(randn(2, 3, 4)), x(randn(4))])
    case("matmul second no grad", "matmul", {}, [x(randn(3, 4)), x(randn(4, 2), grad=False)])


def view_cases():
    case("reshape", "reshape", {"shape": [4, 3]}, [x(randn(2, 6))])
    case("reshape infer -1", "reshape", {"shape": [2, -1, 2]}, [x(randn(3, 4))])
    case("reshape of transposed (copy)", "reshape", {"shape": [12]}, [x(randn(3, 4), layout="transposed")])
    case("reshape to []", "reshape", {"shape": []}, [x(randn(1, 1))])
    case("permute", "permute", {"dims": [2, 0, 1]}, [x(randn(2, 3, 4))])
    case("permute negative dims", "permute", {"dims": [-1, -3, -2]}, [x(randn(2, 3, 4), layout="transposed")])
    case("transpose", "transpose", {"dim0": 0, "dim1": 2}, [x(randn(2, 3, 4))])
    case("transpose negative", "transpose", {"dim0": -1, "dim1": -2}, [x(randn(2, 3, 4))])
    case("t", "t", {}, [x(randn(3, 4))])
    case("t 1-D", "t", {}, [x(randn(4))])
    case("expand", "expand", {"shape": [2, 3, 4]}, [x(randn(3, 1))])
    case("expand -1", "expand", {"shape": [-1, 4]}, [x(randn(3, 1))])
    case("expand from []", "expand", {"shape": [2, 3]}, [x(randn())])
    case("squeeze all", "squeeze", {}, [x(randn(1, 3, 1, 2))])
    case("squeeze dim", "squeeze", {"dim": 2}, [x(randn(1, 3, 1, 2))])
    case("squeeze non-unit dim", "squeeze", {"dim": 1}, [x(randn(2, 3))])
    case("unsqueeze", "unsqueeze", {"dim": 1}, [x(randn(2, 3))])
    case("unsqueeze -1", "unsqueeze", {"dim": -1}, [x(randn(2, 3), layout="transposed")])
    case("flatten", "flatten", {}, [x(randn(2, 3, 4))])
    case("flatten 1..2", "flatten", {"startDim": 1, "endDim": 2}, [x(randn(2, 3, 2, 2))])
    case("flatten transposed", "flatten", {"startDim": 1}, [x(randn(2, 3, 4), layout="transposed")])
    case("narrow", "narrow", {"dim": 1, "start": 1, "length": 2}, [x(randn(3, 4))])
    case("narrow negative start", "narrow", {"dim": 0, "start": -2, "length": 2}, [x(randn(4, 3))])
    case("slice step 2", "slice", {"dim": 1, "start": 1, "step": 2}, [x(randn(3, 6))])
    case("slice start end step 3", "slice", {"dim": 0, "start": 1, "end": 8, "step": 3}, [x(randn(9, 2))])
    case("slice negative bounds", "slice", {"dim": -1, "start": -4, "end": -1}, [x(randn(2, 6), layout="transposed")])
    case("slice of stepped", "slice", {"dim": 1, "start": 0, "step": 2}, [x(randn(2, 5), layout="stepped")])
    case("select", "select", {"dim": 1, "index": 2}, [x(randn(3, 4))])
    case("select negative", "select", {"dim": 0, "index": -1}, [x(randn(3, 4), layout="transposed")])
    case("contiguous of transposed", "contiguous", {}, [x(randn(3, 4), layout="transposed")])
    case("contiguous of stepped", "contiguous", {}, [x(randn(3, 4), layout="stepped")])
    case("clone", "clone", {}, [x(randn(2, 3))])
    case("clone of transposed", "clone", {}, [x(randn(2, 3), layout="transposed")])


def indexing_cases():
    case("gather dim 1", "gather", {"dim": 1}, [x(randn(3, 5)), idx(index(3, 4, hi=5))])
    case("gather dim 0 repeated indices", "gather", {"dim": 0}, [x(randn(3, 4)), idx(torch.tensor([[0, 0, 2, 1], [0, 0, 0, 2]]))])
    case("gather 3-D dim -1 transposed", "gather", {"dim": -1}, [x(randn(2, 3, 4), layout="transposed"), idx(index(2, 3, 2, hi=4))])
    case("gather smaller index", "gather", {"dim": 1}, [x(randn(4, 5)), idx(index(2, 3, hi=5))])
    case("scatter_add dim 0", "scatter_add", {"dim": 0}, [x(randn(3, 4)), idx(index(2, 4, hi=3)), x(randn(2, 4))])
    case("scatter_add dim 1 collisions", "scatter_add", {"dim": 1},
         [x(randn(2, 4)), idx(torch.tensor([[1, 1, 3], [0, 0, 0]])), x(randn(2, 3))])
    case("scatter_add src larger than index", "scatter_add", {"dim": 1}, [x(randn(3, 4)), idx(index(2, 2, hi=4)), x(randn(3, 3), grad=False)])
    case("scatter_add src only", "scatter_add", {"dim": 0}, [x(randn(3, 2), grad=False), idx(index(4, 2, hi=3)), x(randn(4, 2))])
    case("index_select dim 0", "index_select", {"dim": 0}, [x(randn(4, 3)), idx(torch.tensor([3, 0, 3, 1]))])
    case("index_select dim 1", "index_select", {"dim": 1}, [x(randn(2, 5, 2)), idx(torch.tensor([4, 4, 0]))])
    case("index_select dim -1 transposed", "index_select", {"dim": -1}, [x(randn(3, 4), layout="transposed"), idx(torch.tensor([2, 1]))])


def conv_pool_cases():
    case("conv2d basic", "conv2d", {}, [x(randn(2, 3, 5, 5)), x(randn(4, 3, 3, 3)), x(randn(4))])
    case("conv2d no bias", "conv2d", {}, [x(randn(1, 2, 4, 5)), x(randn(3, 2, 2, 3))])
    case("conv2d stride 2 padding 1", "conv2d", {"stride": 2, "padding": 1}, [x(randn(2, 2, 6, 5)), x(randn(3, 2, 3, 3)), x(randn(3))])
    case("conv2d asymmetric stride padding", "conv2d", {"stride": [1, 2], "padding": [2, 0]},
         [x(randn(1, 2, 5, 7)), x(randn(2, 2, 3, 2)), x(randn(2))])
    case("conv2d dilation 2", "conv2d", {"dilation": 2, "padding": 1}, [x(randn(1, 2, 7, 6)), x(randn(2, 2, 3, 3)), x(randn(2))])
    case("conv2d groups 2", "conv2d", {"groups": 2, "padding": 1}, [x(randn(2, 4, 5, 4)), x(randn(6, 2, 3, 3)), x(randn(6))])
    case("conv2d depthwise", "conv2d", {"groups": 3}, [x(randn(1, 3, 4, 4)), x(randn(3, 1, 2, 2)), x(randn(3))])
    case("conv2d all options", "conv2d", {"stride": 2, "padding": [1, 2], "dilation": [2, 1], "groups": 2},
         [x(randn(2, 4, 7, 6)), x(randn(4, 2, 2, 3)), x(randn(4))])
    case("conv2d unbatched", "conv2d", {"padding": 1}, [x(randn(2, 4, 4)), x(randn(3, 2, 3, 3)), x(randn(3))])
    case("conv2d transposed input", "conv2d", {}, [x(randn(1, 2, 4, 5), layout="transposed"), x(randn(2, 2, 2, 2)), x(randn(2))])
    case("conv2d weight only", "conv2d", {}, [x(randn(1, 2, 4, 4), grad=False), x(randn(2, 2, 3, 3)), x(randn(2), grad=False)])

    case("max_pool2d 2x2", "max_pool2d", {"kernelSize": 2}, [x(randn(2, 2, 4, 6))])
    case("max_pool2d 3x3 stride 1 overlapping", "max_pool2d", {"kernelSize": 3, "stride": 1}, [x(randn(1, 2, 5, 5))])
    case("max_pool2d padding 1 stride 2", "max_pool2d", {"kernelSize": 3, "stride": 2, "padding": 1}, [x(randn(1, 2, 5, 6))])
    case("max_pool2d dilation 2", "max_pool2d", {"kernelSize": 2, "stride": 1, "dilation": 2}, [x(randn(1, 1, 5, 5))])
    case("max_pool2d ceil mode", "max_pool2d", {"kernelSize": 2, "stride": 2, "ceilMode": True}, [x(randn(1, 2, 5, 5))])
    case("max_pool2d ceil mode padding", "max_pool2d", {"kernelSize": 3, "stride": 2, "padding": 1, "ceilMode": True},
         [x(randn(1, 1, 6, 6))])
    case("max_pool2d rectangular", "max_pool2d", {"kernelSize": [2, 3], "stride": [1, 2]}, [x(randn(2, 1, 4, 7))])
    case("max_pool2d unbatched transposed", "max_pool2d", {"kernelSize": 2}, [x(randn(2, 4, 4), layout="transposed")])

    for cip in [True, False]:
        tag = "count_include_pad" if cip else "exclude pad"
        case(f"avg_pool2d padding 1 {tag}", "avg_pool2d", {"kernelSize": 3, "stride": 2, "padding": 1, "countIncludePad": cip},
             [x(randn(1, 2, 5, 6))])
        case(f"avg_pool2d ceil mode {tag}", "avg_pool2d", {"kernelSize": 2, "stride": 2, "ceilMode": True, "countIncludePad": cip},
             [x(randn(1, 2, 5, 5))])
        case(f"avg_pool2d ceil mode padding {tag}", "avg_pool2d",
             {"kernelSize": 3, "stride": 2, "padding": 1, "ceilMode": True, "countIncludePad": cip}, [x(randn(1, 1, 6, 6))])
    case("avg_pool2d 2x2", "avg_pool2d", {"kernelSize": 2}, [x(randn(2, 2, 4, 6))])
    case("avg_pool2d overlapping stride 1", "avg_pool2d", {"kernelSize": 3, "stride": 1}, [x(randn(1, 2, 5, 5))])
    case("avg_pool2d rectangular", "avg_pool2d", {"kernelSize": [2, 3], "stride": [1, 2], "padding": [1, 1]}, [x(randn(1, 1, 4, 7))])
    case("avg_pool2d divisor override", "avg_pool2d", {"kernelSize": 2, "stride": 1, "divisorOverride": 3}, [x(randn(1, 1, 4, 4))])
    case("avg_pool2d unbatched", "avg_pool2d", {"kernelSize": 2}, [x(randn(3, 4, 4), layout="transposed")])


def composite_cases():
    case("composite (a*b+c).sum()", "mul_add_sum", {}, [x(randn(3, 4)), x(randn(3, 4)), x(randn(4))])
    case("composite relu(x@W.T+b)", "linear_relu", {}, [x(randn(5, 4)), x(randn(3, 4)), x(randn(3))])
    case("composite cross entropy via gather", "cross_entropy", {}, [x(randn(4, 5, scale=2.0)), idx(torch.tensor([[1], [0], [4], [1]]))])
    case("composite mse", "mse", {}, [x(randn(3, 4)), x(randn(3, 4))])
    case("composite silu sum (input reused)", "silu_sum", {}, [x(randn(2, 5, scale=2.0))])
    case("composite layer norm", "layer_norm", {"eps": 1e-5}, [x(randn(3, 6)), x(randn(6)), x(randn(6))])
    case("composite attention", "attention", {"scale": 0.5}, [x(randn(2, 3, 4)), x(randn(2, 5, 4)), x(randn(2, 5, 3))])
    case("composite conv net", "conv_net", {}, [x(randn(2, 1, 4, 4)), x(randn(2, 1, 3, 3)), x(randn(2)), x(randn(3, 8))])


def float32_cases():
    f = F32
    case("float32 exp", "exp", {}, [x(randn(3, 4))], dtype=f)
    case("float32 log", "log", {}, [x(uniform(3, 4, lo=0.1, hi=4.0))], dtype=f)
    case("float32 tanh", "tanh", {}, [x(randn(3, 4, scale=1.5))], dtype=f)
    case("float32 sigmoid", "sigmoid", {}, [x(randn(3, 4, scale=3.0))], dtype=f)
    case("float32 erf", "erf", {}, [x(randn(3, 4))], dtype=f)
    case("float32 rsqrt", "rsqrt", {}, [x(uniform(3, 4, lo=0.1, hi=4.0))], dtype=f)
    case("float32 div broadcast", "div", {}, [x(randn(3, 1)), x(away(4))], dtype=f)
    case("float32 pow tensor^tensor", "pow", {}, [x(uniform(3, 4, lo=0.2, hi=3.0)), x(randn(3, 4))], dtype=f)
    case("float32 sum dims", "sum", {"dim": [0, 2]}, [x(randn(2, 3, 4))], dtype=f)
    case("float32 mean", "mean", {}, [x(randn(4, 5))], dtype=f)
    case("float32 var", "var", {"dim": 1}, [x(randn(3, 6))], dtype=f)
    case("float32 std correction 0", "std", {"correction": 0}, [x(randn(3, 6))], dtype=f)
    case("float32 logsumexp", "logsumexp", {"dim": 1}, [x(randn(3, 5, scale=2.0))], dtype=f)
    case("float32 softmax", "softmax", {"dim": -1}, [x(randn(3, 5, scale=2.0))], dtype=f)
    case("float32 log_softmax", "log_softmax", {"dim": -1}, [x(randn(3, 5, scale=2.0))], dtype=f)
    case("float32 matmul", "matmul", {}, [x(randn(4, 6)), x(randn(6, 3), layout="transposed")], dtype=f)
    case("float32 matmul batched broadcast", "matmul", {}, [x(randn(2, 1, 3, 4)), x(randn(3, 4, 2))], dtype=f)
    case("float32 conv2d", "conv2d", {"stride": 2, "padding": 1, "groups": 2},
         [x(randn(2, 4, 6, 5)), x(randn(4, 2, 3, 3)), x(randn(4))], dtype=f)
    case("float32 max_pool2d", "max_pool2d", {"kernelSize": 3, "stride": 2, "padding": 1}, [x(randn(1, 2, 6, 6))], dtype=f)
    case("float32 avg_pool2d", "avg_pool2d", {"kernelSize": 3, "stride": 2, "padding": 1, "countIncludePad": False},
         [x(randn(1, 2, 6, 6))], dtype=f)
    case("float32 gather", "gather", {"dim": 1}, [x(randn(3, 5)), idx(index(3, 4, hi=5))], dtype=f)
    case("float32 composite relu(x@W.T+b)", "linear_relu", {}, [x(randn(5, 4)), x(randn(3, 4)), x(randn(3))], dtype=f)
    case("float32 composite cross entropy", "cross_entropy", {}, [x(randn(4, 5, scale=2.0)), idx(torch.tensor([[1], [0], [4], [1]]))],
         dtype=f)
    case("float32 composite layer norm", "layer_norm", {"eps": 1e-5}, [x(randn(3, 6)), x(randn(6)), x(randn(6))], dtype=f)


def edge_cases():
    """Boundaries: exact zeros, infinities and NaN where PyTorch defines the result, empty and
    0-d tensors, ties, windows dropped by ceil mode, mixed dtypes, in-place ops."""
    inf = math.inf
    t = lambda *v: torch.tensor(v, dtype=F64)
    case("log at zero and infinity", "log", {}, [x(t(0.0, 1.0, 2.5, inf))])
    case("sqrt at zero", "sqrt", {}, [x(t(0.0, 0.25, 4.0, inf))])
    case("rsqrt at zero", "rsqrt", {}, [x(t(0.0, -0.0, 0.25, 4.0))])
    case("reciprocal at signed zeros", "reciprocal", {}, [x(t(0.0, -0.0, 0.5, -4.0, inf))])
    case("exp of infinities", "exp", {}, [x(t(-inf, -745.5, 0.0, 709.0, inf))])
    case("sigmoid of infinities", "sigmoid", {}, [x(t(-inf, -800.0, 0.0, 800.0, inf))])
    case("tanh of infinities", "tanh", {}, [x(t(-inf, -0.0, 0.0, inf))])
    case("relu of infinities and NaN", "relu", {}, [x(t(-inf, -1.0, inf, math.nan))])
    case("erf of infinities", "erf", {}, [x(t(-inf, -0.0, 0.0, inf))])
    case("pow tensor^2 at zero", "pow", {"exponent": 2}, [x(t(0.0, -0.0, 1.5))])
    case("pow tensor^1 at zero", "pow", {"exponent": 1}, [x(t(0.0, -2.0, 1.5))])
    case("pow tensor^0.5 at zero", "pow", {"exponent": 0.5}, [x(t(0.0, 2.0, 1.5))])
    case("pow tensor^-1 at zero", "pow", {"exponent": -1}, [x(t(0.0, -2.0, 1.5))])
    case("pow tensor^0 at zero", "pow", {"exponent": 0}, [x(t(0.0, -2.0, 1.5))])
    case("pow negative base fractional exponent", "pow", {}, [x(t(-2.0, -0.5, 2.0)), x(t(0.5, 2.0, 0.5))])
    case("div by zero", "div", {}, [x(t(1.0, -2.0, 0.0, 3.0)), x(t(0.0, 0.0, 0.0, -0.0))])
    case("clamp min above max", "clamp", {"min": 1.0, "max": -1.0}, [x(randn(2, 3))])
    case("clamp NaN", "clamp", {"min": -0.5, "max": 0.5}, [x(t(math.nan, 0.25, -2.0, 2.0))])
    nan = math.nan
    case("maximum with NaN", "maximum", {}, [x(t(nan, 1.0, 2.0, nan, -1.0)), x(t(0.5, nan, 2.0, nan, 3.0))])
    case("minimum with NaN", "minimum", {}, [x(t(nan, 1.0, 2.0, nan, -1.0)), x(t(0.5, nan, 2.0, nan, 3.0))])
    case("amax with NaN", "amax", {"dim": 1}, [x(torch.tensor([[nan, 1.0, 0.5], [2.0, 3.0, 3.0]], dtype=F64))])
    case("amin with NaN", "amin", {"dim": 0}, [x(torch.tensor([[nan, 1.0, 0.5], [2.0, -3.0, nan]], dtype=F64))])
    case("where strided condition", "where", {},
         [cond(torch.rand(3, 4, generator=gen) > 0.5, layout="transposed"), x(randn(3, 4)), x(randn(3, 4), layout="stepped")])
    case("amax with infinities", "amax", {"dim": 1}, [x(torch.tensor([[1.0, inf, -2.0], [-inf, -inf, -3.0], [-inf, -inf, -inf]], dtype=F64))])
    case("amin with infinities", "amin", {"dim": 0}, [x(torch.tensor([[1.0, -inf, inf], [-inf, 2.0, inf]], dtype=F64))])
    case("var of one element", "var", {"dim": 1}, [x(randn(3, 1))])
    case("var of one element correction 0", "var", {"dim": 1, "correction": 0}, [x(randn(3, 1))])
    case("prod all keepdim", "prod", {"keepdim": True}, [x(uniform(2, 3, lo=0.5, hi=1.5))])
    case("softmax with -inf mask", "softmax", {"dim": -1}, [x(torch.tensor([[0.5, -inf, 1.5, -0.25], [-inf, 2.0, -inf, -inf]], dtype=F64))])
    case("log_softmax with -inf mask", "log_softmax", {"dim": -1}, [x(torch.tensor([[0.5, -inf, 1.5, -0.25], [-inf, 2.0, 0.0, -inf]], dtype=F64))])
    case("logsumexp with -inf entries", "logsumexp", {"dim": 1}, [x(torch.tensor([[0.5, -inf, 1.5], [-inf, 2.0, -inf]], dtype=F64))])
    case("logsumexp of all -inf row", "logsumexp", {"dim": 1}, [x(torch.tensor([[0.5, -0.1, 1.5], [-inf, -inf, -inf]], dtype=F64))])
    case("softmax 0-d", "softmax", {"dim": 0}, [x(randn())])
    case("log_softmax 0-d", "log_softmax", {"dim": -1}, [x(randn())])
    case("softmax 1-D", "softmax", {"dim": 0}, [x(randn(5))])
    case("select 1-D to 0-d", "select", {"dim": 0, "index": 2}, [x(randn(4))])
    case("flatten 0-d", "flatten", {}, [x(randn())])
    case("narrow length 0", "narrow", {"dim": 1, "start": 2, "length": 0}, [x(randn(2, 4))])
    case("slice empty", "slice", {"dim": 1, "start": 3, "end": 1}, [x(randn(2, 4))])
    case("slice step larger than size", "slice", {"dim": 0, "start": 1, "step": 7}, [x(randn(4, 2))])
    case("index_select 0-d index", "index_select", {"dim": 1}, [x(randn(2, 4)), idx(torch.tensor(3))])
    case("gather transposed index", "gather", {"dim": 0}, [x(randn(4, 3)), idx(index(3, 3, hi=4), layout="transposed")])
    case("mean of zero-size dim kept", "mean", {"dim": 1}, [x(torch.zeros(0, 3, dtype=F64))])
    case("max_pool2d ties", "max_pool2d", {"kernelSize": 2, "stride": 1}, [x(small_ints(1, 1, 4, 4, lo=0, hi=2))])
    case("max_pool2d ceil mode drops window in padding", "max_pool2d", {"kernelSize": 2, "stride": 2, "padding": 1, "ceilMode": True},
         [x(randn(1, 1, 5, 5))])
    for cip in [True, False]:
        case(f"avg_pool2d ceil mode drops window in padding {'count_include_pad' if cip else 'exclude pad'}", "avg_pool2d",
             {"kernelSize": 2, "stride": 2, "padding": 1, "ceilMode": True, "countIncludePad": cip}, [x(randn(1, 1, 5, 5))])
    case("max_pool2d padding with negative values", "max_pool2d", {"kernelSize": 3, "stride": 2, "padding": 1},
         [x(-uniform(1, 1, 4, 4, lo=1.0, hi=2.0))])

    # Dtypes: casts and promotion.
    case("to float32", "to", {"dtype": "float32"}, [x(randn(2, 3))])
    case("to float64 from float32", "to", {"dtype": "float64"}, [x(randn(2, 3), dtype=F32)])
    case("add float32 + float64 promotes", "add", {}, [x(randn(2, 3), dtype=F32), x(randn(3))])
    case("mul float64 * float32 scalar-shaped", "mul", {}, [x(randn(2, 3)), x(randn(), dtype=F32)])

    # One input used twice, views, in-place ops on non-leaves.
    case("view", "view", {"shape": [3, 2, 2]}, [x(randn(4, 3))])
    case("square", "square", {}, [x(randn(2, 3))])
    case("add self", "add_self", {}, [x(randn(2, 3))])
    case("composite gram x@x.T", "gram", {}, [x(randn(3, 4))])
    case("composite in-place chain", "inplace_chain", {}, [x(randn(2, 4)), x(randn(4)), x(randn(2, 4))])
    case("in-place through a view: region of a base", "inplace_view", {"scenario": "region"}, [x(randn(3, 4)), x(randn(3, 2))])
    case("in-place through a view: buffer filled through views", "inplace_view", {"scenario": "buffer"}, [x(randn(2, 3)), x(randn(4))])
    case("in-place through a view: older view after the base changed", "inplace_view", {"scenario": "base-then-view"}, [x(randn(4, 3))])
    case("in-place through a view: overlapping views", "inplace_view", {"scenario": "overlapping"}, [x(randn(5))])
    case("in-place through a view: views of views", "inplace_view", {"scenario": "nested"}, [x(randn(3, 4)), x(away(3))])
    case("sign of NaN and infinities", "sign", {}, [x(t(math.nan, -inf, -0.0, 0.0, inf))])
    case("abs of NaN (gradient through sign)", "abs", {}, [x(t(math.nan, -inf, -2.0, 3.0))])
    case("cumsum dim 1", "cumsum", {"dim": 1}, [x(randn(3, 7))])
    case("cumsum dim 0, transposed input", "cumsum", {"dim": 0}, [x(randn(5, 4), layout="transposed")])
    case("cumsum dim -1 of a 3-d stepped input", "cumsum", {"dim": -1}, [x(randn(2, 3, 9), layout="stepped")])
    case("cumsum of one element", "cumsum", {"dim": 0}, [x(randn(1))])


def main():
    unary_cases()
    binary_cases()
    selection_cases()
    reduction_cases()
    matmul_cases()
    view_cases()
    indexing_cases()
    conv_pool_cases()
    composite_cases()
    float32_cases()
    edge_cases()
    doc = {
        "generator": "tools/golden/generate.py",
        "torch": torch.__version__,
        "seed": SEED,
        "cases": CASES,
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    text = json.dumps(doc, separators=(",", ":"), allow_nan=False)
    # One case per line: readable diffs, still compact.
    text = text.replace(',{"name":', ',\n{"name":').replace('"cases":[{"name":', '"cases":[\n{"name":')
    with open(OUT, "w", encoding="utf-8") as fh:
        fh.write(text + "\n")
    print(f"wrote {len(CASES)} cases, {len(text)} bytes to {os.path.relpath(OUT, ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
