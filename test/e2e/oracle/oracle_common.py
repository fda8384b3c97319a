"""Shared driver for the numpy oracles (conv_oracle.py, pool_oracle.py).

Each oracle builds a list of cases; for each case it writes a tiny .cnn
model with the weights as inline f32 literals, computes the expected
output in float64 numpy from the PyTorch definitions, and then checks
three cnnc paths against it:

  cnnc model.cnn -O0 -o m0   and   ./m0 --input x=in.npy --output y=out0.npy
  cnnc model.cnn -O2 -o m2   and   ./m2 --input x=in.npy --output y=out2.npy
  cnnc model.cnn --reference --input x=in.npy --output y=ref.npy

A result passes when its shape equals numpy's and its normalised error
max|a - e| / max|e| is at most TOLERANCE. Every case runs even after a
failure, so one run shows every bad case; the script exits 1 if any failed.
"""
import argparse
import os
import subprocess
import sys

import numpy as np

# max|actual - expected| / max|expected|, expected computed in float64.
TOLERANCE = 1e-5


def fmt_float(v):
    """A float literal that round-trips the f32 value exactly."""
    s = "%.9g" % float(np.float32(v))
    assert np.float32(float(s)) == np.float32(v), s
    return s


def fmt_literal(a):
    """Nested-list literal of an f32 array: [[1.5, -0.25], [...]]."""
    a = np.asarray(a, dtype=np.float32)
    if a.ndim == 0:
        return fmt_float(a)
    if a.ndim == 1:
        return "[" + ", ".join(fmt_float(v) for v in a) + "]"
    return "[" + ", ".join(fmt_literal(sub) for sub in a) + "]"


def fmt_pair(v):
    """An int attribute as `3` or `(3, 2)`."""
    if isinstance(v, (tuple, list)):
        return "(" + ", ".join(str(int(e)) for e in v) + ")"
    return str(int(v))


def pair(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


def padding4(p):
    """padding spec (int | (h, w) | (t, l, b, r)) -> (top, left, bottom, right)."""
    if isinstance(p, (tuple, list)):
        if len(p) == 2:
            return (p[0], p[1], p[0], p[1])
        assert len(p) == 4
        return tuple(p)
    return (p, p, p, p)


def norm_error(actual, expected):
    actual = actual.astype(np.float64)
    if not np.all(np.isfinite(actual)):
        return float("inf")
    denom = max(float(np.max(np.abs(expected))), 1e-30)
    return float(np.max(np.abs(actual - expected))) / denom


def _run(cmd, cwd):
    p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        return "`%s` exited %d:\n%s" % (" ".join(cmd), p.returncode,
                                          p.stdout.strip())
    return None


def check_case(cnnc, case_dir, model_text, x, expected):
    """Compile/run the three cnnc paths; returns (errors dict, problems list)."""
    os.makedirs(case_dir, exist_ok=True)
    with open(os.path.join(case_dir, "model.cnn"), "w") as f:
        f.write(model_text)
    np.save(os.path.join(case_dir, "in.npy"), x.astype(np.float32))
    steps = {
        "0": [[cnnc, "model.cnn", "-O0", "-o", "m0"],
              ["./m0", "--input", "x=in.npy", "--output", "y=out0.npy"]],
        "2": [[cnnc, "model.cnn", "-O2", "-o", "m2"],
              ["./m2", "--input", "x=in.npy", "--output", "y=out2.npy"]],
        "ref": [[cnnc, "model.cnn", "--reference", "--input", "x=in.npy",
                 "--output", "y=ref.npy"]],
    }
    outputs = {"0": "out0.npy", "2": "out2.npy", "ref": "ref.npy"}
    errors, problems = {}, []
    for key, cmds in steps.items():
        errors[key] = None
        failed = False
        for cmd in cmds:
            msg = _run(cmd, case_dir)
            if msg:
                problems.append("err%s: %s" % (key, msg))
                failed = True
                break
        if failed:
            continue
        got = np.load(os.path.join(case_dir, outputs[key]))
        if got.shape != expected.shape:
            problems.append("err%s: shape %s, numpy says %s"
                            % (key, tuple(got.shape), tuple(expected.shape)))
            continue
        if got.dtype != np.float32:
            problems.append("err%s: dtype %s, expected float32" % (key, got.dtype))
        err = norm_error(got, expected)
        errors[key] = err
        if not err <= TOLERANCE:
            idx = np.unravel_index(
                np.argmax(np.abs(np.nan_to_num(got.astype(np.float64), nan=1e30)
                                 - expected)), expected.shape)
            problems.append("err%s=%.3g > %g (worst at %s: got %.9g, numpy %.9g)"
                            % (key, err, TOLERANCE, tuple(int(i) for i in idx),
                               float(got[idx]), float(expected[idx])))
    return errors, problems


def parse_args(doc):
    parser = argparse.ArgumentParser(description=doc)
    parser.add_argument("--cnnc", required=True, help="path of cnnc")
    parser.add_argument("--workdir", required=True, help="scratch directory")
    parser.add_argument("--only", type=int, default=None,
                        help="run just this case index (debugging)")
    args = parser.parse_args()
    args.cnnc = os.path.abspath(args.cnnc)
    os.makedirs(args.workdir, exist_ok=True)
    return args


def run_cases(args, cases):
    """cases: list of (label, model_text, x, expected). Returns exit status."""
    bad = 0
    for i, (label, model_text, x, expected) in enumerate(cases):
        if args.only is not None and i != args.only:
            continue
        case_dir = os.path.join(args.workdir, "case%02d" % i)
        errors, problems = check_case(args.cnnc, case_dir, model_text, x, expected)
        errs = " ".join("err%s=%s" % (k, "-" if v is None else "%.2e" % v)
                        for k, v in errors.items())
        status = "FAIL" if problems else "ok"
        print("%s %02d %s shape=%s %s" % (status, i, label,
                                          "x".join(map(str, expected.shape)), errs))
        if problems:
            bad += 1
            for p in problems:
                print("    " + p.replace("\n", "\n    "))
            print("    model (%s):" % os.path.join(case_dir, "model.cnn"))
            print("      " + model_text.rstrip().replace("\n", "\n      "))
        sys.stdout.flush()
    total = len(cases) if args.only is None else 1
    print("%d of %d cases failed (tolerance %g)" % (bad, total, TOLERANCE))
    return 1 if bad else 0
