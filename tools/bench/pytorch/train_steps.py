#!/usr/bin/python3
"""The bench's two training steps in PyTorch, in steps per second, printed as one JSON object.

One step is what tools/bench/src/groups/training.mjs times in Tessera and tfjs: forward, mean
cross-entropy loss, zero grad, backward, Adam step (lr 1e-3, betas 0.9 / 0.999, eps 1e-8), in
float32, for

- MLP 784-256-256-10 with ReLU, batch 128, inputs [128, 784];
- CNN on 28x28 images, batch 64: conv 1->8 3x3, ReLU, max-pool 2, conv 8->16 3x3, ReLU,
  max-pool 2, flatten, linear 400->10.

    /usr/bin/python3 tools/bench/pytorch/train_steps.py [--threads 1,2] [--quick] [--data FILE]

For each thread count (torch.set_num_threads) and model: warm up, calibrate how many steps fill
a batch, time several batches and report the median (the method of src/timing.mjs).

Without --data the weights are PyTorch's default initialization from a fixed seed and the batch
is fixed random data. With --data (written by the bench) the script loads the same initial
weights and batch as Tessera and reports the losses of the first two steps from those weights,
so the bench can check that PyTorch computes the same thing.

The JSON also says which BLAS torch uses ("blas"): the BLAS and LAPACK libraries mapped into
this process (/proc/self/maps, once torch has run a matmul) and the BLAS_INFO torch was built
with (torch.__config__.show()). Debian's python3-torch links the generic libblas.so.3, which is
the reference BLAS (libblas3) unless an optimized one (libopenblas0, libblis4) provides it.
Linear layers run on that BLAS; convolutions run on oneDNN (mkldnn) when torch has it.
"""

import argparse
import json
import os
import re
import statistics
import sys
import time

import torch
from torch import nn

LR = 1e-3
CLASSES = 10
SEED = 1234

# Settings of a full run and of a --quick smoke run, as in src/timing.mjs, with the training
# group's longer warm-up (src/groups/training.mjs) in full runs (milliseconds).
PROFILES = {
    "full": {"warmup_ms": 1500, "batch_ms": 150, "batches": 7, "min_batches": 5, "budget_ms": 3000},
    "quick": {"warmup_ms": 20, "batch_ms": 10, "batches": 5, "min_batches": 5, "budget_ms": 200},
}


def build_mlp():
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, CLASSES))


def build_cnn():
    return nn.Sequential(
        nn.Conv2d(1, 8, 3),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, CLASSES),
    )


MODELS = {
    "mlp": {"build": build_mlp, "batch": 128, "input": (784,)},
    "cnn": {"build": build_cnn, "batch": 64, "input": (1, 28, 28)},
}


def setup(name, data):
    """The model, its optimizer and loss, and the fixed batch: from `data` when given."""
    spec = MODELS[name]
    torch.manual_seed(SEED)
    model = spec["build"]()
    shape = (spec["batch"], *spec["input"])
    if data is None:
        x = torch.rand(shape) * 2 - 1
        y = torch.randint(0, CLASSES, (spec["batch"],))
    else:
        shapes = {k: t.shape for k, t in model.state_dict().items()}
        model.load_state_dict({k: torch.tensor(v, dtype=torch.float32).reshape(shapes[k]) for k, v in data["weights"].items()})
        x = torch.tensor(data["x"], dtype=torch.float32).reshape(shape)
        y = torch.tensor(data["labels"], dtype=torch.int64)
    optimizer = torch.optim.Adam(model.parameters(), lr=LR, betas=(0.9, 0.999), eps=1e-8)
    loss_fn = nn.CrossEntropyLoss()

    def step():
        loss = loss_fn(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.detach()

    return step


def measure(fn, profile):
    """Seconds per call: warm-up, calibration, then the median of timed batches (src/timing.mjs)."""
    warmup = profile["warmup_ms"] / 1000
    batch_s = profile["batch_ms"] / 1000
    calls = 0
    w0 = time.perf_counter()
    while calls < 2 or time.perf_counter() - w0 < warmup:
        fn()
        calls += 1
    iters = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(iters):
            fn()
        elapsed = time.perf_counter() - t0
        if elapsed >= batch_s / 4 or iters >= 1 << 24:
            per_call = elapsed / iters
            break
        iters *= 2
    per_batch = max(1, round(batch_s / per_call))
    count = max(profile["min_batches"], min(profile["batches"], int(profile["budget_ms"] / 1000 / (per_batch * per_call))))
    samples = []
    for _ in range(count):
        t0 = time.perf_counter()
        for _ in range(per_batch):
            fn()
        samples.append((time.perf_counter() - t0) / per_batch)
    return statistics.median(samples)


def mapped_libraries():
    """Paths of the shared libraries mapped into this process."""
    try:
        with open("/proc/self/maps") as f:
            return sorted({line.split(None, 5)[5].strip() for line in f if len(line.split(None, 5)) == 6 and ".so" in line})
    except OSError:
        return []


def blas_info():
    """Which BLAS torch's matmuls run on, from the mapped libraries and torch's build config."""
    # Run a matmul first so that a lazily loaded BLAS is mapped too.
    torch.ones(64, 64) @ torch.ones(64, 64)
    config = torch.__config__.show()
    m = re.search(r"BLAS_INFO=([^,\s]+)", config)
    build_blas = m.group(1) if m else None
    libs = mapped_libraries()
    blas_libs = [p for p in libs if re.search(r"lib(open)?blas|libblis|libmkl|libaccelerate", os.path.basename(p))]
    lapack_libs = [p for p in libs if "lapack" in os.path.basename(p)]

    def kind(path):
        base = os.path.basename(path)
        if "openblas" in path:
            return "OpenBLAS"
        if "blis" in path:
            return "BLIS"
        if "mkl" in base:
            return "MKL"
        if "atlas" in path:
            return "ATLAS"
        if re.match(r"libblas\.so", base):
            # Debian's alternatives: /usr/lib/<triplet>/blas/ is libblas3, the reference BLAS.
            return "reference" if os.path.basename(os.path.dirname(path)) == "blas" else "unknown libblas"
        return "unknown"

    kinds = sorted({kind(p) for p in blas_libs})
    if kinds:
        name = " + ".join(kinds)
    elif build_blas in ("mkl", "open", "openblas", "blis"):
        name = {"mkl": "MKL", "open": "OpenBLAS", "openblas": "OpenBLAS", "blis": "BLIS"}[build_blas] + " (linked statically)"
    else:
        name = "unknown"
    return {
        "name": name,
        "libraries": blas_libs,
        "lapack": lapack_libs,
        "build_blas_info": build_blas,
        "mkldnn": bool(torch.backends.mkldnn.is_available()),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts for torch.set_num_threads (default 1,2)")
    parser.add_argument("--quick", action="store_true", help="short warm-up and batches (a smoke run; rough numbers)")
    parser.add_argument("--data", help="JSON file of initial weights and batches, {mlp: {weights, x, labels}, cnn: {...}}")
    args = parser.parse_args()
    threads = [int(t) for t in args.threads.split(",") if t.strip()]
    if not threads or min(threads) < 1:
        parser.error("--threads: expected positive integers such as 1,2")
    profile = PROFILES["quick" if args.quick else "full"]
    data = None
    if args.data:
        with open(args.data) as f:
            data = json.load(f)

    torch.set_grad_enabled(True)
    result = {
        "torch": torch.__version__,
        "python_version": sys.version.split()[0],
        "blas": blas_info(),
        "threads": {"counts": threads, "cpu_count": os.cpu_count(), "default": torch.get_num_threads()},
        # More threads than idle cores makes OpenMP's threads wait for each other: a busy
        # machine can make 2 threads far slower than 1. The 1-minute load average tells.
        "loadavg": os.getloadavg()[0],
        "profile": "quick" if args.quick else "full",
        "mlp_steps_per_s": {},
        "cnn_steps_per_s": {},
    }
    if data is not None:
        # The losses of the first two steps from the shared weights (before any timing).
        torch.set_num_threads(threads[0])
        result["losses"] = {}
        for name in MODELS:
            step = setup(name, data[name])
            result["losses"][name] = [float(step()), float(step())]
    for n in threads:
        torch.set_num_threads(n)
        for name in MODELS:
            step = setup(name, None if data is None else data[name])
            result[f"{name}_steps_per_s"][str(n)] = 1 / measure(step, profile)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
