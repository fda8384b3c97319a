"""Shared driver for the PyTorch parity tests (imported by *_parity.py).

Given a torch module, an input tensor and a .cnn sample whose layer names
match the module's state_dict keys, it saves the weights (safetensors), the
input and torch's output (.npy), compiles the sample with cnnc at each asked
optimisation level, runs the executables, runs cnnc --reference, and
compares each result with torch's: max|a - e| / max|e| <= rtol.
"""
import argparse
import os
import shlex
import subprocess
import sys
import time

import numpy as np


def parse_args(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--cnnc", required=True, help="path to the cnnc binary")
    p.add_argument("--samples", required=True, help="samples directory")
    p.add_argument("--tools", required=True, help="test/tools directory (safetensors_io.py)")
    p.add_argument("--workdir", required=True, help="scratch directory (created)")
    p.add_argument("--rtol", type=float, default=1e-4)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--levels", default=None,
                   help="comma-separated -O levels to compile (default per test)")
    p.add_argument("--no-reference", action="store_true", help="skip cnnc --reference")
    p.add_argument("--perturb", default=None, metavar="NAME",
                   help="self-check: after computing torch's output, add 0.5 to the "
                        "first element of weight NAME in the saved file (the test "
                        "must then fail)")
    return p.parse_args()


def run(cmd):
    print("$ " + " ".join(shlex.quote(c) for c in cmd), flush=True)
    start = time.time()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    elapsed = time.time() - start
    if proc.stdout:
        sys.stdout.write(proc.stdout)
    print("  (%.2fs, exit %d)" % (elapsed, proc.returncode), flush=True)
    if proc.returncode != 0:
        raise SystemExit("FAIL: command exited with %d" % proc.returncode)
    return proc


def normalised_error(actual, expected):
    actual = np.asarray(actual, np.float64)
    expected = np.asarray(expected, np.float64)
    if actual.shape != expected.shape:
        return float("inf")
    if not np.all(np.isfinite(actual)):
        return float("inf")
    scale = max(float(np.max(np.abs(expected))), 1e-30)
    return float(np.max(np.abs(actual - expected))) / scale


def check_parity(args, model, example, sample, input_name, output_name, levels):
    """Run the whole comparison; return the process exit code."""
    import torch

    sys.path.insert(0, args.tools)
    import safetensors_io

    os.makedirs(args.workdir, exist_ok=True)
    wpath = os.path.join(args.workdir, "weights.safetensors")
    inpath = os.path.join(args.workdir, "input.npy")
    torchpath = os.path.join(args.workdir, "torch_out.npy")

    model.eval()
    with torch.no_grad():
        expected = model(example).numpy().astype(np.float32)
    state = {k: v.detach().cpu().numpy() for k, v in model.state_dict().items()}
    if args.perturb:
        state[args.perturb] = state[args.perturb].copy()
        state[args.perturb].flat[0] += 0.5
        print("self-check: perturbed %s[0] by +0.5 after computing torch's output" % args.perturb)
    safetensors_io.save(wpath, state, metadata={"format": "pt", "source": "cnnc parity test"})
    np.save(inpath, example.numpy().astype(np.float32))
    np.save(torchpath, expected)
    print("torch output %s, max|e| = %.6g" % (list(expected.shape), float(np.max(np.abs(expected)))))

    sample_path = os.path.join(args.samples, sample)
    if args.levels is not None:
        levels = [int(l) for l in args.levels.split(",") if l != ""]
    results = []
    for level in levels:
        exe = os.path.join(args.workdir, "model_O%d" % level)
        out = os.path.join(args.workdir, "out_O%d.npy" % level)
        for stale in (exe, out):
            if os.path.exists(stale):
                os.remove(stale)
        run([args.cnnc, sample_path, "--weights", wpath, "-O%d" % level, "-o", exe])
        run([exe, "--input", "%s=%s" % (input_name, inpath), "--output", "%s=%s" % (output_name, out)])
        results.append(("-O%d executable" % level, out))
    if not args.no_reference:
        ref = os.path.join(args.workdir, "out_reference.npy")
        if os.path.exists(ref):
            os.remove(ref)
        run([args.cnnc, sample_path, "--weights", wpath, "--reference",
             "--input", "%s=%s" % (input_name, inpath), "--output", "%s=%s" % (output_name, ref)])
        results.append(("--reference", ref))

    failed = False
    for label, path in results:
        actual = np.load(path)
        err = normalised_error(actual, expected)
        ok = err <= args.rtol
        failed |= not ok
        print("%-16s vs torch: normalised max error %.3e (rtol %.0e) %s%s" % (
            label, err, args.rtol, "ok" if ok else "MISMATCH",
            "" if actual.shape == expected.shape else
            " (shape %s, torch %s)" % (list(actual.shape), list(expected.shape))))
    if failed:
        print("FAIL: cnnc disagrees with PyTorch on %s" % sample)
        return 1
    print("PASS: %s matches PyTorch" % sample)
    return 0
