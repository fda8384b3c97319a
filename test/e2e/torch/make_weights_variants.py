#!/usr/bin/env python3
"""Write LeNet-5 weight files for weights-errors.test (numpy only, no torch).

  make_weights_variants.py --tools TESTTOOLS --out DIR

DIR/good.safetensors     every tensor of samples/lenet5.cnn, right shapes,
                         plus an I64 'c1.num_batches_tracked' (ignored)
DIR/missing.safetensors  good less 'logits.bias'
DIR/shape.safetensors    good with 'logits.weight' of shape [12, 84]
DIR/extra.safetensors    good plus an unused 'extra.weight' [3]
DIR/f64.safetensors      good with 'c1.bias' stored as F64
"""
import argparse
import os
import sys

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__

import numpy as np

SHAPES = {
    "c1.weight": (6, 1, 5, 5), "c1.bias": (6,),
    "c3.weight": (16, 6, 5, 5), "c3.bias": (16,),
    "f5.weight": (120, 400), "f5.bias": (120,),
    "f6.weight": (84, 120), "f6.bias": (84,),
    "logits.weight": (10, 84), "logits.bias": (10,),
}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--tools", required=True)
    p.add_argument("--out", required=True)
    args = p.parse_args()
    sys.path.insert(0, args.tools)
    import safetensors_io

    os.makedirs(args.out, exist_ok=True)
    rng = np.random.default_rng(0)
    good = {k: rng.uniform(-0.1, 0.1, s).astype(np.float32) for k, s in SHAPES.items()}
    good["c1.num_batches_tracked"] = np.array(7, np.int64)

    def write(name, tensors):
        safetensors_io.save(os.path.join(args.out, name + ".safetensors"), tensors)

    write("good", good)
    missing = dict(good)
    del missing["logits.bias"]
    write("missing", missing)
    write("shape", dict(good, **{"logits.weight": np.zeros((12, 84), np.float32)}))
    write("extra", dict(good, **{"extra.weight": np.zeros((3,), np.float32)}))
    write("f64", dict(good, **{"c1.bias": good["c1.bias"].astype(np.float64)}))

    # The reader round-trips what the writer wrote.
    back = safetensors_io.load(os.path.join(args.out, "good.safetensors"))
    assert list(back) == list(good), list(back)
    for k, v in good.items():
        assert back[k].dtype == v.dtype and back[k].shape == v.shape and np.array_equal(back[k], v), k
    return 0


if __name__ == "__main__":
    sys.exit(main())
