#!/usr/bin/env python3
"""Executable size and the cost of the first run: torchvision models
exported to ONNX as in models.py, compiled with cnnc -O2 by default
(Winograd weights transformed at the first run) and with
--winograd-embed-limit=16777216 (stored up to 16 MiB a layer). Prints per
model, variant and thread count: the executable's size, the wall time of a
whole process that runs the model once (minimum of 5) and the steady
latency (median of --bench 20).

  first_run.py --cnnc build/bin/cnnc [--models resnet18,resnet50]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "import"))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cnnc", required=True)
    p.add_argument("--models", default="resnet18,resnet50")
    args = p.parse_args()
    import numpy as np
    import torch
    from torch_models import make

    work = tempfile.mkdtemp(prefix="cnnc-first-run-")
    print("| model | Winograd weights | executable MB | threads "
          "| one inference, whole process ms | steady ms |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name in args.models.split(","):
        torch.manual_seed(0)
        model, example = make(name)
        model.eval()
        onnx = os.path.join(work, f"{name}.onnx")
        torch.onnx.export(model, example, onnx, opset_version=13,
                          input_names=["image"], output_names=["out"])
        x, y = os.path.join(work, "x.npy"), os.path.join(work, "y.npy")
        np.save(x, example.numpy())
        weights = sum(t.numel() for t in model.state_dict().values()
                      if t.is_floating_point()) * 4 / 1e6
        for label, extra in [("at the first run (default)", []),
                             ("stored up to 16 MiB a layer",
                              ["--winograd-embed-limit=16777216"])]:
            exe = os.path.join(work, f"{name}{len(extra)}")
            subprocess.run([args.cnnc, onnx, "-O2", "-o", exe] + extra, check=True)
            size = os.path.getsize(exe) / 1e6
            for threads in ["1", "2"]:
                walls = []
                for _ in range(5):
                    start = time.time()
                    subprocess.run([exe, "--input", f"image={x}", "--output",
                                    f"out={y}", "--threads", threads],
                                   check=True, capture_output=True)
                    walls.append((time.time() - start) * 1000)
                out = subprocess.run([exe, "--bench", "20", "--threads", threads],
                                     check=True, capture_output=True,
                                     text=True).stdout
                steady = float(out.split("median ")[1].split()[0])
                print(f"| {name} (weights {weights:.1f} MB) | {label} | {size:.1f} "
                      f"| {threads} | {min(walls):.1f} | {steady:.1f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
