#!/usr/bin/env python3
"""Golden fixtures from PyTorch for @tessera/nn's modules.

Builds small torch.nn modules in float64 with deterministic weights, runs a forward pass on
fixed inputs and a backward pass with a fixed gradient seed, and records, per case:
  - the state dict: PyTorch's keys in order, with shapes, dtypes and values;
  - the inputs, the forward outputs, the gradient seeds;
  - the gradients of the inputs and of every parameter (by PyTorch's parameter name);
  - for modules with running statistics, the buffers after the forward pass.
The output is packages/nn/test/fixtures/modules.json; packages/nn/test/modules-golden.test.ts
builds the same architectures in Tessera (each case's `build` names one), loads the recorded
state dict with loadStateDict, replays the inputs and compares. See README.md beside this file.

Run with Debian's PyTorch:  /usr/bin/python3 tools/golden/nn_modules.py
"""
from __future__ import annotations

import json
import os
import sys
import warnings

try:
    import torch
    import torch.nn as nn
except ImportError:  # pragma: no cover
    sys.exit("nn_modules.py needs PyTorch: apt-get install python3-torch, then run it with Debian's /usr/bin/python3.")

SEED = 20240612
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "packages", "nn", "test", "fixtures", "modules.json")

torch.set_num_threads(1)
warnings.filterwarnings("ignore", message="Using padding='same'")
torch.set_default_dtype(torch.float64)
gen = torch.Generator().manual_seed(SEED)
F64 = torch.float64


def randn(*shape, scale=1.0):
    return torch.randn(shape, generator=gen, dtype=F64) * scale


def uniform(*shape, lo=0.0, hi=1.0):
    return lo + (hi - lo) * torch.rand(shape, generator=gen, dtype=F64)


# ---------------------------------------------------------------------------- encoding

DTYPES = {torch.float64: "float64", torch.float32: "float32", torch.int64: "int32", torch.int32: "int32", torch.bool: "bool"}


def enc(t):
    """A tensor as {shape, dtype, values} (flat, row-major; int64 written as int32)."""
    t = t.detach()
    dtype = DTYPES[t.dtype]
    values = t.reshape(-1).tolist()
    if dtype == "bool":
        values = [bool(v) for v in values]
    elif dtype == "int32":
        values = [int(v) for v in values]
    return {"shape": list(t.shape), "dtype": dtype, "values": values}


def flat(t):
    return t.detach().reshape(-1).tolist()


# ---------------------------------------------------------------------------- architectures
# Each builder returns a float64 module; the test has a builder of the same name.


class Net(nn.Module):
    """Names that exercise the camelCase → snake_case rule on the Tessera side."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 6)
        self.out_proj = nn.Linear(6, 3)
        self.blocks = nn.ModuleList([nn.Linear(6, 6), nn.LayerNorm(6)])
        self.heads = nn.ModuleDict({"cls": nn.Linear(3, 2)})
        self.register_buffer("running_scale", torch.ones(3))
        self.register_buffer("scratch", torch.zeros(2), persistent=False)
        self.layer_scale = nn.Parameter(torch.ones(6))

    def forward(self, x):
        h = torch.relu(self.fc1(x))
        for b in self.blocks:
            h = b(h)
        h = h * self.layer_scale
        return self.heads["cls"](self.out_proj(h) * self.running_scale)


BUILDERS = {
    "linear": lambda: nn.Linear(4, 3),
    "linearNoBias": lambda: nn.Linear(5, 2, bias=False),
    "conv2d": lambda: nn.Conv2d(4, 6, 3, stride=2, padding=1, groups=2),
    "conv2dSame": lambda: nn.Conv2d(3, 4, (2, 3), padding="same", dilation=(1, 2)),
    "conv2dReflect": lambda: nn.Conv2d(2, 3, 3, padding=1, padding_mode="reflect", bias=False),
    "batchNorm2d": lambda: nn.BatchNorm2d(3),
    "batchNorm1d": lambda: nn.BatchNorm1d(3, momentum=0.3),
    "layerNorm": lambda: nn.LayerNorm([3, 4]),
    "embedding": lambda: nn.Embedding(6, 3, padding_idx=1),
    "mha": lambda: nn.MultiheadAttention(8, 2),
    "mhaBatchFirst": lambda: nn.MultiheadAttention(6, 3, batch_first=True),
    "mlp": lambda: nn.Sequential(
        nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.GELU(), nn.LayerNorm(8), nn.Linear(8, 3), nn.LogSoftmax(dim=1)
    ),
    "convnet": lambda: nn.Sequential(
        nn.Conv2d(2, 4, 3, padding=1),
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(4, 4, 3),
        nn.AvgPool2d(2, stride=1),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(4, 3),
    ),
    "net": Net,
    "crossEntropyLoss": lambda: nn.CrossEntropyLoss(weight=uniform(5, lo=0.5, hi=2.0), label_smoothing=0.1),
    "bceWithLogitsLoss": lambda: nn.BCEWithLogitsLoss(pos_weight=uniform(3, lo=0.5, hi=2.0)),
}


def randomize(module):
    """Deterministic, non-default values for every parameter and float buffer."""
    with torch.no_grad():
        for name, p in module.named_parameters():
            p.copy_(randn(*p.shape, scale=0.5))
        for name, b in module.named_buffers():
            if name.endswith("running_var"):
                b.copy_(uniform(*b.shape, lo=0.5, hi=2.0))
            elif name.endswith("running_mean"):
                b.copy_(randn(*b.shape, scale=0.3))
            elif name.endswith("num_batches_tracked"):
                b.fill_(3)
            elif b.is_floating_point() and not name.endswith("weight"):
                b.copy_(uniform(*b.shape, lo=0.5, hi=1.5))


# ---------------------------------------------------------------------------- cases

CASES = []


def case(name, build, inputs, args=None, options=None, tessera_options=None, train=True, torch_call=None):
    """
    inputs:  list of (tensor, requires_grad)
    args:    indices into inputs for the positional arguments (default: each input once)
    options: forward keyword arguments for PyTorch; values may be tensors
    tessera_options: the same options in Tessera's names (tensors given as input-like dicts)
    """
    torch.manual_seed(0)
    module = BUILDERS[build]().to(F64)
    randomize(module)
    module.train(train)
    state = [{"key": k, **enc(v)} for k, v in module.state_dict().items()]
    leaves = []
    for t, rg in inputs:
        leaf = t.clone().detach()
        if rg:
            leaf.requires_grad_(True)
        leaves.append(leaf)
    args = list(range(len(inputs))) if args is None else args
    call_args = [leaves[i] for i in args]
    out = torch_call(module, call_args, options or {}) if torch_call else module(*call_args, **(options or {}))
    outs = list(out) if isinstance(out, tuple) else [out]
    outs = [o for o in outs if o is not None]
    seeds = [randn(*o.shape) for o in outs]
    total = sum((o * s).sum() for o, s in zip(outs, seeds))
    total.backward()
    record = {
        "name": name,
        "build": build,
        "train": train,
        "stateDict": state,
        "inputs": [{**enc(l), "requiresGrad": bool(rg)} for l, (_, rg) in zip(leaves, inputs)],
        "args": args,
        "options": tessera_options or {},
        "outputs": [enc(o) for o in outs],
        "gradOutputs": [flat(s) for s in seeds],
        "inputGrads": [flat(l.grad) if l.grad is not None else None for l in leaves],
        "paramGrads": {k: flat(p.grad) for k, p in module.named_parameters() if p.grad is not None},
        "buffersAfter": {k: enc(b) for k, b in module.state_dict().items() if k in dict(module.named_buffers())},
    }
    CASES.append(record)


def ints(values, shape):
    return torch.tensor(values, dtype=torch.int64).reshape(shape)


def build_cases():
    case("Linear", "linear", [(randn(2, 4), True)])
    case("Linear 3-D input", "linear", [(randn(2, 3, 4), True)])
    case("Linear without bias", "linearNoBias", [(randn(3, 5), True)])
    case("Conv2d stride 2, padding 1, groups 2", "conv2d", [(randn(2, 4, 7, 6), True)])
    case("Conv2d padding same, dilation (1, 2)", "conv2dSame", [(randn(1, 3, 5, 6), True)])
    case("Conv2d reflect padding", "conv2dReflect", [(randn(2, 2, 5, 4), True)])
    case("BatchNorm2d train", "batchNorm2d", [(randn(4, 3, 2, 3), True)], train=True)
    case("BatchNorm2d eval", "batchNorm2d", [(randn(4, 3, 2, 3), True)], train=False)
    case("BatchNorm1d train [N, C, L], momentum 0.3", "batchNorm1d", [(randn(4, 3, 5), True)], train=True)
    case("BatchNorm1d eval [N, C]", "batchNorm1d", [(randn(5, 3), True)], train=False)
    case("LayerNorm [3, 4]", "layerNorm", [(randn(2, 3, 4), True)])
    case("Embedding padding_idx 1", "embedding", [(ints([[0, 1, 2], [1, 5, 1]], (2, 3)), False)])
    case("MultiheadAttention [L, N, E] cross-attention", "mha", [(randn(3, 2, 8), True), (randn(4, 2, 8), True), (randn(4, 2, 8), True)])

    kpm = torch.tensor([[False, False, False, True], [False, True, False, False]])
    attn = randn(4, 4, scale=0.5)
    case(
        "MultiheadAttention batchFirst self-attention, masks, per-head weights",
        "mhaBatchFirst",
        [(randn(2, 4, 6), True), (kpm, False), (attn, False)],
        args=[0, 0, 0],
        torch_call=lambda m, a, o: m(a[0], a[0], a[0], key_padding_mask=kpm, attn_mask=attn, average_attn_weights=False),
        tessera_options={"keyPaddingMask": {"input": 1}, "attnMask": {"input": 2}, "averageAttnWeights": False},
    )
    causal = torch.triu(torch.ones(3, 3, dtype=torch.bool), diagonal=1)
    case(
        "MultiheadAttention unbatched, causal",
        "mha",
        [(randn(3, 8), True), (randn(3, 8), True)],
        args=[0, 1, 1],
        torch_call=lambda m, a, o: m(a[0], a[1], a[2], attn_mask=causal),
        tessera_options={"isCausal": True},
    )
    case(
        "MultiheadAttention needWeights false",
        "mhaBatchFirst",
        [(randn(2, 3, 6), True), (randn(2, 5, 6), True)],
        args=[0, 1, 1],
        torch_call=lambda m, a, o: m(a[0], a[1], a[2], need_weights=False),
        tessera_options={"needWeights": False},
    )
    case("Sequential MLP", "mlp", [(randn(5, 4), True)])
    case("Sequential convnet (train)", "convnet", [(randn(2, 2, 8, 8), True)], train=True)
    case("Sequential convnet (eval)", "convnet", [(randn(2, 2, 8, 8), True)], train=False)
    case("Net: camelCase properties, ModuleList, ModuleDict, buffers", "net", [(randn(3, 4), True)])
    case(
        "CrossEntropyLoss weight + label smoothing",
        "crossEntropyLoss",
        [(randn(4, 5), True), (ints([0, 3, 4, 1], (4,)), False)],
    )
    case("BCEWithLogitsLoss pos_weight", "bceWithLogitsLoss", [(randn(4, 3), True), (uniform(4, 3), False)])


def main():
    build_cases()
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump({"generator": "tools/golden/nn_modules.py", "torch": torch.__version__, "cases": CASES}, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {len(CASES)} cases to {os.path.relpath(OUT, ROOT)} ({os.path.getsize(OUT)} bytes)")


if __name__ == "__main__":
    main()
