//===- OnnxShapeOps.cpp - ONNX reshapes, padding and resampling -----------===//
//
// Reshape, Flatten, Squeeze, Unsqueeze, Pad, Resize, Upsample, Transpose,
// Slice, Split, DepthToSpace, SpaceToDepth, Tile and Expand. Their
// shape-like operands (target shape, axes, pads, scales, sizes) must be
// constants. Where an opset moved an attribute to an input (Upsample's scales
// at 9, Pad's pads at 11 and axes at 18, Squeeze/Unsqueeze's axes at 13) both
// forms are read, so that opsets 1-18 import alike. Checks that need no
// tensor shape are in unsupportedShapeOpReason; the importers check the rest
// and report it in the same words.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/GraphImporter.h"
#include "dialects/cnn/CnnOps.h"

#include "llvm/ADT/StringSwitch.h"

#include <algorithm>
#include <cmath>
#include <numeric>

using namespace mlir;
using namespace cnnc::onnx;
using cnn::Shape;

namespace {

/// An operand that is an attribute before `sinceOpset` and an optional
/// constant input from it on.
struct ConstOperand {
  bool present = false; // given at all
  bool constant = true; // an attribute or a constant of the right type
  std::vector<int64_t> ints;
  std::vector<float> floats;
};

/// An optional constant input, read as floats or as ints. With
/// `emptyIsAbsent`, an empty tensor counts as not given (Resize's scales
/// when sizes are given, opsets 11-12).
ConstOperand constantInput(const GraphImporter &g, const std::string &name,
                           bool floats, bool emptyIsAbsent) {
  ConstOperand result;
  result.present = !name.empty();
  if (!result.present)
    return result;
  bool empty;
  if (floats) {
    std::optional<std::vector<float>> values = g.constantFloats(name);
    result.constant = values.has_value();
    result.floats = values.value_or(std::vector<float>{});
    empty = result.floats.empty();
  } else {
    std::optional<std::vector<int64_t>> values = g.constantInts(name);
    result.constant = values.has_value();
    result.ints = values.value_or(std::vector<int64_t>{});
    empty = result.ints.empty();
  }
  if (emptyIsAbsent && result.constant && empty)
    result.present = false;
  return result;
}

ConstOperand intsOperand(const GraphImporter &g, const Node &node,
                         const char *attr, size_t input, int64_t sinceOpset) {
  if (g.opset() >= sinceOpset)
    return constantInput(g, node.input(input), /*floats=*/false,
                         /*emptyIsAbsent=*/false);
  ConstOperand result;
  const cnnc::onnx::Attribute *a = node.attr(attr);
  result.present = a != nullptr;
  result.constant = !a || a->kind == cnnc::onnx::Attribute::Kind::Ints;
  if (a)
    result.ints = a->ints;
  return result;
}

std::string formatFloats(llvm::ArrayRef<float> values) {
  std::string s = "[";
  for (auto [i, v] : llvm::enumerate(values)) {
    char text[32];
    std::snprintf(text, sizeof(text), "%g", static_cast<double>(v));
    s += (i ? ", " : "") + std::string(text);
  }
  return s + "]";
}

/// Nearest resampling by integer factors; anything else is unsupported.
std::string checkIntegerScales(llvm::ArrayRef<float> scales) {
  for (float s : scales)
    if (!(s >= 1) || s != std::floor(s))
      return "scales " + formatFloats(scales) + " (only integer factors >= 1)";
  return "";
}

// Squeeze/Unsqueeze axes moved to an input at 13, Pad's pads at 11 and its
// constant value at 11, Upsample's scales at 9.
ConstOperand squeezeAxes(const GraphImporter &g, const Node &node) {
  return intsOperand(g, node, "axes", 1, 13);
}
ConstOperand padAmounts(const GraphImporter &g, const Node &node) {
  return intsOperand(g, node, "pads", 1, 11);
}
ConstOperand upsampleScales(const GraphImporter &g, const Node &node) {
  if (g.opset() >= 9)
    return constantInput(g, node.input(1), /*floats=*/true,
                         /*emptyIsAbsent=*/true);
  ConstOperand result;
  const cnnc::onnx::Attribute *a = node.attr("scales");
  result.present = a && a->kind == cnnc::onnx::Attribute::Kind::Floats;
  if (result.present)
    result.floats = a->floats;
  return result;
}

/// Resize's operands by opset: (X, scales) at 10; (X, roi, scales, sizes)
/// from 11.
ConstOperand resizeScales(const GraphImporter &g, const Node &node) {
  return constantInput(g, node.input(g.opset() >= 11 ? 2 : 1), /*floats=*/true,
                       /*emptyIsAbsent=*/true);
}
ConstOperand resizeSizes(const GraphImporter &g, const Node &node) {
  if (g.opset() < 11)
    return {};
  return constantInput(g, node.input(3), /*floats=*/false,
                       /*emptyIsAbsent=*/true);
}

std::string checkResize(const GraphImporter &g, const Node &node) {
  std::string mode = node.getString("mode", "nearest");
  if (mode != "nearest" && mode != "linear" && mode != "cubic")
    return "mode='" + mode + "'";
  std::string transform =
      node.getString("coordinate_transformation_mode", "half_pixel");
  if (!cnn::symbolizeResizeCoordinates(transform))
    return "coordinate_transformation_mode='" + transform + "'";
  std::string rounding = node.getString("nearest_mode", "round_prefer_floor");
  if (!cnn::symbolizeNearestRounding(rounding))
    return "nearest_mode='" + rounding + "'";
  if (node.getInt("antialias", 0) != 0)
    return "antialias=1";
  std::string policy = node.getString("keep_aspect_ratio_policy", "stretch");
  if (policy != "stretch" && policy != "not_larger" && policy != "not_smaller")
    return "keep_aspect_ratio_policy='" + policy + "'";
  ConstOperand scales = resizeScales(g, node), sizes = resizeSizes(g, node);
  if (!scales.constant || !sizes.constant)
    return "scales/sizes (only constants)";
  if (scales.present == sizes.present)
    return "scales/sizes (exactly one must be given)";
  for (float s : scales.floats)
    if (!(s > 0) || !std::isfinite(s))
      return "scales " + formatFloats(scales.floats) + " (only positive)";
  return "";
}

std::string checkPad(const GraphImporter &g, const Node &node) {
  std::string mode = node.getString("mode", "constant");
  if (mode != "constant" && mode != "reflect" && mode != "edge")
    return "mode='" + mode + "'";
  ConstOperand pads = padAmounts(g, node);
  if (!pads.present || !pads.constant)
    return "pads (only constant)";
  if (llvm::any_of(pads.ints, [](int64_t p) { return p < 0; }))
    return "negative pads (cropping)";
  if (g.opset() >= 11 && !node.input(2).empty()) {
    std::optional<std::vector<float>> value = g.constantFloats(node.input(2));
    if (!value || value->size() != 1)
      return "constant_value (only a constant scalar)";
  }
  if (g.opset() >= 18 && !intsOperand(g, node, "", 3, 18).constant)
    return "axes (only constant)";
  return "";
}

/// Slice's starts, ends, axes moved to inputs at 10, where steps came.
std::optional<std::vector<int64_t>> sliceInts(const GraphImporter &g,
                                              const Node &node,
                                              const char *attr, size_t input) {
  ConstOperand operand = intsOperand(g, node, attr, input, 10);
  if (!operand.present || !operand.constant)
    return std::nullopt;
  return operand.ints;
}

class ShapeOpImporter {
public:
  ShapeOpImporter(GraphImporter &g, const Node &node, Location loc, Value x)
      : g(g), b(g.builder), node(node), loc(loc), x(x),
        shape(GraphImporter::shapeOf(x)) {}

  LogicalResult run();

private:
  InFlightDiagnostic error() { return emitError(loc); }
  InFlightDiagnostic unsupported(llvm::StringRef reason) {
    return emitUnsupported(loc, node, reason);
  }
  LogicalResult done(Value v) {
    g.define(node.outputs[0], v);
    return success();
  }
  /// Axes normalised against `rank` (negative ones count from the end) and
  /// checked for repeats.
  FailureOr<SmallVector<int64_t>> axes(llvm::ArrayRef<int64_t> values,
                                       int64_t rank);

  LogicalResult reshape();
  LogicalResult flatten();
  LogicalResult squeeze();
  LogicalResult unsqueeze();
  LogicalResult pad();
  LogicalResult resize();
  LogicalResult upsample();
  LogicalResult transpose();
  LogicalResult slice();
  LogicalResult split();
  LogicalResult depthToSpace();
  LogicalResult spaceToDepth();
  LogicalResult tile();
  LogicalResult gather();
  LogicalResult expand();
  /// `v` reshaped to `split`, permuted by `perm`, reshaped to `out`.
  Value rearrange(Value v, llvm::ArrayRef<int64_t> split,
                  llvm::ArrayRef<int64_t> perm, llvm::ArrayRef<int64_t> out);
  /// Entries `indices` (in range) of `axis` of `v`: one slice each,
  /// concatenated.
  Value pick(Value v, int64_t axis, llvm::ArrayRef<int64_t> indices);
  /// `v` repeated `times` along `axis` (one cnn.concat).
  Value repeat(Value v, int64_t axis, int64_t times);
  /// `x` with entries [offset, offset + size) of `axis`.
  Value sliceOf(Value v, int64_t axis, int64_t offset, int64_t size);
  /// cnn.upsample for per-dimension integer `factors` of an NCHW input.
  LogicalResult upsampleBy(llvm::ArrayRef<int64_t> factors);

  GraphImporter &g;
  OpBuilder &b;
  const Node &node;
  Location loc;
  Value x;
  Shape shape;
};

LogicalResult ShapeOpImporter::run() {
  return llvm::StringSwitch<std::function<LogicalResult()>>(node.opType)
      .Case("Reshape", [&] { return reshape(); })
      .Case("Flatten", [&] { return flatten(); })
      .Case("Squeeze", [&] { return squeeze(); })
      .Case("Unsqueeze", [&] { return unsqueeze(); })
      .Case("Pad", [&] { return pad(); })
      .Case("Resize", [&] { return resize(); })
      .Case("Transpose", [&] { return transpose(); })
      .Case("Slice", [&] { return slice(); })
      .Case("Split", [&] { return split(); })
      .Case("DepthToSpace", [&] { return depthToSpace(); })
      .Case("SpaceToDepth", [&] { return spaceToDepth(); })
      .Case("Tile", [&] { return tile(); })
      .Case("Gather", [&] { return gather(); })
      .Case("Expand", [&] { return expand(); })
      .Default([&] { return upsample(); })();
}

FailureOr<SmallVector<int64_t>>
ShapeOpImporter::axes(llvm::ArrayRef<int64_t> values, int64_t rank) {
  SmallVector<int64_t> result;
  for (int64_t axis : values) {
    FailureOr<int64_t> a =
        cnn::normalizeAxis([&] { return error(); }, axis, rank);
    if (failed(a))
      return failure();
    if (llvm::is_contained(result, *a))
      return error() << node.opType << " axes " << cnn::formatShape(values)
                     << " repeat axis " << *a;
    result.push_back(*a);
  }
  return result;
}

LogicalResult ShapeOpImporter::reshape() {
  std::vector<int64_t> target = *g.constantInts(node.input(1));
  // allowzero=1 (opset 14) keeps a 0 as an empty dimension instead of
  // copying the input's; checked unsupported when a 0 is present.
  FailureOr<Shape> out = cnn::inferReshapeShape([&] { return error(); }, shape,
                                                target, /*copyZeros=*/true);
  if (failed(out))
    return failure();
  // [N, K] from [N, ...] is a flatten, which later passes know.
  if (shape.size() >= 2 && out->size() == 2 && (*out)[0] == shape[0])
    return done(
        cnn::FlattenOp::create(b, loc, g.tensorType(*out), x).getResult());
  return done(g.reshape(x, *out, loc));
}

LogicalResult ShapeOpImporter::flatten() {
  int64_t rank = shape.size();
  // Flatten's axis may equal the rank (everything in the first dimension).
  int64_t axis = node.getInt("axis", 1);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis > rank)
    return error() << "Flatten axis " << node.getInt("axis", 1)
                   << " is out of range for rank " << rank;
  if (axis == 1)
    return done(cnn::FlattenOp::create(
                    b, loc, g.tensorType(*cnn::inferFlattenShape({}, shape)), x)
                    .getResult());
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < rank; ++d)
    (d < axis ? outer : inner) *= shape[d];
  return done(g.reshape(x, {outer, inner}, loc));
}

LogicalResult ShapeOpImporter::squeeze() {
  ConstOperand given = squeezeAxes(g, node);
  int64_t rank = shape.size();
  SmallVector<int64_t> drop;
  if (given.present) {
    FailureOr<SmallVector<int64_t>> a = axes(given.ints, rank);
    if (failed(a))
      return failure();
    drop = *a;
  } else {
    for (int64_t d = 0; d < rank; ++d)
      if (shape[d] == 1)
        drop.push_back(d);
  }
  Shape out;
  for (int64_t d = 0; d < rank; ++d) {
    if (!llvm::is_contained(drop, d)) {
      out.push_back(shape[d]);
      continue;
    }
    if (shape[d] != 1)
      return error() << "Squeeze of axis " << d << " of shape "
                     << cnn::formatShape(shape) << ", which is not 1";
  }
  if (out.empty())
    return unsupported("result of rank 0");
  return done(g.reshape(x, out, loc));
}

LogicalResult ShapeOpImporter::unsqueeze() {
  ConstOperand given = squeezeAxes(g, node);
  int64_t rank = shape.size() + given.ints.size();
  FailureOr<SmallVector<int64_t>> insert = axes(given.ints, rank);
  if (failed(insert))
    return failure();
  Shape out;
  const int64_t *next = shape.begin();
  for (int64_t d = 0; d < rank; ++d)
    out.push_back(llvm::is_contained(*insert, d) ? 1 : *next++);
  return done(g.reshape(x, out, loc));
}

LogicalResult ShapeOpImporter::pad() {
  int64_t rank = shape.size();
  std::vector<int64_t> amounts = padAmounts(g, node).ints;
  SmallVector<int64_t> padded;
  ConstOperand axesInput;
  if (g.opset() >= 18)
    axesInput = intsOperand(g, node, "", 3, 18);
  if (axesInput.present) {
    FailureOr<SmallVector<int64_t>> a = axes(axesInput.ints, rank);
    if (failed(a))
      return failure();
    padded = *a;
  } else {
    for (int64_t d = 0; d < rank; ++d)
      padded.push_back(d);
  }
  if (amounts.size() != 2 * padded.size())
    return error() << "Pad has " << amounts.size() << " pads for "
                   << padded.size() << " axes (expected " << 2 * padded.size()
                   << ")";
  Shape low(rank, 0), high(rank, 0);
  for (auto [i, axis] : llvm::enumerate(padded)) {
    low[axis] = amounts[i];
    high[axis] = amounts[i + padded.size()];
  }
  // PyTorch exports avg_pool2d as a Pad of zeros before AveragePool.
  if (llvm::all_of(llvm::concat<int64_t>(low, high),
                   [](int64_t p) { return p == 0; }))
    return done(x);
  std::string modeName = node.getString("mode", "constant");
  cnn::PadMode mode = modeName == "reflect" ? cnn::PadMode::reflect
                      : modeName == "edge"  ? cnn::PadMode::edge
                                            : cnn::PadMode::constant;
  double value = widen(node.getFloat("value", 0.0f)); // before opset 11
  if (g.opset() >= 11 && !node.input(2).empty())
    value = widen((*g.constantFloats(node.input(2)))[0]);
  FailureOr<Shape> out = cnn::inferPadShape(
      [&] { return error(); }, shape, low, high, mode == cnn::PadMode::reflect);
  if (failed(out))
    return failure();
  return done(cnn::PadOp::create(b, loc, g.tensorType(*out), x, low, high, mode,
                                 llvm::APFloat(value))
                  .getResult());
}

LogicalResult ShapeOpImporter::upsampleBy(llvm::ArrayRef<int64_t> factors) {
  if (llvm::all_of(factors, [](int64_t f) { return f == 1; }))
    return done(x);
  if (shape.size() != 4 || factors[0] != 1 || factors[1] != 1)
    return unsupported("factors " + cnn::formatShape(factors) + " for input " +
                       cnn::formatShape(shape) +
                       " (only the H and W of an NCHW tensor)");
  Shape scale = {factors[2], factors[3]};
  FailureOr<Shape> out =
      cnn::inferUpsampleShape([&] { return error(); }, shape, scale);
  if (failed(out))
    return failure();
  return done(cnn::UpsampleOp::create(b, loc, g.tensorType(*out), x, scale)
                  .getResult());
}

/// Nearest resizing by an integer factor s reads in[y / s] exactly when the
/// coordinate transform and rounding agree: asymmetric (y / s) and
/// tf_half_pixel_for_centers ((y + 0.5) / s) floor to it; half_pixel and
/// pytorch_half_pixel ((y + 0.5) / s - 0.5) are within 0.5 of it, so they
/// round to it without ties. That is a cnn.upsample; the rest a cnn.resize
/// of the two spatial axes.
LogicalResult ShapeOpImporter::resize() {
  int64_t rank = shape.size();
  SmallVector<int64_t> resized;
  std::vector<int64_t> axesAttr = node.getInts("axes", {});
  if (!axesAttr.empty()) {
    FailureOr<SmallVector<int64_t>> a = axes(axesAttr, rank);
    if (failed(a))
      return failure();
    resized = *a;
  } else {
    for (int64_t d = 0; d < rank; ++d)
      resized.push_back(d);
  }
  ConstOperand scales = resizeScales(g, node), sizes = resizeSizes(g, node);
  size_t count = scales.present ? scales.floats.size() : sizes.ints.size();
  if (count != resized.size())
    return error() << "Resize has " << count << " scales/sizes for "
                   << resized.size() << " axes";
  // Per axis: the scale the coordinates use and the output size. Sizes
  // give scale = size / input; the aspect-ratio policies scale every
  // resized axis by the smallest or largest of those (opset 18).
  SmallVector<double> scale(rank, 1.0);
  Shape out(shape);
  std::string policy = node.getString("keep_aspect_ratio_policy", "stretch");
  for (auto [i, axis] : llvm::enumerate(resized)) {
    if (scales.present) {
      scale[axis] = scales.floats[i];
      double size = std::floor(shape[axis] * scale[axis]);
      if (!(size >= 0 && size <= double(cnn::kMaxTensorElements)))
        return error() << "Resize scale " << scales.floats[i] << " of axis "
                       << axis << " (size " << shape[axis]
                       << ") gives no valid size";
      out[axis] = static_cast<int64_t>(size);
    } else {
      out[axis] = sizes.ints[i];
      scale[axis] = static_cast<double>(sizes.ints[i]) / shape[axis];
    }
  }
  if (sizes.present && policy != "stretch") {
    double common = scale[resized[0]];
    for (int64_t axis : resized)
      common = policy == "not_larger" ? std::min(common, scale[axis])
                                      : std::max(common, scale[axis]);
    for (int64_t axis : resized) {
      scale[axis] = common;
      out[axis] = static_cast<int64_t>(std::floor(shape[axis] * common + 0.5));
    }
  }
  for (int64_t d = 0; d < rank; ++d)
    if (out[d] < 1)
      return error() << "Resize of " << cnn::formatShape(shape)
                     << " gives an empty output " << cnn::formatShape(out);
  if (out == shape && llvm::all_of(scale, [](double s) { return s == 1; }))
    return done(x);

  // Opset 10 rounds like Upsample: asymmetric, floor.
  std::string mode = node.getString("mode", "nearest");
  std::string transform =
      g.opset() < 11
          ? "asymmetric"
          : node.getString("coordinate_transformation_mode", "half_pixel");
  std::string rounding =
      g.opset() < 11 ? "floor"
                     : node.getString("nearest_mode", "round_prefer_floor");
  bool floors =
      transform == "asymmetric" || transform == "tf_half_pixel_for_centers";
  bool centres = transform == "half_pixel" || transform == "pytorch_half_pixel";
  bool exact = floors ? rounding == "floor"
                      : centres && (rounding == "round_prefer_floor" ||
                                    rounding == "round_prefer_ceil");
  Shape factors;
  for (int64_t d = 0; d < rank; ++d)
    if (scale[d] >= 1 && scale[d] == std::floor(scale[d]) &&
        out[d] == shape[d] * static_cast<int64_t>(scale[d]))
      factors.push_back(static_cast<int64_t>(scale[d]));
  if (mode == "nearest" && exact && factors.size() == shape.size())
    return upsampleBy(factors);

  if (rank != 4 || out[0] != shape[0] || out[1] != shape[1])
    return unsupported("resizing " + cnn::formatShape(shape) + " to " +
                       cnn::formatShape(out) +
                       " (only the H and W of an NCHW tensor)");
  auto resizeMode = *cnn::symbolizeResizeMode(mode);
  return done(cnn::ResizeOp::create(
                  b, loc, g.tensorType(out), x, resizeMode,
                  *cnn::symbolizeResizeCoordinates(transform),
                  *cnn::symbolizeNearestRounding(rounding),
                  ArrayRef<double>{scale[2], scale[3]},
                  llvm::APFloat(widen(node.getFloat("cubic_coeff_a", -0.75f))),
                  node.getInt("exclude_outside", 0) != 0)
                  .getResult());
}

/// perm defaults to reversing the axes.
LogicalResult ShapeOpImporter::transpose() {
  int64_t rank = shape.size();
  std::vector<int64_t> reversed(rank);
  std::iota(reversed.rbegin(), reversed.rend(), 0);
  std::vector<int64_t> perm = node.getInts("perm", reversed);
  FailureOr<Shape> out =
      cnn::inferTransposeShape([&] { return error(); }, shape, perm);
  if (failed(out))
    return failure();
  return done(cnn::TransposeOp::create(b, loc, g.tensorType(*out), x, perm)
                  .getResult());
}

Value ShapeOpImporter::rearrange(Value v, llvm::ArrayRef<int64_t> split,
                                 llvm::ArrayRef<int64_t> perm,
                                 llvm::ArrayRef<int64_t> out) {
  Value parts = g.reshape(v, split, loc);
  Shape moved;
  for (int64_t p : perm)
    moved.push_back(split[p]);
  Value t = cnn::TransposeOp::create(b, loc, g.tensorType(moved), parts, perm);
  return g.reshape(t, out, loc);
}

/// DCR: channel (by * b + bx) * C' + c goes to pixel (y * b + by, x * b +
/// bx); CRD: channel (c * b + by) * b + bx.
LogicalResult ShapeOpImporter::depthToSpace() {
  int64_t bs = node.getInt("blocksize", 0);
  if (shape.size() != 4 || bs < 1 || shape[1] % (bs * bs))
    return error() << "DepthToSpace needs an NCHW input whose channels "
                      "divide by blocksize^2, got shape "
                   << cnn::formatShape(shape) << " and blocksize " << bs;
  int64_t n = shape[0], c = shape[1] / (bs * bs), h = shape[2], w = shape[3];
  Shape out = {n, c, h * bs, w * bs};
  if (node.getString("mode", "DCR") == "CRD")
    return done(rearrange(x, {n, c, bs, bs, h, w}, {0, 1, 4, 2, 5, 3}, out));
  return done(rearrange(x, {n, bs, bs, c, h, w}, {0, 3, 4, 1, 5, 2}, out));
}

/// Pixel (y * b + by, x * b + bx) goes to channel (by * b + bx) * C + c.
LogicalResult ShapeOpImporter::spaceToDepth() {
  int64_t bs = node.getInt("blocksize", 0);
  if (shape.size() != 4 || bs < 1 || shape[2] % bs || shape[3] % bs)
    return error() << "SpaceToDepth needs an NCHW input whose height and "
                      "width divide by blocksize, got shape "
                   << cnn::formatShape(shape) << " and blocksize " << bs;
  int64_t n = shape[0], c = shape[1], h = shape[2] / bs, w = shape[3] / bs;
  return done(rearrange(x, {n, c, h, bs, w, bs}, {0, 3, 5, 1, 2, 4},
                        {n, c * bs * bs, h, w}));
}

Value ShapeOpImporter::pick(Value v, int64_t axis,
                            llvm::ArrayRef<int64_t> indices) {
  SmallVector<Value> picked;
  for (int64_t index : indices)
    picked.push_back(sliceOf(v, axis, index, 1));
  if (picked.size() == 1)
    return picked.front();
  Shape joined = GraphImporter::shapeOf(v);
  joined[axis] = picked.size();
  return cnn::ConcatOp::create(b, loc, g.tensorType(joined), picked, axis);
}

Value ShapeOpImporter::repeat(Value v, int64_t axis, int64_t times) {
  // By doubling: `v` repeated 2^k times for each bit k of `times`, joined
  // (the copies are alike, so their order does not matter). A concat of
  // `times` operands would take memory for every repeat.
  auto concat = [&](ArrayRef<Value> parts) -> Value {
    if (parts.size() == 1)
      return parts.front();
    Shape out = GraphImporter::shapeOf(parts.front());
    out[axis] = 0;
    for (Value part : parts)
      out[axis] += GraphImporter::shapeOf(part)[axis];
    return cnn::ConcatOp::create(b, loc, g.tensorType(out), parts, axis);
  };
  SmallVector<Value> parts;
  for (Value power = v;; power = concat({power, power})) {
    if (times & 1)
      parts.push_back(power);
    if (!(times >>= 1))
      break;
  }
  return concat(parts);
}

LogicalResult ShapeOpImporter::tile() {
  std::vector<int64_t> repeats = *g.constantInts(node.input(1));
  if (repeats.size() != shape.size())
    return error() << "Tile repeats " << cnn::formatShape(repeats)
                   << " do not match the input's rank " << shape.size();
  Shape out = shape;
  for (auto [axis, times] : llvm::enumerate(repeats)) {
    if (times < 1)
      return unsupported("repeats value " + std::to_string(times) +
                         " (an empty tensor)");
    if (times > cnn::kMaxTensorElements)
      return error() << "Tile repeats " << cnn::formatShape(repeats)
                     << " make a result of more than 2^31 elements";
    out[axis] *= times; // both at most 2^31: no overflow
  }
  if (failed(
          cnn::checkTensorSize([&] { return error(); }, "Tile's result", out)))
    return failure();
  Value y = x;
  for (auto [axis, times] : llvm::enumerate(repeats))
    y = repeat(y, axis, times);
  return done(y);
}

/// Entries of `axis` picked by constant indices: one slice per index,
/// concatenated, reshaped to data[:axis] + indices + data[axis + 1:].
LogicalResult ShapeOpImporter::gather() {
  const Tensor *t = g.constant(node.input(1));
  std::vector<int64_t> indices = *g.constantInts(node.input(1));
  FailureOr<int64_t> axis = cnn::normalizeAxis(
      [&] { return error(); }, node.getInt("axis", 0), shape.size());
  if (failed(axis))
    return failure();
  if (indices.empty())
    return unsupported("empty indices (an empty tensor)");
  for (int64_t &index : indices) {
    if (index < -shape[*axis] || index >= shape[*axis])
      return error() << "Gather index " << index << " is out of range for "
                     << "axis " << *axis << " of shape "
                     << cnn::formatShape(shape);
    if (index < 0)
      index += shape[*axis];
  }
  Value y = pick(x, *axis, indices);
  Shape out(shape.begin(), shape.begin() + *axis);
  out.append(t->dims.begin(), t->dims.end());
  out.append(shape.begin() + *axis + 1, shape.end());
  if (out.empty())
    return unsupported("scalar result (a 0-D tensor)");
  return done(g.reshape(y, out, loc));
}

/// numpy broadcasting of the input against `shape`, each size-1 dimension
/// repeated.
LogicalResult ShapeOpImporter::expand() {
  std::vector<int64_t> target = *g.constantInts(node.input(1));
  // Both padded with leading 1s to the larger rank.
  size_t rank = std::max(shape.size(), target.size());
  Shape padded(rank - shape.size(), 1), wanted(rank - target.size(), 1);
  padded.append(shape.begin(), shape.end());
  wanted.append(target.begin(), target.end());
  FailureOr<Shape> out =
      cnn::inferBroadcastShape([&] { return error(); }, padded, wanted);
  if (failed(out) || failed(cnn::checkTensorSize([&] { return error(); },
                                                 "Expand's result", *out)))
    return failure();
  Value y = g.reshape(x, padded, loc);
  for (size_t axis = 0; axis < out->size(); ++axis)
    y = repeat(y, axis, padded[axis] == 1 ? (*out)[axis] : 1);
  return done(y);
}

Value ShapeOpImporter::sliceOf(Value v, int64_t axis, int64_t offset,
                               int64_t size) {
  Shape out = GraphImporter::shapeOf(v);
  if (offset == 0 && size == out[axis])
    return v;
  out[axis] = size;
  return cnn::SliceOp::create(b, loc, g.tensorType(out), v, axis, offset, size)
      .getResult();
}

/// One cnn.slice per sliced axis.
LogicalResult ShapeOpImporter::slice() {
  std::string why;
  std::optional<SliceBounds> bounds = sliceBounds(node, g, shape, why);
  if (!bounds)
    return error() << "Slice: " << why;
  for (auto [axis, size] : llvm::enumerate(bounds->size))
    if (size == 0)
      return error() << "Slice keeps no entries of axis " << axis
                     << " of shape " << cnn::formatShape(shape)
                     << " (an empty tensor)";
  // Steps other than 1 (reversals too) pick their entries one by one.
  Value v = x;
  for (auto [axis, size] : llvm::enumerate(bounds->size)) {
    int64_t begin = bounds->begin[axis], step = bounds->step[axis];
    if (step == 1) {
      v = sliceOf(v, axis, begin, size);
      continue;
    }
    SmallVector<int64_t> indices;
    for (int64_t k = 0; k < size; ++k)
      indices.push_back(begin + k * step);
    v = pick(v, axis, indices);
  }
  return done(v);
}

/// Split sizes from the `split` attribute (before opset 13) or input, else
/// equal parts (the last one smaller where it does not divide, opset 18).
LogicalResult ShapeOpImporter::split() {
  FailureOr<int64_t> axis = cnn::normalizeAxis(
      [&] { return error(); }, node.getInt("axis", 0), shape.size());
  if (failed(axis))
    return failure();
  std::vector<int64_t> sizes = intsOperand(g, node, "split", 1, 13).ints;
  int64_t count = node.outputs.size(), length = shape[*axis];
  if (sizes.empty()) {
    int64_t part = (length + count - 1) / count;
    for (int64_t i = 0; i < count; ++i)
      sizes.push_back(std::min(part, length - i * part));
  }
  int64_t total = 0;
  for (int64_t s : sizes)
    total += s;
  if (static_cast<int64_t>(sizes.size()) != count || total != length ||
      llvm::any_of(sizes, [](int64_t s) { return s < 1; }))
    return error() << "Split sizes " << cnn::formatShape(sizes) << " for "
                   << count << " outputs do not divide axis " << *axis
                   << " of shape " << cnn::formatShape(shape);
  int64_t offset = 0;
  for (auto [output, size] : llvm::zip_equal(node.outputs, sizes)) {
    if (!output.empty())
      g.define(output, sliceOf(x, *axis, offset, size));
    offset += size;
  }
  return success();
}

/// Upsample (opsets 7-9) is asymmetric nearest with floor.
LogicalResult ShapeOpImporter::upsample() {
  ConstOperand scales = upsampleScales(g, node);
  if (scales.floats.size() != shape.size())
    return error() << "Upsample has " << scales.floats.size()
                   << " scales for a rank-" << shape.size() << " input";
  Shape factors;
  for (float s : scales.floats)
    factors.push_back(static_cast<int64_t>(s));
  return upsampleBy(factors);
}

} // namespace

std::optional<SliceBounds> cnnc::onnx::sliceBounds(const Node &node,
                                                   const GraphImporter &g,
                                                   llvm::ArrayRef<int64_t> dims,
                                                   std::string &error) {
  int64_t rank = dims.size();
  std::optional<std::vector<int64_t>> starts = sliceInts(g, node, "starts", 1);
  std::optional<std::vector<int64_t>> ends = sliceInts(g, node, "ends", 2);
  if (!starts || !ends || starts->size() != ends->size()) {
    error = "its starts/ends are not constant lists of one length";
    return std::nullopt;
  }
  std::vector<int64_t> axes(starts->size()), steps(starts->size(), 1);
  std::iota(axes.begin(), axes.end(), 0);
  bool axesGiven =
      g.opset() < 10 ? node.attr("axes") != nullptr : !node.input(3).empty();
  if (axesGiven) {
    std::optional<std::vector<int64_t>> a = sliceInts(g, node, "axes", 3);
    if (!a) {
      error = "its axes are not constant";
      return std::nullopt;
    }
    axes = *a;
  }
  if (g.opset() >= 10 && !node.input(4).empty()) {
    std::optional<std::vector<int64_t>> st = g.constantInts(node.input(4));
    if (!st) {
      error = "its steps are not constant";
      return std::nullopt;
    }
    steps = *st;
  }
  if (axes.size() != starts->size() || steps.size() != starts->size()) {
    error = "its axes/steps do not match its starts";
    return std::nullopt;
  }
  SliceBounds bounds{std::vector<int64_t>(rank, 0),
                     std::vector<int64_t>(rank, 1),
                     std::vector<int64_t>(dims.begin(), dims.end())};
  std::vector<bool> seen(rank, false);
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t a = axes[i] < 0 ? axes[i] + rank : axes[i];
    if (a < 0 || a >= rank || seen[a] || steps[i] == 0) {
      error = "its axes or steps are invalid";
      return std::nullopt;
    }
    seen[a] = true;
    int64_t size = dims[a];
    // Python slice rules: negative from the end, clamped to the dimension.
    auto clampIndex = [&](int64_t v, int64_t lo, int64_t hi) {
      v = v < 0 ? v + size : v;
      return std::clamp(v, lo, hi);
    };
    int64_t s = steps[i];
    int64_t b = s > 0 ? clampIndex((*starts)[i], 0, size)
                      : clampIndex((*starts)[i], -1, size - 1);
    int64_t e = s > 0 ? clampIndex((*ends)[i], 0, size)
                      : clampIndex((*ends)[i], -1, size - 1);
    int64_t n = s > 0 ? (e - b + s - 1) / s : (b - e - s - 1) / -s;
    bounds.begin[a] = b;
    bounds.step[a] = s;
    bounds.size[a] = std::max<int64_t>(n, 0);
  }
  return bounds;
}

bool cnnc::onnx::isShapeOp(llvm::StringRef opType) {
  return llvm::is_contained({"Reshape", "Flatten", "Squeeze", "Unsqueeze",
                             "Pad", "Resize", "Upsample", "Transpose", "Slice",
                             "Split", "DepthToSpace", "SpaceToDepth", "Tile",
                             "Expand", "Gather"},
                            opType);
}

std::string cnnc::onnx::unsupportedShapeOpReason(const Node &node,
                                                 const GraphImporter &g) {
  const std::string &op = node.opType;
  if (op == "Reshape") {
    std::optional<std::vector<int64_t>> target = g.constantInts(node.input(1));
    if (!target)
      return "shape (only a constant)";
    if (node.getInt("allowzero", 0) != 0 && llvm::is_contained(*target, 0))
      return "allowzero=1 with a 0 in shape (an empty tensor)";
    return "";
  }
  if (op == "Squeeze" || op == "Unsqueeze") {
    ConstOperand axes = squeezeAxes(g, node);
    if (!axes.constant)
      return "axes (only constant)";
    if (op == "Unsqueeze" && !axes.present)
      return "axes (missing)";
    return "";
  }
  if (op == "Pad")
    return checkPad(g, node);
  if (op == "Resize")
    return checkResize(g, node);
  if (op == "Upsample") {
    if (g.opset() >= 10)
      return "op (deprecated since opset 10; use Resize)";
    std::string mode = node.getString("mode", "nearest");
    if (mode != "nearest")
      return "mode='" + mode + "' (only nearest)";
    ConstOperand scales = upsampleScales(g, node);
    if (!scales.present || !scales.constant)
      return "scales (only constant)";
    return checkIntegerScales(scales.floats);
  }
  if (op == "Split" && !intsOperand(g, node, "split", 1, 13).constant)
    return "split (only constant)";
  if (op == "Gather" && !g.constantInts(node.input(1)))
    return "indices (only constant)";
  if ((op == "Tile" || op == "Expand") && !g.constantInts(node.input(1)))
    return op == "Tile" ? "repeats (only constant)" : "shape (only constant)";
  if (op == "Slice") {
    for (auto [attr, input] :
         {std::pair("starts", 1), std::pair("ends", 2), std::pair("axes", 3)})
      if (!intsOperand(g, node, attr, input, 10).constant)
        return std::string(attr) + " (only constant)";
    if (g.opset() >= 10 && !node.input(4).empty() &&
        !g.constantInts(node.input(4)))
      return "steps (only constant)";
  }
  // Flatten, Transpose: axes are checked against the input's rank.
  return "";
}

LogicalResult cnnc::onnx::importShapeOp(GraphImporter &g, const Node &node,
                                        Location loc) {
  FailureOr<Value> x = g.operand(node, 0, loc);
  if (failed(x))
    return failure();
  return ShapeOpImporter(g, node, loc, *x).run();
}
