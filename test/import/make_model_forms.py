#!/usr/bin/env python3
"""ONNX files in the forms exporters and converters write, with inputs and
numpy-computed expected outputs (NAME_x.npy, NAME_y.npy), written to OUT:

  dynamic.onnx      input x of shape [N, 3, H, 8] (symbolic N and H): a
                    1x1 conv and a relu; dynamic_x.npy is [3, 3, 5, 8]
  fp16.onnx         a conv whose weight is a FLOAT16 initializer used as is,
                    its bias BFLOAT16 behind a Cast to float, an INT32
                    Reshape shape, a DOUBLE constant added through CastLike
                    (to the type of the computed tensor)
  external.onnx     weights in external.bin beside it (two tensors, at an
                    offset and with a length each, and one whole file)
  external_short.onnx   a length past the end of its file
  external_escape.onnx  a location in the parent directory ("../")
  external_absolute.onnx  an absolute location (OUT/external.bin)
  cast_fp16.onnx    a Cast of a computed tensor to FLOAT16
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def model(nodes, inputs, inits, opset=15):
    graph = helper.make_graph(
        nodes, "forms", inputs,
        [helper.make_tensor_value_info(nodes[-1].output[0], TensorProto.FLOAT, None)], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def conv1x1(x, w, b):
    return np.einsum("nchw,fc->nfhw", x, w[:, :, 0, 0]) + b.reshape(1, -1, 1, 1)


def tensor(name, data_type, dims):
    """A TensorProto without data (raw or external data follows)."""
    t = TensorProto(name=name, data_type=data_type)
    t.dims.extend(dims)
    return t


def external(name, values, location, offset, length):
    t = tensor(name, TensorProto.FLOAT, values.shape)
    t.data_location = TensorProto.EXTERNAL
    t.external_data.add(key="location", value=location)
    if offset is not None:
        t.external_data.add(key="offset", value=str(offset))
    if length is not None:
        t.external_data.add(key="length", value=str(length))
    return t


def main():
    out = sys.argv[1]
    rng = np.random.default_rng(7)
    save = lambda m, name: onnx.save(m, os.path.join(out, name))

    def data(name, x, y):
        np.save(os.path.join(out, name + "_x.npy"), x.astype(np.float32))
        np.save(os.path.join(out, name + "_y.npy"), y.astype(np.float32))

    # A symbolic batch and height.
    w = rng.standard_normal((2, 3, 1, 1)).astype(np.float32)
    b = rng.standard_normal(2).astype(np.float32)
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, "H", 8])
    save(model([helper.make_node("Conv", ["x", "w", "b"], ["c"]),
                helper.make_node("Relu", ["c"], ["y"])], [x],
               [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b")]),
         "dynamic.onnx")
    xv = rng.standard_normal((3, 3, 5, 8)).astype(np.float32)
    data("dynamic", xv, np.maximum(conv1x1(xv, w, b), 0))

    # Half-precision weights, integer shapes of another width, CastLike.
    w16 = rng.standard_normal((4, 3, 1, 1)).astype(np.float16)
    bias = rng.standard_normal(4).astype(np.float32)
    bias_bf16 = (bias.view(np.uint32) >> 16).astype(np.uint16)  # truncated
    bias_t = tensor("b16", TensorProto.BFLOAT16, [4])
    bias_t.raw_data = bias_bf16.tobytes()
    shift = np.array(0.25, np.float64)
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 2, 2])
    save(model([helper.make_node("Cast", ["b16"], ["b"], to=TensorProto.FLOAT),
                helper.make_node("Conv", ["x", "w16", "b"], ["c"]),
                helper.make_node("Reshape", ["c", "shape"], ["r"]),
                helper.make_node("CastLike", ["shift", "r"], ["s"]),
                helper.make_node("Add", ["r", "s"], ["y"])], [x],
               [numpy_helper.from_array(w16, "w16"), bias_t,
                numpy_helper.from_array(np.array([1, 16], np.int32), "shape"),
                numpy_helper.from_array(shift, "shift")]),
         "fp16.onnx")
    xv = rng.standard_normal((1, 3, 2, 2)).astype(np.float32)
    b_rounded = (bias_bf16.astype(np.uint32) << 16).view(np.float32)
    y = conv1x1(xv, w16.astype(np.float32), b_rounded).reshape(1, 16) + 0.25
    data("fp16", xv, y)

    # External data: two tensors in one file at offsets, one file whole.
    w = rng.standard_normal((2, 3, 1, 1)).astype(np.float32)
    b = rng.standard_normal(2).astype(np.float32)
    w2 = rng.standard_normal((3, 2, 1, 1)).astype(np.float32)
    with open(os.path.join(out, "external.bin"), "wb") as f:
        f.write(b"\0" * 16 + w.tobytes() + b.tobytes())
    with open(os.path.join(out, "external_w2.bin"), "wb") as f:
        f.write(w2.tobytes())
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 4, 4])
    nodes = [helper.make_node("Conv", ["x", "w", "b"], ["c"]),
             helper.make_node("Conv", ["c", "w2"], ["y"])]
    inits = lambda location, length: [
        external("w", w, location, 16, length),
        external("b", b, location, 16 + w.nbytes, b.nbytes),
        external("w2", w2, "external_w2.bin", None, None)]
    save(model(nodes, [x], inits("external.bin", w.nbytes)), "external.onnx")
    xv = rng.standard_normal((1, 3, 4, 4)).astype(np.float32)
    data("external", xv, conv1x1(conv1x1(xv, w, b), w2, np.zeros(3)))
    save(model(nodes, [x], inits("external.bin", 4096)), "external_short.onnx")
    save(model(nodes, [x], inits("../external.bin", w.nbytes)), "external_escape.onnx")
    save(model(nodes, [x], inits(os.path.abspath(os.path.join(out, "external.bin")),
                                 w.nbytes)), "external_absolute.onnx")

    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3])
    save(model([helper.make_node("Cast", ["x"], ["y"], name="to_half",
                                 to=TensorProto.FLOAT16)], [x], []), "cast_fp16.onnx")


if __name__ == "__main__":
    main()
