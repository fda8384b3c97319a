#!/usr/bin/env python3
"""Independent numpy oracle for cnnc's maxpool2d, avgpool2d, global_avgpool.

The expected output follows PyTorch (no torch needed), per spatial axis with
input size H, kernel k, stride s, padding top pt / bottom pb:
  out = floor_or_ceil((H + pt + pb - k) / s) + 1, and with ceil_mode, minus 1
        when the last window would start at or beyond H + pt (it must start
        inside the input or the top padding).
  maxpool: the input is padded with -inf; each output is the max of its window.
  avgpool: hstart = oh * s - pt; hend = min(hstart + k, H + pb);
           pool_size = (hend - hstart) * (wend - wstart);
           hstart = max(hstart, 0); hend = min(hend, H) (same for w);
           divisor = pool_size if count_include_pad
                     else (hend - hstart) * (wend - wstart);
           out = sum(x[hstart:hend, wstart:wend]) / divisor.
  global_avgpool: mean over H and W, shape [N, C, 1, 1].
Computed in float64; cnnc's -O0, -O2 and --reference results must be within
max|a - e| / max|e| <= 1e-5 (oracle_common.TOLERANCE) and have numpy's shape.
"""
import math
import sys

import numpy as np

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

from oracle_common import fmt_pair, pair, padding4, parse_args, run_cases

# (op, n, c, h, w, kernel, stride, padding, ceil_mode, count_include_pad)
# stride None = the default (kernel); padding int | (h, w) | (t, l, b, r).
CASES = [
    # maxpool
    ("max", 1, 2, 8, 8, 2, None, 0, False, None),            # s = k, defaults
    ("max", 2, 3, 9, 9, 3, 2, 1, False, None),               # s < k, pad 1
    ("max", 1, 3, 9, 9, 2, 2, 0, True, None),                # ceil: partial window
    ("max", 1, 2, 10, 11, 3, 2, 1, True, None),              # ceil + pad
    ("max", 1, 2, 6, 6, 2, 4, 1, True, None),                # s > k, ceil drops last
    ("max", 2, 3, 9, 7, (3, 2), (2, 1), (1, 0, 0, 1), True, None),  # non-square, asym
    ("max", 1, 4, 11, 10, 2, 3, 0, False, None),             # s > k
    ("max", 1, 3, 8, 9, 3, 2, (0, 1, 1, 0), False, None),    # asym 4-tuple
    ("max", 1, 2, 7, 12, (3, 2), 1, (1, 1), False, None),    # (h, w) pad, s = 1
    ("max", 1, 2, 7, 9, 3, 1, 2, False, None),               # pad k - 1 (ONNX)
    ("max", 1, 2, 8, 9, 3, 2, (2, 0, 1, 2), True, None),     # ceil + pad k - 1
    ("max", 1, 32, 14, 13, 3, 1, 2, False, None),            # vectorised channels
    # avgpool
    ("avg", 1, 2, 8, 8, 2, None, 0, False, None),            # defaults
    ("avg", 2, 3, 9, 9, 3, 2, 1, False, True),
    ("avg", 2, 3, 9, 9, 3, 2, 1, False, False),
    ("avg", 1, 3, 10, 10, 3, 2, 1, True, True),              # ceil partial + pad
    ("avg", 1, 3, 10, 10, 3, 2, 1, True, False),
    ("avg", 1, 2, 9, 8, (3, 2), (1, 2), (1, 0, 1, 1), True, True),   # asym
    ("avg", 2, 2, 8, 11, (3, 2), 2, (1, 1, 0, 0), True, False),      # asym
    ("avg", 1, 2, 6, 6, 2, 3, 1, True, True),                # s > k, ceil
    ("avg", 1, 3, 7, 7, 3, 3, 0, True, True),                # ceil, no pad
    ("avg", 1, 3, 7, 8, 3, 3, 0, True, False),
    ("avg", 1, 2, 11, 9, 3, 2, (0, 1, 1, 0), True, True),    # ceil + asym
    ("avg", 1, 2, 7, 9, 3, 1, 2, False, True),               # pad k - 1 (ONNX)
    ("avg", 1, 2, 7, 9, 3, 1, 2, False, False),
    ("avg", 1, 2, 8, 9, 3, 2, (2, 0, 1, 2), True, True),     # ceil + pad k - 1
    ("avg", 1, 2, 8, 9, 3, 2, (2, 0, 1, 2), True, False),
    ("avg", 1, 32, 14, 13, 3, 1, 2, False, False),           # vectorised channels
    # global_avgpool
    ("global", 1, 3, 7, 5, None, None, None, None, None),
    ("global", 2, 6, 12, 9, None, None, None, None, None),
]


def out_size(size, k, s, p_lo, p_hi, ceil_mode):
    num = size + p_lo + p_hi - k
    out = (math.ceil(num / s) if ceil_mode else num // s) + 1
    if ceil_mode and (out - 1) * s >= size + p_lo:
        out -= 1
    return out


def maxpool_numpy(x, kernel, stride, pad, ceil_mode):
    n, c, h, w = x.shape
    kh, kw = kernel
    sh, sw = stride
    pt, pl, pb, pr = pad
    oh = out_size(h, kh, sh, pt, pb, ceil_mode)
    ow = out_size(w, kw, sw, pl, pr, ceil_mode)
    # Pad with -inf: the given padding, plus whatever ceil_mode's partial
    # last window reaches beyond it.
    ph = max(h + pt + pb, (oh - 1) * sh + kh)
    pw = max(w + pl + pr, (ow - 1) * sw + kw)
    xp = np.full((n, c, ph, pw), -np.inf)
    xp[:, :, pt:pt + h, pl:pl + w] = x
    y = np.empty((n, c, oh, ow))
    for i in range(oh):
        for j in range(ow):
            win = xp[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
            y[:, :, i, j] = win.max(axis=(2, 3))
    assert np.all(np.isfinite(y)), "a window lies entirely in the padding"
    return y


def avgpool_numpy(x, kernel, stride, pad, ceil_mode, count_include_pad):
    n, c, h, w = x.shape
    kh, kw = kernel
    sh, sw = stride
    pt, pl, pb, pr = pad
    oh = out_size(h, kh, sh, pt, pb, ceil_mode)
    ow = out_size(w, kw, sw, pl, pr, ceil_mode)
    y = np.empty((n, c, oh, ow))
    for i in range(oh):
        for j in range(ow):
            hstart = i * sh - pt
            wstart = j * sw - pl
            hend = min(hstart + kh, h + pb)
            wend = min(wstart + kw, w + pr)
            pool_size = (hend - hstart) * (wend - wstart)
            hstart, wstart = max(hstart, 0), max(wstart, 0)
            hend, wend = min(hend, h), min(wend, w)
            divisor = pool_size if count_include_pad else (hend - hstart) * (wend - wstart)
            assert hend > hstart and wend > wstart
            y[:, :, i, j] = x[:, :, hstart:hend, wstart:wend].sum(axis=(2, 3)) / divisor
    return y


def make_case(idx, spec):
    op, n, c, h, w, kernel, stride, padding, ceil_mode, cip = spec
    rng = np.random.default_rng(2000 + idx)
    if op == "max":
        # Mostly negative, so padding with 0 instead of -inf would show.
        x = rng.uniform(-2.0, 0.5, size=(n, c, h, w)).astype(np.float32)
    else:
        x = rng.uniform(-1.0, 1.0, size=(n, c, h, w)).astype(np.float32)
    xd = x.astype(np.float64)
    header = ("model pool_oracle_%d\n" % idx
              + "input x: f32[%d, %d, %d, %d]\n" % (n, c, h, w))
    if op == "global":
        model = header + "output y = global_avgpool(x)\n"
        expected = xd.mean(axis=(2, 3), keepdims=True)
        return "global_avgpool n=%d c=%d h=%d w=%d" % (n, c, h, w), model, x, expected

    k = pair(kernel)
    s = pair(stride if stride is not None else kernel)
    pad = padding4(padding)
    args = ["x", "kernel=%s" % fmt_pair(kernel)]
    if stride is not None:
        args.append("stride=%s" % fmt_pair(stride))
    if padding != 0:
        args.append("padding=%s" % fmt_pair(padding))
    if ceil_mode:
        args.append("ceil_mode=true")
    if op == "max":
        expected = maxpool_numpy(xd, k, s, pad, ceil_mode)
        model = header + "output y = maxpool2d(%s)\n" % ", ".join(args)
    else:
        if cip is not None:
            args.append("count_include_pad=%s" % ("true" if cip else "false"))
        include = True if cip is None else cip
        expected = avgpool_numpy(xd, k, s, pad, ceil_mode, include)
        model = header + "output y = avgpool2d(%s)\n" % ", ".join(args)
    label = ("%spool k=%dx%d s=%dx%d p=(%d,%d,%d,%d) ceil=%s%s n=%d c=%d h=%d w=%d"
             % (op, k[0], k[1], s[0], s[1], pad[0], pad[1], pad[2], pad[3],
                ceil_mode, "" if op == "max" else " cip=%s" % (True if cip is None else cip),
                n, c, h, w))
    return label, model, x, expected


def main():
    args = parse_args(__doc__)
    cases = [make_case(i, spec) for i, spec in enumerate(CASES)]
    return run_cases(args, cases)


if __name__ == "__main__":
    raise SystemExit(main())
