#!/usr/bin/env python3
"""An independent numpy implementation of Darknet inference, to check cnnc's
Darknet importer (it never calls cnnc to compute anything).

  darknet_oracle.py --cfg NET.cfg --workdir DIR [--cnnc CNNC]
                    [--levels ref,0,2] [--version 0.2.0] [--seed S]
                    [--truncate N | --extend N] [--write-only]

Writes DIR/NET.weights: random parameters in Darknet's layout (header int32
major, minor, revision, then `seen` as uint64 from version 0.2 on and uint32
before; then per layer in cfg order: [convolutional] biases, if
batch_normalize scales, rolling means, rolling variances, then the kernel
[filters][channels/groups][size][size]; [connected] biases, the weights
[outputs][inputs] ([inputs][outputs] when major or minor > 1000), then if
batch_normalize scales, means, variances). --truncate/--extend cut or pad
the file by N bytes (for the error tests); --write-only stops there.

Otherwise computes the network in float64 from the cfg with Darknet's
rules, runs `cnnc NET.cfg --weights NET.weights` at each level ("ref" is
--reference; 0 and 2 are executables built with -O0/-O2) on the same random
image, and compares every output: its shape, and the normalised error
max|cnnc - numpy| / max|numpy| <= --rtol (1e-4, as test/e2e's samples).

Darknet rules implemented here (AlexeyAB's darknet):
  convolutional: padding = size/2 if pad else padding; out = (in + 2*padding
    - size)/stride + 1; with dilation d the input is padded by padding*d.
    BN: (x - mean) / sqrt(var + 1e-5) * scale + bias, else x + bias.
  maxpool: size defaults to stride, padding to size-1; out = (in + padding -
    size)/stride + 1; window (y, x) starts at y*stride - padding/2; values
    outside the input are ignored.
  avgpool: the mean of each channel. route: channel concat of the layers,
    each cut to channel group group_id of groups. shortcut: act(previous +
    from..., of unequal shapes the elements both have in memory order). upsample: nearest, factor stride. connected: W @ flat(x), BN,
    + bias. softmax: over all values. dropout, cost: identity. reorg: Darknet's
    space-to-depth. crop: the centred window, x * 2 - 1 unless noadjust. scale_channels: layer `from` times the previous layer. yolo/region: their
    input is a model output, named yolo<index>/region<index>; without any,
    the last layer's output is the output `output`.
cnnc's shape conventions: images are [1, C, H, W]; a [connected] output is
[1, N]; [softmax] keeps [1, C, 1, 1] and flattens other images.
"""
import argparse
import os
import struct
import subprocess
import sys

import numpy as np

ACTIVATIONS = {
    "linear": lambda x: x,
    "relu": lambda x: np.maximum(x, 0),
    "relu6": lambda x: np.minimum(np.maximum(x, 0), 6),
    "leaky": lambda x: np.where(x > 0, x, 0.1 * x),
    "logistic": lambda x: 1 / (1 + np.exp(-x)),
    "tanh": np.tanh,
    "mish": lambda x: x * np.tanh(np.logaddexp(0, x)),
    "swish": lambda x: x / (1 + np.exp(-x)),
    "elu": lambda x: np.where(x >= 0, x, np.expm1(x)),
    "selu": lambda x: np.where(x >= 0, 1.0507 * x, 1.0507 * 1.6732 * np.expm1(x)),
    "relie": lambda x: np.where(x > 0, x, 0.01 * x),
    "hardtan": lambda x: np.clip(x, -1, 1),
}
ALIASES = {"network": "net", "conv": "convolutional", "conn": "connected",
           "max": "maxpool", "avg": "avgpool", "soft": "softmax"}


def read_cfg(path):
    sections = []
    for line in open(path):
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            name = line[1:line.index("]")].strip()
            sections.append((ALIASES.get(name, name), {}))
        else:
            key, value = line.split("=", 1)
            sections[-1][1][key.strip()] = value.split("#")[0].strip()
    return sections


def ints(text):
    return [int(v) for v in text.split(",")]


class Params:
    """Random parameters, remembered in file order."""

    def __init__(self, rng, transposed):
        self.rng = rng
        self.transposed = transposed
        self.chunks = []

    def take(self, shape, low, high):
        a = self.rng.uniform(low, high, size=shape).astype(np.float32)
        self.chunks.append(a)
        return a.astype(np.float64)

    def batchnorm(self, n):
        scales = self.take(n, 0.5, 1.5)
        mean = self.take(n, -0.3, 0.3)
        var = self.take(n, 0.5, 2.0)
        return scales, mean, var


def bn_apply(x, scales, mean, var, bias):
    shape = (-1,) + (1,) * (x.ndim - 1)
    return ((x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + 1e-5)
            * scales.reshape(shape) + bias.reshape(shape))


def conv2d(x, w, stride, pad, dil, groups, out_h, out_w):
    c = x.shape[0]
    f, cg, k, _ = w.shape
    xp = np.pad(x, ((0, 0), (pad, pad), (pad, pad)))
    out = np.zeros((f, out_h, out_w))
    fg = f // groups
    for g in range(groups):
        xs = xp[g * cg:(g + 1) * cg]
        for i in range(k):
            for j in range(k):
                patch = xs[:, i * dil:i * dil + stride * (out_h - 1) + 1:stride,
                           j * dil:j * dil + stride * (out_w - 1) + 1:stride]
                out[g * fg:(g + 1) * fg] += np.einsum(
                    "fc,chw->fhw", w[g * fg:(g + 1) * fg, :, i, j], patch)
    assert c == cg * groups
    return out


def maxpool(x, size, stride, padding):
    c, h, w = x.shape
    oh = (h + padding - size) // stride + 1
    ow = (w + padding - size) // stride + 1
    top = padding // 2
    xp = np.full((c, h + top + size + stride * oh, w + top + size + stride * ow),
                 -np.inf)
    xp[:, top:top + h, top:top + w] = x
    out = np.full((c, oh, ow), -np.inf)
    for i in range(size):
        for j in range(size):
            out = np.maximum(out, xp[:, i:i + stride * (oh - 1) + 1:stride,
                                     j:j + stride * (ow - 1) + 1:stride])
    return out


def forward(sections, image, params):
    """Darknet's forward pass; returns {output name: array}."""
    net = sections[0][1]
    layers = []
    outputs = {}
    x = image  # [C, H, W] or [N] (after connected)
    for index, (kind, opt) in enumerate(sections[1:]):
        def ref(v):
            return layers[index + v if v < 0 else v]
        if kind == "convolutional":
            filters = int(opt.get("filters", 1))
            size = int(opt.get("size", 1))
            stride = int(opt.get("stride", 1))
            groups = int(opt.get("groups", 1))
            dil = 1 if size == 1 else int(opt.get("dilation", 1))
            padding = size // 2 if int(opt.get("pad", 0)) else int(opt.get("padding", 0))
            bn = int(opt.get("batch_normalize", 0))
            c, h, w = x.shape
            out_h = (h + 2 * padding - size) // stride + 1
            out_w = (w + 2 * padding - size) // stride + 1
            fan_in = c // groups * size * size
            bias = params.take(filters, -0.3, 0.3)
            if bn:
                scales, mean, var = params.batchnorm(filters)
            bound = np.sqrt(3.0 / fan_in)
            weight = params.take((filters, c // groups, size, size), -bound, bound)
            y = conv2d(x, weight, stride, padding * dil, dil, groups, out_h, out_w)
            y = bn_apply(y, scales, mean, var, bias) if bn else y + bias.reshape(-1, 1, 1)
            x = ACTIVATIONS[opt.get("activation", "logistic")](y)
        elif kind == "connected":
            n = int(opt.get("output", 1))
            bn = int(opt.get("batch_normalize", 0))
            flat = x.reshape(-1)
            bias = params.take(n, -0.3, 0.3)
            bound = np.sqrt(3.0 / flat.size)
            if params.transposed:
                weight = params.take((flat.size, n), -bound, bound).T
            else:
                weight = params.take((n, flat.size), -bound, bound)
            y = weight @ flat
            if bn:
                scales, mean, var = params.batchnorm(n)
                y = bn_apply(y, scales, mean, var, bias)
            else:
                y = y + bias
            x = ACTIVATIONS[opt.get("activation", "logistic")](y)
        elif kind == "maxpool":
            stride = int(opt.get("stride", 1))
            size = int(opt.get("size", stride))
            x = maxpool(x, size, stride, int(opt.get("padding", size - 1)))
        elif kind == "avgpool":
            x = x.mean(axis=(1, 2), keepdims=True)
        elif kind == "route":
            groups = int(opt.get("groups", 1))
            gid = int(opt.get("group_id", 0))
            parts = []
            for v in ints(opt["layers"]):
                t = ref(v)
                part = t.shape[0] // groups
                parts.append(t[gid * part:(gid + 1) * part])
            x = np.concatenate(parts, axis=0)
        elif kind == "shortcut":
            # Of unequal shapes Darknet adds the elements both have in
            # memory order (blas.c, shortcut_multilayer_cpu).
            for v in ints(opt["from"]):
                flat, add = x.reshape(-1).copy(), ref(v).reshape(-1)
                n = min(flat.size, add.size)
                flat[:n] += add[:n]
                x = flat.reshape(x.shape)
            x = ACTIVATIONS[opt.get("activation", "linear")](x)
        elif kind == "upsample":
            s = int(opt.get("stride", 2))
            x = x.repeat(s, axis=1).repeat(s, axis=2)
        elif kind == "softmax":
            if x.ndim == 3 and x.shape[1:] != (1, 1):
                x = x.reshape(-1)
            e = np.exp(x - x.max())
            x = e / e.sum()
        elif kind == "reorg":
            # blas.c, reorg_cpu(input, out_w, out_h, out_c, ..., forward=0):
            # out[k, j, i] = in[k % C, j*s + (k // C) // s, i*s + (k // C) % s].
            s = int(opt.get("stride", 1))
            c, h, w = x.shape
            out = np.empty((c * s * s, h // s, w // s))
            for k in range(c * s * s):
                offset = k // c
                out[k] = x[k % c, offset // s::s, offset % s::s]
            x = out
        elif kind == "crop":
            # crop_layer.c at inference: the centred window, x * 2 - 1
            # unless noadjust.
            hh, ww = int(opt.get("crop_height", 1)), int(opt.get("crop_width", 1))
            dh, dw = (x.shape[1] - hh) // 2, (x.shape[2] - ww) // 2
            x = x[:, dh:dh + hh, dw:dw + ww]
            if not int(opt.get("noadjust", 0)):
                x = x * 2 - 1
        elif kind == "scale_channels":
            # scale_channels_layer.c: the layer `from` times the input, per
            # channel or (scale_wh) per pixel.
            x = ACTIVATIONS[opt.get("activation", "linear")](ref(int(opt["from"])) * x)
        elif kind in ("dropout", "cost"):
            pass
        elif kind in ("yolo", "region"):
            outputs[f"{kind}{index}"] = x
        else:
            sys.exit(f"darknet_oracle.py: no rule for [{kind}]")
        layers.append(x)
    if not outputs:
        outputs["output"] = x
    return {name: cnnc_shape(a) for name, a in outputs.items()}


def cnnc_shape(a):
    """cnnc's shape for a Darknet tensor: batch 1 in front; [C, 1, 1] stays
    an image unless a connected layer made it [N]."""
    return a.reshape((1,) + a.shape)


def write_weights(path, params, version, truncate, extend):
    major, minor, revision = version
    header = struct.pack("<iii", major, minor, revision)
    header += struct.pack("<Q" if major * 10 + minor >= 2 else "<I", 123456)
    body = b"".join(c.astype("<f4").tobytes() for c in params.chunks)
    data = header + body
    if truncate:
        data = data[:len(data) - truncate]
    data += bytes(extend)
    with open(path, "wb") as f:
        f.write(data)
    return len(header), len(data)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cfg", required=True)
    p.add_argument("--workdir", required=True)
    p.add_argument("--cnnc")
    p.add_argument("--levels", default="ref,0,2")
    p.add_argument("--version", default="0.2.0")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--truncate", type=int, default=0)
    p.add_argument("--extend", type=int, default=0)
    p.add_argument("--write-only", action="store_true")
    p.add_argument("--rtol", type=float, default=1e-4)
    args = p.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    name = os.path.splitext(os.path.basename(args.cfg))[0]
    version = tuple(int(v) for v in args.version.split("."))

    sections = read_cfg(args.cfg)
    net = sections[0][1]
    rng = np.random.default_rng(args.seed)
    image = rng.uniform(-1, 1, size=(int(net["channels"]), int(net["height"]),
                                     int(net["width"]))).astype(np.float32)
    params = Params(rng, version[0] > 1000 or version[1] > 1000)
    expected = forward(sections, image.astype(np.float64), params)
    weights = os.path.join(args.workdir, f"{name}.weights")
    header, size = write_weights(weights, params, version, args.truncate,
                                 args.extend)
    print(f"{name}: wrote {weights}: {size} bytes ({header}-byte header, "
          f"{sum(c.size for c in params.chunks)} parameters)")
    if args.write_only:
        return 0

    image_path = os.path.join(args.workdir, "image.npy")
    np.save(image_path, image.reshape((1,) + image.shape))
    failed = False
    for level in args.levels.split(","):
        outs = []
        for out in expected:
            outs += ["--output", f"{out}={os.path.join(args.workdir, f'{out}.{level}.npy')}"]
        base = [args.cnnc, args.cfg, "--weights", weights]
        if level == "ref":
            subprocess.run(base + ["--reference", "--input", f"image={image_path}"]
                           + outs, check=True)
            tag = "--reference"
        else:
            exe = os.path.join(args.workdir, f"{name}.O{level}")
            subprocess.run(base + [f"-O{level}", "-o", exe], check=True)
            subprocess.run([exe, "--input", f"image={image_path}"] + outs, check=True)
            tag = f"-O{level}"
        for out, want in expected.items():
            got = np.load(os.path.join(args.workdir, f"{out}.{level}.npy"))
            if got.shape != want.shape:
                print(f"FAIL {tag} {out}: shape {got.shape}, numpy {want.shape}")
                failed = True
                continue
            err = (float(np.max(np.abs(got.astype(np.float64) - want)))
                   / max(float(np.max(np.abs(want))), 1e-30))
            ok = np.all(np.isfinite(got)) and err <= args.rtol
            failed |= not ok
            print(f"{'ok' if ok else 'FAIL'} {tag} {out}: shape {list(got.shape)}, "
                  f"normalised max error {err:.2e} (rtol {args.rtol:g})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
