#!/usr/bin/env python3
"""Golden fixtures from PyTorch for @tessera/nn's `functional` ops, forward and backward.

Runs each case in PyTorch (Debian's python3-torch) and writes
packages/nn/test/fixtures/functional.json, which packages/nn/test/functional.golden.test.ts
replays through Tessera. See README.md beside this file ("nn functional").

Every case is data: an `op` name (Tessera's function name), its `args` (Tessera's option
names; non-tensor positional arguments such as `dim` or `normalizedShape` too), named inputs,
the output, a random gradient seed and each input's gradient. OPS below maps (op, args,
inputs) to PyTorch calls; the test's own table maps them to Tessera calls.

Inputs are float64 unless they are indices (dtype "int32", PyTorch's int64) or masks ("bool").
Cases that update an input in place (batchNorm's running statistics) list the input's values
after the call in `after`.
"""
from __future__ import annotations

import json
import warnings
import math
import os
import sys

try:
    import torch
    import torch.nn.functional as F
except ImportError:  # pragma: no cover
    sys.exit("nn_functional.py needs PyTorch: apt-get install python3-torch, then run it with Debian's /usr/bin/python3.")

SEED = 20240612
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "packages", "nn", "test", "fixtures", "functional.json")

torch.set_num_threads(1)  # deterministic reduction order
warnings.filterwarnings("ignore", message="Using padding=.same. with even kernel")  # PyTorch notes a copy; irrelevant here
gen = torch.Generator().manual_seed(SEED)
F64 = torch.float64


# ---------------------------------------------------------------------------- random inputs

def randn(*shape, scale=1.0):
    return torch.randn(shape, generator=gen, dtype=F64) * scale


def uniform(*shape, lo=0.0, hi=1.0):
    return lo + (hi - lo) * torch.rand(shape, generator=gen, dtype=F64)


def ints(*shape, lo=0, hi):
    return torch.randint(lo, hi, shape, generator=gen)


def x(t, grad=True):
    """A float64 input (a leaf that requires grad unless grad=False)."""
    return {"t": t.to(F64), "grad": grad, "kind": "float64"}


def idx(t):
    return {"t": t.to(torch.int64), "grad": False, "kind": "int32"}


def mask(t):
    return {"t": t.to(torch.bool), "grad": False, "kind": "bool"}


# ---------------------------------------------------------------------------- op table

def _pair(v):
    return tuple(v) if isinstance(v, list) else v


def _reference_attention(q, k, v, a, attn_mask):
    """PyTorch 2.x's documented math path of F.scaled_dot_product_attention (1.13 has only a
    private version, without float masks or `scale`; the bool/causal cases are cross-checked
    against it in `attention_cases`)."""
    L, S = q.size(-2), k.size(-2)
    scale = a.get("scale") or 1 / math.sqrt(q.size(-1))
    scores = q.matmul(k.transpose(-2, -1)) * scale
    if a.get("isCausal"):
        keep = torch.ones(L, S, dtype=torch.bool).tril(diagonal=0)
        scores = scores.masked_fill(~keep, float("-inf"))
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:
            scores = scores.masked_fill(~attn_mask, float("-inf"))
        else:
            scores = scores + attn_mask
    return torch.softmax(scores, -1).matmul(v)


def _batch_norm(a, i):
    return F.batch_norm(i["input"], i.get("runningMean"), i.get("runningVar"), weight=i.get("weight"), bias=i.get("bias"),
                        training=a.get("training", False), momentum=a.get("momentum", 0.1), eps=a.get("eps", 1e-5))


def _conv2d(a, i):
    padding = a.get("padding", 0)
    return F.conv2d(i["input"], i["weight"], i.get("bias"), stride=_pair(a.get("stride", 1)),
                    padding=padding if isinstance(padding, str) else _pair(padding),
                    dilation=_pair(a.get("dilation", 1)), groups=a.get("groups", 1))


def _red(a):
    return a.get("reduction", "mean")


OPS = {
    "relu": lambda a, i: F.relu(i["x"]),
    "leakyRelu": lambda a, i: F.leaky_relu(i["x"], a.get("negativeSlope", 0.01)),
    "gelu": lambda a, i: F.gelu(i["x"], approximate=a.get("approximate", "none")),
    "silu": lambda a, i: F.silu(i["x"]),
    "sigmoid": lambda a, i: torch.sigmoid(i["x"]),
    "tanh": lambda a, i: torch.tanh(i["x"]),
    "softmax": lambda a, i: F.softmax(i["x"], a["dim"]),
    "logSoftmax": lambda a, i: F.log_softmax(i["x"], a["dim"]),
    "linear": lambda a, i: F.linear(i["input"], i["weight"], i.get("bias")),
    "conv2d": _conv2d,
    "maxPool2d": lambda a, i: F.max_pool2d(i["x"], _pair(a["kernelSize"]), stride=_pair(a.get("stride")),
                                           padding=_pair(a.get("padding", 0)), dilation=_pair(a.get("dilation", 1)),
                                           ceil_mode=a.get("ceilMode", False)),
    "avgPool2d": lambda a, i: F.avg_pool2d(i["x"], _pair(a["kernelSize"]), stride=_pair(a.get("stride")),
                                           padding=_pair(a.get("padding", 0)), ceil_mode=a.get("ceilMode", False),
                                           count_include_pad=a.get("countIncludePad", True),
                                           divisor_override=a.get("divisorOverride")),
    "adaptiveAvgPool2d": lambda a, i: F.adaptive_avg_pool2d(i["x"], _pair(a["outputSize"])),
    "layerNorm": lambda a, i: F.layer_norm(i["x"], a["normalizedShape"], i.get("weight"), i.get("bias"), a.get("eps", 1e-5)),
    "batchNorm": _batch_norm,
    "embedding": lambda a, i: F.embedding(i["indices"], i["weight"], padding_idx=a.get("paddingIdx")),
    "oneHot": lambda a, i: F.one_hot(i["indices"], a.get("numClasses", -1)),
    "pad": lambda a, i: F.pad(i["x"], a["padding"], mode=a.get("mode", "constant"),
                              **({"value": a.get("value", 0.0)} if a.get("mode", "constant") == "constant" else {})),
    "scaledDotProductAttention": lambda a, i: _reference_attention(i["query"], i["key"], i["value"], a, i.get("attnMask")),
    "mseLoss": lambda a, i: F.mse_loss(i["input"], i["target"], reduction=_red(a)),
    "l1Loss": lambda a, i: F.l1_loss(i["input"], i["target"], reduction=_red(a)),
    "smoothL1Loss": lambda a, i: F.smooth_l1_loss(i["input"], i["target"], reduction=_red(a), beta=a.get("beta", 1.0)),
    "huberLoss": lambda a, i: F.huber_loss(i["input"], i["target"], reduction=_red(a), delta=a.get("delta", 1.0)),
    "nllLoss": lambda a, i: F.nll_loss(i["input"], i["target"], weight=i.get("weight"),
                                       ignore_index=a.get("ignoreIndex", -100), reduction=_red(a)),
    "crossEntropy": lambda a, i: F.cross_entropy(i["input"], i["target"], weight=i.get("weight"),
                                                 ignore_index=a.get("ignoreIndex", -100), reduction=_red(a),
                                                 label_smoothing=a.get("labelSmoothing", 0.0)),
    "binaryCrossEntropy": lambda a, i: F.binary_cross_entropy(i["input"], i["target"], weight=i.get("weight"), reduction=_red(a)),
    "binaryCrossEntropyWithLogits": lambda a, i: F.binary_cross_entropy_with_logits(
        i["input"], i["target"], weight=i.get("weight"), pos_weight=i.get("posWeight"), reduction=_red(a)),
}


# ---------------------------------------------------------------------------- cases

CASES = []


def values(t):
    out = []
    for v in t.detach().reshape(-1).tolist():
        if isinstance(v, bool):
            out.append(v)
        elif isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
            out.append("NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity"))
        else:
            out.append(v)
    return out


def case(name, op, args, inputs, mutated=()):
    leaves = {}
    for key, spec in inputs.items():
        t = spec["t"].clone()
        if spec["grad"]:
            t.requires_grad_(True)
        leaves[key] = t
    out = OPS[op](args, leaves)
    record = {
        "name": name,
        "op": op,
        "args": args,
        "inputs": {key: {"shape": list(spec["t"].shape), "dtype": spec["kind"], "values": values(spec["t"]),
                         "requiresGrad": spec["grad"]} for key, spec in inputs.items()},
        "output": {"shape": list(out.shape), "dtype": "float64" if out.is_floating_point() else "int32", "values": values(out)},
    }
    if mutated:
        record["after"] = {key: values(leaves[key]) for key in mutated}
    if out.requires_grad:
        g = randn(*out.shape)
        out.backward(g)
        record["gradOutput"] = values(g)
        record["grads"] = {key: values(t.grad) for key, t in leaves.items() if inputs[key]["grad"]}
    CASES.append(record)


def activation_cases():
    with_zeros = randn(3, 4)
    with_zeros[0, :2] = 0.0
    case("relu with exact zeros", "relu", {}, {"x": x(with_zeros)})
    case("leakyRelu default slope with zeros", "leakyRelu", {}, {"x": x(with_zeros)})
    case("leakyRelu slope 0.2", "leakyRelu", {"negativeSlope": 0.2}, {"x": x(randn(2, 3, 2))})
    case("gelu exact", "gelu", {}, {"x": x(randn(3, 5, scale=2))})
    case("gelu tanh", "gelu", {"approximate": "tanh"}, {"x": x(randn(3, 5, scale=2))})
    case("silu", "silu", {}, {"x": x(randn(4, 3, scale=2))})
    case("sigmoid", "sigmoid", {}, {"x": x(randn(2, 5, scale=3))})
    case("tanh", "tanh", {}, {"x": x(randn(2, 5))})
    case("softmax dim 1 of 3-D", "softmax", {"dim": 1}, {"x": x(randn(2, 4, 3, scale=2))})
    case("logSoftmax dim -1", "logSoftmax", {"dim": -1}, {"x": x(randn(3, 5, scale=3))})


def linear_cases():
    case("linear 3-D input with bias", "linear", {}, {"input": x(randn(2, 3, 4)), "weight": x(randn(5, 4)), "bias": x(randn(5))})
    case("linear without bias", "linear", {}, {"input": x(randn(3, 4)), "weight": x(randn(2, 4))})
    case("linear 1-D input", "linear", {}, {"input": x(randn(4)), "weight": x(randn(3, 4)), "bias": x(randn(3))})


def conv_cases():
    case("conv2d stride 2 padding 1 groups 2 bias", "conv2d", {"stride": 2, "padding": 1, "groups": 2},
         {"input": x(randn(2, 4, 5, 6)), "weight": x(randn(6, 2, 3, 3)), "bias": x(randn(6))})
    case("conv2d dilation 2 pair padding", "conv2d", {"dilation": 2, "padding": [1, 2]},
         {"input": x(randn(1, 2, 7, 6)), "weight": x(randn(3, 2, 3, 2))})
    case("conv2d padding same even kernel", "conv2d", {"padding": "same"},
         {"input": x(randn(1, 2, 5, 6)), "weight": x(randn(3, 2, 2, 4)), "bias": x(randn(3))})
    case("conv2d padding same odd kernel dilation 2", "conv2d", {"padding": "same", "dilation": [2, 1]},
         {"input": x(randn(2, 1, 6, 5)), "weight": x(randn(2, 1, 3, 3))})
    case("conv2d padding valid unbatched", "conv2d", {"padding": "valid"},
         {"input": x(randn(2, 5, 5)), "weight": x(randn(3, 2, 3, 3)), "bias": x(randn(3))})
    case("maxPool2d kernel 3 stride 2 padding 1 ceilMode", "maxPool2d", {"kernelSize": 3, "stride": 2, "padding": 1, "ceilMode": True},
         {"x": x(randn(2, 2, 6, 7))})
    case("maxPool2d dilation 2", "maxPool2d", {"kernelSize": [2, 3], "stride": 1, "dilation": 2}, {"x": x(randn(1, 2, 6, 7))})
    case("avgPool2d countIncludePad false ceilMode", "avgPool2d",
         {"kernelSize": 3, "stride": 2, "padding": 1, "ceilMode": True, "countIncludePad": False}, {"x": x(randn(2, 2, 6, 7))})
    case("avgPool2d divisorOverride", "avgPool2d", {"kernelSize": [2, 3], "divisorOverride": 5}, {"x": x(randn(1, 3, 4, 6))})
    case("adaptiveAvgPool2d non-divisible 5x7 to 3x4", "adaptiveAvgPool2d", {"outputSize": [3, 4]}, {"x": x(randn(2, 2, 5, 7))})
    case("adaptiveAvgPool2d divisible 6x6 to 2", "adaptiveAvgPool2d", {"outputSize": 2}, {"x": x(randn(1, 3, 6, 6))})
    case("adaptiveAvgPool2d unbatched 10x9 to 4", "adaptiveAvgPool2d", {"outputSize": 4}, {"x": x(randn(2, 10, 9))})
    case("adaptiveAvgPool2d upsampling 3x2 to 5x3", "adaptiveAvgPool2d", {"outputSize": [5, 3]}, {"x": x(randn(1, 1, 3, 2))})
    case("adaptiveAvgPool2d null keeps H", "adaptiveAvgPool2d", {"outputSize": [None, 3]}, {"x": x(randn(1, 2, 4, 7))})
    case("adaptiveAvgPool2d global 1", "adaptiveAvgPool2d", {"outputSize": 1}, {"x": x(randn(2, 3, 5, 3))})


def normalization_cases():
    case("layerNorm last 2 dims with weight and bias", "layerNorm", {"normalizedShape": [3, 4]},
         {"x": x(randn(2, 3, 4, scale=3) + 1), "weight": x(randn(3, 4)), "bias": x(randn(3, 4))})
    case("layerNorm last dim no affine eps 1e-3", "layerNorm", {"normalizedShape": [5], "eps": 1e-3}, {"x": x(randn(4, 5))})
    case("batchNorm train 4-D with running stats", "batchNorm", {"training": True, "momentum": 0.2},
         {"input": x(randn(3, 2, 4, 3, scale=2) + 0.5), "runningMean": x(randn(2), grad=False),
          "runningVar": x(uniform(2, lo=0.5, hi=2), grad=False), "weight": x(randn(2)), "bias": x(randn(2))},
         mutated=("runningMean", "runningVar"))
    case("batchNorm train 2-D without running stats", "batchNorm", {"training": True},
         {"input": x(randn(5, 3)), "weight": x(randn(3)), "bias": x(randn(3))})
    case("batchNorm train 3-D default momentum", "batchNorm", {"training": True},
         {"input": x(randn(2, 3, 4)), "runningMean": x(torch.zeros(3), grad=False), "runningVar": x(torch.ones(3), grad=False)},
         mutated=("runningMean", "runningVar"))
    case("batchNorm eval 3-D with weight and bias", "batchNorm", {"training": False, "eps": 1e-3},
         {"input": x(randn(2, 3, 4)), "runningMean": x(randn(3), grad=False),
          "runningVar": x(uniform(3, lo=0.5, hi=2), grad=False), "weight": x(randn(3)), "bias": x(randn(3))})


def embedding_cases():
    case("embedding 2-D indices", "embedding", {}, {"indices": idx(torch.tensor([[1, 3, 3], [0, 4, 1]])), "weight": x(randn(5, 3))})
    case("embedding paddingIdx 3", "embedding", {"paddingIdx": 3},
         {"indices": idx(torch.tensor([[1, 3, 3], [0, 4, 1]])), "weight": x(randn(5, 3))})
    case("embedding negative paddingIdx -1", "embedding", {"paddingIdx": -1},
         {"indices": idx(torch.tensor([4, 0, 4, 2])), "weight": x(randn(5, 2))})
    case("oneHot inferred classes", "oneHot", {}, {"indices": idx(torch.tensor([[0, 2], [1, 2]]))})
    case("oneHot numClasses 5", "oneHot", {"numClasses": 5}, {"indices": idx(torch.tensor([3, 0, 4]))})


def padding_cases():
    case("pad constant value 1.5 last two dims", "pad", {"padding": [1, 2, 0, 1], "value": 1.5}, {"x": x(randn(2, 3, 4))})
    case("pad constant negative crops", "pad", {"padding": [-1, 2, 1, -2]}, {"x": x(randn(2, 4, 5))})
    case("pad reflect 4-D", "pad", {"padding": [2, 1, 1, 2], "mode": "reflect"}, {"x": x(randn(1, 2, 4, 3))})
    case("pad replicate 3-D", "pad", {"padding": [3, 1], "mode": "replicate"}, {"x": x(randn(2, 2, 3))})
    case("pad circular 4-D", "pad", {"padding": [2, 1, 3, 0], "mode": "circular"}, {"x": x(randn(1, 2, 3, 4))})


def attention_cases():
    q, k, v = randn(2, 3, 4), randn(2, 5, 4), randn(2, 5, 6)
    m = torch.rand(3, 5, generator=gen) > 0.4
    m[:, 0] = True  # every query attends to something
    # Cross-check the reference against 1.13's private implementation where both exist.
    private = F._scaled_dot_product_attention
    assert torch.allclose(private(q, k, v, m, 0.0, False, False)[0], _reference_attention(q, k, v, {}, m), rtol=1e-12, atol=1e-12)
    assert torch.allclose(private(q, k, v, None, 0.0, False, True)[0], _reference_attention(q, k, v, {"isCausal": True}, None),
                          rtol=1e-12, atol=1e-12)
    case("scaledDotProductAttention plain", "scaledDotProductAttention", {},
         {"query": x(q), "key": x(k), "value": x(v)})
    case("scaledDotProductAttention bool mask", "scaledDotProductAttention", {},
         {"query": x(q), "key": x(k), "value": x(v), "attnMask": mask(m)})
    case("scaledDotProductAttention causal L < S", "scaledDotProductAttention", {"isCausal": True},
         {"query": x(q), "key": x(k), "value": x(v)})
    qs = randn(2, 2, 4, 3)
    case("scaledDotProductAttention causal self-attention 4-D", "scaledDotProductAttention", {"isCausal": True},
         {"query": x(qs), "key": x(randn(2, 2, 4, 3)), "value": x(randn(2, 2, 4, 5))})
    case("scaledDotProductAttention float mask and scale, broadcast batch", "scaledDotProductAttention", {"scale": 0.3},
         {"query": x(randn(2, 1, 3, 4)), "key": x(randn(1, 2, 5, 4)), "value": x(randn(2, 2, 5, 2)),
          "attnMask": x(randn(3, 5), grad=False)})


def regression_cases():
    a, b = randn(3, 4), randn(3, 4)
    for reduction in ("mean", "sum", "none"):
        case(f"mseLoss {reduction}", "mseLoss", {"reduction": reduction}, {"input": x(a), "target": x(b)})
        case(f"l1Loss {reduction}", "l1Loss", {"reduction": reduction}, {"input": x(a), "target": x(b, grad=False)})
    case("smoothL1Loss beta 0.5", "smoothL1Loss", {"beta": 0.5}, {"input": x(randn(4, 3)), "target": x(randn(4, 3))})
    case("smoothL1Loss none default beta", "smoothL1Loss", {"reduction": "none"}, {"input": x(randn(4, 3, scale=2)), "target": x(randn(4, 3))})
    case("huberLoss delta 0.7 sum", "huberLoss", {"delta": 0.7, "reduction": "sum"}, {"input": x(randn(5, 2)), "target": x(randn(5, 2))})


def classification_cases():
    logits = randn(6, 4, scale=2)
    target = torch.tensor([0, 3, -100, 2, 1, 3])
    weight = uniform(4, lo=0.2, hi=2)
    logp = F.log_softmax(logits, 1)
    case("nllLoss weight ignoreIndex mean", "nllLoss", {}, {"input": x(logp), "target": idx(target), "weight": x(weight, grad=False)})
    case("nllLoss ignoreIndex 1 sum", "nllLoss", {"ignoreIndex": 1, "reduction": "sum"},
         {"input": x(logp), "target": idx(torch.tensor([0, 3, 1, 2, 1, 3]))})
    t4 = ints(2, 3, 4, hi=3)
    t4[0, 1, 2] = -100
    case("nllLoss 4-D input mean", "nllLoss", {}, {"input": x(F.log_softmax(randn(2, 3, 3, 4), 1)), "target": idx(t4)})
    case("nllLoss 4-D input weight none", "nllLoss", {"reduction": "none"},
         {"input": x(F.log_softmax(randn(2, 3, 3, 4), 1)), "target": idx(t4), "weight": x(uniform(3, lo=0.2, hi=2), grad=False)})
    case("nllLoss unbatched", "nllLoss", {}, {"input": x(randn(5)), "target": idx(torch.tensor(3))})

    case("crossEntropy plain", "crossEntropy", {}, {"input": x(logits), "target": idx(torch.tensor([0, 3, 1, 2, 1, 3]))})
    for reduction in ("mean", "sum", "none"):
        case(f"crossEntropy weight ignoreIndex labelSmoothing {reduction}", "crossEntropy",
             {"labelSmoothing": 0.15, "reduction": reduction},
             {"input": x(logits), "target": idx(target), "weight": x(weight, grad=False)})
    case("crossEntropy labelSmoothing ignoreIndex 2 no weight", "crossEntropy", {"labelSmoothing": 0.2, "ignoreIndex": 2},
         {"input": x(logits), "target": idx(torch.tensor([0, 2, 1, 2, 1, 3]))})
    case("crossEntropy 4-D input labelSmoothing weight", "crossEntropy", {"labelSmoothing": 0.1},
         {"input": x(randn(2, 3, 3, 4)), "target": idx(t4), "weight": x(uniform(3, lo=0.2, hi=2), grad=False)})
    case("crossEntropy unbatched", "crossEntropy", {"labelSmoothing": 0.05}, {"input": x(randn(4)), "target": idx(torch.tensor(1))})
    probs = torch.softmax(randn(5, 4), 1)
    case("crossEntropy probabilities mean", "crossEntropy", {}, {"input": x(randn(5, 4)), "target": x(probs)})
    case("crossEntropy probabilities weight labelSmoothing mean", "crossEntropy", {"labelSmoothing": 0.1},
         {"input": x(randn(5, 4)), "target": x(probs, grad=False), "weight": x(uniform(4, lo=0.2, hi=2), grad=False)})
    case("crossEntropy probabilities 3-D weight none", "crossEntropy", {"reduction": "none"},
         {"input": x(randn(2, 4, 3)), "target": x(torch.softmax(randn(2, 4, 3), 1)), "weight": x(uniform(4, lo=0.2, hi=2), grad=False)})
    case("crossEntropy probabilities sum", "crossEntropy", {"reduction": "sum", "labelSmoothing": 0.3},
         {"input": x(randn(3, 5)), "target": x(torch.softmax(randn(3, 5), 1))})


def binary_cases():
    p = uniform(4, 3, lo=0.05, hi=0.95)
    t = (torch.rand(4, 3, generator=gen) > 0.5).to(F64)
    soft = uniform(4, 3)
    case("binaryCrossEntropy mean", "binaryCrossEntropy", {}, {"input": x(p), "target": x(t, grad=False)})
    case("binaryCrossEntropy weight [C] sum, soft target with grad", "binaryCrossEntropy", {"reduction": "sum"},
         {"input": x(p), "target": x(soft), "weight": x(uniform(3, lo=0.5, hi=2), grad=False)})
    case("binaryCrossEntropy none", "binaryCrossEntropy", {"reduction": "none"}, {"input": x(p), "target": x(soft, grad=False)})
    logits = randn(4, 3, scale=3)
    logits[0, 0], logits[1, 1] = 40.0, -35.0
    case("binaryCrossEntropyWithLogits mean", "binaryCrossEntropyWithLogits", {}, {"input": x(logits), "target": x(t, grad=False)})
    case("binaryCrossEntropyWithLogits posWeight weight mean", "binaryCrossEntropyWithLogits", {},
         {"input": x(logits), "target": x(soft), "weight": x(uniform(4, 1, lo=0.5, hi=2), grad=False),
          "posWeight": x(uniform(3, lo=0.5, hi=3), grad=False)})
    case("binaryCrossEntropyWithLogits posWeight none", "binaryCrossEntropyWithLogits", {"reduction": "none"},
         {"input": x(logits), "target": x(t, grad=False), "posWeight": x(uniform(3, lo=0.5, hi=3), grad=False)})


def main():
    activation_cases()
    linear_cases()
    conv_cases()
    normalization_cases()
    embedding_cases()
    padding_cases()
    attention_cases()
    regression_cases()
    classification_cases()
    binary_cases()
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump({"torch": torch.__version__, "seed": SEED, "cases": CASES}, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {len(CASES)} cases to {os.path.relpath(OUT, ROOT)} ({os.path.getsize(OUT)} bytes)")


if __name__ == "__main__":
    main()
