#!/usr/bin/env python3
"""Small numpy helpers for the lit tests.

  npytool.py random OUT.npy D0,D1,... [--seed S] [--scale X]
      Uniform [-scale, scale) f32 tensor of that shape.
  npytool.py compare ACTUAL.npy EXPECTED.npy [--rtol R]
      Fails unless max|a - e| <= rtol * max(max|e|, 1e-30): the error
      normalised by the largest expected magnitude, so layers whose
      activations grow large or small are judged alike. Prints the error.
  npytool.py equal ACTUAL.npy EXPECTED.npy
      Fails unless the arrays are bitwise identical (shape and values).
"""
import argparse
import sys

import numpy as np


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("random")
    r.add_argument("out")
    r.add_argument("shape")
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--scale", type=float, default=1.0)
    c = sub.add_parser("compare")
    c.add_argument("actual")
    c.add_argument("expected")
    c.add_argument("--rtol", type=float, default=1e-4)
    e = sub.add_parser("equal")
    e.add_argument("actual")
    e.add_argument("expected")
    args = parser.parse_args()

    if args.cmd == "random":
        shape = [int(d) for d in args.shape.split(",")]
        rng = np.random.default_rng(args.seed)
        x = rng.uniform(-args.scale, args.scale, size=shape).astype(np.float32)
        np.save(args.out, x)
        return 0

    a = np.load(args.actual)
    b = np.load(args.expected)
    if a.shape != b.shape:
        print(f"shape mismatch: {a.shape} vs {b.shape}")
        return 1
    if args.cmd == "equal":
        same = np.array_equal(a.view(np.uint32), b.view(np.uint32))
        print("identical" if same else "DIFFERENT")
        return 0 if same else 1
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        print("non-finite values")
        return 1
    scale = max(float(np.max(np.abs(b))), 1e-30)
    err = float(np.max(np.abs(a.astype(np.float64) - b))) / scale
    ok = err <= args.rtol
    print(f"{'ok' if ok else 'MISMATCH'}: normalised max error {err:.3e} (rtol {args.rtol:g})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
