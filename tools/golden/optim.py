#!/usr/bin/env python3
"""Golden trajectories from PyTorch for @tessera/optim: optimizers and learning-rate schedulers.

Runs torch.optim (Debian's python3-torch, 1.13) and writes
packages/optim/test/fixtures/optim.json, which packages/optim/test/golden.test.ts replays
through Tessera. See README.md beside this file.

Optimizer cases start from fixed float64 parameters and apply a fixed sequence of gradients
(written into the fixture, so no model is needed: the test sets `.grad` directly). A gradient
may be null: that parameter has no gradient at that step and is skipped, as in PyTorch. Every
case records the parameters after every step, and the optimizer's state dict after the last.
Options and state keys are written in Tessera's camelCase spelling (`weightDecay`, `expAvgSq`);
the single-tensor implementations run (`foreach=False`), whose update formulas Tessera follows.

Scheduler cases wrap an optimizer with one or two parameter groups and record each group's lr
right after construction and after every `scheduler.step()` (OneCycleLR: the momentum, or
Adam's beta1, too; ReduceLROnPlateau: stepped with the case's metric sequence).
"""
from __future__ import annotations

import json
import os
import re
import sys
import warnings

try:
    import torch
    from torch.optim import lr_scheduler as sched
except ImportError:  # pragma: no cover
    sys.exit("optim.py needs PyTorch: apt-get install python3-torch, then run it with Debian's /usr/bin/python3.")

SEED = 20240612
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "packages", "optim", "test", "fixtures", "optim.json")

torch.set_num_threads(1)
gen = torch.Generator().manual_seed(SEED)
F64 = torch.float64

STEPS = 12
SHAPES = [[3, 2], [4], []]

OPTIMIZERS = {
    "SGD": torch.optim.SGD,
    "Adam": torch.optim.Adam,
    "AdamW": torch.optim.AdamW,
    "RMSprop": torch.optim.RMSprop,
    "Adagrad": torch.optim.Adagrad,
}

# Keys PyTorch keeps in param groups that Tessera has no counterpart for.
TORCH_ONLY_KEYS = {"foreach", "differentiable", "capturable", "fused"}


def snake(name: str) -> str:
    """Tessera's camelCase option name -> PyTorch's snake_case (weightDecay -> weight_decay)."""
    return re.sub(r"(?<!^)([A-Z])", lambda m: "_" + m.group(1).lower(), name)


def camel(name: str) -> str:
    """PyTorch's snake_case -> Tessera's camelCase (exp_avg_sq -> expAvgSq)."""
    head, *rest = name.split("_")
    return head + "".join(w[:1].upper() + w[1:] for w in rest)


def torch_options(options: dict) -> dict:
    out = {}
    for k, v in options.items():
        out[snake(k)] = tuple(v) if isinstance(v, list) else v
    return out


def randn(shape, scale=1.0):
    return torch.randn(shape, generator=gen, dtype=F64) * scale


def flat(t: torch.Tensor) -> list:
    return t.detach().reshape(-1).tolist()


def plain(value):
    """A JSON value for an option or a state entry."""
    if isinstance(value, torch.Tensor):
        return value.item() if value.dim() == 0 and value.dtype != F64 else flat(value)
    if isinstance(value, tuple):
        return list(value)
    return value


# ---------------------------------------------------------------------------- optimizers

OPTIMIZER_CASES: list = []


def optimizer_case(name, optimizer, options, groups=None, missing=(), grad_scale=1.0):
    """`groups`: [{"params": [indices], "options": {...}}]; `missing`: (step, param) without grad."""
    params0 = [randn(s) for s in SHAPES]
    grads = [[None if (k, i) in missing else randn(s, grad_scale) for i, s in enumerate(SHAPES)]
             for k in range(STEPS)]
    ps = [p.clone().requires_grad_(True) for p in params0]
    cls = OPTIMIZERS[optimizer]
    kwargs = torch_options(options)
    kwargs["foreach"] = False
    if groups is None:
        opt = cls(ps, **kwargs)
    else:
        opt = cls([{"params": [ps[i] for i in g["params"]], **torch_options(g.get("options", {}))} for g in groups],
                  **kwargs)
    trajectory = []
    for k in range(STEPS):
        for p, g in zip(ps, grads[k]):
            p.grad = None if g is None else g.clone()
        opt.step()
        trajectory.append([flat(p) for p in ps])
    sd = opt.state_dict()
    state = {str(idx): {camel(key): plain(v) for key, v in entry.items()} for idx, entry in sd["state"].items()}
    param_groups = [{camel(k): plain(v) for k, v in g.items() if k not in TORCH_ONLY_KEYS} for g in sd["param_groups"]]
    OPTIMIZER_CASES.append({
        "name": name,
        "optimizer": optimizer,
        "options": options,
        "groups": groups,
        "params": [{"shape": s, "values": flat(p)} for s, p in zip(SHAPES, params0)],
        "grads": [[None if g is None else flat(g) for g in step] for step in grads],
        "trajectory": trajectory,
        "stateDict": {"state": state, "paramGroups": param_groups},
    })


def optimizer_cases():
    two_groups = lambda a, b: [{"params": [0, 1], "options": a}, {"params": [2], "options": b}]  # noqa: E731
    missing = {(0, 2), (5, 2), (7, 0)}

    # SGD: the option matrix.
    for momentum in [0.0, 0.9]:
        for dampening in [0.0, 0.3]:
            for nesterov in [False, True]:
                if nesterov and (momentum == 0 or dampening != 0):
                    continue
                for weight_decay in [0.0, 0.05]:
                    for maximize in [False, True]:
                        opts = {"lr": 0.1, "momentum": momentum, "dampening": dampening, "weightDecay": weight_decay,
                                "nesterov": nesterov, "maximize": maximize}
                        optimizer_case(f"SGD momentum={momentum} dampening={dampening} nesterov={nesterov} "
                                       f"weightDecay={weight_decay} maximize={maximize}", "SGD", opts)
    optimizer_case("SGD two groups, missing grads", "SGD", {"lr": 0.1, "momentum": 0.9},
                   two_groups({}, {"lr": 0.01, "momentum": 0.5, "nesterov": True}), missing)

    # Adam.
    for amsgrad in [False, True]:
        for weight_decay in [0.0, 0.1]:
            for maximize in [False, True]:
                opts = {"lr": 0.01, "amsgrad": amsgrad, "weightDecay": weight_decay, "maximize": maximize}
                optimizer_case(f"Adam amsgrad={amsgrad} weightDecay={weight_decay} maximize={maximize}", "Adam", opts)
    optimizer_case("Adam defaults", "Adam", {})
    optimizer_case("Adam betas eps", "Adam", {"lr": 0.05, "betas": [0.8, 0.9], "eps": 1e-3})
    optimizer_case("Adam two groups, missing grads", "Adam", {"lr": 0.01},
                   two_groups({}, {"lr": 0.003, "betas": [0.5, 0.6], "amsgrad": True}), missing)

    # AdamW.
    optimizer_case("AdamW defaults", "AdamW", {})
    for amsgrad in [False, True]:
        for maximize in [False, True]:
            opts = {"lr": 0.02, "weightDecay": 0.1, "amsgrad": amsgrad, "maximize": maximize}
            optimizer_case(f"AdamW amsgrad={amsgrad} maximize={maximize}", "AdamW", opts)
    optimizer_case("AdamW two groups, missing grads", "AdamW", {"lr": 0.01},
                   two_groups({}, {"lr": 0.05, "weightDecay": 0.0}), missing)

    # RMSprop.
    for centered in [False, True]:
        for momentum in [0.0, 0.8]:
            for weight_decay in [0.0, 0.05]:
                opts = {"lr": 0.01, "centered": centered, "momentum": momentum, "weightDecay": weight_decay}
                optimizer_case(f"RMSprop centered={centered} momentum={momentum} weightDecay={weight_decay}",
                               "RMSprop", opts)
    optimizer_case("RMSprop defaults", "RMSprop", {})
    optimizer_case("RMSprop alpha eps maximize", "RMSprop",
                   {"lr": 0.005, "alpha": 0.9, "eps": 1e-4, "maximize": True, "momentum": 0.5, "centered": True})
    optimizer_case("RMSprop two groups, missing grads", "RMSprop", {"lr": 0.01, "momentum": 0.9},
                   two_groups({}, {"lr": 0.001, "centered": True}), missing)

    # Adagrad.
    optimizer_case("Adagrad defaults", "Adagrad", {})
    for lr_decay in [0.0, 0.1]:
        for initial in [0.0, 0.5]:
            for weight_decay in [0.0, 0.05]:
                opts = {"lr": 0.1, "lrDecay": lr_decay, "initialAccumulatorValue": initial, "weightDecay": weight_decay}
                optimizer_case(f"Adagrad lrDecay={lr_decay} initialAccumulatorValue={initial} "
                               f"weightDecay={weight_decay}", "Adagrad", opts)
    optimizer_case("Adagrad eps maximize", "Adagrad", {"lr": 0.05, "eps": 1e-3, "maximize": True})
    optimizer_case("Adagrad two groups, missing grads", "Adagrad", {"lr": 0.1, "lrDecay": 0.05},
                   two_groups({}, {"lr": 0.02, "lrDecay": 0.0}), missing)


# ---------------------------------------------------------------------------- schedulers

SCHEDULER_CASES: list = []

# Learning-rate lambdas by name: the test's table maps the same names to TypeScript functions.
LAMBDAS = {
    "pow095": lambda epoch: 0.95 ** epoch,
    "inverse": lambda epoch: 1.0 / (epoch + 1),
    "warmup5": lambda epoch: min(1.0, (epoch + 1) / 5),
}

SCHEDULERS = {
    "StepLR": sched.StepLR,
    "MultiStepLR": sched.MultiStepLR,
    "ExponentialLR": sched.ExponentialLR,
    "CosineAnnealingLR": sched.CosineAnnealingLR,
    "LinearLR": sched.LinearLR,
    "OneCycleLR": sched.OneCycleLR,
    "LambdaLR": sched.LambdaLR,
}

# Tessera's option names that are not a plain camelCase of PyTorch's.
SCHEDULER_RENAMES = {"tMax": "T_max"}


def scheduler_kwargs(options: dict) -> dict:
    out = {}
    for k, v in options.items():
        key = SCHEDULER_RENAMES.get(k, snake(k))
        if key == "lr_lambda":
            v = [LAMBDAS[n] for n in v] if isinstance(v, list) else LAMBDAS[v]
        out[key] = v
    return out


def make_optimizer(spec):
    """`spec`: {"optimizer": name, "options": {...}, "groupLrs": [lr, ...]}."""
    ps = [torch.zeros(2, dtype=F64, requires_grad=True) for _ in spec["groupLrs"]]
    groups = [{"params": [p], "lr": lr} for p, lr in zip(ps, spec["groupLrs"])]
    return OPTIMIZERS[spec["optimizer"]](groups, **torch_options(spec["options"]))


def momenta(opt):
    out = []
    for g in opt.param_groups:
        out.append(g["betas"][0] if "betas" in g else g.get("momentum"))
    return out


def make_scheduler(opt, spec):
    if spec["scheduler"] == "SequentialLR":
        inner = [make_scheduler(opt, s) for s in spec["schedulers"]]
        return sched.SequentialLR(opt, inner, milestones=spec["milestones"])
    return SCHEDULERS[spec["scheduler"]](opt, **scheduler_kwargs(spec["options"]))


def scheduler_case(name, spec, optimizer, steps=30, metrics=None, record_momentum=False):
    opt = make_optimizer(optimizer)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a PyTorch warning here means a malformed case
        # ...except this one: SequentialLR itself steps a scheduler with an epoch at a milestone.
        warnings.filterwarnings("ignore", message="The epoch parameter")
        if spec["scheduler"] == "ReduceLROnPlateau":
            s = sched.ReduceLROnPlateau(opt, **scheduler_kwargs(spec["options"]))
        else:
            s = make_scheduler(opt, spec)
        lrs = [[g["lr"] for g in opt.param_groups]]
        moms = [momenta(opt)]
        n = len(metrics) if metrics is not None else steps
        for k in range(n):
            opt.step()  # no gradients: a no-op that keeps PyTorch's call order
            if metrics is not None:
                s.step(metrics[k])
            else:
                s.step()
            lrs.append([g["lr"] for g in opt.param_groups])
            moms.append(momenta(opt))
    case = {"name": name, **spec, "optimizer": optimizer, "lrs": lrs}
    if metrics is not None:
        case["metrics"] = metrics
    if record_momentum:
        case["momentums"] = moms
    SCHEDULER_CASES.append(case)


def scheduler_cases():
    sgd = {"optimizer": "SGD", "options": {"lr": 0.1, "momentum": 0.9}, "groupLrs": [0.1, 0.05]}
    adam = {"optimizer": "Adam", "options": {"lr": 0.001}, "groupLrs": [0.001, 0.003]}

    scheduler_case("StepLR", {"scheduler": "StepLR", "options": {"stepSize": 7}}, sgd)
    scheduler_case("StepLR gamma 0.5", {"scheduler": "StepLR", "options": {"stepSize": 3, "gamma": 0.5}}, sgd)
    scheduler_case("MultiStepLR", {"scheduler": "MultiStepLR", "options": {"milestones": [4, 10, 10, 22], "gamma": 0.3}},
                   sgd)
    scheduler_case("ExponentialLR", {"scheduler": "ExponentialLR", "options": {"gamma": 0.9}}, sgd)
    scheduler_case("CosineAnnealingLR", {"scheduler": "CosineAnnealingLR", "options": {"tMax": 10}}, sgd, steps=45)
    scheduler_case("CosineAnnealingLR etaMin", {"scheduler": "CosineAnnealingLR",
                                                 "options": {"tMax": 7, "etaMin": 0.01}}, sgd, steps=40)
    scheduler_case("LinearLR defaults", {"scheduler": "LinearLR", "options": {}}, sgd)
    scheduler_case("LinearLR decay", {"scheduler": "LinearLR",
                                       "options": {"startFactor": 1.0, "endFactor": 0.1, "totalIters": 20}}, sgd)
    scheduler_case("LambdaLR one lambda", {"scheduler": "LambdaLR", "options": {"lrLambda": "pow095"}}, sgd)
    scheduler_case("LambdaLR per group", {"scheduler": "LambdaLR", "options": {"lrLambda": ["inverse", "warmup5"]}}, sgd)

    scheduler_case("OneCycleLR cos SGD", {"scheduler": "OneCycleLR", "options": {"maxLr": 1.0, "totalSteps": 30}},
                   sgd, steps=29, record_momentum=True)
    scheduler_case("OneCycleLR linear threePhase SGD",
                   {"scheduler": "OneCycleLR",
                    "options": {"maxLr": [1.0, 0.5], "totalSteps": 31, "annealStrategy": "linear", "threePhase": True,
                                "pctStart": 0.25}}, sgd, steps=30, record_momentum=True)
    scheduler_case("OneCycleLR cos threePhase Adam betas",
                   {"scheduler": "OneCycleLR",
                    "options": {"maxLr": 0.01, "epochs": 5, "stepsPerEpoch": 6, "threePhase": True,
                                "baseMomentum": 0.8, "maxMomentum": [0.9, 0.95], "divFactor": 10.0,
                                "finalDivFactor": 100.0}}, adam, steps=29, record_momentum=True)
    scheduler_case("OneCycleLR no cycleMomentum",
                   {"scheduler": "OneCycleLR",
                    "options": {"maxLr": 0.3, "totalSteps": 25, "cycleMomentum": False, "pctStart": 0.4}},
                   sgd, steps=24, record_momentum=True)

    scheduler_case("SequentialLR warmup then cosine",
                   {"scheduler": "SequentialLR", "milestones": [5],
                    "schedulers": [{"scheduler": "LinearLR", "options": {"startFactor": 0.1, "totalIters": 5}},
                                   {"scheduler": "CosineAnnealingLR", "options": {"tMax": 25}}]}, sgd)
    scheduler_case("SequentialLR three schedulers",
                   {"scheduler": "SequentialLR", "milestones": [4, 12],
                    "schedulers": [{"scheduler": "ExponentialLR", "options": {"gamma": 0.8}},
                                   {"scheduler": "StepLR", "options": {"stepSize": 3, "gamma": 0.5}},
                                   {"scheduler": "LambdaLR", "options": {"lrLambda": "inverse"}}]}, sgd)

    plateau = [1.0, 0.9, 0.8, 0.8, 0.8, 0.8, 0.79995, 0.8, 0.7, 0.7, 0.7, 0.7, 0.7, 0.65, 0.66, 0.66, 0.66,
               0.66, 0.66, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]
    rising = [0.1, 0.2, 0.3, 0.3, 0.3, 0.31, 0.3, 0.3, 0.3, 0.3, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.55, 0.55, 0.55, 0.55,
              0.55, 0.55, 0.55, 0.55, 0.55, 0.55, 0.55, 0.55, 0.55, 0.55]
    scheduler_case("ReduceLROnPlateau min rel", {"scheduler": "ReduceLROnPlateau", "options": {"patience": 2}}, sgd,
                   metrics=plateau)
    scheduler_case("ReduceLROnPlateau min abs cooldown minLr",
                   {"scheduler": "ReduceLROnPlateau",
                    "options": {"patience": 1, "factor": 0.5, "thresholdMode": "abs", "threshold": 0.01, "cooldown": 2,
                                "minLr": [0.02, 0.01]}}, sgd, metrics=plateau)
    scheduler_case("ReduceLROnPlateau max rel",
                   {"scheduler": "ReduceLROnPlateau",
                    "options": {"mode": "max", "patience": 1, "factor": 0.2, "threshold": 0.05, "minLr": 0.001}},
                   sgd, metrics=rising)
    scheduler_case("ReduceLROnPlateau max abs eps",
                   {"scheduler": "ReduceLROnPlateau",
                    "options": {"mode": "max", "patience": 0, "factor": 0.5, "thresholdMode": "abs", "threshold": 0.0,
                                "minLr": 0.0124, "eps": 1e-3}}, sgd, metrics=rising)


def main():
    optimizer_cases()
    scheduler_cases()
    doc = {
        "generator": "tools/golden/optim.py",
        "torch": torch.__version__,
        "seed": SEED,
        "optimizers": OPTIMIZER_CASES,
        "schedulers": SCHEDULER_CASES,
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    text = json.dumps(doc, separators=(",", ":"), allow_nan=False)
    # One case per line: readable diffs, still compact.
    text = text.replace(',{"name":', ',\n{"name":').replace(':[{"name":', ':[\n{"name":')
    with open(OUT, "w", encoding="utf-8") as fh:
        fh.write(text + "\n")
    print(f"wrote {len(OPTIMIZER_CASES)} optimizer and {len(SCHEDULER_CASES)} scheduler cases, {len(text)} bytes "
          f"to {os.path.relpath(OUT, ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
