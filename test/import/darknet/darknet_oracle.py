#!/usr/bin/env python3
"""An independent numpy implementation of Darknet inference, to check cnnc's
Darknet importer (it never calls cnnc to compute anything).

  darknet_oracle.py --cfg NET.cfg --workdir DIR [--cnnc CNNC]
                    [--levels ref,0,2] [--version 0.2.0] [--seed S]
                    [--truncate N | --extend N] [--write-only]
                    [--size WxH] [--batch N]

Writes DIR/NET.weights: random parameters in Darknet's layout (header int32
major, minor, revision, then `seen` as uint64 from version 0.2 on and uint32
before; then per layer in cfg order: [convolutional] biases, if
batch_normalize scales, rolling means, rolling variances, then the kernel
[filters][channels/groups][size][size]; [connected] biases, the weights
[outputs][inputs] ([inputs][outputs] when major or minor > 1000), then if
batch_normalize scales, means, variances). --truncate/--extend cut or pad
the file by N bytes (for the error tests); --write-only stops there.
--size compiles the cfg with [net]'s width and height replaced (written to
DIR/NET.cfg), for large networks. --batch N compiles with `cnnc --batch N`
and feeds N random images, each computed on its own by the oracle.

Otherwise computes the network in float64 from the cfg with Darknet's
rules, runs `cnnc NET.cfg --weights NET.weights` at each level ("ref" is
--reference; 0 and 2 are executables built with -O0/-O2) on the same random
image, and compares every output: its shape, and the normalised error
max|cnnc - numpy| / max|numpy| <= --rtol (1e-4, as test/e2e's samples).

Darknet rules implemented here (AlexeyAB's darknet):
  convolutional: padding = size/2 if pad else padding; out = (in + 2*padding
    - size)/stride + 1; with dilation d the input is padded by padding*d.
    BN: (x - mean) / sqrt(var + 1e-5) * scale + bias, else x + bias.
  local: a convolution with its own filters at each output location.
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
    "revleaky": lambda x: np.where(x > 0, x, 0.1 * x),
    "loggy": lambda x: 2 / (1 + np.exp(-x)) - 1,
    "ramp": lambda x: x * (x > 0) + 0.1 * x,
    "plse": lambda x: np.where(x < -4, 0.01 * (x + 4),
                               np.where(x > 4, 0.01 * (x - 4) + 1, 0.125 * x + 0.5)),
    "lhtan": lambda x: np.where(x < 0, 0.001 * x,
                                np.where(x > 1, 0.001 * (x - 1) + 1, x)),
    "stair": lambda x: np.where(np.floor(x) % 2 == 0, np.floor(x / 2),
                                x - np.floor(x) + np.floor(x / 2)),
    "hard_mish": lambda x: np.where(x > 0, x, np.where(x > -2, x * x / 2 + x, 0)),
    "gelu": lambda x: 0.5 * x * (1 + np.tanh(0.797885 * x + 0.035677 * x ** 3)),
    # Per pixel over the channels (axis 0 of [C, H, W]), eps 0.0001.
    "normalize_channels": lambda x: np.maximum(x, 0) / (
        0.0001 + np.maximum(x, 0).sum(axis=0, keepdims=True)),
    "normalize_channels_softmax": lambda x: np.exp(x) / (
        0.0001 + np.exp(x).sum(axis=0, keepdims=True)),
    "normalize_channels_softmax_maxval": lambda x: np.exp(x - x.max(axis=0)) / (
        0.0001 + np.exp(x - x.max(axis=0)).sum(axis=0, keepdims=True)),
}
ALIASES = {"network": "net", "conv": "convolutional", "conn": "connected",
           "max": "maxpool", "avg": "avgpool", "soft": "softmax",
           "local_avg": "local_avgpool"}
HEADS = ("yolo", "Gaussian_yolo", "region", "detection")


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
    """Random parameters, remembered in file order (or, given `replay`,
    those again in the same order)."""

    def __init__(self, rng, transposed, replay=None):
        self.rng = rng
        self.transposed = transposed
        self.chunks = []
        self.replay = replay

    def take(self, shape, low, high):
        if self.replay is not None:
            return self.replay.pop(0).astype(np.float64)
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


def conv2d(x, w, strides, pad, dil, groups, out_h, out_w):
    sy, sx = strides
    c = x.shape[0]
    f, cg, k, _ = w.shape
    xp = np.pad(x, ((0, 0), (pad, pad), (pad, pad)))
    out = np.zeros((f, out_h, out_w))
    fg = f // groups
    for g in range(groups):
        xs = xp[g * cg:(g + 1) * cg]
        for i in range(k):
            for j in range(k):
                patch = xs[:, i * dil:i * dil + sy * (out_h - 1) + 1:sy,
                           j * dil:j * dil + sx * (out_w - 1) + 1:sx]
                out[g * fg:(g + 1) * fg] += np.einsum(
                    "fc,chw->fhw", w[g * fg:(g + 1) * fg, :, i, j], patch)
    assert c == cg * groups
    return out


def pool(x, size, sy, sx, padding, average):
    """maxpool_layer.c: windows from (y*sy - padding/2, x*sx - padding/2);
    values outside the input are ignored (the average counts the others)."""
    c, h, w = x.shape
    oh = (h + padding - size) // sy + 1
    ow = (w + padding - size) // sx + 1
    top = padding // 2
    shape = (c, h + top + size + sy * oh, w + top + size + sx * ow)
    xp = np.full(shape, 0.0 if average else -np.inf)
    xp[:, top:top + h, top:top + w] = x
    inside = np.zeros(shape[1:])
    inside[top:top + h, top:top + w] = 1
    out = np.full((c, oh, ow), 0.0 if average else -np.inf)
    count = np.zeros((oh, ow))
    for i in range(size):
        for j in range(size):
            rows = slice(i, i + sy * (oh - 1) + 1, sy)
            cols = slice(j, j + sx * (ow - 1) + 1, sx)
            if average:
                out += xp[:, rows, cols]
                count += inside[rows, cols]
            else:
                out = np.maximum(out, xp[:, rows, cols])
    return out / count if average else out


def blur(x, opt):
    """AlexeyAB's antialiasing: a depthwise [1 2 1; 2 4 2; 1 2 1] / 16
    (padded by 1), or 2x2 mean (antialiasing=2), at the layer's strides, after
    the layer computed at stride 1."""
    mode = int(opt.get("antialiasing", 0))
    if not mode:
        return x
    stride = int(opt.get("stride", 1))
    sy, sx = int(opt.get("stride_y", stride)), int(opt.get("stride_x", stride))
    k = (np.full((2, 2), 0.25) if mode == 2
         else np.outer([1, 2, 1], [1, 2, 1]) / 16.0)
    c, h, w = x.shape
    pad = 0 if mode == 2 else 1
    size = k.shape[0]
    weight = np.broadcast_to(k, (c, 1, size, size))
    return conv2d(x, weight, (sy, sx), pad, 1, c, (h + 2 * pad - size) // sy + 1,
                  (w + 2 * pad - size) // sx + 1)


def reorg_cpu(x, w, h, c, stride):
    """blas.c, reorg_cpu(x, w, h, c, batch 1, stride, forward=0, out),
    literally: out[in_index] = x[out_index]."""
    x = x.reshape(-1)
    out = np.empty_like(x)
    out_c = c // (stride * stride)
    for k in range(c):
        for j in range(h):
            for i in range(w):
                in_index = i + w * (j + h * k)
                c2 = k % out_c
                offset = k // out_c
                w2 = i * stride + offset % stride
                h2 = j * stride + offset // stride
                out_index = w2 + w * stride * (h2 + h * stride * c2)
                out[in_index] = x[out_index]
    return out


def forward(sections, image, params):
    """Darknet's forward pass; returns {output name: array}."""
    layers = []
    conv_params = {}  # layer index -> (bias, bn params or None, weight)
    outputs = {}
    x = image  # [C, H, W] or [N] (after connected)
    for index, (kind, opt) in enumerate(sections[1:]):
        def ref(v):
            return layers[index + v if v < 0 else v]

        def act(y, default="linear"):
            return ACTIVATIONS[opt.get("activation", default)](y)
        if kind == "convolutional":
            filters = int(opt.get("filters", 1))
            size = int(opt.get("size", 1))
            stride = int(opt.get("stride", 1))
            sy = int(opt.get("stride_y", stride))
            sx = int(opt.get("stride_x", stride))
            groups = int(opt.get("groups", 1))
            dil = 1 if size == 1 else int(opt.get("dilation", 1))
            padding = size // 2 if int(opt.get("pad", 0)) else int(opt.get("padding", 0))
            bn = int(opt.get("batch_normalize", 0))
            c, h, w = x.shape
            if int(opt.get("antialiasing", 0)):
                sy = sx = 1  # blur() takes the strides
            out_h = (h + 2 * padding - size) // sy + 1
            out_w = (w + 2 * padding - size) // sx + 1
            fan_in = c // groups * size * size
            if "share_index" in opt:
                # parser.c: the parameters of that layer, not in the file.
                shared = int(opt["share_index"])
                bias, bnp, weight = conv_params[index + shared if shared < 0 else shared]
            else:
                bias = params.take(filters, -0.3, 0.3)
                bnp = params.batchnorm(filters) if bn else None
                bound = np.sqrt(3.0 / fan_in)
                weight = params.take((filters, c // groups, size, size), -bound, bound)
            conv_params[index] = (bias, bnp, weight)
            xnor = int(opt.get("xnor", 0))
            if int(opt.get("binary", 0)) or xnor:
                # binarize_weights: +-mean|w| of each filter.
                mean = np.abs(weight).reshape(filters, -1).mean(axis=1)
                weight = np.where(weight > 0, 1.0, -1.0) * mean.reshape(-1, 1, 1, 1)
            # binarize_cpu on the input; im2col pads the result with 0.
            xin = np.where(x > 0, 1.0, -1.0) if xnor else x
            y = conv2d(xin, weight, (sy, sx), padding * dil, dil, groups, out_h, out_w)
            y = bn_apply(y, *bnp, bias) if bn else y + bias.reshape(-1, 1, 1)
            x = blur(act(y, "logistic"), opt)
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
            x = act(y, "logistic")
        elif kind == "local":
            # local_layer.c: at each output location its own filters
            # (the file: biases [filters, H', W'], then the filters
            # location by location); `pad` pixels of zeros.
            filters = int(opt.get("filters", 1))
            size = int(opt.get("size", 1))
            stride = int(opt.get("stride", 1))
            pad = int(opt.get("pad", 0))
            c, h, w = x.shape
            oh = (h - (1 if pad else size)) // stride + 1
            ow = (w - (1 if pad else size)) // stride + 1
            out = params.take((filters, oh, ow), -0.3, 0.3)
            bound = np.sqrt(3.0 / (c * size * size))
            weights = params.take((oh * ow, filters, c, size, size), -bound, bound)
            xp = np.pad(x, ((0, 0), (pad, pad), (pad, pad)))
            for i in range(oh):
                for j in range(ow):
                    win = xp[:, i * stride:i * stride + size, j * stride:j * stride + size]
                    out[:, i, j] += np.einsum("fckl,ckl->f", weights[i * ow + j], win)
            x = act(out, "logistic")
        elif kind == "batchnorm":
            # load_batchnorm_weights: biases, scales, means, variances.
            bias = params.take(x.shape[0], -0.3, 0.3)
            x = bn_apply(x, *params.batchnorm(x.shape[0]), bias)
        elif kind == "activation":
            x = act(x)
        elif kind in ("maxpool", "local_avgpool"):
            if int(opt.get("maxpool_depth", 0)):
                # forward_maxpool_layer: output channel g is the maximum of
                # channels g, g + out_channels, ...
                out_c = int(opt.get("out_channels", 1))
                x = np.stack([x[g::out_c].max(axis=0) for g in range(out_c)])
            else:
                stride = int(opt.get("stride", 1))
                size = int(opt.get("size", stride))
                aa = int(opt.get("antialiasing", 0)) and kind == "maxpool"
                x = pool(x, size, 1 if aa else int(opt.get("stride_y", stride)),
                         1 if aa else int(opt.get("stride_x", stride)),
                         int(opt.get("padding", size - 1)), kind == "local_avgpool")
                if aa:
                    x = blur(x, opt)
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
            # blas.c, shortcut_multilayer_cpu: out = in * w[0] + from_i *
            # w[i + 1], weights per layer or per (layer, channel of the
            # output position), normalised over the layers; of unequal
            # shapes the elements both have in memory order.
            froms = ints(opt["from"])
            wtype = opt.get("weights_type", "none")
            norm = opt.get("weights_normalization", "none")
            weights = None
            if wtype != "none":
                step = x.shape[0] if wtype == "per_channel" else 1
                weights = params.take((len(froms) + 1, step), -0.3, 1.0)
                if norm in ("relu", "avg_relu"):
                    r = np.maximum(weights, 0)
                    weights = r / (0.0001 + r.sum(axis=0))
                elif norm == "softmax":
                    e = np.exp(weights - weights.max(axis=0))
                    weights = e / (0.0001 + e.sum(axis=0))
                # the weight of each output position, per layer
                weights = [np.broadcast_to(wl.reshape(-1, 1, 1), x.shape).reshape(-1)
                           for wl in weights]
            flat = x.reshape(-1) * (weights[0] if weights is not None else 1)
            for i, v in enumerate(froms):
                add = ref(v).reshape(-1)
                n = min(flat.size, add.size)
                flat[:n] += add[:n] * (weights[i + 1][:n] if weights is not None else 1)
            x = act(flat.reshape(x.shape))
        elif kind == "upsample":
            s = int(opt.get("stride", 2))
            x = x.repeat(s, axis=1).repeat(s, axis=2) * float(opt.get("scale", 1))
        elif kind == "softmax":
            # softmax_layer.c: each of `groups` runs of the values, of
            # x / temperature.
            if x.ndim == 3 and x.shape[1:] != (1, 1):
                x = x.reshape(-1)
            groups = int(opt.get("groups", 1))
            temp = float(opt.get("temperature", 1))
            runs = x.reshape(groups, -1) / temp
            e = np.exp(runs - runs.max(axis=1, keepdims=True))
            x = (e / e.sum(axis=1, keepdims=True)).reshape(x.shape)
        elif kind in ("reorg", "reorg3d"):
            # [reorg] (reorg_old_layer.c) calls reorg_cpu with its input
            # sizes, [reorg3d] (reorg_layer.c) with its output sizes.
            s = int(opt.get("stride", 1))
            c, h, w = x.shape
            if kind == "reorg":
                flat = reorg_cpu(x, w, h, c, s)
            else:
                flat = reorg_cpu(x, w // s, h // s, c * s * s, s)
            x = flat.reshape(c * s * s, h // s, w // s)
        elif kind == "crop":
            # crop_layer.c at inference: the centred window, x * 2 - 1
            # unless noadjust.
            hh, ww = int(opt.get("crop_height", 1)), int(opt.get("crop_width", 1))
            dh, dw = (x.shape[1] - hh) // 2, (x.shape[2] - ww) // 2
            x = x[:, dh:dh + hh, dw:dw + ww]
            if not int(opt.get("noadjust", 0)):
                x = x * 2 - 1
        elif kind in ("scale_channels", "sam"):
            # scale_channels_layer.c, sam_layer.c: the layer `from` times
            # the input, per channel, per pixel (scale_wh) or elementwise.
            x = act(ref(int(opt["from"])) * x)
        elif kind in ("dropout", "cost"):
            pass
        elif kind == "detection":
            # detection_layer.c: with softmax, the class scores of each cell.
            if int(opt.get("softmax", 0)):
                cells = int(opt.get("side", 7)) ** 2
                classes = int(opt.get("classes", 1))
                scores = x[:cells * classes].reshape(cells, classes)
                e = np.exp(scores - scores.max(axis=1, keepdims=True))
                x = np.concatenate([(e / e.sum(axis=1, keepdims=True)).reshape(-1),
                                    x[cells * classes:]])
            outputs[f"detection{index}"] = x
        elif kind in HEADS:
            outputs[f"{kind.lower()}{index}"] = x
        else:
            sys.exit(f"darknet_oracle.py: no rule for [{kind}]")
        layers.append(x)
    if not outputs:
        outputs["output"] = x
    return {name: cnnc_shape(a) for name, a in outputs.items()}


def cnnc_shape(a):
    """cnnc's shape for a Darknet tensor of one image: batch 1 in front;
    [C, 1, 1] stays an image unless a connected layer made it [N]."""
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
    p.add_argument("--size")
    p.add_argument("--batch", type=int, default=1)
    args = p.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    name = os.path.splitext(os.path.basename(args.cfg))[0]
    if args.size:
        width, height = args.size.split("x")
        resized = os.path.join(args.workdir, f"{name}.cfg")
        with open(args.cfg) as src, open(resized, "w") as dst:
            for line in src:
                key = line.split("=")[0].strip()
                if key in ("width", "height"):
                    line = f"{key}={width if key == 'width' else height}\n"
                dst.write(line)
        args.cfg = resized
    version = tuple(int(v) for v in args.version.split("."))

    sections = read_cfg(args.cfg)
    net = sections[0][1]
    rng = np.random.default_rng(args.seed)
    images = rng.uniform(-1, 1, size=(args.batch, int(net["channels"]),
                                      int(net["height"]),
                                      int(net["width"]))).astype(np.float32)
    params = Params(rng, version[0] > 1000 or version[1] > 1000)
    expected = forward(sections, images[0].astype(np.float64), params)
    # The same parameters for every image: the first image's, replayed.
    for image in images[1:]:
        replay = Params(None, params.transposed, replay=list(params.chunks))
        more = forward(sections, image.astype(np.float64), replay)
        expected = {k: np.concatenate([v, more[k]]) for k, v in expected.items()}
    weights = os.path.join(args.workdir, f"{name}.weights")
    header, size = write_weights(weights, params, version, args.truncate,
                                 args.extend)
    print(f"{name}: wrote {weights}: {size} bytes ({header}-byte header, "
          f"{sum(c.size for c in params.chunks)} parameters)")
    if args.write_only:
        return 0

    image_path = os.path.join(args.workdir, "image.npy")
    np.save(image_path, images)
    failed = False
    for level in args.levels.split(","):
        outs = []
        for out in expected:
            outs += ["--output", f"{out}={os.path.join(args.workdir, f'{out}.{level}.npy')}"]
        base = [args.cnnc, args.cfg, "--weights", weights]
        if args.batch != 1:
            base += ["--batch", str(args.batch)]
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
