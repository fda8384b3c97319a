#!/usr/bin/env python3
"""Per-layer speed: cnnc against oneDNN, conv + bias + ReLU, batch 1.

For each layer shape (ResNet-18 and ResNet-50 convs, a 7x7/2 stem,
MobileNetV2 depthwise and pointwise convs) in one run:
- the FP32 peak of one core, from an FMA probe (fma_probe.c);
- cnnc: a one-layer .cnn compiled at -O2 and run with --bench on T threads.
  The model has NCHW edges (transposes and the padding copy around the
  NHWC conv), which oneDNN does not pay; with `perf` installed the conv
  alone is also given: the executable's latency times the share of perf
  samples in the conv's thread-level task (`*_loop*`);
- oneDNN 2.6 (libdnnl-dev), src/weights/dst in format_tag::any, ReLU as a
  post-op, OMP_NUM_THREADS=T (onednn_conv.cpp).
Prints GFLOP/s, % of peak and the ratio cnnc / oneDNN.

  layers.py --cnnc build/bin/cnnc [--threads 1] [--runs 50]
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

# name, C, H(=W), F, kernel, stride, pad, groups
LAYERS = [
    ("resnet stem 7x7/2", 3, 224, 64, 7, 2, 3, 1),
    ("resnet18 3x3 64 @56", 64, 56, 64, 3, 1, 1, 1),
    ("resnet18 3x3/2 64->128", 64, 56, 128, 3, 2, 1, 1),
    ("resnet18 3x3 128 @28", 128, 28, 128, 3, 1, 1, 1),
    ("resnet18 3x3 256 @14", 256, 14, 256, 3, 1, 1, 1),
    ("resnet18 3x3 512 @7", 512, 7, 512, 3, 1, 1, 1),
    ("resnet 1x1/2 64->128", 64, 56, 128, 1, 2, 0, 1),
    ("resnet50 1x1 64->256 @56", 64, 56, 256, 1, 1, 0, 1),
    ("resnet50 1x1 256->64 @56", 256, 56, 64, 1, 1, 0, 1),
    ("resnet50 1x1 512->128 @28", 512, 28, 128, 1, 1, 0, 1),
    ("resnet50 1x1 1024->256 @14", 1024, 14, 256, 1, 1, 0, 1),
    ("resnet50 1x1 2048->512 @7", 2048, 7, 512, 1, 1, 0, 1),
    ("mbv2 dw 3x3 144 @56", 144, 56, 144, 3, 1, 1, 144),
    ("mbv2 dw 3x3/2 96 @112", 96, 112, 96, 3, 2, 1, 96),
    ("mbv2 dw 3x3 960 @7", 960, 7, 960, 3, 1, 1, 960),
    ("mbv2 pw 16->96 @112", 16, 112, 96, 1, 1, 0, 1),
    ("mbv2 pw 144->24 @56", 144, 56, 24, 1, 1, 0, 1),
    ("mbv2 pw 576->96 @14", 576, 14, 96, 1, 1, 0, 1),
    ("mbv2 pw 960->320 @7", 960, 7, 320, 1, 1, 0, 1),
]


def run(cmd, env=None):
    return subprocess.run(cmd, check=True, capture_output=True, text=True,
                          env=env).stdout


def median_ms(text):
    return float(re.search(r"median ([0-9.]+)", text).group(1))


def conv_share(exe, args, work):
    """Share of perf samples in the conv's task functions, or None."""
    if not shutil.which("perf"):
        return None
    data = os.path.join(work, "perf.data")
    try:
        run(["perf", "record", "-q", "-o", data, exe] + args)
        report = run(["perf", "report", "-i", data, "--stdio", "--sort", "sym"])
    except (subprocess.CalledProcessError, FileNotFoundError):
        return None
    total = conv = 0.0
    for line in report.splitlines():
        m = re.match(r"\s*([0-9.]+)%\s+\[\.\]\s+(\S+)", line)
        if m:
            total += float(m.group(1))
            if "_loop" in m.group(2):
                conv += float(m.group(1))
    return conv / total if total else None


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cnnc", required=True)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--runs", type=int, default=50)
    p.add_argument("--cc", default="/usr/lib/llvm-22/bin/clang")
    args = p.parse_args()
    work = tempfile.mkdtemp(prefix="cnnc-layers-")
    probe = os.path.join(work, "fma_probe")
    run([args.cc, "-O2", "-march=native", os.path.join(HERE, "fma_probe.c"),
         "-o", probe])
    onednn = os.path.join(work, "onednn_conv")
    run(["c++", "-O2", "-std=c++17", os.path.join(HERE, "onednn_conv.cpp"),
         "-o", onednn, "-ldnnl"])
    peak = float(run([probe])) * args.threads
    print(f"FP32 peak ({args.threads} thread{'s' if args.threads > 1 else ''}, "
          f"FMA probe): {peak:.1f} GFLOP/s")
    print("| layer | MFLOP | cnnc model ms | cnnc conv ms | cnnc conv GFLOP/s (% peak) "
          "| oneDNN ms | oneDNN GFLOP/s (% peak) | cnnc conv / oneDNN |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
    for name, c, h, f, k, s, pad, g in LAYERS:
        o = (h + 2 * pad - k) // s + 1
        flops = 2.0 * o * o * f * (c // g) * k * k
        model = os.path.join(work, "layer.cnn")
        with open(model, "w") as out:
            out.write(f"model layer\ninput x: f32[1, {c}, {h}, {h}]\n"
                      f"output y = conv2d(x, filters={f}, kernel={k}, stride={s}, "
                      f"padding={pad}, groups={g}) |> relu\n")
        exe = os.path.join(work, "layer")
        run([args.cnnc, model, "-O2", "-o", exe])
        bench = ["--bench", str(args.runs), "--threads", str(args.threads)]
        whole = median_ms(run([exe] + bench))
        share = conv_share(exe, bench, work)
        conv = whole * share if share else None
        dnnl = float(run([onednn, "1", str(c), str(h), str(h), str(f), str(k),
                          str(k), str(s), str(pad), str(g), str(args.runs)],
                         env=env))
        gf = lambda ms: flops / ms / 1e6
        conv_text = (f"{conv:.3f} | {gf(conv):.1f} ({100 * gf(conv) / peak:.0f}%)"
                     if conv else "- | -")
        ratio = f"{conv / dnnl:.2f}" if conv else "-"
        print(f"| {name} | {flops / 1e6:.1f} | {whole:.3f} | {conv_text} | "
              f"{dnnl:.3f} | {gf(dnnl):.1f} ({100 * gf(dnnl) / peak:.0f}%) | {ratio} |",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
