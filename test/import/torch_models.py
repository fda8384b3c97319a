#!/usr/bin/env python3
"""PyTorch models exported to ONNX (opset 13) and compiled by cnnc.

  torch_models.py MODEL --cnnc PATH --workdir DIR [--opset 13] [--levels 0,2]
                  [--ort-dir DIR] [--print-back] [--perturb]

MODEL is `lenet` (a LeNet-style net using conv, max/avg pooling, tanh,
leaky_relu, sigmoid and linear layers), `ops` (padding, upsampling, hard
activations, clamp, arithmetic, reshapes), `resnet18`, `mobilenet_v2`,
`mobilenet_v3_small` or `efficientnet_b0` (torchvision, random
initialisation, no download; every
BatchNorm gets random statistics and affine parameters). The model is
exported in eval mode with torch.onnx.export (opset 13, or --opset), compiled, and cnnc's --reference and executables are
compared with torch's output: max|a - e| / max|e| <= 1e-4. With --ort-dir
(a directory with node_modules/onnxruntime-node) ONNX Runtime runs the
exported file too; it is compared with torch and every cnnc output with it,
with the same bound. --print-back prints the imported model as .cnn
(--emit=cnn-text), compiles that at the last level and requires outputs
identical to the .onnx executable's. --perturb changes one initializer in
the saved file after torch ran.

Forms of the saved file: --dynamic-batch exports the batch dimension as
symbolic ('N') and compiles with --batch B (the input is a batch of B
images, --batch-size B, default 1); --external-data saves the weights
in a file beside the model; --fp16-weights stores every float initializer
as FLOAT16 behind a Cast to float (as fp16 conversion tools do), with
torch's model computing on fp16-rounded parameters as the oracle (within
1e-3: the exporter folds batch-norm after that rounding).
"""
import argparse
import os
import subprocess
import sys
import time

import numpy as np
import onnx
import torch
import torchvision
from onnx import numpy_helper
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import ort_oracle  # noqa: E402


class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 6, 5, padding=2)
        self.c3 = nn.Conv2d(6, 16, 5)
        self.f5 = nn.Linear(400, 120)
        self.f6 = nn.Linear(120, 84)
        self.f7 = nn.Linear(84, 10)

    def forward(self, x):
        x = nn.functional.max_pool2d(torch.relu(self.c1(x)), 2)
        x = nn.functional.avg_pool2d(torch.tanh(self.c3(x)), 2)
        x = nn.functional.leaky_relu(self.f5(torch.flatten(x, 1)), 0.1)
        return self.f7(torch.sigmoid(self.f6(x)))


class Ops(nn.Module):
    """The ops of the ONNX importer's second round as PyTorch exports them:
    F.pad (reflect, constant value, replicate) becomes Pad with its pads
    computed by ConstantOfShape/Concat/Slice/Transpose/Cast of constants;
    nn.Upsample a Resize; hardswish (a HardSigmoid and Mul before opset 14),
    hardsigmoid, clamp, arithmetic with scalars, reshape/unsqueeze/squeeze."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(3, 8, 3, padding=1)
        self.c2 = nn.Conv2d(8, 8, 3)
        self.up = nn.Upsample(scale_factor=2, mode="nearest")
        self.fc = nn.Linear(8 * 9 * 9, 10)

    def forward(self, x):
        f = nn.functional
        y = f.hardswish(self.c1(x))
        y = self.c2(f.pad(y, (1, 1, 2, 0), mode="reflect"))
        y = torch.clamp((y - 0.5) / 2.0, -1.0, 2.0)
        y = self.up(f.hardsigmoid(y) * y)
        y = f.pad(f.pad(y, (1, 1, 1, 1), value=0.25), (0, 1, 1, 0), mode="replicate")
        y = f.max_pool2d(y, 2).reshape(1, 8, -1).unsqueeze(1).squeeze(1)
        return self.fc(torch.flatten(y, 1))


class TinyYolo(nn.Module):
    """samples/tiny_yolo.cnn (after darknet's yolov3-tiny.cfg): conv + bn +
    leaky relu layers, 2x2 max pools (the stride-1 one keeps 13x13 by
    repeating the last row and column, which for a max is -inf padding),
    two 255-channel heads, the second on an upsampled and concatenated
    route. Returns the 13x13 head then the 26x26 one."""

    def __init__(self):
        super().__init__()

        def cbl(cin, cout, k=3):
            return nn.Sequential(nn.Conv2d(cin, cout, k, padding=k // 2, bias=False),
                                 nn.BatchNorm2d(cout), nn.LeakyReLU(0.1))

        self.backbone = nn.ModuleList(
            [cbl(c, f) for c, f in [(3, 16), (16, 32), (32, 64), (64, 128),
                                    (128, 256)]])
        self.layer10 = cbl(256, 512)
        self.layer12 = cbl(512, 1024)
        self.layer13 = cbl(1024, 256, 1)
        self.layer14 = cbl(256, 512)
        self.head13 = nn.Conv2d(512, 255, 1)
        self.layer18 = cbl(256, 128, 1)
        self.layer21 = cbl(384, 256)
        self.head26 = nn.Conv2d(256, 255, 1)

    def forward(self, x):
        f = nn.functional
        for layer in self.backbone:
            route = layer(x)
            x = f.max_pool2d(route, 2)
        x = f.pad(self.layer10(x), (0, 1, 0, 1), mode="replicate")
        x13 = self.layer13(self.layer12(f.max_pool2d(x, 2, stride=1)))
        up = f.interpolate(self.layer18(x13), scale_factor=2, mode="nearest")
        y = self.layer21(torch.cat([up, route], 1))
        return self.head13(self.layer14(x13)), self.head26(y)


class SegmentationOut(nn.Module):
    """A torchvision segmentation model's `out` tensor (its forward returns
    a dict)."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        return self.model(x)["out"]


SEGMENTATION = ["fcn_resnet50", "deeplabv3_mobilenet_v3_large", "lraspp_mobilenet_v3_large"]


def make(name):
    if name == "lenet":
        return LeNet(), torch.randn(1, 1, 28, 28)
    if name == "ops":
        return Ops(), torch.randn(1, 3, 8, 8)
    if name == "tiny_yolo":
        model, size = TinyYolo(), 416
    elif name in SEGMENTATION:  # random init, no download
        kwargs = {"aux_loss": False} if name != "lraspp_mobilenet_v3_large" else {}
        model = getattr(torchvision.models.segmentation, name)(
            weights=None, weights_backbone=None, **kwargs)
        model, size = SegmentationOut(model), 224
    else:  # torchvision: random init, no download
        model, size = getattr(torchvision.models, name)(), 224
    with torch.no_grad():
        for name, p in model.named_parameters():
            # ConvNeXt's layer scales start at 1e-6: its blocks would add
            # nothing a test could see.
            if name.endswith("layer_scale"):
                p.uniform_(0.1, 0.3)
        for m in model.modules():
            if isinstance(m, nn.LayerNorm):
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0.0, 0.1)
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.normal_(0.0, 0.1)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0.0, 0.1)
    return model, torch.randn(1, 3, size, size)


def to_fp16_weights(path):
    """Every FLOAT initializer of the model at `path` stored as FLOAT16,
    a Cast node to FLOAT giving the original name."""
    m = onnx.load(path)
    casts, inits = [], []
    for init in m.graph.initializer:
        if init.data_type != onnx.TensorProto.FLOAT:
            inits.append(init)
            continue
        value = numpy_helper.to_array(init).astype(np.float16)
        inits.append(numpy_helper.from_array(value, init.name + "_fp16"))
        casts.append(onnx.helper.make_node("Cast", [init.name + "_fp16"], [init.name],
                                           to=onnx.TensorProto.FLOAT))
    del m.graph.initializer[:]
    m.graph.initializer.extend(inits)
    nodes = casts + list(m.graph.node)
    del m.graph.node[:]
    m.graph.node.extend(nodes)
    onnx.save(m, path)


def run(cmd):
    start = time.time()
    subprocess.run(cmd, check=True)
    return time.time() - start


def main():
    p = argparse.ArgumentParser()
    p.add_argument("model", choices=["lenet", "ops", "resnet18", "mobilenet_v2",
                                     "mobilenet_v3_small", "efficientnet_b0",
                                     "shufflenet_v2_x1_0", "convnext_tiny", "squeezenet1_1"] + SEGMENTATION)
    p.add_argument("--opset", type=int, default=13)
    p.add_argument("--cnnc", required=True)
    p.add_argument("--workdir", required=True)
    p.add_argument("--levels", default="2")
    p.add_argument("--ort-dir")
    p.add_argument("--print-back", action="store_true")
    p.add_argument("--perturb", action="store_true")
    p.add_argument("--dynamic-batch", action="store_true")
    p.add_argument("--batch-size", type=int, default=1)
    p.add_argument("--external-data", action="store_true")
    p.add_argument("--fp16-weights", action="store_true")
    args = p.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    torch.manual_seed(0)
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))

    model, x = make(args.model)
    model.eval()
    if args.batch_size != 1:
        x = torch.randn(args.batch_size, *x.shape[1:])
    path = os.path.join(args.workdir, args.model + ".onnx")
    dynamic = {"image": {0: "N"}, "logits": {0: "N"}} if args.dynamic_batch else None
    torch.onnx.export(model, x, path, opset_version=args.opset, input_names=["image"],
                      output_names=["logits"], dynamic_axes=dynamic)
    if args.fp16_weights:
        to_fp16_weights(path)
        model = model.half().float()
    with torch.no_grad():
        expected = model(x).numpy().astype(np.float64)
    tolerance = 1e-3 if args.fp16_weights else 1e-4
    if args.external_data:
        m = onnx.load(path)
        onnx.save_model(m, path, save_as_external_data=True, all_tensors_to_one_file=True,
                        location=args.model + ".weights", size_threshold=0)
        print(f"external data: {os.path.getsize(path)} bytes of model, "
              f"{os.path.getsize(path[:-5] + '.weights')} of weights")
    flags = ["--batch", str(args.batch_size)] if args.dynamic_batch else []
    if args.perturb:
        m = onnx.load(path)
        init = max(m.graph.initializer, key=lambda t: np.prod(t.dims))
        value = numpy_helper.to_array(init).copy()
        value.flat[0] += 0.5
        init.CopyFrom(numpy_helper.from_array(value, init.name))
        onnx.save(m, path)
        print(f"self-check: perturbed initializer {init.name}")
    ops = sorted({n.op_type for n in onnx.load(path).graph.node})
    print(f"{args.model}: ONNX ops {', '.join(ops)}")
    xin = os.path.join(args.workdir, "image.npy")
    np.save(xin, x.numpy())

    ok = True
    ort = None
    if args.ort_dir:
        ort = ort_oracle.run(args.ort_dir, path, {"image": x.numpy()}, args.workdir)["logits"]
        err = ort_oracle.normalised_error(ort, expected)
        ok &= err <= tolerance
        print(f"onnxruntime vs torch: normalised max error {err:.2e} "
              f"{'ok' if err <= tolerance else 'MISMATCH'}")
    runs = [("--reference", None)] + [(f"-O{l}", l) for l in args.levels.split(",") if l]
    for label, level in runs:
        out = os.path.join(args.workdir, f"out{level}.npy")
        if level is None:
            t = run([args.cnnc, path, "--reference", "--input", f"image={xin}",
                     "--output", f"logits={out}"] + flags)
            timing = f"{t:.1f}s"
        else:
            exe = os.path.join(args.workdir, f"{args.model}_O{level}")
            tc = run([args.cnnc, path, f"-O{level}", "-o", exe] + flags)
            tr = run([exe, "--input", f"image={xin}", "--output", f"logits={out}"])
            timing = f"compile {tc:.1f}s, run {tr:.1f}s"
        actual = np.load(out)
        for oracle, value in [("torch", expected), ("onnxruntime", ort)]:
            if value is None:
                continue
            err = ort_oracle.normalised_error(actual, value)
            good = err <= tolerance
            ok &= good
            print(f"{label} vs {oracle}: normalised max error {err:.2e} "
                  f"{'ok' if good else 'MISMATCH'} ({timing})")
    if args.print_back:
        printed = os.path.join(args.workdir, "printed", args.model + ".cnn")
        os.makedirs(os.path.dirname(printed), exist_ok=True)
        run([args.cnnc, path, "--emit=cnn-text", "-o", printed] + flags)
        exe = printed[:-4]
        flags = ["--reference"] if level is None else [f"-O{level}", "-o", exe]
        out_p = printed[:-4] + "_out.npy"
        io = ["--input", f"image={xin}", "--output", f"logits={out_p}"]
        if level is None:
            run([args.cnnc, printed] + flags + io)
        else:
            run([args.cnnc, printed] + flags)
            run([exe] + io)
        same = np.array_equal(np.load(out_p), np.load(out))
        ok &= same
        print(f"printed .cnn {label}: {'identical' if same else 'DIFFERENT'} "
              f"to the .onnx model's")
    print(f"{'PASS' if ok else 'FAIL'}: {args.model}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
