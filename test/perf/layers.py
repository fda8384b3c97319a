#!/usr/bin/env python3
"""Per-layer speed: cnnc against oneDNN, conv + bias + ReLU, batch 1.

For each layer shape (ResNet-18 and ResNet-50 convs, a 7x7/2 stem,
MobileNetV2 depthwise and pointwise convs) in one run:
- the FP32 peak of one core, from an FMA probe (fma_probe.c, best of 5);
- cnnc: a one-layer .cnn compiled at -O2 and run with --bench on each
  thread count. The model has NCHW edges (transposes around the NHWC conv),
  which oneDNN does not pay, so the time given is the conv's alone: its
  thread-pool loop as CNNRT_PROFILE=1 reports it (mean per run; "-" for a
  layer too small for the pool; see conv_ms for telling it from the
  transposes' loops);
- oneDNN 2.6 (libdnnl-dev), src/weights/dst in format_tag::any, ReLU as a
  post-op, OMP_NUM_THREADS=T (onednn_conv.cpp), direct; for the layers
  cnnc computes as Winograd also oneDNN's Winograd ("-" where it has none).
Prints per thread count GFLOP/s, % of peak (the probe's, times T), the
ratio cnnc / oneDNN, and each one's speedup over its first thread count.
The cnnc conv columns are the direct conv (--no-winograd); a 3x3 layer
computed as Winograd F(4x4, 3x3) by default also gets its time that way,
with effective GFLOP/s (the direct conv's FLOPs over its time): the whole
executable's loops and sequential code, less the transposes at its edges
(those of the direct executable: its total less its conv loop).

Each engine runs `--rounds` rounds of `--runs` runs, alternating, and
keeps its best round (cnnc: the round's mean conv time per run; oneDNN:
the round's median).

  layers.py --cnnc build/bin/cnnc [--threads 1,2] [--rounds 5] [--only dw]
"""
import argparse
import os
import re
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


def profile(exe, args):
    """CNNRT_PROFILE's thread-pool loop times and sequential time (ms per
    run)."""
    out = run([exe] + args, env=dict(os.environ, CNNRT_PROFILE="1"))
    loops = [float(m.group(1)) for m in
             re.finditer(r"^\s*loop\d+\s+([0-9.]+)", out, re.M)]
    outside = re.search(r"^\s*outside\s+([0-9.]+)", out, re.M)
    return loops, float(outside.group(1)) if outside else 0.0


def conv_ms(loops, input_elements, output_elements):
    """The conv's loop time among the `loops` of its executable, or None.

    The profile lists the thread-pool loops in the order they run: the input
    transpose (NCHW to NHWC), the conv, the output transpose; a transpose
    too small for the pool is not among them. With two loops, the transpose
    on the pool is the larger one (the work estimate grows with the element
    count)."""
    if not loops:
        return None
    if len(loops) == 3:
        return loops[1]
    if len(loops) == 2:
        return loops[1] if input_elements >= output_elements else loops[0]
    return loops[0]


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cnnc", required=True)
    p.add_argument("--threads", default="1,2")
    p.add_argument("--runs", type=int, default=20,
                   help="runs per round (cnnc: their mean; oneDNN: median)")
    p.add_argument("--rounds", type=int, default=5,
                   help="alternating rounds; each engine's best one counts")
    p.add_argument("--only", default="",
                   help="layers whose name contains this text (default all)")
    p.add_argument("--cc", default="/usr/lib/llvm-22/bin/clang")
    args = p.parse_args()
    work = tempfile.mkdtemp(prefix="cnnc-layers-")
    probe = os.path.join(work, "fma_probe")
    run([args.cc, "-O2", "-march=native", os.path.join(HERE, "fma_probe.c"),
         "-o", probe])
    onednn = os.path.join(work, "onednn_conv")
    run(["c++", "-O2", "-std=c++17", os.path.join(HERE, "onednn_conv.cpp"),
         "-o", onednn, "-ldnnl"])
    # The peak is the best of a few probes: the machine is shared, and one
    # probe can land in a slow moment.
    core = max(float(run([probe])) for _ in range(5))
    threads = [int(t) for t in args.threads.split(",")]
    print(f"FP32 peak of one core (FMA probe): {core:.1f} GFLOP/s")
    head = "| layer | MFLOP |"
    for t in threads:
        head += (f" {t}T: cnnc conv ms | GFLOP/s (% peak) | oneDNN ms | "
                 f"GFLOP/s (% peak) | cnnc / oneDNN | cnnc Winograd ms | "
                 f"effective GFLOP/s | oneDNN Winograd ms | "
                 f"cnnc Winograd / oneDNN best |")
    for t in threads[1:]:
        head += f" {t}T speedup: cnnc / oneDNN |"
    print(head)
    print("|" + " --- |" * (head.count("|") - 1))
    for name, c, h, f, k, s, pad, g in LAYERS:
        if args.only not in name:
            continue
        o = (h + 2 * pad - k) // s + 1
        flops = 2.0 * o * o * f * (c // g) * k * k
        model = os.path.join(work, "layer.cnn")
        with open(model, "w") as out:
            out.write(f"model layer\ninput x: f32[1, {c}, {h}, {h}]\n"
                      f"output y = conv2d(x, filters={f}, kernel={k}, stride={s}, "
                      f"padding={pad}, groups={g}) |> relu\n")
        exe = os.path.join(work, "layer")
        run([args.cnnc, model, "-O2", "--no-winograd", "-o", exe])
        wexe = os.path.join(work, "layer-winograd")
        report = run([args.cnnc, model, "-O2", "--report", "-o", wexe])
        if "winograd F(" not in report:
            wexe = None
        gf = lambda ms: flops / ms / 1e6
        row, convs, dnnls = f"| {name} | {flops / 1e6:.1f} |", [], []
        for t in threads:
            bench = ["--bench", str(args.runs), "--threads", str(t)]
            env = dict(os.environ, OMP_NUM_THREADS=str(t))
            dnnl_cmd = [onednn, "1", str(c), str(h), str(h), str(f), str(k),
                        str(k), str(s), str(pad), str(g), str(args.runs)]
            # The engines alternate, and each keeps its best round: the
            # machine is shared, and a slow phase would otherwise land on
            # whichever engine it happened to coincide with.
            conv, wino, dnnl, dnnl_wino = None, None, None, None
            for _ in range(args.rounds):
                loops, outside = profile(exe, bench)
                ms = conv_ms(loops, c * h * h, f * o * o)
                if ms is not None:
                    conv = ms if conv is None else min(conv, ms)
                    if wexe:
                        edges = sum(loops) + outside - ms
                        wloops, woutside = profile(wexe, bench)
                        ms = sum(wloops) + woutside - edges
                        wino = ms if wino is None else min(wino, ms)
                ms = float(run(dnnl_cmd, env=env))
                dnnl = ms if dnnl is None else min(dnnl, ms)
                if wexe:
                    out = run(dnnl_cmd + ["winograd"], env=env).strip()
                    if out != "-":
                        ms = float(out)
                        dnnl_wino = (ms if dnnl_wino is None
                                     else min(dnnl_wino, ms))
            peak = core * t
            conv_text = (f"{conv:.3f} | {gf(conv):.1f} "
                         f"({100 * gf(conv) / peak:.0f}%)" if conv else "- | -")
            ratio = f"{conv / dnnl:.2f}" if conv else "-"
            # Against oneDNN's faster algorithm for the layer.
            best = min(dnnl, dnnl_wino) if dnnl_wino else dnnl
            wino_text = (f"{wino:.3f} | {gf(wino):.1f} | "
                         f"{f'{dnnl_wino:.3f}' if dnnl_wino else '-'} | "
                         f"{wino / best:.2f}" if wino else "- | - | - | -")
            row += (f" {conv_text} | {dnnl:.3f} | {gf(dnnl):.1f} "
                    f"({100 * gf(dnnl) / peak:.0f}%) | {ratio} | {wino_text} |")
            convs.append(conv)
            dnnls.append(dnnl)
        for i in range(1, len(threads)):
            cnnc = (f"{convs[0] / convs[i]:.2f}" if convs[0] and convs[i]
                    else "-")
            row += f" {cnnc} / {dnnls[0] / dnnls[i]:.2f} |"
        print(row, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
