#!/usr/bin/env python3
"""Prints a safetensors file as Python's `safetensors` reads it: JSON {"metadata": {...}, "tensors": {name: {"dtype",
"shape", "values"}}} with every value widened to float64 (exact for F16/BF16/F32), integers as integers.

  python safetensors_dump.py FILE
"""
import json
import math
import sys

import torch
from safetensors import safe_open


def main():
    path = sys.argv[1]
    out = {"metadata": {}, "tensors": {}}
    with safe_open(path, framework="pt") as f:
        out["metadata"] = f.metadata() or {}
        for name in f.keys():
            t = f.get_tensor(name)
            values = t.flatten().tolist() if not t.is_floating_point() else t.to(torch.float64).flatten().tolist()
            if t.is_floating_point():
                values = [v if math.isfinite(v) else ("inf" if v > 0 else "-inf" if v < 0 else "nan") for v in values]
            out["tensors"][name] = {"dtype": str(t.dtype), "shape": list(t.shape), "values": values}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
