#!/usr/bin/env python3
"""Tiny ONNX graphs built with onnx.helper, each with a numpy oracle.

  onnx_cases.py CASE --cnnc PATH --workdir DIR [--opset N] [--levels 0,2]
                [--ort-dir DIR] [--print-back] [--perturb]

Writes DIR/CASE.onnx (at the case's default opset, or N: cases whose ops
changed signature between opsets build the form of that opset) and its
inputs, then runs `cnnc --reference` and the -O0/-O2 executables and
compares every output with numpy (max|a - e| / max|e| <= 1e-4). With
--ort-dir (a directory with node_modules/onnxruntime-node) ONNX Runtime runs
the model too: its outputs are checked against numpy and every cnnc output
against them, with the same bound. Models above opset 17 are not passed to
ONNX 1.12's checker, which does not know them (ONNX Runtime checks them).
--print-back prints the model as .cnn (--emit=cnn-text), compiles that at
the last level too and requires the same outputs, bit for bit, as the
executable compiled from the .onnx file. --perturb changes the oracle's first output so the test can check that a
mismatch is caught.
"""
import argparse
import math
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import ort_oracle  # noqa: E402

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


def resize_nearest(x, out_shape, transform, rounding):
    """ONNX Resize, mode nearest, written from the operator's formulas."""
    index = []
    for n_in, n_out in zip(x.shape, out_shape):
        s = n_out / n_in
        y = np.arange(n_out, dtype=np.float64)
        if transform == "asymmetric":
            xo = y / s
        elif transform == "half_pixel":
            xo = (y + 0.5) / s - 0.5
        elif transform == "pytorch_half_pixel":
            xo = (y + 0.5) / s - 0.5 if n_out > 1 else 0 * y
        elif transform == "tf_half_pixel_for_centers":
            xo = (y + 0.5) / s
        elif transform == "align_corners":
            xo = y * (n_in - 1) / (n_out - 1) if n_out > 1 else 0 * y
        else:
            raise ValueError(transform)
        i = {"floor": np.floor(xo), "ceil": np.ceil(xo),
             "round_prefer_floor": np.ceil(xo - 0.5),
             "round_prefer_ceil": np.floor(xo + 0.5)}[rounding]
        index.append(np.clip(i, 0, n_in - 1).astype(np.int64))
    return x.astype(np.float64)[np.ix_(*index)]


def resize_matrix(n_in, n_out, scale, mode, transform, a=-0.75, exclude=False):
    """The [n_out, n_in] matrix of ONNX Resize along one axis (linear or
    cubic), from the operator's formulas: each output's coordinate in the
    input, its neighbours (the border repeated outside) and their
    coefficients."""
    m = np.zeros((n_out, n_in))
    for y in range(n_out):
        if transform == "half_pixel":
            xo = (y + 0.5) / scale - 0.5
        elif transform == "pytorch_half_pixel":
            xo = (y + 0.5) / scale - 0.5 if n_out > 1 else 0.0
        elif transform == "align_corners":
            xo = y * (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
        elif transform == "asymmetric":
            xo = y / scale
        else:
            xo = (y + 0.5) / scale
        base = int(np.floor(xo))
        t = xo - base
        if mode == "linear":
            taps = {base: 1 - t, base + 1: t}
        else:
            def w(d):
                d = abs(d)
                if d <= 1:
                    return ((a + 2) * d - (a + 3)) * d * d + 1
                return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a if d < 2 else 0.0
            taps = {base + k: w(xo - (base + k)) for k in (-1, 0, 1, 2)}
        if exclude:
            taps = {i: c for i, c in taps.items() if 0 <= i < n_in}
            total = sum(taps.values())
            taps = {i: c / total for i, c in taps.items()}
        for i, c in taps.items():
            m[y, min(max(i, 0), n_in - 1)] += c
    return m


def const(name, value):
    """A Constant node holding `value`."""
    return helper.make_node("Constant", [], [name], value=numpy_helper.from_array(value))


# --- cases: (nodes, inputs {name: array}, initializers {name: array},
#             expected outputs {name: array}, opset) ---------------------------


def case_conv(opset=13):
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
    return nodes, {"x": x}, inits, expected, opset


def case_expand_depthwise(opset=13):
    """A 1x1 conv read only by a depthwise conv (cnnc fuses the pair):
    asymmetric SAME_UPPER padding at stride 2, explicit asymmetric pads at
    strides (1, 2), a 3x5 window at strides (2, 1)."""
    x = rand(1, 8, 9, 10)
    ws = {f"we{i}": rand(16, 8, 1, 1) for i in range(3)}
    ws.update({f"be{i}": rand(16) for i in range(3)})
    ws.update(wd0=rand(16, 1, 3, 3), bd0=rand(16), wd1=rand(16, 1, 3, 3),
              wd2=rand(16, 1, 3, 5), bd2=rand(16))
    nodes = []
    for i in range(3):
        nodes += [helper.make_node("Conv", ["x", f"we{i}", f"be{i}"], [f"c{i}"],
                                   name=f"expand{i}"),
                  helper.make_node("Relu", [f"c{i}"], [f"e{i}"])]
    nodes += [
        helper.make_node("Conv", ["e0", "wd0", "bd0"], ["same"], name="dw_same",
                         group=16, auto_pad="SAME_UPPER", strides=[2, 2]),
        helper.make_node("Conv", ["e1", "wd1"], ["asym"], name="dw_asym",
                         group=16, pads=[0, 1, 2, 1], strides=[1, 2]),
        helper.make_node("Conv", ["e2", "wd2", "bd2"], ["rect"], name="dw_rect",
                         group=16, pads=[1, 2, 1, 2], strides=[2, 1]),
    ]
    e = [np.maximum(conv(x, ws[f"we{i}"], ws[f"be{i}"]), 0) for i in range(3)]
    expected = {
        "same": conv(e[0], ws["wd0"], ws["bd0"], (2, 2),
                     same_pads((9, 10), (3, 3), (2, 2)), group=16),
        "asym": conv(e[1], ws["wd1"], None, (1, 2), (0, 1, 2, 1), group=16),
        "rect": conv(e[2], ws["wd2"], ws["bd2"], (2, 1), (1, 2, 1, 2),
                     group=16),
    }
    return nodes, {"x": x}, ws, expected, opset


def case_dense(opset=13):
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
        {"y": g2 @ wm + bm}, opset


def case_matmul(opset=13):
    """MatMul as numpy's matmul: a computed B, batched constant and computed
    B with broadcast batch dimensions, rank-1 operands; Gemm of a computed B
    with transB=0 (and transA)."""
    a = rand(2, 3, 4)
    c = rand(3, 4, 2)
    v = rand(4)
    wb = rand(2, 4, 5)
    nodes = [
        helper.make_node("Relu", ["c"], ["cr"], name="cr"),
        helper.make_node("Reshape", ["cr", "s12x2"], ["c2"], name="c2"),
        helper.make_node("MatMul", ["x", "wb"], ["batched_const"], name="batched_const"),
        helper.make_node("Unsqueeze", ["x", "ax1"], ["x4"], name="x4"),
        helper.make_node("MatMul", ["x4", "cr"], ["broadcast"], name="broadcast"),
        helper.make_node("Reshape", ["x", "s6x4"], ["x2"], name="x2"),
        helper.make_node("Reshape", ["c", "s4x6"], ["c46"], name="c46"),
        helper.make_node("MatMul", ["x2", "c46"], ["computed"], name="computed"),
        helper.make_node("MatMul", ["x", "v"], ["by_vector"], name="by_vector"),
        helper.make_node("MatMul", ["v", "cr"], ["vector_by"], name="vector_by"),
        helper.make_node("Gemm", ["x2", "c46"], ["gemm"], name="gemm", alpha=0.5),
        helper.make_node("Gemm", ["c46", "x2"], ["gemm_t"], name="gemm_t", transA=1,
                         transB=1),
    ]
    xd, cd, vd = (t.astype(np.float64) for t in (a, c, v))
    crd = np.maximum(cd, 0)
    c46 = cd.reshape(4, 6)
    expected = {
        "batched_const": xd @ wb,
        "broadcast": xd[:, None] @ crd,
        "computed": xd.reshape(6, 4) @ c46,
        "by_vector": xd @ vd,
        "vector_by": vd @ crd,
        "gemm": 0.5 * (xd.reshape(6, 4) @ c46),
        "gemm_t": c46.T @ xd.reshape(6, 4).T,
    }
    inits = dict(wb=wb, ax1=np.array([1], np.int64), s12x2=np.array([12, 2], np.int64),
                 s6x4=np.array([6, 4], np.int64), s4x6=np.array([4, 6], np.int64))
    return nodes, {"x": a, "c": c, "v": v}, inits, expected, opset


def case_activations(opset=13):
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
    return nodes, {"x": x}, inits, expected, opset


def case_clip(opset=13):
    """General bounds, one bound only, an infinite bound, and the relu6/relu
    forms; bounds are attributes before opset 11 and optional inputs from it
    on."""
    x = rand(1, 2, 3, 4, scale=8)
    forms = [("general", -1.0, 2.5), ("upper", None, 1.5), ("lower", -0.5, None),
             ("six", 0.0, 6.0), ("zero", 0.0, None), ("infinite", -1.0, float("inf"))]
    nodes, inits, expected = [], {}, {}
    xd = x.astype(np.float64)
    for name, lo, hi in forms:
        if opset < 11:
            attrs = {k: v for k, v in (("min", lo), ("max", hi)) if v is not None}
            nodes.append(helper.make_node("Clip", ["x"], [name], name=name, **attrs))
        else:
            ins = ["x", "", ""]
            for i, (key, v) in enumerate(((name + "_min", lo), (name + "_max", hi))):
                if v is not None:
                    inits[key] = np.array(v, np.float32)
                    ins[i + 1] = key
            nodes.append(helper.make_node("Clip", ins[:3 if hi is not None else 2], [name],
                                          name=name))
        expected[name] = np.clip(xd, -np.inf if lo is None else lo, np.inf if hi is None else hi)
    return nodes, {"x": x}, inits, expected, opset


def case_hard(opset=14):
    """HardSigmoid (default and given alpha/beta) and, from opset 14,
    HardSwish."""
    x = rand(1, 3, 4, 5, scale=6)
    xd = x.astype(np.float64)
    nodes = [helper.make_node("HardSigmoid", ["x"], ["hsig"], name="hsig"),
             helper.make_node("HardSigmoid", ["x"], ["hsig2"], name="hsig2", alpha=0.25,
                              beta=0.4)]
    expected = {"hsig": np.clip(0.2 * xd + 0.5, 0, 1), "hsig2": np.clip(0.25 * xd + 0.4, 0, 1)}
    if opset >= 14:
        nodes.append(helper.make_node("HardSwish", ["x"], ["hswish"], name="hswish"))
        expected["hswish"] = xd * np.clip(xd / 6 + 0.5, 0, 1)
    return nodes, {"x": x}, {}, expected, opset


def case_arith(opset=13):
    """Sub and Div with size-1 broadcasting, a lower-rank constant, a scalar
    constant on the left and a lower-rank graph input (reshaped at import);
    from opset 12 a Dropout with constant ratio and training_mode=false.
    Before opset 7, broadcasting is legacy: `broadcast`=1 aligns B with A's
    last dimensions, or with `axis` from that dimension on."""
    a, b = rand(2, 3, 4, 5), rand(1, 3, 1, 5)
    c = RNG.uniform(0.5, 2, size=(4, 1)).astype(np.float32)
    chan = RNG.uniform(0.5, 2, size=(3, 1, 1)).astype(np.float32)
    if opset < 7:
        b, row, hw = rand(2, 3, 4, 5), rand(5), rand(4, 5)
        nodes = [
            helper.make_node("Sub", ["a", "b"], ["same"], name="sub_same"),
            helper.make_node("Div", ["a", "chan"], ["ratio"], name="div_chan", broadcast=1, axis=1),
            helper.make_node("Sub", ["a", "row"], ["rsub"], name="sub_row", broadcast=1),
            helper.make_node("Mul", ["a", "hw"], ["prod"], name="mul_hw", broadcast=1, axis=-2),
        ]
        ad = a.astype(np.float64)
        expected = {"same": ad - b, "ratio": ad / chan.reshape(1, 3, 1, 1), "rsub": ad - row,
                    "prod": ad * hw}
        return nodes, {"a": a, "b": b}, dict(chan=chan.reshape(3), row=row, hw=hw), \
            expected, opset
    nodes = [
        helper.make_node("Sub", ["a", "b"], ["diff"], name="sub"),
        helper.make_node("Div", ["diff", "chan"], ["ratio"], name="div_chan"),
        helper.make_node("Sub", ["two", "a"], ["rsub"], name="rsub"),
        helper.make_node("Div", ["a", "c"], ["divc"], name="div_input"),
        helper.make_node("Sub", ["c", "a"], ["csub"], name="sub_input"),
    ]
    ad, bd, cd = (v.astype(np.float64) for v in (a, b, c))
    expected = {"ratio": (ad - bd) / chan.reshape(1, 3, 1, 1), "rsub": 2 - ad,
                "divc": ad / cd, "csub": cd - ad}
    inits = dict(chan=chan, two=np.array(2, np.float32))
    if opset >= 12:
        inits["ratio_p"] = np.array(0.3, np.float32)
        inits["train"] = np.array(False)
        nodes.append(helper.make_node("Dropout", ["ratio", "ratio_p", "train"], ["dropped"],
                                      name="dropout"))
        expected["dropped"] = expected["ratio"]
    return nodes, {"a": a, "b": b, "c": c}, inits, expected, opset


def case_reshape(opset=13):
    """Reshape with 0 and -1, Flatten at axes 0, 2 and -1, Squeeze with and
    without axes, Unsqueeze with negative axes; axes are attributes before
    opset 13 and inputs from it on; from opset 12 Constant nodes with
    value_ints / value_float."""
    x, z = rand(2, 3, 4, 2), rand(1, 3, 1, 2)
    xd, zd = x.astype(np.float64), z.astype(np.float64)

    def axes_node(op, ins, out, axes):
        if opset < 13:
            return [helper.make_node(op, ins, [out], name=out,
                                     **({"axes": axes} if axes is not None else {}))]
        if axes is None:
            return [helper.make_node(op, ins, [out], name=out)]
        return [const(out + "_axes", np.array(axes, np.int64)),
                helper.make_node(op, ins + [out + "_axes"], [out], name=out)]

    reshape_attrs = {"allowzero": 0} if opset >= 14 else {}
    nodes = [
        helper.make_node("Reshape", ["x", "s_keep"], ["kept"], name="kept", **reshape_attrs),
        helper.make_node("Reshape", ["x", "s_flat"], ["flat"], name="flat"),
        helper.make_node("Flatten", ["x"], ["f0"], name="f0", axis=0),
        helper.make_node("Flatten", ["x"], ["f2"], name="f2", axis=2),
        helper.make_node("Flatten", ["x"], ["fl"], name="fl", axis=-1),
    ]
    nodes += axes_node("Unsqueeze", ["x"], "unsq", [0, -1])
    nodes += axes_node("Squeeze", ["unsq"], "sq", [0, 5])
    nodes += axes_node("Squeeze", ["z"], "sqall", None)
    nodes += axes_node("Unsqueeze", ["sqall"], "unsq1", [1])
    nodes.append(helper.make_node("Relu", ["sq"], ["sqrelu"], name="sqrelu"))
    expected = {
        "kept": xd.reshape(2, 12, 2), "flat": xd.reshape(2, -1), "f0": xd.reshape(1, -1),
        "f2": xd.reshape(6, 8), "fl": xd.reshape(24, 2), "sqrelu": np.maximum(xd, 0),
        "unsq1": zd.reshape(3, 1, 2),
    }
    inits = dict(s_keep=np.array([0, -1, 2], np.int64), s_flat=np.array([2, -1], np.int64))
    if opset >= 12:
        nodes += [
            helper.make_node("Constant", [], ["s_const"], value_ints=[4, -1]),
            helper.make_node("Reshape", ["x", "s_const"], ["r4"], name="r4"),
            helper.make_node("Constant", [], ["half"], value_float=0.5),
            helper.make_node("Mul", ["r4", "half"], ["halved"], name="halved"),
        ]
        expected["halved"] = 0.5 * xd.reshape(4, -1)
    return nodes, {"x": x, "z": z}, inits, expected, opset


def case_pad(opset=13):
    """Constant (non-zero value, channel padding too), reflect and edge
    padding: attributes before opset 11, pads and constant_value inputs from
    it on, and from opset 18 an axes input."""
    x = rand(1, 2, 3, 4)
    xd = x.astype(np.float64)
    forms = [  # name, pads, mode, value
        ("value", [0, 0, 1, 2, 0, 0, 2, 1], "constant", -1.5),
        ("zero", [0, 1, 0, 0, 0, 1, 0, 0], "constant", None),
        ("reflect", [0, 0, 2, 1, 0, 0, 1, 3], "reflect", None),
        ("edge", [0, 1, 1, 0, 0, 0, 2, 2], "edge", None),
    ]
    nodes, inits, expected = [], {}, {}
    for name, pads, mode, value in forms:
        if opset < 11:
            attrs = {"pads": pads, "mode": mode}
            if value is not None:
                attrs["value"] = value
            nodes.append(helper.make_node("Pad", ["x"], [name], name=name, **attrs))
        else:
            inits[name + "_pads"] = np.array(pads, np.int64)
            ins = ["x", name + "_pads"]
            if value is not None:
                inits[name + "_value"] = np.array(value, np.float32)
                ins.append(name + "_value")
            nodes.append(helper.make_node("Pad", ins, [name], name=name, mode=mode))
        widths = list(zip(pads[:4], pads[4:]))
        if mode == "constant":
            expected[name] = np.pad(xd, widths, constant_values=value or 0)
        else:
            expected[name] = np.pad(xd, widths, mode=mode)
    if opset >= 18:
        # pads for W then H: [W begin, H begin, W end, H end].
        inits["axes"] = np.array([-1, 2], np.int64)
        inits["axes_pads"] = np.array([1, 2, 0, 1], np.int64)
        nodes.append(helper.make_node("Pad", ["x", "axes_pads", "", "axes"], ["axes_edge"],
                                      name="axes_edge", mode="edge"))
        expected["axes_edge"] = np.pad(xd, [(0, 0), (0, 0), (2, 1), (1, 0)], mode="edge")
    return nodes, {"x": x}, inits, expected, opset


def case_resize(opset=13):
    """Nearest Resize by integer factors with each coordinate transform that
    equals nearest upsampling (PyTorch's nn.Upsample is asymmetric + floor),
    from scales or sizes; the operands by opset: (X, scales) at 10, (X, roi,
    scales, sizes) with an empty roi and scales at 11-12, omitted ones from
    13; from 18 the axes attribute and keep_aspect_ratio_policy."""
    x = rand(1, 2, 3, 4)
    forms = [  # name, scales or None, sizes or None, transform, rounding
        ("torch", [1, 1, 2, 2], None, "asymmetric", "floor"),
        ("default", [1, 1, 3, 2], None, None, None),
        ("sizes", None, [1, 2, 6, 12], "pytorch_half_pixel", "round_prefer_ceil"),
    ]
    if opset < 11:
        forms = forms[:1]
    nodes, inits, expected = [], {}, {}
    if 11 <= opset < 13:
        inits["empty"] = np.zeros(0, np.float32)
    for name, scales, sizes, transform, rounding in forms:
        attrs = {"mode": "nearest"}
        if opset >= 11 and transform:
            attrs.update(coordinate_transformation_mode=transform, nearest_mode=rounding)
        if scales is not None:
            inits[name + "_scales"] = np.array(scales, np.float32)
        else:
            inits[name + "_sizes"] = np.array(sizes, np.int64)
        if opset < 11:
            ins = ["x", name + "_scales"]
        elif opset < 13:
            ins = ["x", "empty", name + "_scales" if scales else "empty"]
            ins += [] if scales else [name + "_sizes"]
        else:
            ins = ["x", "", name + "_scales"] if scales else ["x", "", "", name + "_sizes"]
        nodes.append(helper.make_node("Resize", ins, [name], name=name, **attrs))
        out = sizes or [int(d * s) for d, s in zip(x.shape, scales)]
        expected[name] = resize_nearest(x, out, transform or "half_pixel",
                                        rounding or "round_prefer_floor")
    if opset >= 18:
        inits["axes_scales"] = np.array([2, 2], np.float32)
        nodes.append(helper.make_node("Resize", ["x", "", "axes_scales"], ["axes"], name="axes",
                                      mode="nearest", axes=[2, 3]))
        expected["axes"] = resize_nearest(x, [1, 2, 6, 8], "half_pixel", "round_prefer_floor")
        inits["policy_sizes"] = np.array([6, 8], np.int64)
        nodes.append(helper.make_node("Resize", ["x", "", "", "policy_sizes"], ["policy"],
                                      name="policy", mode="nearest", axes=[2, 3],
                                      keep_aspect_ratio_policy="not_larger"))
        expected["policy"] = expected["axes"]
    return nodes, {"x": x}, inits, expected, opset


def case_resize_interp(opset=13):
    """Resize by interpolation and by nearest at non-integer factors, on a
    conv's output (NHWC inside cnnc at -O2) and on the input: linear with
    each coordinate transform, up and down, from scales or sizes; cubic
    (ONNX's default coefficient, and TensorFlow's -0.5 with
    exclude_outside); nearest with align_corners. Written from the
    operator's formulas."""
    x, w = rand(1, 3, 5, 6), rand(20, 3, 1, 1, scale=0.5)
    y = conv(x.astype(np.float64), w.astype(np.float64))
    nodes = [helper.make_node("Conv", ["x", "w"], ["y"], name="y")]
    inits, expected = {"w": w}, {}
    forms = [  # name, source, scales or sizes ([H, W]), attributes
        ("bilinear", "y", [2.0, 2.0], None, dict(mode="linear")),
        ("corners", "y", None, [9, 4], dict(mode="linear",
                                           coordinate_transformation_mode="align_corners")),
        ("down", "y", None, [3, 4], dict(mode="linear",
                                        coordinate_transformation_mode="pytorch_half_pixel")),
        ("asym", "x", [1.5, 2.5], None, dict(mode="linear",
                                            coordinate_transformation_mode="asymmetric")),
        ("cubic", "y", [2.0, 1.5], None, dict(mode="cubic")),
        ("cubic_tf", "x", None, [8, 9], dict(mode="cubic", cubic_coeff_a=-0.5,
                                            exclude_outside=1)),
        ("nearest", "y", None, [7, 10], dict(mode="nearest", nearest_mode="round_prefer_ceil",
                                            coordinate_transformation_mode="align_corners")),
    ]
    for name, src, scales, sizes, attrs in forms:
        data = y if src == "y" else x.astype(np.float64)
        h, wd = data.shape[2:]
        if scales:
            inits[name + "_scales"] = np.array([1, 1] + scales, np.float32)
            ins = [src, "", name + "_scales"]
            out = [int(np.floor(h * scales[0])), int(np.floor(wd * scales[1]))]
            sc = scales
        else:
            inits[name + "_sizes"] = np.array(list(data.shape[:2]) + sizes, np.int64)
            ins = [src, "", "", name + "_sizes"]
            out, sc = sizes, [sizes[0] / h, sizes[1] / wd]
        nodes.append(helper.make_node("Resize", ins, [name], name=name, **attrs))
        transform = attrs.get("coordinate_transformation_mode", "half_pixel")
        if attrs["mode"] == "nearest":
            expected[name] = resize_nearest(data, list(data.shape[:2]) + out, transform,
                                            attrs["nearest_mode"])
            continue
        mh, mw = (resize_matrix(n, o, s_, attrs["mode"], transform,
                                attrs.get("cubic_coeff_a", -0.75),
                                attrs.get("exclude_outside", 0))
                  for n, o, s_ in [(h, out[0], sc[0]), (wd, out[1], sc[1])])
        expected[name] = np.einsum("yh,nchw,xw->ncyx", mh, data, mw)
    return nodes, {"x": x}, inits, expected, opset


def case_resize_tf(opset=13):
    """tf_half_pixel_for_centers + floor, which ONNX Runtime's CPU Resize
    rejects: checked against numpy only."""
    x = rand(1, 2, 3, 4)
    nodes = [helper.make_node("Resize", ["x", "", "scales"], ["centers"], name="centers",
                              mode="nearest", nearest_mode="floor",
                              coordinate_transformation_mode="tf_half_pixel_for_centers")]
    expected = {"centers": resize_nearest(x, [1, 2, 6, 12], "tf_half_pixel_for_centers", "floor")}
    return nodes, {"x": x}, {"scales": np.array([1, 1, 2, 3], np.float32)}, expected, opset


def case_folding(opset=13):
    """Shape computations an exporter may leave in the graph, evaluated at
    import: x.view(x.size(0), -1) unfolded (Shape, Gather, Unsqueeze,
    Concat, Reshape), PyTorch's F.pad pads (ConstantOfShape, Concat,
    Reshape, Slice with a negative step, Transpose, Cast), Resize sizes
    from integer arithmetic on the shape, and Expand's shape from Equal and
    Where (`cls_token.expand(n, -1, -1)`)."""
    x = rand(2, 3, 4, 4)
    n = helper.make_node
    i64 = lambda *v: np.array(v, np.int64)
    nodes = [
        n("Shape", ["x"], ["shape"]),
        n("Gather", ["shape", "zero"], ["batch"], axis=0),
        n("Unsqueeze", ["batch", "axis0"], ["batch1"]),
        n("Concat", ["batch1", "minus1"], ["target"], axis=0),
        n("Reshape", ["x", "target"], ["flat"], name="view"),
        n("ConstantOfShape", ["four"], ["zeros4"], value=numpy_helper.from_array(i64(0))),
        n("Concat", ["torch_pads", "zeros4"], ["p8"], axis=0),
        n("Reshape", ["p8", "rows"], ["p42"]),
        n("Slice", ["p42", "minus1", "int_min", "axis0", "minus1"], ["reversed"]),
        n("Transpose", ["reversed"], ["transposed"], perm=[1, 0]),
        n("Reshape", ["transposed", "minus1"], ["pads_i"]),
        n("Cast", ["pads_i"], ["pads"], to=TensorProto.INT64),
        n("Pad", ["x", "pads", "half"], ["padded"], name="pad"),
        n("Slice", ["shape", "zero1", "two1"], ["nc"]),
        n("Slice", ["shape", "two1", "four"], ["hw"]),
        n("Mul", ["hw", "three"], ["hw3"]),
        n("Div", ["hw3", "three"], ["hw1"]),
        n("Neg", ["hw1"], ["minus_hw"]),
        n("Sub", ["hw1", "minus_hw"], ["hw2"]),
        n("Concat", ["nc", "hw2"], ["sizes"], axis=0),
        n("Resize", ["x", "", "", "sizes"], ["resized"], name="resize", mode="nearest",
          coordinate_transformation_mode="asymmetric", nearest_mode="floor"),
        # cls_token.expand(x.size(0), -1, -1), as PyTorch exports it.
        n("Concat", ["batch1", "minus1", "minus1"], ["free"], axis=0),
        n("Equal", ["free", "minus1"], ["is_free"]),
        n("Where", ["is_free", "ones3", "free"], ["expand_shape"]),
        n("Expand", ["token", "expand_shape"], ["expanded"], name="expand"),
        n("Sigmoid", ["expanded"], ["tokens"], name="tokens"),
    ]
    token = rand(1, 1, 4)
    inits = dict(zero=np.array(0, np.int64), axis0=i64(0), minus1=i64(-1), four=i64(4),
                 torch_pads=i64(1, 2, 0, 1), rows=i64(-1, 2), int_min=i64(-2**63 + 1),
                 half=np.array(0.5, np.float32), zero1=i64(0), two1=i64(2), three=i64(3),
                 ones3=i64(1, 1, 1), token=token)
    xd = x.astype(np.float64)
    expected = {
        "flat": xd.reshape(2, -1),
        "padded": np.pad(xd, [(0, 0), (0, 0), (0, 1), (1, 2)], constant_values=0.5),
        "resized": xd.repeat(2, axis=2).repeat(2, axis=3),
        "tokens": sigmoid(np.broadcast_to(token.astype(np.float64), (2, 1, 4))),
    }
    return nodes, {"x": x}, inits, expected, opset


def case_upsample(opset=9):
    """Upsample (nearest): scales an attribute at opsets 7-8, an input at 9."""
    x = rand(1, 2, 3, 4)
    scales = [1.0, 1.0, 2.0, 3.0]
    if opset < 9:
        nodes = [helper.make_node("Upsample", ["x"], ["up"], name="up", scales=scales)]
        inits = {}
    else:
        nodes = [helper.make_node("Upsample", ["x", "scales"], ["up"], name="up")]
        inits = {"scales": np.array(scales, np.float32)}
    up = x.astype(np.float64).repeat(2, axis=2).repeat(3, axis=3)
    return nodes, {"x": x}, inits, {"up": up}, opset


def case_softmax(opset=13):
    """Softmax along axis 1 of a 3-D tensor: before opset 13 over the input
    flattened to 2-D at that axis, from 13 along the axis alone."""
    x = rand(2, 3, 4, scale=3)
    nodes = [helper.make_node("Softmax", ["x"], ["axis1"], name="axis1", axis=1),
             helper.make_node("Softmax", ["x"], ["last"], name="last", axis=-1)]
    xd = x.astype(np.float64)
    axis1 = softmax(xd.reshape(2, 12), 1).reshape(2, 3, 4) if opset < 13 else softmax(xd, 1)
    return nodes, {"x": x}, {}, {"axis1": axis1, "last": softmax(xd, -1)}, opset


def case_reduce_mean(opset=13):
    """ReduceMean over the spatial axes (a global average pool, as Keras'
    GlobalAveragePooling2D and `x.mean([2, 3])` export it), dimensions kept
    and dropped, axes negative; from opset 18 the axes are an input."""
    x = rand(2, 3, 5, 4)
    mean = lambda out, axes, **kw: helper.make_node(
        "ReduceMean", ["x"] + ([out + "_axes"] if opset >= 18 else []), [out],
        name=out, **({} if opset >= 18 else {"axes": axes}), **kw)
    nodes = [mean("kept", [2, 3]), mean("flat", [-1, -2], keepdims=0)]
    if opset >= 18:
        nodes = [const("kept_axes", np.array([2, 3], np.int64)),
                 const("flat_axes", np.array([-1, -2], np.int64))] + nodes
    xd = x.astype(np.float64)
    return nodes, {"x": x}, {}, {"kept": xd.mean(axis=(2, 3), keepdims=True),
                                 "flat": xd.mean(axis=(2, 3))}, opset


def case_pool(opset=13):
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
    return nodes, {"x": x}, {}, expected, opset


def case_elementwise(opset=13):
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
    return nodes, {"a": a, "b": b}, dict(chan=chan), expected, opset


def case_math(opset=13):
    """Elementwise functions (cnn.unary) after a conv, so that at -O2 they
    run on its NHWC result: Exp, Log, Sqrt, Erf, Elu (alpha 0.5), Selu
    (defaults), Softplus, Pow by constants 2 and 1.5; then Pow, Max, Min,
    Sum and Mean of several tensors with broadcasting."""
    x = rand(1, 3, 6, 7)
    w, bias = rand(8, 3, 3, 3, scale=0.5), rand(8)
    b = rand(1, 8, 1, 7)
    nodes = [helper.make_node("Conv", ["x", "w", "bias"], ["c"], name="conv", pads=[1, 1, 1, 1])]
    c = conv(x, w, bias, pads=(1, 1, 1, 1))
    pos = np.abs(c) + 0.5
    expected = {}

    def add(op, inputs, out, value, **attrs):
        nodes.append(helper.make_node(op, inputs, [out], name=out, **attrs))
        expected[out] = value

    from math import erf
    add("Abs", ["c"], "abs", np.abs(c))
    nodes.append(helper.make_node("Add", ["abs", "half"], ["pos"], name="pos"))
    add("Exp", ["c"], "exp", np.exp(c))
    add("Log", ["pos"], "log", np.log(pos))
    add("Sqrt", ["pos"], "sqrt", np.sqrt(pos))
    add("Erf", ["c"], "erf", np.vectorize(erf)(c))
    add("Elu", ["c"], "elu", np.where(c >= 0, c, 0.5 * np.expm1(c)), alpha=0.5)
    selu_a, selu_g = 1.67326319217681884765625, 1.05070102214813232421875
    add("Selu", ["c"], "selu", selu_g * np.where(c >= 0, c, selu_a * np.expm1(c)))
    add("Softplus", ["c"], "softplus", np.log1p(np.exp(c)))
    add("Pow", ["c", "two"], "square", c * c)
    add("Pow", ["pos", "onehalf"], "pow15", pos ** 1.5)
    add("Pow", ["pos", "b"], "powt", pos ** b)
    add("Max", ["c", "b", "exp"], "max3", np.maximum(np.maximum(c, b), np.exp(c)))
    add("Min", ["c", "b"], "min2", np.minimum(c, b))
    add("Sum", ["c", "b", "c"], "sum3", c + b + c)
    add("Mean", ["c", "b"], "mean2", (c + b) / 2)
    inits = dict(w=w, bias=bias, half=np.array(0.5, np.float32), two=np.array(2, np.float32),
                 onehalf=np.array([1.5], np.float32))
    return nodes, {"x": x, "b": b}, inits, expected, opset


def case_reduce(opset=13):
    """Reductions of a conv's result: ReduceMean over channels (kept, as a
    channels-first LayerNorm's) and over the last axis (dropped), ReduceSum
    (axes an input from opset 13), ReduceMax of all axes, ReduceL2 over H and
    W, ReduceLogSumExp, ReduceProd, LogSoftmax over channels (before opset
    13: of the input flattened from them), GlobalMaxPool, and ReduceMean of H
    and W (a global average pool)."""
    x = rand(2, 3, 5, 6)
    w, bias = rand(8, 3, 3, 3, scale=0.5), rand(8)
    c = conv(x, w, bias, pads=(1, 1, 1, 1))
    nodes = [helper.make_node("Conv", ["x", "w", "bias"], ["c"], name="conv", pads=[1, 1, 1, 1])]
    expected = {}
    inits = dict(w=w, bias=bias)

    def reduce(op, out, value, axes=None, **attrs):
        inputs = ["c"]
        if axes is not None and (opset >= 18 or (op == "ReduceSum" and opset >= 13)):
            inits[out + "_axes"] = np.array(axes, np.int64)
            inputs.append(out + "_axes")
        elif axes is not None:
            attrs["axes"] = axes
        nodes.append(helper.make_node(op, inputs, [out], name=out, **attrs))
        expected[out] = value

    reduce("ReduceMean", "mean_c", c.mean(axis=1, keepdims=True), [1])
    reduce("ReduceMean", "mean_w", c.mean(axis=-1), [-1], keepdims=0)
    reduce("ReduceSum", "sum_hw", c.sum(axis=(1, 3), keepdims=True), [1, 3])
    reduce("ReduceMax", "max_all", c.max(keepdims=True))
    reduce("ReduceL2", "l2_hw", np.sqrt((c * c).sum(axis=(2, 3))), [2, 3], keepdims=0)
    m = c.max(axis=1, keepdims=True)
    reduce("ReduceLogSumExp", "lse_c", m + np.log(np.exp(c - m).sum(axis=1, keepdims=True)), [1])
    reduce("ReduceProd", "prod_w", np.prod(c, axis=3, keepdims=True), [3])
    reduce("ReduceMean", "gap", c.mean(axis=(2, 3)), [2, 3], keepdims=0)
    nodes.append(helper.make_node("LogSoftmax", ["c"], ["logp"], name="logp", axis=1))
    flat = c.reshape(2, -1) if opset < 13 else c  # before 13: of the input flattened at axis
    fm = flat.max(axis=1, keepdims=True)
    expected["logp"] = (flat - fm - np.log(np.exp(flat - fm).sum(axis=1, keepdims=True))).reshape(c.shape)
    nodes.append(helper.make_node("GlobalMaxPool", ["c"], ["gmp"], name="gmp"))
    expected["gmp"] = c.max(axis=(2, 3), keepdims=True)
    return nodes, {"x": x}, inits, expected, opset


def conv_transpose(x, w, b=None, strides=(1, 1), pads=(0, 0, 0, 0), dil=(1, 1),
                   out_pad=(0, 0), group=1):
    """ONNX ConvTranspose by its definition: each input pixel scatters its
    kernel-weighted values into the output."""
    n, c, h, wd = x.shape
    _, mg, kh, kw = w.shape
    cg = c // group
    full = [strides[i] * ((h, wd)[i] - 1) + out_pad[i] + ((kh, kw)[i] - 1) * dil[i] + 1
            for i in range(2)]
    out = np.zeros((n, mg * group, full[0], full[1]))
    for g in range(group):
        for ci in range(cg):
            for i in range(kh):
                for j in range(kw):
                    contrib = np.einsum("nhw,m->nmhw", x[:, g * cg + ci].astype(np.float64),
                                        w[g * cg + ci, :, i, j].astype(np.float64))
                    out[:, g * mg:(g + 1) * mg,
                        i * dil[0]:i * dil[0] + strides[0] * (h - 1) + 1:strides[0],
                        j * dil[1]:j * dil[1] + strides[1] * (wd - 1) + 1:strides[1]] += contrib
    out = out[:, :, pads[0]:full[0] - pads[2], pads[1]:full[1] - pads[3]]
    if b is not None:
        out += b.reshape(1, -1, 1, 1)
    return out


def case_conv_transpose(opset=13):
    """ConvTranspose: stride 2 with pads and output_padding (an FCN/U-Net
    upsampler), groups with dilation, auto_pad SAME_UPPER, output_shape,
    stride 3 without bias; then DepthToSpace (DCR and CRD), SpaceToDepth,
    Tile and Expand."""
    x = rand(1, 4, 5, 6)
    nodes, expected = [], {}
    inits = {}

    def add(name, w, b, **attrs):
        inits[name + "_w"] = w
        inputs = ["x", name + "_w"]
        if b is not None:
            inits[name + "_b"] = b
            inputs.append(name + "_b")
        nodes.append(helper.make_node("ConvTranspose", inputs, [name], name=name, **attrs))

    w1, b1 = rand(4, 3, 3, 3, scale=0.5), rand(3)
    add("up", w1, b1, strides=[2, 2], pads=[1, 1, 1, 1], output_padding=[1, 1])
    expected["up"] = conv_transpose(x, w1, b1, (2, 2), (1, 1, 1, 1), out_pad=(1, 1))
    w2, b2 = rand(4, 2, 3, 2, scale=0.5), rand(4)
    add("grouped", w2, b2, group=2, dilations=[2, 1], pads=[0, 1, 2, 0])
    expected["grouped"] = conv_transpose(x, w2, b2, pads=(0, 1, 2, 0), dil=(2, 1), group=2)
    w3 = rand(4, 2, 4, 4, scale=0.5)
    add("same_upper", w3, None, strides=[2, 2], auto_pad="SAME_UPPER")
    # output 10 x 12 of full 12 x 14: total pads 2, 1 each side
    expected["same_upper"] = conv_transpose(x, w3, strides=(2, 2), pads=(1, 1, 1, 1))
    add("shaped", w3, None, strides=[3, 2], output_shape=[16, 13])
    # of full 16 x 14: the odd column of padding at the beginning (not SAME_UPPER)
    expected["shaped"] = conv_transpose(x, w3, strides=(3, 2), pads=(0, 1, 0, 0))
    c = rand(1, 8, 2, 3)
    nodes += [
        helper.make_node("DepthToSpace", ["c"], ["d2s"], name="d2s", blocksize=2),
        helper.make_node("DepthToSpace", ["c"], ["d2s_crd"], name="d2s_crd", blocksize=2,
                         mode="CRD"),
        helper.make_node("SpaceToDepth", ["x"], ["s2d"], name="s2d", blocksize=1),
        helper.make_node("SpaceToDepth", ["d2s"], ["s2d2"], name="s2d2", blocksize=2),
        helper.make_node("Tile", ["c", "reps"], ["tiled"], name="tiled"),
        helper.make_node("Expand", ["col", "eshape"], ["expanded"], name="expanded"),
    ]
    b_, h_, w_ = 2, 2, 3
    expected["d2s"] = c.reshape(1, b_, b_, 2, h_, w_).transpose(0, 3, 4, 1, 5, 2).reshape(1, 2, 4, 6)
    expected["d2s_crd"] = c.reshape(1, 2, b_, b_, h_, w_).transpose(0, 1, 4, 2, 5, 3).reshape(1, 2, 4, 6)
    expected["s2d"] = x
    expected["s2d2"] = c  # SpaceToDepth inverts DCR DepthToSpace
    expected["tiled"] = np.tile(c, (2, 1, 3, 1))
    col = rand(3, 1)
    expected["expanded"] = col * np.ones((2, 1, 3, 4))
    inits.update(reps=np.array([2, 1, 3, 1], np.int64), eshape=np.array([2, 1, 1, 4], np.int64))
    return nodes, {"x": x, "c": c, "col": col}, inits, expected, opset


def case_conv1d(opset=13):
    """1-D Conv (strides, pads, groups with dilation, auto_pad SAME_UPPER),
    ConvTranspose (output_padding; groups with output_shape), MaxPool
    (ceil_mode) and AveragePool (count_include_pad) on an [N, C, L] input;
    the oracles are the 2-D ones on a height of 1."""
    x = rand(2, 4, 13)
    x2 = x[:, :, None, :]
    squeeze = lambda y: y[:, :, 0, :]
    nodes, expected, inits = [], {}, {}

    def add(op, name, w=None, b=None, **attrs):
        inputs = ["x"]
        for suffix, value in (("_w", w), ("_b", b)):
            if value is not None:
                inits[name + suffix] = value
                inputs.append(name + suffix)
        nodes.append(helper.make_node(op, inputs, [name], name=name, **attrs))

    w1, b1 = rand(6, 4, 3, scale=0.5), rand(6)
    add("Conv", "strided", w1, b1, strides=[2], pads=[1, 2])
    expected["strided"] = squeeze(conv(x2, w1[:, :, None], b1, (1, 2), (0, 1, 0, 2)))
    w2 = rand(4, 2, 3, scale=0.5)
    add("Conv", "grouped", w2, group=2, dilations=[2], pads=[2, 1])
    expected["grouped"] = squeeze(conv(x2, w2[:, :, None], None, (1, 1), (0, 2, 0, 1),
                                       (1, 2), 2))
    add("Conv", "same_upper", w1, b1, strides=[2], auto_pad="SAME_UPPER")
    pads = same_pads((1, 13), (1, 3), (1, 2))
    expected["same_upper"] = squeeze(conv(x2, w1[:, :, None], b1, (1, 2), pads))
    w3, b3 = rand(4, 3, 4, scale=0.5), rand(3)
    add("ConvTranspose", "up", w3, b3, strides=[3], pads=[1, 1], output_padding=[2])
    expected["up"] = squeeze(conv_transpose(x2, w3[:, :, None], b3, (1, 3), (0, 1, 0, 1),
                                            out_pad=(0, 2)))
    w4 = rand(4, 2, 3, scale=0.5)
    add("ConvTranspose", "shaped", w4, group=2, strides=[2], output_shape=[26])
    # of full 27: the odd element of padding at the beginning
    expected["shaped"] = squeeze(conv_transpose(x2, w4[:, :, None], None, (1, 2),
                                                (0, 1, 0, 0), group=2))
    add("MaxPool", "max", kernel_shape=[3], strides=[2], pads=[1, 1], ceil_mode=1)
    expected["max"] = squeeze(pool(x2, (1, 3), (1, 2), (0, 1, 0, 1), True, "max"))
    add("AveragePool", "avg", kernel_shape=[3], strides=[2], pads=[1, 0],
        count_include_pad=1)
    expected["avg"] = squeeze(pool(x2, (1, 3), (1, 2), (0, 1, 0, 0), False, "avg", True))
    return nodes, {"x": x}, inits, expected, opset


def case_names(opset=13):
    """PyTorch's default names: a dotted input, a numeric output."""
    x = rand(1, 2, 3, 3)
    nodes = [helper.make_node("Relu", ["input.1"], ["123"])]
    return nodes, {"input.1": x}, {}, {"123": np.maximum(x, 0)}, opset


def case_transpose(opset=13):
    """Transpose of computed tensors: a conv's output (NHWC inside cnnc at
    -O2) by several permutations and the default (reversed axes), a 3-D
    tensor, and ShuffleNet's channel shuffle (Reshape, Transpose, Reshape)
    between two convs."""
    x, w, w2 = rand(1, 4, 5, 6), rand(8, 4, 3, 3, scale=0.3), rand(6, 8, 1, 1, scale=0.3)
    y = conv(x.astype(np.float64), w.astype(np.float64), pads=(1, 1, 1, 1))
    nodes = [helper.make_node("Conv", ["x", "w"], ["y"], name="y", pads=[1, 1, 1, 1])]
    expected = {}
    for name, perm in [("nhwc", [0, 2, 3, 1]), ("swap", [0, 1, 3, 2]),
                       ("mixed", [2, 0, 3, 1]), ("reverse", None)]:
        attrs = {"perm": perm} if perm else {}
        nodes.append(helper.make_node("Transpose", ["y"], [name], name=name, **attrs))
        expected[name] = np.transpose(y, perm)
    nodes += [helper.make_node("Reshape", ["y", "flat_shape"], ["flat"], name="flat"),
              helper.make_node("Transpose", ["flat"], ["flat_t"], name="flat_t", perm=[0, 2, 1])]
    expected["flat_t"] = np.transpose(y.reshape(1, 8, 30), [0, 2, 1])
    nodes += [helper.make_node("Reshape", ["y", "groups_shape"], ["g"], name="g"),
              helper.make_node("Transpose", ["g"], ["gt"], name="gt", perm=[0, 2, 1, 3, 4]),
              helper.make_node("Reshape", ["gt", "back_shape"], ["shuffled"], name="shuffled"),
              helper.make_node("Conv", ["shuffled", "w2"], ["after"], name="after")]
    shuffled = np.transpose(y.reshape(1, 2, 4, 5, 6), [0, 2, 1, 3, 4]).reshape(1, 8, 5, 6)
    expected["after"] = conv(shuffled, w2.astype(np.float64))
    inits = dict(w=w, w2=w2, flat_shape=np.array([1, 8, 30], np.int64),
                 groups_shape=np.array([1, 2, 4, 5, 6], np.int64),
                 back_shape=np.array([1, 8, 5, 6], np.int64))
    return nodes, {"x": x}, inits, expected, opset


def case_slice_split(opset=13):
    """Slice and Split of computed tensors: starts/ends/axes attributes
    before opset 10 and inputs from it (negative and clamped indices, axes in
    any order; from opset 10 steps of 2 and -1, a stride and a reversal),
    Split by sizes (an attribute before 13, an input
    from it) and in equal parts (num_outputs from 18); ShuffleNet's halves concatenated back."""
    x = rand(1, 6, 5, 4)
    xd = x.astype(np.float64)
    r = np.maximum(xd, 0)
    nodes = [helper.make_node("Relu", ["x"], ["r"], name="r")]
    inits, expected = {}, {}
    cases = [("channels", [1], [-2], [1], None),
             ("corner", [-3, 1], [100, 3], [3, 2], None),
             ("all", [0, 0, 1, 0], [1, 6, 5, -1], None, None)]
    if opset >= 10:
        cases += [("strided", [0, -1], [5, -100], [2, 1], [2, -1])]
    for name, starts, ends, axes, steps in cases:
        if opset < 10:
            attrs = dict(starts=starts, ends=ends, **({"axes": axes} if axes else {}))
            nodes.append(helper.make_node("Slice", ["r"], [name], name=name, **attrs))
        else:
            inits[name + "_starts"] = np.array(starts, np.int64)
            inits[name + "_ends"] = np.array(ends, np.int64)
            ins = ["r", name + "_starts", name + "_ends"]
            if axes:
                inits[name + "_axes"] = np.array(axes, np.int64)
                ins.append(name + "_axes")
            if steps:
                inits[name + "_steps"] = np.array(steps, np.int64)
                ins.append(name + "_steps")
            nodes.append(helper.make_node("Slice", ins, [name], name=name))
        index = [slice(None)] * 4
        for i, (b, e) in enumerate(zip(starts, ends)):
            index[axes[i] if axes else i] = slice(b, e, steps[i] if steps else None)
        expected[name + "_out"] = np.tanh(r[tuple(index)])
        nodes.append(helper.make_node("Tanh", [name], [name + "_out"], name=name + "_out"))
    if opset < 13:
        nodes.append(helper.make_node("Split", ["r"], ["s0", "s1"], name="sizes", axis=1,
                                      split=[2, 4]))
    else:
        inits["split"] = np.array([2, 4], np.int64)
        nodes.append(helper.make_node("Split", ["r", "split"], ["s0", "s1"], name="sizes",
                                      axis=1))
    parts = {"num_outputs": 2} if opset >= 18 else {}
    nodes += [helper.make_node("Split", ["r"], ["h0", "h1"], name="halves", axis=-3, **parts),
              helper.make_node("Sigmoid", ["h1"], ["h1s"], name="h1s"),
              helper.make_node("Concat", ["h0", "h1s"], ["joined"], name="joined", axis=1)]
    expected["s0"], expected["s1"] = r[:, :2], r[:, 2:]
    expected["joined"] = np.concatenate([r[:, :3], sigmoid(r[:, 3:])], axis=1)
    return nodes, {"x": x}, inits, expected, opset


def case_newer_opsets(opset=21):
    """Ops in the forms of opsets 19 to 21: Gelu (new in 20; exact and tanh
    forms), AveragePool with its `dilations` attribute (19) at 1, Pad with
    `axes` and Reshape, Flatten, Squeeze, Unsqueeze and Transpose at the
    model's opset, Cast and CastLike to float."""
    x = rand(1, 3, 6, 5, scale=3)
    xd = x.astype(np.float64)
    erf = np.vectorize(math.erf)
    nodes = [
        helper.make_node("Gelu", ["x"], ["gelu"], name="gelu"),
        helper.make_node("Gelu", ["x"], ["gelu_tanh"], name="gelu_tanh", approximate="tanh"),
        helper.make_node("AveragePool", ["x"], ["avg"], name="avg", kernel_shape=[2, 2],
                         strides=[2, 2], dilations=[1, 1]),
        helper.make_node("Pad", ["x", "pads", "", "axes"], ["pad"], name="pad", mode="reflect"),
        helper.make_node("Transpose", ["x"], ["t"], name="transpose", perm=[0, 2, 3, 1]),
        helper.make_node("Unsqueeze", ["t", "axis0"], ["u"], name="unsqueeze"),
        helper.make_node("Squeeze", ["u", "axis0"], ["sq"], name="squeeze"),
        helper.make_node("Flatten", ["sq"], ["flat"], name="flatten", axis=2),
        helper.make_node("Reshape", ["flat", "shape"], ["r"], name="reshape"),
        helper.make_node("Cast", ["r"], ["c"], name="cast", to=TensorProto.FLOAT),
        helper.make_node("CastLike", ["c", "x"], ["cast"], name="castlike"),
    ]
    inits = dict(pads=np.array([1, 2, 1, 2], np.int64), axes=np.array([2, 3], np.int64),
                 axis0=np.array([0], np.int64), shape=np.array([1, -1], np.int64))
    expected = {
        "gelu": 0.5 * xd * (1 + erf(xd / math.sqrt(2))),
        "gelu_tanh": 0.5 * xd * (1 + np.tanh(math.sqrt(2 / math.pi) *
                                             (xd + 0.044715 * xd ** 3))),
        "avg": pool(x, (2, 2), (2, 2), (0, 0, 0, 0), False, "avg"),
        "pad": np.pad(xd, ((0, 0), (0, 0), (1, 1), (2, 2)), mode="reflect"),
        "cast": xd.transpose(0, 2, 3, 1).reshape(1, -1),
    }
    return nodes, {"x": x}, inits, expected, opset


CASES = {name[5:]: fn for name, fn in globals().items() if name.startswith("case_")}


def build(case, workdir, opset=None):
    nodes, inputs, inits, expected, opset = (
        CASES[case](opset) if opset is not None else CASES[case]())
    graph = helper.make_graph(
        nodes, case,
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, v.shape) for n, v in inputs.items()],
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, v.shape) for n, v in expected.items()],
        [numpy_helper.from_array(v, n) for n, v in inits.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    if opset <= 17:
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
    if actual.shape != exp.shape:
        print(f"{label} {name}: shape {actual.shape} vs {exp.shape} MISMATCH")
        return False
    err = ort_oracle.normalised_error(actual, exp)
    ok = err <= 1e-4
    print(f"{label} {name}: normalised max error {err:.2e} {'ok' if ok else 'MISMATCH'}")
    return ok


def print_back(args, path, in_args, label, level, onnx_outs):
    """The model printed as .cnn compiles to the same outputs as the .onnx
    file at the same level."""
    printed = os.path.join(args.workdir, "printed", args.case + ".cnn")
    os.makedirs(os.path.dirname(printed), exist_ok=True)
    subprocess.run([args.cnnc, path, "--emit=cnn-text", "-o", printed], check=True)
    flag = ["--reference"] if level is None else [f"-O{level}", "-o", printed[:-4]]
    outs = {n: printed[:-4] + f"_{n}.npy" for n in onnx_outs}
    out_args = [a for n, f in outs.items() for a in ("--output", f"{cnnc_name(n)}={f}")]
    if level is None:
        subprocess.run([args.cnnc, printed] + flag + in_args + out_args, check=True)
    else:
        subprocess.run([args.cnnc, printed] + flag, check=True)
        subprocess.run([printed[:-4]] + in_args + out_args, check=True)
    ok = True
    for n, f in outs.items():
        same = np.array_equal(np.load(f), np.load(onnx_outs[n]))
        ok &= same
        print(f"printed .cnn {label} {n}: {'identical' if same else 'DIFFERENT'} "
              f"to the .onnx model's")
    return ok


def main():
    p = argparse.ArgumentParser()
    p.add_argument("case", choices=sorted(CASES))
    p.add_argument("--cnnc", required=True)
    p.add_argument("--workdir", required=True)
    p.add_argument("--opset", type=int)
    p.add_argument("--levels", default="0,2")
    p.add_argument("--ort-dir")
    p.add_argument("--print-back", action="store_true")
    p.add_argument("--perturb", action="store_true")
    args = p.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    path, inputs, expected = build(args.case, args.workdir, args.opset)
    ort = None
    if args.ort_dir:
        ort = ort_oracle.run(args.ort_dir, path, inputs, args.workdir)
    if args.perturb:
        first = next(iter(expected))
        expected[first] = expected[first].copy()
        expected[first].flat[0] += 0.01 * np.max(np.abs(expected[first]))
    ok = True
    if ort is not None:
        for n, exp in expected.items():
            ok &= compare("onnxruntime", n + " vs numpy", ort[n], exp)
    ins = [f"{cnnc_name(n)}={os.path.join(args.workdir, f'in_{n}.npy')}" for n in inputs]
    runs = [("--reference", None)] + [
        (f"-O{lvl}", lvl) for lvl in args.levels.split(",") if lvl]
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
            if ort is not None:
                ok &= compare(label, n + " vs onnxruntime", np.load(outs[n]), ort[n])
    if args.print_back:
        ok &= print_back(args, path, in_args, label, level, outs)
    print(f"{'PASS' if ok else 'FAIL'}: {args.case}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
