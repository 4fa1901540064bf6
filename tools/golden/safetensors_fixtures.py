#!/usr/bin/env python3
"""Safetensors interop fixtures between PyTorch and Tessera, in both directions.

1. PyTorch → Tessera. Builds tensors in PyTorch (a tiny torch.nn MLP's state dict, a
   BatchNorm1d's with its int64 `num_batches_tracked`, and extras of every dtype Tessera
   reads: F64, I32, I64, BOOL, F16, BF16, 0-dim, zero-size, NaN/±inf/-0) and writes
     packages/nn/test/fixtures/pytorch_written.safetensors
     packages/nn/test/fixtures/pytorch_written.json      (expected names, dtypes, shapes, values)
   packages/nn/test/safetensors.interop.test.ts loads the file and checks every value.

2. Tessera → PyTorch. Checks packages/nn/test/fixtures/tessera_written.safetensors, which
   that test writes deterministically (TESSERA_UPDATE_FIXTURES=1) and then pins byte for byte:
   every value against tessera_written.json (the test's inputs, not read back from the file),
   the MLP weights through `torch.nn.Module.load_state_dict` (strict) and a forward pass against
   the output Tessera computed, and that this script's writer produces the very same bytes.

Debian packages PyTorch (python3-torch) but not Hugging Face's `safetensors`, so the file is
written and read here by a small hand-written implementation of the format, following the
reference implementation's documented behaviour (huggingface/safetensors, README "Format" and
safetensors/src/tensor.rs): an 8-byte little-endian header length N; N bytes of compact UTF-8
JSON, `__metadata__` first, then the tensors sorted by dtype alignment (largest first, in the
order of the reference's dtype enum) and then by name; spaces pad the header to a multiple of
8; the tensors' little-endian, row-major bytes follow back to back and must cover the rest of
the file exactly. When the real package is installed, it is used as well, to read both files.

Run from the repository root:  /usr/bin/python3 tools/golden/safetensors_fixtures.py
"""
from __future__ import annotations

import json
import math
import os
import struct
import sys

try:
    import torch
except ImportError:  # pragma: no cover
    sys.exit("safetensors_fixtures.py needs PyTorch: apt-get install python3-torch, then run it with Debian's /usr/bin/python3.")

try:  # optional: Hugging Face's implementation, when present, cross-checks ours
    import safetensors.torch as hf_safetensors  # type: ignore
except ImportError:
    hf_safetensors = None

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, "packages", "nn", "test", "fixtures")
PYTORCH_FILE = os.path.join(FIXTURES, "pytorch_written.safetensors")
PYTORCH_JSON = os.path.join(FIXTURES, "pytorch_written.json")
TESSERA_FILE = os.path.join(FIXTURES, "tessera_written.safetensors")
TESSERA_JSON = os.path.join(FIXTURES, "tessera_written.json")

MAX_HEADER = 100_000_000

# File dtype -> (torch dtype, bytes per element, rank in the reference's dtype enum, which
# orders tensors in a file: higher rank first).
DTYPES = {
    "BOOL": (torch.bool, 1, 0),
    "U8": (torch.uint8, 1, 1),
    "I8": (torch.int8, 1, 2),
    "I16": (torch.int16, 2, 5),
    "F16": (torch.float16, 2, 7),
    "BF16": (torch.bfloat16, 2, 8),
    "I32": (torch.int32, 4, 9),
    "F32": (torch.float32, 4, 11),
    "F64": (torch.float64, 8, 12),
    "I64": (torch.int64, 8, 13),
}
FILE_DTYPE = {torch_dtype: name for name, (torch_dtype, _, _) in DTYPES.items()}

# How Tessera loads each file dtype.
TESSERA_DTYPE = {"F32": "float32", "F64": "float64", "I32": "int32", "BOOL": "bool",
                 "I64": "int32", "F16": "float32", "BF16": "float32"}


# ---------------------------------------------------------------------------- the format

def tensor_bytes(t: torch.Tensor) -> bytes:
    """Little-endian, row-major bytes of `t`."""
    assert sys.byteorder == "little", "this writer assumes a little-endian host"
    flat = t.detach().contiguous().reshape(-1)
    if flat.dtype == torch.bfloat16:  # numpy has no bfloat16: write its 16-bit patterns
        flat = flat.view(torch.int16)
    return flat.numpy().tobytes()


def write_safetensors(tensors: dict[str, torch.Tensor], metadata: dict[str, str] | None) -> bytes:
    """A safetensors file laid out as the reference writer lays it out."""
    def order(item):
        name, t = item
        return (-DTYPES[FILE_DTYPE[t.dtype]][2], name.encode("utf-8"))

    header: dict = {}
    if metadata is not None:
        header["__metadata__"] = {k: metadata[k] for k in sorted(metadata, key=lambda k: k.encode("utf-8"))}
    chunks = []
    offset = 0
    for name, t in sorted(tensors.items(), key=order):
        data = tensor_bytes(t)
        header[name] = {"dtype": FILE_DTYPE[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        chunks.append(data)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(chunks)


def _no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError(f"duplicate keys in the header: {keys}")
    return dict(pairs)


def read_safetensors(data: bytes) -> tuple[dict[str, torch.Tensor], dict[str, str] | None, list[str]]:
    """(tensors, metadata, names in header order) of a safetensors file, checked per the spec."""
    if len(data) < 8:
        raise ValueError("shorter than 8 bytes")
    (n,) = struct.unpack("<Q", data[:8])
    if n > MAX_HEADER or 8 + n > len(data):
        raise ValueError(f"bad header length {n}")
    header = json.loads(data[8:8 + n].decode("utf-8"), object_pairs_hook=_no_duplicates)
    if not isinstance(header, dict):
        raise ValueError("header is not an object")
    metadata = header.pop("__metadata__", None)
    if metadata is not None and not all(isinstance(v, str) for v in metadata.values()):
        raise ValueError("__metadata__ values must be strings")
    buffer = data[8 + n:]
    spans = []
    tensors = {}
    for name, info in header.items():
        torch_dtype, size, _ = DTYPES[info["dtype"]]
        shape = info["shape"]
        begin, end = info["data_offsets"]
        if not all(isinstance(d, int) and d >= 0 for d in shape):
            raise ValueError(f"{name}: bad shape {shape}")
        if not (0 <= begin <= end <= len(buffer)) or end - begin != math.prod(shape) * size:
            raise ValueError(f"{name}: bad data_offsets {info['data_offsets']}")
        spans.append((begin, end))
        raw = bytearray(buffer[begin:end])
        if math.prod(shape) == 0:
            tensors[name] = torch.empty(shape, dtype=torch_dtype)
        elif torch_dtype == torch.bfloat16:
            tensors[name] = torch.frombuffer(raw, dtype=torch.int16).view(torch.bfloat16).reshape(shape)
        else:
            tensors[name] = torch.frombuffer(raw, dtype=torch_dtype).reshape(shape)
    covered = 0
    for begin, end in sorted(spans):
        if begin != covered:
            raise ValueError(f"overlap or gap at byte {begin} of the buffer")
        covered = end
    if covered != len(buffer):
        raise ValueError("the tensors don't cover the buffer")
    return tensors, metadata, list(header.keys())


# ---------------------------------------------------------------------------- JSON values

def json_value(x):
    if isinstance(x, bool):
        return x
    if isinstance(x, int):
        return x
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def json_values(t: torch.Tensor) -> list:
    flat = t.detach().reshape(-1)
    if flat.dtype in (torch.float16, torch.bfloat16):
        flat = flat.to(torch.float32)  # exact: what Tessera loads them as
    return [json_value(v) for v in flat.tolist()]


def from_json(entry: dict) -> torch.Tensor:
    torch_dtype = {"float32": torch.float32, "float64": torch.float64, "int32": torch.int32, "bool": torch.bool}[entry["dtype"]]
    values = [float(v) if isinstance(v, str) else v for v in entry["values"]]
    return torch.tensor(values, dtype=torch_dtype).reshape(entry["shape"])


def same(a: torch.Tensor, b: torch.Tensor) -> bool:
    """Equal dtype, shape and values, NaN equal to NaN and -0 told from +0."""
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    if a.is_floating_point():
        return tensor_bytes(a) == tensor_bytes(b) or (
            bool(torch.equal(torch.isnan(a), torch.isnan(b)))
            and bool(torch.equal(torch.nan_to_num(a), torch.nan_to_num(b)))
            and bool(torch.equal(torch.signbit(a), torch.signbit(b))))
    return bool(torch.equal(a, b))


# ---------------------------------------------------------------------------- the models

def mlp() -> torch.nn.Sequential:
    return torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))


def pytorch_tensors() -> dict[str, torch.Tensor]:
    torch.manual_seed(20240611)
    out = dict(mlp().state_dict())
    bn = torch.nn.BatchNorm1d(4)
    bn.train()
    for _ in range(3):
        bn(torch.randn(5, 4))
    out.update({f"bn.{k}": v for k, v in bn.state_dict().items()})  # num_batches_tracked: int64, shape []
    out.update({
        "extra.f64": torch.tensor([[0.1, -2.5, 1e300], [5e-324, -0.0, 3.0]], dtype=torch.float64),
        "extra.i32": torch.tensor([0, -7, 2147483647, -2147483648], dtype=torch.int32),
        "extra.i64": torch.tensor([[0, 1, -1], [2147483647, -2147483648, 12345]], dtype=torch.int64),
        "extra.bool": torch.tensor([[True, False, True], [False, False, True]]),
        "extra.f16": torch.tensor([1.0, -0.0, 65504.0, 6e-8, float("inf"), float("nan"), 0.333], dtype=torch.float16),
        "extra.bf16": torch.tensor([1.0, -3.140625, 1e38, float("-inf")], dtype=torch.bfloat16),
        "extra.special": torch.tensor([float("nan"), float("inf"), float("-inf"), -0.0, 1e-45], dtype=torch.float32),
        "extra.scalar": torch.tensor(2.5, dtype=torch.float32),
        "extra.empty": torch.zeros(0, 3, dtype=torch.float32),
    })
    return {k: v.detach().clone() for k, v in out.items()}


# ---------------------------------------------------------------------------- 1. PyTorch → Tessera

def write_pytorch_fixture() -> None:
    tensors = pytorch_tensors()
    metadata = {"format": "pt"}
    data = write_safetensors(tensors, metadata)

    # Read it back through the spec and through torch; the state dict must round-trip and load.
    loaded, meta, names = read_safetensors(data)
    assert meta == metadata
    assert set(loaded) == set(tensors)
    for k, v in tensors.items():
        assert same(loaded[k], v), k
    model = mlp()
    model.load_state_dict({k: v for k, v in loaded.items() if k[0].isdigit()}, strict=True)
    bn = torch.nn.BatchNorm1d(4)
    bn.load_state_dict({k[3:]: v for k, v in loaded.items() if k.startswith("bn.")}, strict=True)
    if hf_safetensors is not None:
        for k, v in hf_safetensors.load(data).items():
            assert same(v, tensors[k]), k

    expected = {
        "metadata": metadata,
        "order": names,
        "tensors": {
            name: {
                "fileDtype": FILE_DTYPE[t.dtype],
                "dtype": TESSERA_DTYPE[FILE_DTYPE[t.dtype]],
                "shape": list(t.shape),
                "values": json_values(t),
            }
            for name, t in ((n, loaded[n]) for n in names)
        },
    }
    os.makedirs(FIXTURES, exist_ok=True)
    with open(PYTORCH_FILE, "wb") as f:
        f.write(data)
    with open(PYTORCH_JSON, "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")
    print(f"wrote {os.path.relpath(PYTORCH_FILE, ROOT)} ({len(data)} bytes, {len(tensors)} tensors) and its .json")


# ---------------------------------------------------------------------------- 2. Tessera → PyTorch

def check_tessera_fixture() -> None:
    if not os.path.exists(TESSERA_FILE):
        print(f"{os.path.relpath(TESSERA_FILE, ROOT)} is missing: run `TESSERA_UPDATE_FIXTURES=1 npx vitest run "
              "test/safetensors.interop.test.ts` in packages/nn, then this script again")
        return
    with open(TESSERA_FILE, "rb") as f:
        data = f.read()
    with open(TESSERA_JSON) as f:
        expected = json.load(f)
    tensors, metadata, names = read_safetensors(data)
    assert metadata == expected["metadata"], (metadata, expected["metadata"])
    assert set(names) == set(expected["tensors"]), (names, list(expected["tensors"]))
    for name, entry in expected["tensors"].items():
        want = from_json(entry)
        assert same(tensors[name], want), f"{name}: file has {tensors[name]}, Tessera meant {want}"
        assert FILE_DTYPE[tensors[name].dtype] == entry["fileDtype"], name

    # The MLP's weights load into torch.nn and compute what Tessera computed with them.
    model = mlp()
    model.load_state_dict({k: v for k, v in tensors.items() if k[0].isdigit()}, strict=True)
    x = from_json(expected["mlp"]["input"])
    with torch.no_grad():
        y = model(x)
    want = from_json(expected["mlp"]["output"])
    assert torch.allclose(y, want, rtol=1e-6, atol=1e-6), (y, want)

    # An independent writer of the reference layout produces exactly Tessera's bytes.
    again = write_safetensors(tensors, metadata)
    assert again == data, "this script's writer lays the same state dict out differently than Tessera did"
    if hf_safetensors is not None:
        for k, v in hf_safetensors.load(data).items():
            assert same(v, tensors[k]), k
    print(f"checked {os.path.relpath(TESSERA_FILE, ROOT)}: {len(tensors)} tensors, values, load_state_dict, forward, bytes")


def main() -> None:
    print(f"torch {torch.__version__}; Hugging Face safetensors: {'present' if hf_safetensors else 'not installed (hand-written reader/writer only)'}")
    write_pytorch_fixture()
    check_tessera_fixture()


if __name__ == "__main__":
    main()
