#!/usr/bin/env python3
"""The model-zoo benchmark: cnnc against ONNX Runtime, same network, same
weights, in one run.

Exports each model (test/import/torch_models.py: torchvision 0.14 CNNs with
random weights and batch-norm statistics, segmentation models' `out`
tensor, a LeNet-style net, the tiny YOLO sample's network; Darknet cfgs of
the zoo, which cnnc compiles from the cfg itself) to ONNX with PyTorch (opset 13, batch 1), compiles the ONNX
file with cnnc (-O2), checks the compiled model against PyTorch (max error
over the output, relative to its largest magnitude), and runs both engines
at batch 1 on each thread count, alternating engines so machine noise hits
both alike. Prints the CPU model and one core's FP32 peak (fma_probe.c,
measured in the same run), then per model and thread count: median latency
of each engine and their ratio, compile time, executable size, peak RSS
(ONNX Runtime's includes the Node.js process it runs in) and the error;
then the worst ratio and the geometric mean of the ratios per thread count.

Needs: python3-torch python3-torchvision python3-onnx, Node.js, and
  npm install --ignore-scripts onnxruntime-node@1.30.0   (in --ort-dir)

  models.py --cnnc build/bin/cnnc --ort-dir build/ort [--threads 1,2]
            [--runs 20] [--rounds 3] [--models resnet18,...] [--zoo]
"""
import argparse
import math
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "import"))
sys.path.insert(0, HERE)

# The default set: what the classic models were tuned on.
MODELS = ["lenet", "resnet18", "mobilenet_v2", "mobilenet_v3_small",
          "efficientnet_b0", "tiny_yolo"]
# --zoo: public torchvision CNNs, as a new user would bring them.
ZOO = ["resnet18", "resnet50", "resnext50_32x4d", "regnet_x_400mf",
       "regnet_y_400mf", "mobilenet_v2", "mobilenet_v3_small",
       "mobilenet_v3_large", "efficientnet_b0", "mnasnet1_0",
       "squeezenet1_1", "googlenet", "densenet121", "vgg11",
       "shufflenet_v2_x1_0", "lraspp_mobilenet_v3_large",
       "deeplabv3_mobilenet_v3_large", "fcn_resnet50", "convnext_tiny",
       "darknet:yolov4-tiny", "darknet:yolov7-tiny"]
# darknet:NAME is test/import/darknet/zoo/NAME.cfg as shipped: cnnc compiles
# the cfg with a random .weights file; ONNX Runtime runs the same network
# with the same parameters, built in PyTorch (darknet_torch.py) and
# exported; the error is cnnc's against PyTorch over every [yolo] output.
DARKNET_ZOO = os.path.join(HERE, "..", "import", "darknet", "zoo")


def run(cmd, env=None):
    return subprocess.run(cmd, check=True, capture_output=True, text=True,
                          env=env).stdout


def bench(cmd, env=None):
    """Median latency (ms) and peak RSS (MB) that a benchmark prints."""
    out = run(cmd, env)
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


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "unknown"


def fp32_peak(work):
    probe = os.path.join(work, "fma_probe")
    run(["/usr/lib/llvm-22/bin/clang", "-O2", "-march=native",
         os.path.join(HERE, "fma_probe.c"), "-o", probe])
    return max(float(run([probe])) for _ in range(3))


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cnnc", required=True)
    p.add_argument("--ort-dir", required=True)
    p.add_argument("--threads", default="1,2")
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--models", default=",".join(MODELS))
    p.add_argument("--zoo", action="store_true",
                   help="the torchvision model zoo instead of --models")
    args = p.parse_args()
    import numpy as np
    import torch
    from torch_models import make
    import darknet_torch

    torch.set_num_threads(1)
    work = tempfile.mkdtemp(prefix="cnnc-perf-")
    print(f"CPU: {cpu_model()}; FP32 peak of one core (FMA probe): "
          f"{fp32_peak(work):.1f} GFLOP/s")
    print("| model | threads | cnnc -O2 ms | ONNX Runtime 1.30 ms | cnnc / ORT "
          "| cnnc compile s | cnnc executable MB | peak RSS MB cnnc / ORT "
          "| max rel. error vs PyTorch |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    threads_list = [int(t) for t in args.threads.split(",")]
    ratios = {t: [] for t in threads_list}
    for name in (ZOO if args.zoo else args.models.split(",")):
        torch.manual_seed(0)
        stem = name.split(":")[-1]
        if name.startswith("darknet:"):
            cfg = os.path.join(DARKNET_ZOO, f"{stem}.cfg")
            model, example, weights, outputs = darknet_torch.make(cfg, work)
            source = [cfg, "--weights", weights]
        else:
            model, example = make(name)
            model.eval()
            outputs = ["out"]
        onnx_path = os.path.join(work, f"{stem}.onnx")
        torch.onnx.export(model, example, onnx_path, opset_version=13,
                          input_names=["image"], output_names=outputs)
        if not name.startswith("darknet:"):
            source = [onnx_path]
        exe = os.path.join(work, stem)
        start = time.time()
        subprocess.run([args.cnnc] + source + ["-O2", "-o", exe], check=True)
        compile_s = time.time() - start
        with torch.no_grad():
            expected = model(example)
        if not isinstance(expected, tuple):
            expected = (expected,)
        x = os.path.join(work, "x.npy")
        np.save(x, example.numpy())
        cmd = [exe, "--input", f"image={x}"]
        for out in outputs:
            cmd += ["--output", f"{out}={os.path.join(work, out + '.npy')}"]
        run(cmd)
        error = max(np.abs(np.load(os.path.join(work, out + ".npy")) -
                           e.numpy().astype(np.float64)).max() /
                    max(np.abs(e.numpy()).max(), 1e-30)
                    for out, e in zip(outputs, expected))
        for threads in threads_list:
            cnnc, ort = [], []
            for _ in range(args.rounds):
                cnnc.append(bench_cnnc(exe, threads, args.runs))
                ort.append(bench_ort(onnx_path, example.shape, threads, args.runs,
                                     args.ort_dir))
            c, o = median([t for t, _ in cnnc]), median([t for t, _ in ort])
            ratios[threads].append(c / o)
            print(f"| {name} | {threads} | {c:.2f} | {o:.2f} | {c / o:.2f} "
                  f"| {compile_s:.1f} | {os.path.getsize(exe) / 1e6:.1f} "
                  f"| {max(r for _, r in cnnc):.0f} / {max(r for _, r in ort):.0f} "
                  f"| {error:.1e} |", flush=True)
    for threads, values in ratios.items():
        geomean = math.exp(sum(map(math.log, values)) / len(values))
        print(f"{threads} thread(s): worst cnnc / ORT {max(values):.2f}, "
              f"geometric mean {geomean:.2f} over {len(values)} models")
    return 0


if __name__ == "__main__":
    sys.exit(main())
