#!/usr/bin/env python3
"""Writes the binary seed corpora of the fuzz targets (test/fuzz/inputs/corpus).

  make_corpus.py [OUT_DIR]

onnx/: the tiny graphs of test/import/onnx_cases.py; darknet-weights/:
valid .weights files for fuzz-darknet-weights.cpp's fixed cfg (each header
version, short and long); safetensors/: valid files (F32/F64/I64, metadata,
an empty tensor); npy/: valid .npy files of the shapes fuzz-npy reads
(header versions 1.0, 2.0 and 3.0). The text corpora (cnn/, darknet-cfg/)
are samples and test models copied as they are.
"""
import json
import os
import struct
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "import"))


def onnx_seeds(out):
    import onnx_cases
    with tempfile.TemporaryDirectory() as work:
        for case in ["conv", "dense", "activations", "reshape", "pad", "resize",
                     "pool", "elementwise", "reduce", "conv_transpose",
                     "transpose", "slice_split", "folding"]:
            path, _, _ = onnx_cases.build(case, work)
            with open(path, "rb") as f:
                data = f.read()
            with open(os.path.join(out, case + ".onnx"), "wb") as f:
                f.write(data)


# The parameter count of fuzz-darknet-weights.cpp's cfg: conv 3x3 2->3 with
# batch-norm (biases, scales, mean, variance, weights), conv 1x1 3->3
# (biases, weights), per-channel shortcut weights (one per channel of each
# of its two inputs), connected 48->5.
FLOATS = (3 * 4 + 3 * 2 * 9) + (3 + 3 * 3) + 2 * 3 + (5 + 48 * 5)


def weights_seeds(out):
    rng = np.random.default_rng(3)
    values = rng.uniform(-1, 1, FLOATS).astype("<f4").tobytes()
    seeds = {
        "v0.1.weights": struct.pack("<iiiI", 0, 1, 0, 64) + values,
        "v0.2.weights": struct.pack("<iiiQ", 0, 2, 0, 64) + values,
        "transposed.weights": struct.pack("<iiiQ", 1001, 2, 0, 64) + values,
        "short.weights": struct.pack("<iiiQ", 0, 2, 0, 64) + values[:100],
        "long.weights": struct.pack("<iiiQ", 0, 2, 0, 64) + values + values[:8],
    }
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


def safetensors_file(tensors, metadata=None):
    header, blobs, offset = {}, b"", 0
    for name, array in tensors.items():
        data = array.tobytes()
        dtype = {"float32": "F32", "float64": "F64", "int64": "I64"}[str(array.dtype)]
        header[name] = {"dtype": dtype, "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs += data
        offset += len(data)
    if metadata:
        header["__metadata__"] = metadata
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + blobs


def safetensors_seeds(out):
    rng = np.random.default_rng(5)
    seeds = {
        "conv.safetensors": safetensors_file({
            "conv1.weight": rng.standard_normal((4, 3, 3, 3)).astype("<f4"),
            "conv1.bias": rng.standard_normal(4).astype("<f4")}),
        "dtypes.safetensors": safetensors_file({
            "a": np.arange(6, dtype="<f8").reshape(2, 3),
            "b": np.arange(3, dtype="<i8"),
            "empty": np.zeros((0, 4), dtype="<f4")}, {"format": "pt"}),
    }
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


def npy_file(array, version):
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': %s, }" % (
        repr(tuple(array.shape)),)
    prefix = 10 if version == 1 else 12
    pad = -(prefix + len(header) + 1) % 64
    header = (header + " " * pad + "\n").encode("latin1" if version < 3 else "utf8")
    size = struct.pack("<H", len(header)) if version == 1 else struct.pack("<I", len(header))
    return b"\x93NUMPY" + bytes([version, 0]) + size + header + array.astype("<f4").tobytes()


def npy_seeds(out):
    image = np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 7
    for version in (1, 2, 3):
        with open(os.path.join(out, f"image-v{version}.npy"), "wb") as f:
            f.write(npy_file(image, version))
    with open(os.path.join(out, "scale.npy"), "wb") as f:
        f.write(npy_file(np.array([0.5], dtype=np.float32), 1))


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "inputs", "corpus")
    for name, make in [("onnx", onnx_seeds), ("darknet-weights", weights_seeds),
                       ("safetensors", safetensors_seeds), ("npy", npy_seeds)]:
        out = os.path.join(root, name)
        os.makedirs(out, exist_ok=True)
        make(out)


if __name__ == "__main__":
    main()
