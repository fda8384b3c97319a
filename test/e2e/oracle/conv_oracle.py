#!/usr/bin/env python3
"""Independent numpy oracle for cnnc's conv2d (no torch).

The expected output follows torch.nn.functional.conv2d: cross-correlation
(the kernel is not flipped), zero padding (top, left, bottom, right),
stride, dilation and groups (input channels and filters split into
`groups` equal slices; groups = C is depthwise), plus an optional bias.
`padding=same` is SAME_UPPER: per axis
    total = max((ceil(H / s) - 1) * s + (k - 1) * d + 1 - H, 0)
    top = total // 2, bottom = total - top.
Computed in float64; cnnc's -O0, -O2 and --reference results must be within
max|a - e| / max|e| <= 1e-5 (oracle_common.TOLERANCE) and have numpy's shape.
"""
import math
import sys

import numpy as np

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

from oracle_common import (fmt_literal, fmt_pair, pair, padding4, parse_args,
                           run_cases)

# (n, c, h, w, filters, kernel, stride, padding, dilation, groups, bias)
# padding: int | (h, w) | (top, left, bottom, right) | "same"
CASES = [
    # kernel sizes 1, 2, 3, 5
    (1, 1, 5, 5, 1, 1, 1, 0, 1, 1, True),
    (2, 3, 7, 6, 4, 1, 2, 0, 1, 1, False),
    (1, 2, 6, 6, 3, 2, 1, 0, 1, 1, True),
    (2, 3, 8, 7, 5, 2, 2, 1, 1, 1, True),
    (1, 4, 9, 9, 4, 3, 1, 1, 1, 1, True),
    (2, 3, 9, 8, 6, 3, 2, 1, 1, 1, False),
    (1, 2, 10, 11, 3, 3, 3, (1, 2), 1, 1, True),
    (1, 3, 12, 12, 2, 5, 1, 2, 1, 1, True),
    (2, 2, 11, 9, 4, 5, 2, (2, 1, 0, 2), 1, 1, True),
    (1, 2, 5, 5, 3, 5, 3, 0, 1, 1, True),            # kernel = input
    # non-square kernels, stride (2, 1) / (1, 2), asymmetric padding
    (1, 3, 8, 6, 4, (3, 1), 1, (1, 0), 1, 1, True),
    (1, 3, 6, 8, 4, (1, 3), (2, 1), (0, 1), 1, 1, False),
    (2, 4, 9, 7, 6, (3, 2), (2, 1), (1, 0, 2, 1), (1, 2), 2, True),
    (1, 2, 10, 10, 3, (2, 3), (1, 2), (0, 1, 1, 0), 1, 1, True),
    # padding=same (SAME_UPPER), incl. stride and dilation
    (1, 4, 9, 9, 4, 3, 1, "same", 1, 1, True),
    (1, 3, 10, 7, 5, 3, 2, "same", 1, 1, True),
    (2, 2, 8, 9, 3, (2, 3), (2, 1), "same", (2, 1), 1, False),
    (1, 2, 7, 10, 2, 2, 1, "same", 1, 1, True),      # even kernel: odd total
    # dilation 2 and (2, 1)
    (1, 3, 11, 11, 2, 3, 1, 0, 2, 1, True),
    (1, 2, 12, 10, 4, 3, 2, 2, 2, 1, True),
    (1, 4, 9, 8, 4, (3, 2), 1, 1, (2, 1), 1, True),
    # groups: depthwise (groups = C = filters), multiplier 2, groups 2 and 3
    (1, 4, 8, 8, 4, 3, 1, 1, 1, 4, True),
    (2, 6, 9, 10, 6, 3, 2, "same", 1, 6, False),
    (1, 5, 12, 11, 5, 3, 1, (2, 1, 2, 3), 2, 5, True),
    (2, 4, 5, 5, 4, 5, 1, 2, 1, 4, True),
    (1, 6, 6, 6, 12, 1, 1, 0, 1, 6, False),           # depthwise multiplier 2
    (1, 4, 7, 7, 8, 3, 1, 1, 1, 2, True),
    (2, 6, 8, 9, 9, (2, 3), 3, (1, 1, 2, 0), 1, 3, True),
]


def same_padding(size, k, s, d):
    total = max((math.ceil(size / s) - 1) * s + (k - 1) * d + 1 - size, 0)
    return total // 2, total - total // 2


def conv2d_numpy(x, w, b, stride, pad, dilation, groups):
    """x [N, C, H, W], w [F, C/groups, KH, KW], b [F] or None; float64."""
    n, c, h, wd = x.shape
    f, cg, kh, kw = w.shape
    sh, sw = stride
    dh, dw = dilation
    pt, pl, pb, pr = pad
    assert c == cg * groups and f % groups == 0
    xp = np.zeros((n, c, h + pt + pb, wd + pl + pr))
    xp[:, :, pt:pt + h, pl:pl + wd] = x
    oh = (h + pt + pb - dh * (kh - 1) - 1) // sh + 1
    ow = (wd + pl + pr - dw * (kw - 1) - 1) // sw + 1
    fg = f // groups
    y = np.zeros((n, f, oh, ow))
    for g in range(groups):
        xg = xp[:, g * cg:(g + 1) * cg]
        wg = w[g * fg:(g + 1) * fg]
        for i in range(kh):
            for j in range(kw):
                # out[n, f, p, q] += sum_c xp[n, c, p*sh + i*dh, q*sw + j*dw] * w[f, c, i, j]
                patch = xg[:, :, i * dh:i * dh + sh * (oh - 1) + 1:sh,
                           j * dw:j * dw + sw * (ow - 1) + 1:sw]
                y[:, g * fg:(g + 1) * fg] += np.einsum("nchw,fc->nfhw", patch,
                                                       wg[:, :, i, j])
    if b is not None:
        y += b[None, :, None, None]
    return y


def make_case(idx, spec):
    n, c, h, w, f, kernel, stride, padding, dilation, groups, bias = spec
    rng = np.random.default_rng(1000 + idx)
    kh, kw = pair(kernel)
    sh, sw = pair(stride)
    dh, dw = pair(dilation)
    x = rng.uniform(-1, 1, size=(n, c, h, w)).astype(np.float32)
    wt = rng.uniform(-1, 1, size=(f, c // groups, kh, kw)).astype(np.float32)
    bv = rng.uniform(-1, 1, size=(f,)).astype(np.float32) if bias else None
    if padding == "same":
        pt, pb = same_padding(h, kh, sh, dh)
        pl, pr = same_padding(w, kw, sw, dw)
        pad = (pt, pl, pb, pr)
        pad_text = "same"
    else:
        pad = padding4(padding)
        pad_text = fmt_pair(padding)

    args = ["x", "filters=%d" % f, "kernel=%s" % fmt_pair(kernel)]
    if stride != 1:
        args.append("stride=%s" % fmt_pair(stride))
    if padding != 0:
        args.append("padding=%s" % pad_text)
    if dilation != 1:
        args.append("dilation=%s" % fmt_pair(dilation))
    if groups != 1:
        args.append("groups=%d" % groups)
    args.append("weight=%s" % fmt_literal(wt))
    args.append("bias=%s" % (fmt_literal(bv) if bias else "false"))
    model = ("model conv_oracle_%d\n" % idx
             + "input x: f32[%d, %d, %d, %d]\n" % (n, c, h, w)
             + "output y = conv2d(%s)\n" % ", ".join(args))

    expected = conv2d_numpy(x.astype(np.float64), wt.astype(np.float64),
                            None if bv is None else bv.astype(np.float64),
                            (sh, sw), pad, (dh, dw), groups)
    label = ("conv k=%dx%d s=%dx%d p=%s%s d=%dx%d g=%d f=%d bias=%s n=%d c=%d h=%d w=%d"
             % (kh, kw, sh, sw, "(%d,%d,%d,%d)" % pad,
                "[same]" if padding == "same" else "", dh, dw, groups, f, bias,
                n, c, h, w))
    return label, model, x, expected


def main():
    args = parse_args(__doc__)
    cases = [make_case(i, spec) for i, spec in enumerate(CASES)]
    return run_cases(args, cases)


if __name__ == "__main__":
    raise SystemExit(main())
