#!/usr/bin/env python3
"""Whole-model latency: cnnc against ONNX Runtime, same network, same weights.

Exports the models of test/import/torch_models.py (a LeNet-style net,
torchvision ResNet-18, MobileNetV2, MobileNetV3-small and EfficientNet-B0,
the tiny YOLO sample's network; random init) to ONNX with PyTorch,
compiles each ONNX file with cnnc (-O2) and runs both engines at batch 1 on
each thread count, alternating engines so machine noise hits both alike.
Prints median latencies, ratios, compile time, executable size and peak RSS
(ONNX Runtime's includes the Node.js process it runs in).

Needs: python3-torch python3-torchvision python3-onnx, Node.js, and
  npm install --ignore-scripts onnxruntime-node@1.30.0   (in --ort-dir)

  models.py --cnnc build/bin/cnnc --ort-dir DIR [--threads 1,2] [--runs 20]
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "import"))

MODELS = ["lenet", "resnet18", "mobilenet_v2", "mobilenet_v3_small",
          "efficientnet_b0", "tiny_yolo"]


def bench(cmd, env=None):
    """Median latency (ms) and peak RSS (MB) that a benchmark prints."""
    out = subprocess.run(cmd, check=True, capture_output=True, text=True,
                         env=env).stdout
    return (float(re.search(r"median ([0-9.]+)", out).group(1)),
            float(re.search(r"peak RSS MB: ([0-9.]+)", out).group(1)))


def bench_cnnc(exe, threads, runs):
    return bench([exe, "--bench", str(runs), "--threads", str(threads)])


def bench_ort(model, shape, threads, runs, ort_dir):
    env = dict(os.environ, NODE_PATH=os.path.join(ort_dir, "node_modules"))
    return bench(["node", os.path.join(HERE, "ort_bench.js"), model, str(threads),
                  str(runs), ",".join(map(str, shape))], env=env)


def median(values):
    return sorted(values)[len(values) // 2]


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cnnc", required=True)
    p.add_argument("--ort-dir", required=True)
    p.add_argument("--threads", default="1,2")
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--models", default=",".join(MODELS))
    args = p.parse_args()
    import torch
    from torch_models import make

    work = tempfile.mkdtemp(prefix="cnnc-perf-")
    print("| model | threads | cnnc -O2 ms | ONNX Runtime 1.30 ms | cnnc / ORT "
          "| cnnc compile s | cnnc executable MB | peak RSS MB cnnc / ORT |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name in args.models.split(","):
        torch.manual_seed(0)
        model, example = make(name)
        onnx_path = os.path.join(work, f"{name}.onnx")
        torch.onnx.export(model.eval(), example, onnx_path, opset_version=13)
        exe = os.path.join(work, name)
        start = time.time()
        subprocess.run([args.cnnc, onnx_path, "-O2", "-o", exe], check=True)
        compile_s = time.time() - start
        for threads in map(int, args.threads.split(",")):
            cnnc, ort = [], []
            for _ in range(args.rounds):
                cnnc.append(bench_cnnc(exe, threads, args.runs))
                ort.append(bench_ort(onnx_path, example.shape, threads, args.runs,
                                     args.ort_dir))
            c, o = median([t for t, _ in cnnc]), median([t for t, _ in ort])
            print(f"| {name} | {threads} | {c:.2f} | {o:.2f} | {c / o:.2f} "
                  f"| {compile_s:.1f} | {os.path.getsize(exe) / 1e6:.1f} "
                  f"| {max(r for _, r in cnnc):.0f} / {max(r for _, r in ort):.0f} |",
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
