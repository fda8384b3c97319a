#!/usr/bin/env python3
"""Whole-model latency: cnnc against ONNX Runtime, same network, same weights.

Exports torchvision models (random init) to ONNX with PyTorch, compiles each
ONNX file with cnnc (-O2) and runs both at batch 1, alternating the engines
so machine noise hits both alike. Prints median latencies and ratios.

Needs: python3-torch python3-torchvision python3-onnx, Node.js, and
  npm install --ignore-scripts onnxruntime-node@1.30.0   (in --ort-dir)

  models.py --cnnc build/bin/cnnc --ort-dir DIR [--threads 1] [--runs 20]
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

MODELS = ["resnet18", "mobilenet_v2"]


def median_cnnc(exe, runs):
    out = subprocess.run([exe, "--bench", str(runs)], check=True,
                         capture_output=True, text=True).stdout
    return float(re.search(r"median ([0-9.]+)", out).group(1))


def median_ort(script, model, threads, runs, ort_dir):
    env = dict(os.environ, NODE_PATH=os.path.join(ort_dir, "node_modules"))
    out = subprocess.run(["node", script, model, str(threads), str(runs)],
                         check=True, capture_output=True, text=True, env=env)
    return float(out.stdout.strip())


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cnnc", required=True)
    p.add_argument("--ort-dir", required=True)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args()
    import torch
    import torchvision

    work = tempfile.mkdtemp(prefix="cnnc-perf-")
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ort_bench.js")
    print(f"| model | cnnc -O2 ms | ONNX Runtime 1.30 ms ({args.threads} thread) "
          f"| cnnc / ORT | cnnc compile s | executable MB |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name in MODELS:
        torch.manual_seed(0)
        model = getattr(torchvision.models, name)().eval()
        onnx_path = os.path.join(work, f"{name}.onnx")
        torch.onnx.export(model, torch.randn(1, 3, 224, 224), onnx_path,
                          opset_version=13)
        exe = os.path.join(work, name)
        start = time.time()
        subprocess.run([args.cnnc, onnx_path, "-O2", "-o", exe], check=True)
        compile_s = time.time() - start
        cnnc_ms, ort_ms = [], []
        for _ in range(args.rounds):
            cnnc_ms.append(median_cnnc(exe, args.runs))
            ort_ms.append(median_ort(script, onnx_path, args.threads, args.runs,
                                     args.ort_dir))
        c, o = sorted(cnnc_ms)[len(cnnc_ms) // 2], sorted(ort_ms)[len(ort_ms) // 2]
        print(f"| {name} | {c:.1f} | {o:.1f} | {c / o:.2f} | {compile_s:.1f} "
              f"| {os.path.getsize(exe) / 1e6:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
