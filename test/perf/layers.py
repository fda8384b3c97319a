#!/usr/bin/env python3
"""Per-layer speed: cnnc against oneDNN, conv + bias + ReLU, batch 1.

For each layer shape (ResNet-18 and ResNet-50 convs, a 7x7/2 stem,
MobileNetV2 depthwise and pointwise convs, ResNeXt and RegNet grouped
convs) in one run:
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

A second table sets the depthwise layers (1 thread) against their memory
floor: mem_probe.c's time to read the layer's input once, just written as
in cnnc's benchmark, and write its output once, with no arithmetic; FLOPs
over that time are the most % of peak a kernel moving those bytes reaches
here.

A third table times MobileNetV2's expansion + depthwise blocks (1x1 conv
+ ReLU, then 3x3 depthwise conv + ReLU), which cnnc computes as one fused
loop (cnnc-fuse-expand-depthwise): against the two layers compiled apart
(the sum of their conv loops) and against oneDNN's own fusion of the two
(its depthwise post-op on the 1x1 conv) and its two layers apart, % of
peak over both layers' FLOPs.

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
    # Grouped convs (ResNeXt-50 32x4d, torchvision's RegNetX-400MF with
    # groups 16 channels wide, RegNetY-400MF with 8).
    ("resnext50 3x3 g32 128 @56", 128, 56, 128, 3, 1, 1, 32),
    ("resnext50 3x3 g32 256 @28", 256, 28, 256, 3, 1, 1, 32),
    ("resnext50 3x3 g32 1024 @7", 1024, 7, 1024, 3, 1, 1, 32),
    ("regnetx 3x3/2 g2 32 @112", 32, 112, 32, 3, 2, 1, 2),
    ("regnetx 3x3/2 g4 64 @56", 64, 56, 64, 3, 2, 1, 4),
    ("regnetx 3x3 g4 64 @28", 64, 28, 64, 3, 1, 1, 4),
    ("regnetx 3x3 g10 160 @14", 160, 14, 160, 3, 1, 1, 10),
    ("regnety 3x3 g26 208 @14", 208, 14, 208, 3, 1, 1, 26),
]

# name, C, H(=W), expanded channels, depthwise stride
BLOCKS = [
    ("mbv2 1x1 16->96 + dw 3x3/2 @112", 16, 112, 96, 2),
    ("mbv2 1x1 24->144 + dw 3x3 @56", 24, 56, 144, 1),
    ("mbv2 1x1 24->144 + dw 3x3/2 @56", 24, 56, 144, 2),
    ("mbv2 1x1 64->384 + dw 3x3 @14", 64, 14, 384, 1),
    ("mbv2 1x1 160->960 + dw 3x3 @7", 160, 7, 960, 1),
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
    mem_probe = os.path.join(work, "mem_probe")
    for exe in (probe, mem_probe):
        run([args.cc, "-O2", "-march=native",
             os.path.join(HERE, os.path.basename(exe) + ".c"), "-o", exe])
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
    floors = []
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
            conv, wino, dnnl, dnnl_wino, floor = None, None, None, None, None
            for _ in range(args.rounds):
                if g == c and t == 1:
                    ms = float(run([mem_probe, str(h), str(h), str(c), str(s),
                                    str(args.runs)]))
                    floor = ms if floor is None else min(floor, ms)
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
            if floor and conv:
                floors.append((name, flops, conv, floor))
        for i in range(1, len(threads)):
            cnnc = (f"{convs[0] / convs[i]:.2f}" if convs[0] and convs[i]
                    else "-")
            row += f" {cnnc} / {dnnls[0] / dnnls[i]:.2f} |"
        print(row, flush=True)
    if floors:
        print()
        print("| depthwise layer, 1T | cnnc conv ms | memory floor ms | "
              "cnnc / floor | % of peak: cnnc | at the floor |")
        print("|" + " --- |" * 6)
        for name, flops, conv, floor in floors:
            pct = lambda ms: 100 * flops / ms / 1e6 / core
            print(f"| {name} | {conv:.3f} | {floor:.3f} | {conv / floor:.2f} "
                  f"| {pct(conv):.0f}% | {pct(floor):.0f}% |", flush=True)
    blocks(args, work, onednn, core, threads)
    return 0


def best_conv_ms(exe, bench, input_elements, output_elements, best):
    """The better of `best` and one more profile of `exe`'s conv loop."""
    ms = conv_ms(profile(exe, bench)[0], input_elements, output_elements)
    if ms is None:
        return best
    return ms if best is None else min(best, ms)


def blocks(args, work, onednn, core, threads):
    """The expansion + depthwise table: fused against apart, both engines."""
    head = "| block | MFLOP |"
    for t in threads:
        head += (f" {t}T: cnnc fused ms | GFLOP/s (% peak) | cnnc apart ms | "
                 f"oneDNN fused ms | oneDNN apart ms | GFLOP/s (% peak) | "
                 f"cnnc fused / oneDNN best |")
    print()
    print(head)
    print("|" + " --- |" * (head.count("|") - 1))
    for name, c, h, m, s in BLOCKS:
        if args.only not in name:
            continue
        o = (h + 2 - 3) // s + 1
        flops = 2.0 * h * h * m * c + 2.0 * o * o * m * 9
        gf = lambda ms: flops / ms / 1e6
        model = os.path.join(work, "block.cnn")
        fused = os.path.join(work, "block")
        parts = [os.path.join(work, "expand"), os.path.join(work, "depthwise")]
        with open(model, "w") as out:
            out.write(f"model expand_dw\ninput x: f32[1, {c}, {h}, {h}]\n"
                      f"e = conv2d(x, filters={m}, kernel=1) |> relu\n"
                      f"output y = conv2d(e, filters={m}, kernel=3, "
                      f"stride={s}, padding=1, groups={m}) |> relu\n")
        run([args.cnnc, model, "-O2", "-o", fused])
        for exe, text in zip(parts, [
                f"input x: f32[1, {c}, {h}, {h}]\noutput y = conv2d(x, "
                f"filters={m}, kernel=1) |> relu\n",
                f"input x: f32[1, {m}, {h}, {h}]\noutput y = conv2d(x, "
                f"filters={m}, kernel=3, stride={s}, padding=1, "
                f"groups={m}) |> relu\n"]):
            with open(model, "w") as out:
                out.write("model part\n" + text)
            run([args.cnnc, model, "-O2", "-o", exe])
        row = f"| {name} | {flops / 1e6:.1f} |"
        for t in threads:
            bench = ["--bench", str(args.runs), "--threads", str(t)]
            env = dict(os.environ, OMP_NUM_THREADS=str(t))
            expand_cmd = [onednn, "1", str(c), str(h), str(h), str(m), "1",
                          "1", "1", "0", "1", str(args.runs)]
            dw_cmd = [onednn, "1", str(m), str(h), str(h), str(m), "3", "3",
                      str(s), "1", str(m), str(args.runs)]
            cnnc = apart = dnnl_fused = dnnl_apart = None
            for _ in range(args.rounds):
                cnnc = best_conv_ms(fused, bench, c * h * h, m * o * o, cnnc)
                expand = best_conv_ms(parts[0], bench, c * h * h, m * h * h,
                                      None)
                dw = best_conv_ms(parts[1], bench, m * h * h, m * o * o, None)
                if expand and dw:
                    apart = min(apart or 1e9, expand + dw)
                out = run(expand_cmd + [f"dw3s{s}"], env=env).strip()
                if out != "-":
                    dnnl_fused = min(dnnl_fused or 1e9, float(out))
                ms = float(run(expand_cmd, env=env)) + float(run(dw_cmd,
                                                                 env=env))
                dnnl_apart = min(dnnl_apart or 1e9, ms)
            peak = core * t
            best = min(dnnl_fused or 1e9, dnnl_apart)
            text = lambda ms: f"{ms:.3f}" if ms else "-"
            row += (f" {text(cnnc)} | {gf(cnnc):.1f} "
                    f"({100 * gf(cnnc) / peak:.0f}%) | {text(apart)} | "
                    f"{text(dnnl_fused)} | {text(dnnl_apart)} | "
                    f"{gf(best):.1f} ({100 * gf(best) / peak:.0f}%) | "
                    f"{cnnc / best:.2f} |")
        print(row, flush=True)


if __name__ == "__main__":
    sys.exit(main())
