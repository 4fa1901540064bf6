#!/usr/bin/env python3
"""Training-level golden fixture: an MLP trained with Adam in PyTorch, replayed by Tessera.

Builds torch.nn.Sequential(Linear(784, 64), ReLU, Linear(64, 32), ReLU, Linear(32, 10)) in
float32 with a fixed seed and trains it for 20 steps with torch.optim.Adam(lr=1e-3) and
CrossEntropyLoss on 20 fixed batches of 32. Writes, under packages/tessera/test/fixtures/:

  train_mlp_init.safetensors  the initial state dict, PyTorch's names (0.weight, 0.bias,
                              2.weight, 2.bias, 4.weight, 4.bias), F32
  train_mlp_data.safetensors  the batches: x0..x19 [32, 784] and y0..y19 [32] (int64 labels);
                              the inputs are stored as F16 (float16 values, which Tessera loads
                              exactly as float32) to halve the file; PyTorch trains on the very
                              same float32 values
  train_mlp.json              the loss at every step (computed before that step's update),
                              plus the trained model's loss on batch 0 after the last update

packages/tessera/test/training-golden.test.ts replays it through Tessera's nn and optim.
The labels come from a fixed random linear "teacher" of the inputs, so the task is learnable
and the loss actually falls over the 20 steps.

Deterministic: fixed seeds, one intra-op thread. Re-running with the same PyTorch rewrites the
same bytes. The script also prints how far PyTorch's own float32 run is from a float64 run of
the same training (float32 noise, far below the test's tolerance) and from a run with
lr=1.1e-3 (the perturbation the test must detect, far above it).

Run from the repository root:  /usr/bin/python3 tools/golden/train_mlp.py
"""
from __future__ import annotations

import json
import os
import sys

try:
    import torch
except ImportError:  # pragma: no cover
    sys.exit("train_mlp.py needs PyTorch: apt-get install python3-torch, then run it with Debian's /usr/bin/python3.")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_fixtures import read_safetensors, write_safetensors  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, "packages", "tessera", "test", "fixtures")
INIT_FILE = os.path.join(FIXTURES, "train_mlp_init.safetensors")
DATA_FILE = os.path.join(FIXTURES, "train_mlp_data.safetensors")
JSON_FILE = os.path.join(FIXTURES, "train_mlp.json")

MODEL_SEED = 0
DATA_SEED = 20240613
STEPS = 20
BATCH = 32
SIZES = [784, 64, 32, 10]
LR = 1e-3
TOLERANCE = 1e-4  # the test's relative tolerance on each loss

torch.set_num_threads(1)


def build_model() -> torch.nn.Sequential:
    torch.manual_seed(MODEL_SEED)
    return torch.nn.Sequential(
        torch.nn.Linear(SIZES[0], SIZES[1]), torch.nn.ReLU(),
        torch.nn.Linear(SIZES[1], SIZES[2]), torch.nn.ReLU(),
        torch.nn.Linear(SIZES[2], SIZES[3]),
    ).to(torch.float32)


def make_batches() -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """20 batches: standard-normal inputs rounded to float16 values, teacher labels (int64)."""
    gen = torch.Generator().manual_seed(DATA_SEED)
    teacher = torch.randn(SIZES[0], SIZES[3], generator=gen, dtype=torch.float64)
    xs, ys = [], []
    for _ in range(STEPS):
        x = torch.randn(BATCH, SIZES[0], generator=gen, dtype=torch.float32).to(torch.float16)
        ys.append((x.to(torch.float64) @ teacher).argmax(dim=1).to(torch.int64))
        xs.append(x)
    return xs, ys


def train(init: dict[str, torch.Tensor], xs: list[torch.Tensor], ys: list[torch.Tensor],
          lr: float = LR, dtype: torch.dtype = torch.float32) -> tuple[list[float], float]:
    """Losses before each of the 20 Adam steps, and the final model's loss on batch 0."""
    model = build_model().to(dtype)
    model.load_state_dict({k: v.to(dtype) for k, v in init.items()}, strict=True)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, foreach=False)
    criterion = torch.nn.CrossEntropyLoss()
    losses = []
    for x, y in zip(xs, ys):
        optimizer.zero_grad()
        loss = criterion(model(x.to(dtype)), y)
        losses.append(loss.item())
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        final = criterion(model(xs[0].to(dtype)), ys[0]).item()
    return losses, final


def max_rel(a: list[float], b: list[float]) -> float:
    return max(abs(u - v) / abs(v) for u, v in zip(a, b))


def main() -> None:
    os.makedirs(FIXTURES, exist_ok=True)
    init = {k: v.detach().clone().contiguous() for k, v in build_model().state_dict().items()}
    assert list(init) == ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"], list(init)
    xs, ys = make_batches()

    init_bytes = write_safetensors(init, {"format": "pt"})
    data = {f"x{i}": x for i, x in enumerate(xs)}
    data.update({f"y{i}": y for i, y in enumerate(ys)})
    data_bytes = write_safetensors(data, {"format": "pt"})

    # Train from what the files hold, exactly as the test will read them.
    init_read, _, _ = read_safetensors(init_bytes)
    data_read, _, _ = read_safetensors(data_bytes)
    for k, v in init.items():
        assert torch.equal(init_read[k], v), k
    xs32 = [data_read[f"x{i}"].to(torch.float32) for i in range(STEPS)]
    ys64 = [data_read[f"y{i}"] for i in range(STEPS)]
    for i in range(STEPS):
        assert torch.equal(xs32[i], xs[i].to(torch.float32)) and torch.equal(ys64[i], ys[i])

    losses, final = train(init_read, xs32, ys64)
    assert all(torch.tensor(v, dtype=torch.float32).item() == v for v in losses + [final])
    assert losses[-1] < losses[0] and final < losses[0], (losses, final)

    # How sensitive is the trajectory? float32 noise vs the perturbation the test must catch.
    losses64, final64 = train(init_read, xs32, ys64, dtype=torch.float64)
    noise = max_rel(losses + [final], losses64 + [final64])
    perturbed, perturbed_final = train(init_read, xs32, ys64, lr=1.1 * LR)
    signal = max_rel(perturbed + [perturbed_final], losses + [final])
    print(f"losses: {losses[0]:.6f} -> {losses[-1]:.6f} (final {final:.6f})")
    print(f"max relative difference, float32 vs float64 PyTorch: {noise:.3g}")
    print(f"max relative difference, lr 1.1e-3 vs 1e-3:          {signal:.3g}")
    assert noise < TOLERANCE / 10, "float32 noise is too close to the test's tolerance"
    assert signal > TOLERANCE * 10, "an lr perturbation would not be detected"

    fixture = {
        "description": "tools/golden/train_mlp.py: Sequential(Linear(784,64), ReLU, Linear(64,32), ReLU, "
                       "Linear(32,10)), float32, Adam(lr=1e-3), CrossEntropyLoss; losses[i] is the loss on "
                       "batch i before step i's update; finalLoss is batch 0's loss after all 20 updates",
        "torch": torch.__version__,
        "sizes": SIZES,
        "batch": BATCH,
        "steps": STEPS,
        "lr": LR,
        "init": os.path.basename(INIT_FILE),
        "data": os.path.basename(DATA_FILE),
        "losses": losses,
        "finalLoss": final,
    }
    with open(INIT_FILE, "wb") as f:
        f.write(init_bytes)
    with open(DATA_FILE, "wb") as f:
        f.write(data_bytes)
    with open(JSON_FILE, "w") as f:
        json.dump(fixture, f, indent=1)
        f.write("\n")
    for path in (INIT_FILE, DATA_FILE, JSON_FILE):
        print(f"wrote {os.path.relpath(path, ROOT)} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
