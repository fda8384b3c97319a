#!/usr/bin/env python3
"""ONNX files that cnnc must reject, written to OUT:

  truncated.onnx    the first half of a valid model
  text.onnx         a text file
  empty.onnx        zero bytes
  unsupported.onnx  many unsupported nodes (ops, attribute values, inputs
                    that must be constant, values known only from shapes, one
                    unnamed, one of another domain), a constant Reshape
                    that cannot be evaluated and an invalid Squeeze,
                    among supported nodes, some fed by failing ones
  dynamic.onnx      an input with a symbolic batch dimension
  int_input.onnx    an INT64 input
  bad_inputs.onnx   a dynamic, an INT64 and a shapeless input and an
                    unsupported op, all reported together
  bad_data.onnx     an initializer with fewer values than its dims say
  external.onnx     an initializer stored outside the file
  undefined.onnx    a node reading a value nothing defines
  reshape_opset4.onnx  a Reshape in its first form (`shape` an attribute)
  newer_forms.onnx  what opsets 19-21 added that cnnc does not compute
  gelu_opset18.onnx Gelu before its opset (20)
  opset22.onnx, no_opset.onnx
                    an opset past 21, and no default-domain opset
  input_weight.onnx a Conv whose weight is a graph input, and
  pad_inf.onnx      a Pad with the value -inf: they compile, but .cnn has no
                    way to say them (--emit=cnn-text)
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def model(nodes, inputs, inits=(), opset=13, opsets=None):
    graph = helper.make_graph(
        nodes, "bad", inputs,
        [helper.make_tensor_value_info(nodes[-1].output[0], TensorProto.FLOAT, None)],
        list(inits))
    return helper.make_model(
        graph, opset_imports=opsets or [helper.make_opsetid("", opset)])


def ints(name, values):
    return numpy_helper.from_array(np.array(values, np.int64), name)


def floats(name, values):
    return numpy_helper.from_array(np.array(values, np.float32), name)


def main():
    out = sys.argv[1]
    save = lambda m, name: onnx.save(m, os.path.join(out, name))
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])
    w = helper.make_tensor("w", TensorProto.FLOAT, [2, 3, 1, 1], [0.5] * 6)
    good = model([helper.make_node("Relu", ["x"], ["y"], name="relu")], [x])
    data = good.SerializeToString()
    with open(os.path.join(out, "truncated.onnx"), "wb") as f:
        f.write(data[:len(data) // 2])
    with open(os.path.join(out, "text.onnx"), "w") as f:
        f.write("model lenet5\ninput image: f32[1, 1, 28, 28]\n")
    open(os.path.join(out, "empty.onnx"), "wb").close()

    n = helper.make_node
    save(model([
        n("Relu", ["x"], ["a"], name="relu"),
        n("Einsum", ["a"], ["b"], name="einsum_1", equation="nchw->nchw"),
        n("Conv", ["b", "w"], ["c"], name="conv_1", auto_pad="SAME_WEIRD"),
        n("Hardmax", ["c"], ["d"]),
        n("Relu", ["d"], ["after_hardmax"], name="fed_by_hardmax"),
        n("Pad", ["x", "pads"], ["p1"], name="pad_wrap", mode="wrap"),
        n("Pad", ["x", "crop"], ["p2"], name="pad_crop"),
        n("Resize", ["x", "", "scales2"], ["r1"], name="resize_area", mode="area"),
        n("Resize", ["x", "", "scales2"], ["r2"], name="resize_crop", mode="linear",
          coordinate_transformation_mode="tf_crop_and_resize"),
        n("Resize", ["x", "", "scales_c"], ["r3"], name="resize_channels", mode="linear"),
        n("Flatten", ["x"], ["f"], name="flat"),
        n("NonZero", ["x"], ["s"], name="nonzero"),
        n("Reshape", ["x", "s"], ["rs"], name="reshape_dyn"),
        n("Upsample", ["x", "scales2"], ["u"], name="up"),
        n("HardSwish", ["x"], ["hs"], name="hswish"),
        n("ReduceMean", ["x"], ["mc"], name="mean_twice", axes=[1, -3]),
        n("FusedConv", ["x", "w"], ["fc_out"], name="fused", domain="com.microsoft"),
        n("Reshape", ["fc", "shape5"], ["bad_shape"], name="bad_fold"),
        n("Transpose", ["x"], ["tr"], name="transpose_bad", perm=[0, 1, 1, 2]),
        n("Squeeze", ["x", "axis1"], ["sq"], name="squeeze_3"),
        n("Relu", ["sq"], ["y"], name="fed_by_squeeze"),
    ], [x], [w, ints("pads", [0, 0, 1, 1, 0, 0, 1, 1]), ints("crop", [0, 0, -1, 0, 0, 0, 0, 0]),
             floats("scales2", [1, 1, 2, 2]), floats("scales_c", [1, 2, 2, 2]),
             floats("fc", np.ones((4, 192))),
             ints("axis1", [1]), ints("shape5", [5, -1])],
        opsets=[helper.make_opsetid("", 13), helper.make_opsetid("com.microsoft", 1)]),
        "unsupported.onnx")

    relu = [n("Relu", ["x"], ["y"])]
    save(model(relu, [helper.make_tensor_value_info("x", TensorProto.FLOAT,
                                                    [1, 3, "height", 8])]), "dynamic.onnx")
    save(model(relu, [helper.make_tensor_value_info("x", TensorProto.INT64, [1, 3])]),
         "int_input.onnx")
    save(model([n("Einsum", ["z"], ["y"], name="einsum", equation="ij->ij")],
               [helper.make_tensor_value_info("d", TensorProto.FLOAT, ["batch", 3]),
                helper.make_tensor_value_info("i", TensorProto.INT64, [1, 3]),
                helper.make_tensor_value_info("s", TensorProto.FLOAT, None),
                helper.make_tensor_value_info("z", TensorProto.FLOAT, [1, 3])]),
         "bad_inputs.onnx")

    short = helper.make_tensor("w", TensorProto.FLOAT, [2, 3, 1, 1], [0.5] * 6)
    short.raw_data = np.ones(3, np.float32).tobytes()
    del short.float_data[:]
    save(model([n("Conv", ["x", "w"], ["y"], name="conv")], [x], [short]), "bad_data.onnx")
    external = helper.make_tensor("w", TensorProto.FLOAT, [2, 3, 1, 1], [0.5] * 6)
    external.data_location = TensorProto.EXTERNAL
    external.external_data.add(key="location", value="weights.bin")
    save(model([n("Conv", ["x", "w"], ["y"], name="conv")], [x], [external]),
         "external.onnx")
    save(model([n("Add", ["x", "nowhere"], ["y"], name="add")], [x]), "undefined.onnx")
    save(model([n("Relu", ["x"], ["y"], name="relu"), n("Sigmoid", ["x"], ["y"], name="sig")],
               [x]), "twice.onnx")
    w0 = helper.make_tensor("w0", TensorProto.FLOAT, [0, 3, 3, 3], [])
    save(model([n("Conv", ["x", "w0"], ["y"], name="conv")], [x], [w0]), "no_filters.onnx")

    save(model([n("Conv", ["x", "wi"], ["y"], name="conv")],
               [x, helper.make_tensor_value_info("wi", TensorProto.FLOAT, [2, 3, 1, 1])]),
         "input_weight.onnx")
    save(model([n("Pad", ["x", "pads", "minus_inf"], ["y"], name="pad")], [x],
               [ints("pads", [0, 0, 1, 1, 0, 0, 1, 1]), floats("minus_inf", -np.inf)]),
         "pad_inf.onnx")
    save(model([n("Reshape", ["x"], ["y"], name="reshape", shape=[1, -1])], [x], opset=4),
         "reshape_opset4.onnx")
    save(model([n("Tile", ["x", "repeats"], ["y"], name="tile")], [x],
               [ints("repeats", [1, 1, 1 << 40, 1])]), "tile_huge.onnx")
    save(model([n("Resize", ["x", "", "scales"], ["y"], name="resize")], [x],
               [floats("scales", [1, 1, 1e20, 1])]), "resize_huge.onnx")
    # A shape of 2^24 elements for ConstantOfShape: pads and masks are far
    # smaller (the fuzzer's took seconds through the folders after it).
    save(model([n("ConstantOfShape", ["big_shape"], ["zeros"], name="fill"),
                n("Add", ["x", "zeros"], ["y"])], [x], [ints("big_shape", [1 << 24])]),
         "fill_huge.onnx")
    # Shape arithmetic past 64 bits (the fuzzer's was a Mul).
    save(model([n("Mul", ["big", "four"], ["shape"], name="mul"),
                n("Reshape", ["x", "shape"], ["y"])], [x],
               [ints("big", [1 << 62]), ints("four", [4])]), "overflow.onnx")
    # Constant-foldable ops short of an input they need.
    c = ints("c", [1, 2])
    save(model([n("Gather", ["c"], ["g"], name="gather"), n("Add", ["x", "g"], ["y"])],
               [x], [c]), "gather_one_input.onnx")
    save(model([n("Concat", ["c", ""], ["g"], name="concat", axis=0),
                n("Add", ["x", "g"], ["y"])], [x], [c]), "concat_empty_input.onnx")
    # What opsets 19-21 added that cnnc does not compute.
    save(model([n("Pad", ["x", "pads4"], ["p"], name="wrap", mode="wrap"),
                n("Resize", ["x", "", "scales2"], ["r"], name="symmetric",
                  coordinate_transformation_mode="half_pixel_symmetric"),
                n("AveragePool", ["x"], ["a"], name="dilated", kernel_shape=[2, 2],
                  dilations=[2, 2]),
                n("Gelu", ["x"], ["y"], name="fast", approximate="fast")], [x],
               [ints("pads4", [0, 0, 1, 1, 0, 0, 1, 1]), floats("scales2", [1, 1, 2, 2])],
               opset=21), "newer_forms.onnx")
    save(model([n("Gelu", ["x"], ["y"], name="gelu")], [x], opset=18), "gelu_opset18.onnx")
    x1d = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8])
    save(model([n("Conv", ["x", "w"], ["y"], name="conv")], [x1d], [w]), "conv_1d_2d.onnx")
    save(model([n("Conv", ["x", "w"], ["y"], name="conv")], [x], [floats("w", np.ones((2, 3, 1)))]),
         "conv_2d_1d.onnx")
    save(model(relu + [n("Sigmoid", ["y"], ["s"]), n("Relu", ["s"], ["r"])], [x], opset=27),
         "opset27.onnx")
    # An op before the opset that introduced it, on constants (folded).
    save(model([n("CastLike", ["c", "x"], ["cx"], name="castlike"), n("Add", ["x", "cx"], ["y"])],
               [x], [floats("c", [1.0])], opset=13), "castlike_opset13.onnx")
    save(model(relu, [x], opsets=[helper.make_opsetid("com.microsoft", 1)]), "no_opset.onnx")


if __name__ == "__main__":
    main()
