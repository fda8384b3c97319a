#!/usr/bin/env python3
"""A Darknet cfg as a PyTorch module, with the parameters the numpy oracle
(test/import/darknet/darknet_oracle.py) writes to a .weights file: the same
network for ONNX Runtime (exported to ONNX) that cnnc compiles from the cfg.

Covers the layers of the tiny YOLOs (YOLOv3/v4/v7-tiny): [convolutional]
(groups, batch_normalize, linear/leaky/logistic/relu/mish/swish), [maxpool]
(Darknet's padding: padding/2 before, the rest after), [route] (with
groups/group_id), [shortcut] of equal shapes, [upsample], and the [yolo]
heads, whose inputs are the outputs, in cfg order.
"""
import os
import sys

import torch
from torch import nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "import", "darknet"))
import darknet_oracle  # noqa: E402

ACTIVATIONS = {
    "linear": lambda x: x,
    "leaky": lambda x: F.leaky_relu(x, 0.1),
    "logistic": torch.sigmoid,
    "relu": F.relu,
    "mish": F.mish,
    "swish": F.silu,
}


class DarknetNet(nn.Module):
    def __init__(self, sections, params):
        """`params` hands out the parameters in file order (the oracle's
        Params, replaying a .weights file's chunks)."""
        super().__init__()
        self.layers = sections[1:]
        self.convs = nn.ModuleDict()
        c = int(sections[0][1]["channels"])
        channels = []
        for index, (kind, opt) in enumerate(self.layers):
            if kind == "convolutional":
                filters = int(opt.get("filters", 1))
                size = int(opt.get("size", 1))
                groups = int(opt.get("groups", 1))
                pad = size // 2 if int(opt.get("pad", 0)) else int(opt.get("padding", 0))
                conv = nn.Conv2d(c, filters, size, int(opt.get("stride", 1)), pad,
                                 groups=groups, bias=True)
                bias = params.take(filters, 0, 0)
                with torch.no_grad():
                    if int(opt.get("batch_normalize", 0)):
                        scales, mean, var = params.batchnorm(filters)
                        weight = params.take((filters, c // groups, size, size), 0, 0)
                        # Batch norm folded, as an exporter would.
                        k = scales / (var + 1e-5) ** 0.5
                        conv.weight.copy_(torch.tensor(weight * k.reshape(-1, 1, 1, 1)))
                        conv.bias.copy_(torch.tensor(bias - mean * k))
                    else:
                        conv.weight.copy_(torch.tensor(
                            params.take((filters, c // groups, size, size), 0, 0)))
                        conv.bias.copy_(torch.tensor(bias))
                self.convs[str(index)] = conv
                c = filters
            elif kind == "route":
                groups = int(opt.get("groups", 1))
                c = sum(channels[v if v >= 0 else index + v] // groups
                        for v in darknet_oracle.ints(opt["layers"]))
            elif kind not in ("maxpool", "upsample", "shortcut", "yolo"):
                raise ValueError(f"darknet_torch.py: no rule for [{kind}]")
            channels.append(c)

    def forward(self, x):
        outputs, layers = [], []
        for index, (kind, opt) in enumerate(self.layers):
            ref = lambda v: layers[v if v >= 0 else index + v]  # noqa: E731
            if kind == "convolutional":
                x = ACTIVATIONS[opt.get("activation", "logistic")](
                    self.convs[str(index)](x))
            elif kind == "maxpool":
                stride = int(opt.get("stride", 1))
                size = int(opt.get("size", stride))
                padding = int(opt.get("padding", size - 1))
                before = padding // 2
                x = F.max_pool2d(F.pad(x, (before, padding - before) * 2,
                                       value=float("-inf")), size, stride)
            elif kind == "route":
                groups = int(opt.get("groups", 1))
                gid = int(opt.get("group_id", 0))
                parts = [ref(v) for v in darknet_oracle.ints(opt["layers"])]
                parts = [p[:, gid * (p.shape[1] // groups):(gid + 1) * (p.shape[1] // groups)]
                         for p in parts]
                x = torch.cat(parts, 1) if len(parts) > 1 else parts[0]
            elif kind == "shortcut":
                for v in darknet_oracle.ints(opt["from"]):
                    x = x + ref(v)
                x = ACTIVATIONS[opt.get("activation", "linear")](x)
            elif kind == "upsample":
                x = F.interpolate(x, scale_factor=int(opt.get("stride", 2)),
                                  mode="nearest")
            elif kind == "yolo":
                outputs.append(x)
            layers.append(x)
        return tuple(outputs)


def make(cfg, weights_dir, seed=7):
    """The network of `cfg` with random parameters, its .weights file for
    cnnc (in weights_dir), its output names and an example input."""
    sections = darknet_oracle.read_cfg(cfg)
    net = sections[0][1]
    import numpy as np
    rng = np.random.default_rng(seed)
    shape = (1, int(net["channels"]), int(net["height"]), int(net["width"]))
    image = rng.uniform(0, 1, size=shape).astype(np.float32)
    params = darknet_oracle.Params(rng, False)
    darknet_oracle.forward(sections, image[0].astype(np.float64), params)
    name = os.path.splitext(os.path.basename(cfg))[0]
    weights = os.path.join(weights_dir, f"{name}.weights")
    darknet_oracle.write_weights(weights, params, (0, 2, 0), 0, 0)
    replay = darknet_oracle.Params(None, False, replay=list(params.chunks))
    model = DarknetNet(sections, replay).eval()
    names = [f"yolo{i}" for i, (kind, _) in enumerate(sections[1:]) if kind == "yolo"]
    return model, torch.tensor(image), weights, names
