#!/usr/bin/env python3
"""Tiny ONNX graphs built with onnx.helper, each with a numpy oracle.

  onnx_cases.py CASE --cnnc PATH --workdir DIR [--levels 0,2] [--perturb]

Writes DIR/CASE.onnx and its inputs, then runs `cnnc --reference` and the
-O0/-O2 executables and compares every output with numpy (max|a - e| /
max|e| <= 1e-4). --perturb changes the oracle's first output so the test
can check that a mismatch is caught.
"""
import argparse
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

RNG = np.random.default_rng(7)


def rand(*shape, scale=1.0):
    return RNG.uniform(-scale, scale, size=shape).astype(np.float32)


# --- numpy oracles (float64) -------------------------------------------------


def conv(x, w, b=None, strides=(1, 1), pads=(0, 0, 0, 0), dil=(1, 1), group=1):
    x = x.astype(np.float64)
    n, c, h, wd = x.shape
    m, cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
    ho = (xp.shape[2] - dil[0] * (kh - 1) - 1) // strides[0] + 1
    wo = (xp.shape[3] - dil[1] * (kw - 1) - 1) // strides[1] + 1
    out = np.zeros((n, m, ho, wo))
    mg = m // group
    for g in range(group):
        xs = xp[:, g * cg:(g + 1) * cg]
        ws = w[g * mg:(g + 1) * mg].astype(np.float64)
        for i in range(kh):
            for j in range(kw):
                patch = xs[:, :, i * dil[0]:i * dil[0] + strides[0] * (ho - 1) + 1:strides[0],
                           j * dil[1]:j * dil[1] + strides[1] * (wo - 1) + 1:strides[1]]
                out[:, g * mg:(g + 1) * mg] += np.einsum("nchw,mc->nmhw", patch, ws[:, :, i, j])
    if b is not None:
        out += b.reshape(1, -1, 1, 1)
    return out


def same_pads(size, k, s, d=(1, 1), upper=True):
    pads = [0] * 4
    for i in range(2):
        out = -(-size[i] // s[i])
        total = max((out - 1) * s[i] + (k[i] - 1) * d[i] + 1 - size[i], 0)
        small = total // 2
        pads[i] = small if upper else total - small
        pads[i + 2] = total - pads[i]
    return pads


def pool(x, kernel, strides, pads, ceil, mode, count_include_pad=False):
    """PyTorch's rules: ceil_mode windows start inside input or left pad; the
    average divisor counts padding (clipped to the padded input) or not."""
    n, c, h, w = x.shape
    size = []
    for i, dim in enumerate((h, w)):
        span = dim + pads[i] + pads[i + 2] - kernel[i]
        o = (-(-span // strides[i]) if ceil else span // strides[i]) + 1
        if ceil and (o - 1) * strides[i] >= dim + pads[i]:
            o -= 1
        size.append(o)
    out = np.zeros((n, c, size[0], size[1]))
    for oh in range(size[0]):
        for ow in range(size[1]):
            hs, ws = oh * strides[0] - pads[0], ow * strides[1] - pads[1]
            he, we = min(hs + kernel[0], h + pads[2]), min(ws + kernel[1], w + pads[3])
            padded = (he - hs) * (we - ws)
            hs, ws, he, we = max(hs, 0), max(ws, 0), min(he, h), min(we, w)
            win = x[:, :, hs:he, ws:we].astype(np.float64)
            if mode == "max":
                out[:, :, oh, ow] = win.max(axis=(2, 3))
            else:
                div = padded if count_include_pad else (he - hs) * (we - ws)
                out[:, :, oh, ow] = win.sum(axis=(2, 3)) / div
    return out


def softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def sigmoid(x):
    return 1 / (1 + np.exp(-x.astype(np.float64)))


# --- cases: (nodes, inputs {name: array}, initializers {name: array},
#             expected outputs {name: array}, opset) ---------------------------


def case_conv():
    x = rand(1, 4, 9, 10)
    w1, b1 = rand(6, 4, 3, 2), rand(6)
    w2 = rand(4, 2, 3, 3)
    w3, b3 = rand(4, 1, 3, 3), rand(4)
    w4 = rand(2, 4, 1, 1)
    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["asym"], name="asym_conv",
                         pads=[1, 0, 2, 1], strides=[2, 1], dilations=[1, 2]),
        helper.make_node("Conv", ["x", "w2"], ["grouped"], name="grouped_conv",
                         group=2, auto_pad="SAME_UPPER", strides=[2, 2], kernel_shape=[3, 3]),
        helper.make_node("Conv", ["x", "w3", "b3"], ["depthwise"], name="dw_conv",
                         group=4, auto_pad="SAME_LOWER", strides=[2, 2]),
        helper.make_node("Conv", ["x", "w4"], ["valid"], name="valid_conv",
                         auto_pad="VALID", strides=[3, 3]),
    ]
    expected = {
        "asym": conv(x, w1, b1, (2, 1), (1, 0, 2, 1), (1, 2)),
        "grouped": conv(x, w2, None, (2, 2), same_pads((9, 10), (3, 3), (2, 2)), group=2),
        "depthwise": conv(x, w3, b3, (2, 2),
                          same_pads((9, 10), (3, 3), (2, 2), upper=False), group=4),
        "valid": conv(x, w4, None, (3, 3)),
    }
    inits = dict(w1=w1, b1=b1, w2=w2, w3=w3, b3=b3, w4=w4)
    return nodes, {"x": x}, inits, expected, 13


def case_dense():
    x = rand(2, 3, 2, 2)
    wt, bt = rand(5, 12), rand(5)        # Gemm transB=1 (torch Linear)
    wn, bn = rand(5, 4), rand(1, 4)      # Gemm transB=0, [1, N] bias
    wm, bm = rand(4, 3), rand(3)         # MatMul + Add
    nodes = [
        helper.make_node("Flatten", ["x"], ["f"], axis=1),
        helper.make_node("Gemm", ["f", "wt", "bt"], ["g1"], name="fc1", transB=1,
                         alpha=1.0, beta=1.0),
        helper.make_node("Gemm", ["g1", "wn", "bn"], ["g2"], name="fc2"),
        helper.make_node("MatMul", ["g2", "wm"], ["mm"], name="mm"),
        helper.make_node("Add", ["mm", "bm"], ["y"], name="mm_bias"),
    ]
    f = x.reshape(2, -1).astype(np.float64)
    g1 = f @ wt.T + bt
    g2 = g1 @ wn + bn
    return nodes, {"x": x}, dict(wt=wt, bt=bt, wn=wn, bn=bn, wm=wm, bm=bm), \
        {"y": g2 @ wm + bm}, 13


def case_activations():
    x = rand(1, 3, 4, 5, scale=8)
    gamma, beta, mean = rand(3), rand(3), rand(3)
    var = RNG.uniform(0.5, 2, size=3).astype(np.float32)
    nodes = [
        helper.make_node("BatchNormalization", ["x", "gamma", "beta", "mean", "var"],
                         ["bn"], name="bn", epsilon=1e-3),
        helper.make_node("Relu", ["bn"], ["relu"]),
        helper.make_node("LeakyRelu", ["x"], ["leaky"], alpha=0.2),
        helper.make_node("Sigmoid", ["x"], ["sig"]),
        helper.make_node("Tanh", ["x"], ["tanh"]),
        helper.make_node("Constant", [], ["six"], value=numpy_helper.from_array(
            np.array(6, np.float32))),
        helper.make_node("Clip", ["x", "zero", "six"], ["relu6"], name="clip6"),
        helper.make_node("Clip", ["x", "zero"], ["clip0"], name="clip0"),
        helper.make_node("Identity", ["x"], ["ident"]),
        helper.make_node("Dropout", ["ident"], ["drop"], name="drop"),
    ]
    xd = x.astype(np.float64)
    s = (gamma / np.sqrt(var.astype(np.float64) + 1e-3)).reshape(1, 3, 1, 1)
    bn = (xd - mean.reshape(1, 3, 1, 1)) * s + beta.reshape(1, 3, 1, 1)
    expected = {
        "relu": np.maximum(bn, 0),
        "leaky": np.where(xd > 0, xd, 0.2 * xd),
        "sig": sigmoid(x),
        "tanh": np.tanh(xd),
        "relu6": np.clip(xd, 0, 6),
        "clip0": np.maximum(xd, 0),
        "drop": xd,
    }
    inits = dict(gamma=gamma, beta=beta, mean=mean, var=var, zero=np.array(0, np.float32))
    return nodes, {"x": x}, inits, expected, 13


def case_clip_opset10():
    x = rand(1, 2, 3, 3, scale=8)
    nodes = [helper.make_node("Clip", ["x"], ["y"], name="clip", min=0.0, max=6.0)]
    return nodes, {"x": x}, {}, {"y": np.clip(x.astype(np.float64), 0, 6)}, 10


def case_pool():
    x = rand(1, 3, 9, 11)
    nodes = [
        helper.make_node("MaxPool", ["x"], ["maxp"], name="maxp", kernel_shape=[3, 3],
                         strides=[2, 2], pads=[1, 1, 1, 1], ceil_mode=1),
        helper.make_node("MaxPool", ["x"], ["maxsame"], name="maxsame", kernel_shape=[2, 3],
                         strides=[2, 2], auto_pad="SAME_UPPER"),
        helper.make_node("AveragePool", ["x"], ["avgin"], name="avgin", kernel_shape=[3, 3],
                         strides=[2, 2], pads=[1, 1, 1, 1], count_include_pad=1),
        helper.make_node("AveragePool", ["x"], ["avgex"], name="avgex", kernel_shape=[3, 2],
                         strides=[2, 3], pads=[1, 1, 1, 0], ceil_mode=1),
        helper.make_node("AveragePool", ["x"], ["avgplain"], name="avgplain",
                         kernel_shape=[2, 2]),
        helper.make_node("GlobalAveragePool", ["x"], ["gap"], name="gap"),
    ]
    expected = {
        "maxp": pool(x, (3, 3), (2, 2), (1, 1, 1, 1), True, "max"),
        "maxsame": pool(x, (2, 3), (2, 2), same_pads((9, 11), (2, 3), (2, 2)), False, "max"),
        "avgin": pool(x, (3, 3), (2, 2), (1, 1, 1, 1), False, "avg", True),
        "avgex": pool(x, (3, 2), (2, 3), (1, 1, 1, 0), True, "avg", False),
        "avgplain": pool(x, (2, 2), (1, 1), (0, 0, 0, 0), False, "avg"),
        "gap": x.astype(np.float64).mean(axis=(2, 3), keepdims=True),
    }
    return nodes, {"x": x}, {}, expected, 13


def case_elementwise():
    a, b = rand(2, 3, 4, 4), rand(2, 1, 4, 1)
    chan = rand(3, 1, 1)  # lower rank: broadcast as [1, 3, 1, 1]
    nodes = [
        helper.make_node("Add", ["a", "b"], ["sum"], name="add"),
        helper.make_node("Mul", ["sum", "chan"], ["scaled"], name="mul_chan"),
        helper.make_node("Constant", [], ["half"], value=numpy_helper.from_array(
            np.array(0.5, np.float32))),
        helper.make_node("Mul", ["half", "a"], ["halved"], name="mul_scalar"),
        helper.make_node("Concat", ["scaled", "halved", "a"], ["cat"], name="cat", axis=1),
        helper.make_node("Concat", ["a", "a"], ["cat3"], name="cat3", axis=-1),
        helper.make_node("Softmax", ["cat"], ["smax"], name="smax", axis=1),
        helper.make_node("GlobalAveragePool", ["cat"], ["gap"]),
        helper.make_node("Constant", [], ["shape"], value=numpy_helper.from_array(
            np.array([2, -1], np.int64))),
        helper.make_node("Reshape", ["gap", "shape"], ["flat"], name="flat"),
        helper.make_node("Softmax", ["flat"], ["probs"], name="probs"),
    ]
    ad, bd = a.astype(np.float64), b.astype(np.float64)
    scaled = (ad + bd) * chan.reshape(1, 3, 1, 1)
    cat = np.concatenate([scaled, 0.5 * ad, ad], axis=1)
    expected = {
        "cat3": np.concatenate([ad, ad], axis=-1),
        "smax": softmax(cat, 1),
        "probs": softmax(cat.mean(axis=(2, 3)), -1),
    }
    return nodes, {"a": a, "b": b}, dict(chan=chan), expected, 13


def case_names():
    """PyTorch's default names: a dotted input, a numeric output."""
    x = rand(1, 2, 3, 3)
    nodes = [helper.make_node("Relu", ["input.1"], ["123"])]
    return nodes, {"input.1": x}, {}, {"123": np.maximum(x, 0)}, 13


CASES = {name[5:]: fn for name, fn in globals().items() if name.startswith("case_")}


def build(case, workdir):
    nodes, inputs, inits, expected, opset = CASES[case]()
    graph = helper.make_graph(
        nodes, case,
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, v.shape) for n, v in inputs.items()],
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, v.shape) for n, v in expected.items()],
        [numpy_helper.from_array(v, n) for n, v in inits.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    onnx.checker.check_model(model)
    path = os.path.join(workdir, case + ".onnx")
    onnx.save(model, path)
    for n, v in inputs.items():
        np.save(os.path.join(workdir, f"in_{n}.npy"), v)
    return path, inputs, expected


def cnnc_name(name):
    """The importer's tensor names: C-like, dots kept, a letter first."""
    name = "".join(c if c.isalnum() or c == "." else "_" for c in name)
    return name if name[:1].isalpha() else "t" + name


def compare(label, name, actual, exp):
    scale = max(float(np.max(np.abs(exp))), 1e-30)
    if actual.shape != exp.shape:
        print(f"{label} {name}: shape {actual.shape} vs {exp.shape} MISMATCH")
        return False
    err = float(np.max(np.abs(actual.astype(np.float64) - exp))) / scale
    ok = err <= 1e-4
    print(f"{label} {name}: normalised max error {err:.2e} {'ok' if ok else 'MISMATCH'}")
    return ok


def main():
    p = argparse.ArgumentParser()
    p.add_argument("case", choices=sorted(CASES))
    p.add_argument("--cnnc", required=True)
    p.add_argument("--workdir", required=True)
    p.add_argument("--levels", default="0,2")
    p.add_argument("--perturb", action="store_true")
    args = p.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    path, inputs, expected = build(args.case, args.workdir)
    if args.perturb:
        first = next(iter(expected))
        expected[first] = expected[first].copy()
        expected[first].flat[0] += 0.01 * np.max(np.abs(expected[first]))
    ins = [f"{cnnc_name(n)}={os.path.join(args.workdir, f'in_{n}.npy')}" for n in inputs]
    runs = [("--reference", None)] + [
        (f"-O{lvl}", lvl) for lvl in args.levels.split(",") if lvl]
    ok = True
    for label, level in runs:
        outs = {n: os.path.join(args.workdir, f"{label.strip('-')}_{n}.npy") for n in expected}
        out_args = []
        for n, f in outs.items():
            out_args += ["--output", f"{cnnc_name(n)}={f}"]
        in_args = [a for i in ins for a in ("--input", i)]
        if level is None:
            subprocess.run([args.cnnc, path, "--reference"] + in_args + out_args, check=True)
        else:
            exe = os.path.join(args.workdir, f"{args.case}_O{level}")
            subprocess.run([args.cnnc, path, f"-O{level}", "-o", exe], check=True)
            subprocess.run([exe] + in_args + out_args, check=True)
        for n, exp in expected.items():
            ok &= compare(label, n, np.load(outs[n]), exp)
    print(f"{'PASS' if ok else 'FAIL'}: {args.case}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
