#!/usr/bin/env python3
"""ONNX files that cnnc must reject, written to OUT:

  truncated.onnx   the first 100 bytes of a valid model
  text.onnx        a text file
  unsupported.onnx two unsupported ops (one unnamed), an unsupported
                   attribute value and a non-zero Pad, among supported nodes
  dynamic.onnx     an input with a symbolic batch dimension
  int_input.onnx   an INT64 input
"""
import os
import sys

import onnx
from onnx import TensorProto, helper


def model(nodes, inputs, inits=()):
    graph = helper.make_graph(
        nodes, "bad", inputs,
        [helper.make_tensor_value_info(nodes[-1].output[0], TensorProto.FLOAT, None)],
        list(inits))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def main():
    out = sys.argv[1]
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])
    w = helper.make_tensor("w", TensorProto.FLOAT, [2, 3, 1, 1], [0.5] * 6)
    good = model([helper.make_node("Relu", ["x"], ["y"], name="relu")], [x])
    data = good.SerializeToString()
    with open(os.path.join(out, "truncated.onnx"), "wb") as f:
        f.write(data[:len(data) // 2])
    with open(os.path.join(out, "text.onnx"), "w") as f:
        f.write("model lenet5\ninput image: f32[1, 1, 28, 28]\n")
    onnx.save(model([
        helper.make_node("Relu", ["x"], ["a"], name="relu"),
        helper.make_node("Erf", ["a"], ["b"], name="erf_1"),
        helper.make_node("Conv", ["b", "w"], ["c"], name="conv_1", auto_pad="SAME_WEIRD"),
        helper.make_node("Cos", ["c"], ["d"]),
        helper.make_node("Pad", ["d", "pads"], ["y"], name="pad"),
    ], [x], [w, helper.make_tensor("pads", TensorProto.INT64, [8], [0, 0, 1, 1, 0, 0, 1, 1])]), os.path.join(out, "unsupported.onnx"))
    onnx.save(model([helper.make_node("Relu", ["x"], ["y"])],
                    [helper.make_tensor_value_info("x", TensorProto.FLOAT,
                                                   [1, 3, "height", 8])]),
              os.path.join(out, "dynamic.onnx"))
    onnx.save(model([helper.make_node("Relu", ["x"], ["y"])],
                    [helper.make_tensor_value_info("x", TensorProto.INT64, [1, 3])]),
              os.path.join(out, "int_input.onnx"))


if __name__ == "__main__":
    main()
