#!/usr/bin/env python3
"""Differential testing of the ONNX importer: random valid ONNX models.

  random_onnx_models.py --cnnc PATH --workdir DIR [--ort-dir DIR] [--seed S]
                        [--count N] [--jobs J] [--keep] [--show SEED]

Like random_models.py (model i from the seed S * 1000003 + i alone; a
failure prints the model seed and the graph; --show SEED prints it), but the
models are ONNX graphs (opset 13 or 17) of the ops real exports use and the
.cnn language has no words for: Conv with auto_pad, ConvTranspose (strides,
pads, output_padding, groups), BatchNormalization, PRelu, Clip, elementwise
ops with broadcast constants, Resize in each mode, Pad, LayerNormalization
between Transposes (ConvNeXt's pattern), InstanceNormalization, LRN,
DepthToSpace/SpaceToDepth, Split, ReduceMean, Softmax, Flatten + Gemm and
MatMul heads.

Each model is run by ONNX Runtime where --ort-dir is given (the independent
oracle), and by `cnnc --reference`; it is compiled at -O2 and, rotating
with the model number, at -O0, --no-fuse or --no-winograd; each executable
runs on 1 and 3 threads (outputs identical) and every output must match
ONNX Runtime and the reference within max|out - ref| <= 1e-4 * max(1,
max|ref|). The exit status is the number of failed models (at most 100).
"""
import os
import random
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper

import random_models

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import ort_oracle  # noqa: E402


class Graph:
    """A random graph under construction: nodes, initializers and the 4-D
    tensors (name, [N, C, H, W]) made so far."""

    def __init__(self, rng, opset):
        self.rng, self.opset = rng, opset
        self.nodes, self.inits, self.tensors = [], [], []
        self.used = set()
        self.count = 0

    def name(self, prefix):
        self.count += 1
        return f"{prefix}{self.count}"

    def const(self, value, prefix="c"):
        name = self.name(prefix)
        self.inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def weights(self, *shape, scale=0.5):
        return self.const(np.array([self.rng.uniform(-scale, scale)
                                    for _ in range(int(np.prod(shape)))],
                                   np.float32).reshape(shape), "w")

    def pick(self):
        """A recent 4-D tensor."""
        recent = self.tensors[-3:]
        return self.rng.choice(recent)

    def add(self, op, inputs, shape, **attrs):
        out = self.name(op.lower() + "_")
        self.nodes.append(helper.make_node(op, inputs, [out], name=out, **attrs))
        self.used.update(inputs)
        if shape is not None:
            self.tensors.append((out, list(shape)))
        return out


def conv(g):
    x, (n, c, h, w) = g.pick()
    r = g.rng
    k = (r.randint(1, 5), r.randint(1, 5))
    s = (r.randint(1, 2), r.randint(1, 2))
    d = (r.choice([1, 1, 2]), r.choice([1, 1, 2]))
    groups = [gr for gr in (1, 2, 3, 4, c) if c % gr == 0]
    group = r.choice(groups)
    f = group * r.randint(1, max(1, 16 // group))
    attrs = dict(kernel_shape=list(k), strides=list(s), dilations=list(d), group=group)
    if r.random() < 0.3:
        # ONNX Runtime takes SAME padding only undilated.
        attrs["auto_pad"] = r.choice(["SAME_UPPER", "SAME_LOWER", "VALID"])
        if attrs["auto_pad"] != "VALID":
            d = (1, 1)
            attrs["dilations"] = [1, 1]
        pads = None
    else:
        pads = [r.randint(0, k[0] - 1), r.randint(0, k[1] - 1),
                r.randint(0, k[0] - 1), r.randint(0, k[1] - 1)]
        attrs["pads"] = pads
    out = []
    for i, size in enumerate((h, w)):
        span = d[i] * (k[i] - 1) + 1
        if pads is None and attrs["auto_pad"] != "VALID":
            out.append(-(-size // s[i]))
        else:
            lo, hi = (pads[i], pads[i + 2]) if pads else (0, 0)
            out.append((size + lo + hi - span) // s[i] + 1)
    if min(out) < 1:
        return
    inputs = [x, g.weights(f, c // group, *k)]
    if r.random() < 0.6:
        inputs.append(g.weights(f))
    g.add("Conv", inputs, (n, f, *out), **attrs)


def conv_transpose(g):
    x, (n, c, h, w) = g.pick()
    r = g.rng
    k = r.randint(1, 4)
    s = r.randint(1, 3)
    group = r.choice([1, 1, c]) if c > 1 else 1
    f = group * r.randint(1, max(1, 8 // group))
    pads = [r.randint(0, k - 1) for _ in range(4)]
    outpad = [r.randint(0, s - 1), r.randint(0, s - 1)]
    out = [(size - 1) * s - pads[i] - pads[i + 2] + k + outpad[i]
           for i, size in enumerate((h, w))]
    if min(out) < 1 or max(out) > 64:
        return
    inputs = [x, g.weights(c, f // group, k, k)]
    if r.random() < 0.5:
        inputs.append(g.weights(f))
    g.add("ConvTranspose", inputs, (n, f, *out), strides=[s, s], pads=pads,
          output_padding=outpad, group=group)


def batchnorm(g):
    x, shape = g.pick()
    c = shape[1]
    r = g.rng
    scale = g.const(np.array([r.uniform(0.5, 1.5) for _ in range(c)], np.float32))
    bias = g.const(np.array([r.uniform(-0.5, 0.5) for _ in range(c)], np.float32))
    mean = g.const(np.array([r.uniform(-0.2, 0.2) for _ in range(c)], np.float32))
    var = g.const(np.array([r.uniform(0.5, 1.5) for _ in range(c)], np.float32))
    g.add("BatchNormalization", [x, scale, bias, mean, var], shape, epsilon=1e-5)


def activation(g):
    x, shape = g.pick()
    r = g.rng
    op = r.choice(["Relu", "LeakyRelu", "Sigmoid", "Tanh", "Elu", "Selu", "HardSigmoid",
                   "HardSwish", "Softplus", "Softsign", "Clip", "PRelu", "Abs", "Neg"])
    if op == "HardSwish" and g.opset < 14:
        op = "HardSigmoid"
    if op == "Clip":
        lo, hi = sorted([r.uniform(-1, 1), r.uniform(-1, 1)])
        g.add(op, [x, g.const(np.float32(lo)), g.const(np.float32(hi))], shape)
    elif op == "PRelu":
        g.add(op, [x, g.weights(shape[1], 1, 1)], shape)
    elif op == "LeakyRelu":
        g.add(op, [x], shape, alpha=r.uniform(0.01, 0.3))
    else:
        g.add(op, [x], shape)


def binary_constant(g):
    x, shape = g.pick()
    r = g.rng
    op = r.choice(["Add", "Sub", "Mul", "Div"])
    form = r.choice([[shape[1], 1, 1], [1], [1, shape[1], 1, 1], shape[1:]])
    value = np.array([r.uniform(0.5, 1.5) * r.choice([-1, 1])
                      for _ in range(int(np.prod(form)))], np.float32).reshape(form)
    g.add(op, [x, g.const(value)] if r.random() < 0.7 else [g.const(value), x], shape)


def binary(g):
    same = {}
    for name, shape in g.tensors:
        same.setdefault(tuple(shape), []).append(name)
    pairs = [names for names in same.values() if len(names) > 1]
    if not pairs:
        return
    names = g.rng.choice(pairs)
    a, b = g.rng.sample(names, 2)
    shape = next(s for n, s in g.tensors if n == a)
    g.add(g.rng.choice(["Add", "Mul", "Sub", "Max", "Min"]), [a, b], shape)


def concat(g):
    x, (n, c, h, w) = g.pick()
    others = [t for t, s in g.tensors if s[0] == n and s[2:] == [h, w] and t != x]
    if not others:
        return
    y = g.rng.choice(others)
    cy = next(s for t, s in g.tensors if t == y)[1]
    g.add("Concat", [x, y], (n, c + cy, h, w), axis=1)


def pool(g):
    x, (n, c, h, w) = g.pick()
    r = g.rng
    if r.random() < 0.2:
        g.add(r.choice(["GlobalAveragePool", "GlobalMaxPool"]), [x], (n, c, 1, 1))
        return
    op = r.choice(["MaxPool", "AveragePool"])
    k = r.randint(1, 3)
    s = r.randint(1, 2)
    p = r.randint(0, k // 2)  # cnnc's limit, PyTorch's too
    ceil = r.random() < 0.3
    out = [random_models.pool_out(size, k, s, p, ceil) for size in (h, w)]
    # Where a last window would start in the padding, opsets before 19 and
    # ONNX Runtime keep it, PyTorch and cnnc (and opset 19's text) do not.
    if ceil and out != [-(-(size + 2 * p - k) // s) + 1 for size in (h, w)]:
        ceil = False
        out = [random_models.pool_out(size, k, s, p, ceil) for size in (h, w)]
    if min(out) < 1:
        return
    attrs = dict(kernel_shape=[k, k], strides=[s, s], pads=[p] * 4, ceil_mode=int(ceil))
    if op == "AveragePool":
        attrs["count_include_pad"] = r.randint(0, 1)
    g.add(op, [x], (n, c, *out), **attrs)


def resize(g):
    x, (n, c, h, w) = g.pick()
    r = g.rng
    mode = r.choice(["nearest", "linear", "cubic"])
    transform = r.choice(["half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric"])
    out = [r.randint(max(1, size // 2), min(2 * size + 1, 48)) for size in (h, w)]
    if mode == "nearest":
        # Integer factors from the corner: a source coordinate that is
        # exactly a rounding boundary in real arithmetic falls either side
        # of it in f32 or f64, and the engines differ there.
        transform = "asymmetric"
        out = [size * r.randint(1, 3) for size in (h, w)]
    elif min(h, w) < 2:
        return
    sizes = g.const(np.array([n, c, *out], np.int64))
    attrs = dict(mode=mode, coordinate_transformation_mode=transform)
    if mode == "nearest":
        attrs["nearest_mode"] = r.choice(["round_prefer_floor", "floor"])
    g.add("Resize", [x, "", "", sizes], (n, c, *out), **attrs)


def pad(g):
    x, (n, c, h, w) = g.pick()
    r = g.rng
    mode = r.choice(["constant", "reflect", "edge"])
    limit = (lambda size: size - 1) if mode == "reflect" else (lambda size: 3)
    p = [r.randint(0, max(0, min(3, limit(size)))) for size in (h, w, h, w)]
    pads = g.const(np.array([0, 0, p[0], p[1], 0, 0, p[2], p[3]], np.int64))
    inputs = [x, pads]
    if mode == "constant":
        inputs.append(g.const(np.float32(r.uniform(-1, 1))))
    g.add("Pad", inputs, (n, c, h + p[0] + p[2], w + p[1] + p[3]), mode=mode)


def layernorm(g):
    """ConvNeXt's: to NHWC, normalise the channels, back to NCHW."""
    if g.opset < 17:
        return
    x, (n, c, h, w) = g.pick()
    t = g.add("Transpose", [x], None, perm=[0, 2, 3, 1])
    ln = g.add("LayerNormalization", [t, g.weights(c), g.weights(c)], None, axis=-1,
               epsilon=1e-5)
    g.add("Transpose", [ln], (n, c, h, w), perm=[0, 3, 1, 2])


def normalization(g):
    x, shape = g.pick()
    r = g.rng
    if r.random() < 0.5:
        c = shape[1]
        g.add("InstanceNormalization", [x, g.weights(c), g.weights(c)], shape, epsilon=1e-5)
    else:
        g.add("LRN", [x], shape, size=r.choice([1, 3, 5]), alpha=1e-2, beta=0.75, bias=1.0)


def rearrange(g):
    x, (n, c, h, w) = g.pick()
    r = g.rng
    if r.random() < 0.5 and h % 2 == 0 and w % 2 == 0:
        g.add("SpaceToDepth", [x], (n, 4 * c, h // 2, w // 2), blocksize=2)
    elif c % 4 == 0:
        g.add("DepthToSpace", [x], (n, c // 4, 2 * h, 2 * w), blocksize=2,
              mode=r.choice(["DCR", "CRD"]))


def split(g):
    x, (n, c, h, w) = g.pick()
    if c < 2:
        return
    first = g.rng.randint(1, c - 1)
    a, b = g.name("split_"), g.name("split_")
    g.nodes.append(helper.make_node("Split", [x, g.const(np.array([first, c - first], np.int64))],
                                    [a, b], name=a, axis=1))
    g.used.add(x)
    g.tensors += [(a, [n, first, h, w]), (b, [n, c - first, h, w])]


def reduce(g):
    x, (n, c, h, w) = g.pick()
    if g.rng.random() < 0.5:
        g.add("ReduceMean", [x], (n, c, 1, 1), axes=[2, 3], keepdims=1)
    else:
        g.add("Softmax", [x], (n, c, h, w), axis=1)


OPS = [(conv, 6), (conv_transpose, 2), (batchnorm, 2), (activation, 4), (binary_constant, 2),
       (binary, 2), (concat, 1), (pool, 2), (resize, 2), (pad, 1), (layernorm, 1),
       (normalization, 1), (rearrange, 1), (split, 1), (reduce, 1)]


def head(g):
    """Flatten + Gemm, or MatMul by a constant (and an Add) on the last
    tensor; returns the output's name."""
    x, (n, c, h, w) = g.tensors[-1]
    k = c * h * w
    if k > 4096:
        return None
    flat = g.add("Flatten", [x], None, axis=1)
    units = g.rng.randint(1, 12)
    if g.rng.random() < 0.5:
        return g.add("Gemm", [flat, g.weights(units, k, scale=0.2), g.weights(units)], None,
                     transB=1)
    product = g.add("MatMul", [flat, g.weights(k, units, scale=0.2)], None)
    return g.add("Add", [product, g.weights(units)], None)


def generate(seed):
    """(model bytes, input shape, output names, printable graph) of `seed`."""
    rng = random.Random(seed)
    g = Graph(rng, opset=rng.choice([13, 17]))
    shape = [rng.choice([1, 1, 2]), rng.randint(1, 8), rng.randint(3, 16), rng.randint(3, 16)]
    g.tensors.append(("image", shape))
    while len(g.nodes) < 2 or rng.random() < 0.8 and len(g.nodes) < 10:
        op = rng.choices([o for o, _ in OPS], [w for _, w in OPS])[0]
        op(g)
    extra = [head(g)] if rng.random() < 0.3 else []
    outputs = [t for t, _ in g.tensors[1:] if t not in g.used] + [e for e in extra if e]
    graph = helper.make_graph(
        g.nodes, f"random_{seed}",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info(o, TensorProto.FLOAT, None) for o in outputs],
        g.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", g.opset)])
    model.ir_version = 8
    return model.SerializeToString(), shape, outputs, helper.printable_graph(graph)


def check(args, index, seed):
    data, shape, outputs, text = generate(seed)

    def oracles(path, image, work):
        if not args.ort_dir:
            return []
        return [("ONNX Runtime", ort_oracle.run(args.ort_dir, path, {"image": image}, work))]

    return random_models.check_model(args, index, seed, "model.onnx", data, shape, outputs,
                                     text, oracles)


def main():
    args = random_models.arguments(__doc__.split("\n")[0], [("--ort-dir", {})])
    if args.show is not None:
        print(generate(args.show)[3])
        return 0
    oracles = "ONNX Runtime and the reference" if args.ort_dir else "the reference"
    return random_models.check_all(args, check, f"random ONNX models match {oracles}")


if __name__ == "__main__":
    sys.exit(main())
