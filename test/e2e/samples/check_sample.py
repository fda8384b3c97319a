#!/usr/bin/env python3
"""Compiles a sample at each optimisation level, runs it on seeded random
inputs and compares every output with `cnnc --reference` (the naive
double-precision evaluator): max|compiled - reference| / max|reference|
must be <= rtol. Each executable runs with every --threads count (default
1, 2 and 3) and the outputs must be bit-identical across them.

  check_sample.py --cnnc CNNC --model M.cnn --workdir DIR
                  --input NAME=D0,D1,.. [--input ...] --output NAME [...]
                  [--opt 0 --opt 2] [--rtol 1e-4] [--threads T ...]
                  [--cnnc-flag F ...] [--model-flag F ...]
                  [--runner "qemu-aarch64 -L DIR"]

--runner runs the executables through a command (an emulator, for
executables compiled for another target with --cnnc-flag=--target-triple=T).
"""
import argparse
import os
import subprocess
import sys
import time

import numpy as np


def run(cmd):
    start = time.time()
    subprocess.run(cmd, check=True)
    return time.time() - start


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cnnc", required=True)
    p.add_argument("--model", required=True)
    p.add_argument("--workdir", required=True)
    p.add_argument("--input", action="append", default=[])
    p.add_argument("--output", action="append", required=True)
    p.add_argument("--opt", action="append", default=[])
    p.add_argument("--rtol", type=float, default=1e-4)
    p.add_argument("--threads", action="append", type=int, default=[])
    p.add_argument("--cnnc-flag", action="append", default=[],
                   help="extra cnnc flag for the compiled levels, e.g. "
                        "--target-cpu=haswell")
    p.add_argument("--model-flag", action="append", default=[],
                   help="cnnc flag for every run, the reference's too, e.g. "
                        "--input-shape=image=1x3x64x64")
    p.add_argument("--runner", default="",
                   help="command the executables run under, e.g. "
                        "'qemu-aarch64 -L /usr/aarch64-linux-gnu'")
    args = p.parse_args()
    runner = args.runner.split()
    os.makedirs(args.workdir, exist_ok=True)
    name = os.path.splitext(os.path.basename(args.model))[0]
    rng = np.random.default_rng(1234)

    flags = []
    for spec in args.input:
        tensor, shape = spec.split("=")
        path = os.path.join(args.workdir, f"{tensor}.npy")
        dims = [int(d) for d in shape.split(",")]
        np.save(path, rng.uniform(-1, 1, size=dims).astype(np.float32))
        flags += ["--input", f"{tensor}={path}"]

    threads = args.threads or [1, 2, 3]

    def outputs(tag):
        out = []
        for tensor in args.output:
            out += ["--output", f"{tensor}={os.path.join(args.workdir, f'{tensor}.{tag}.npy')}"]
        return out

    t = run([args.cnnc, args.model, "--reference"] + args.model_flag + flags +
            outputs("ref"))
    print(f"{name}: reference {t:.2f}s")
    failed = False
    for level in args.opt or ["0", "2"]:
        exe = os.path.join(args.workdir, f"{name}.O{level}")
        tc = run([args.cnnc, args.model, f"-O{level}", "-o", exe] + args.model_flag +
                 args.cnnc_flag)
        tr = run(runner + [exe, f"--threads={threads[0]}"] + flags + outputs(f"O{level}"))
        for count in threads[1:]:
            run(runner + [exe, f"--threads={count}"] + flags + outputs(f"O{level}.t{count}"))
            for tensor in args.output:
                first, other = (np.load(os.path.join(args.workdir, f"{tensor}.O{level}{t}.npy"))
                                for t in ("", f".t{count}"))
                if not np.array_equal(first, other):
                    print(f"FAIL -O{level} {tensor}: {count} threads differ from {threads[0]}")
                    failed = True
        for tensor in args.output:
            got = np.load(os.path.join(args.workdir, f"{tensor}.O{level}.npy"))
            ref = np.load(os.path.join(args.workdir, f"{tensor}.ref.npy"))
            if got.shape != ref.shape or not np.all(np.isfinite(got)):
                print(f"FAIL -O{level} {tensor}: shape {got.shape} vs {ref.shape} or non-finite")
                failed = True
                continue
            err = float(np.max(np.abs(got.astype(np.float64) - ref))) / max(float(np.max(np.abs(ref))), 1e-30)
            ok = err <= args.rtol
            failed |= not ok
            print(f"{'ok' if ok else 'FAIL'} -O{level} {tensor}: normalised max error {err:.2e} "
                  f"(rtol {args.rtol:g}); compile {tc:.2f}s, run {tr:.2f}s, "
                  f"executable {os.path.getsize(exe)} bytes; same on threads "
                  f"{', '.join(map(str, threads))}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
