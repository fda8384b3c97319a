//===- OnnxOps.cpp - ONNX nodes to cnn ops --------------------------------===//
//
// One check and one builder per op family: layers, activations, elementwise
// ops (the shape ops are in OnnxShapeOps.cpp). Attributes that moved to
// inputs in later opsets (Clip's min/max since 11, Dropout's training_mode
// since 12) are read from constants, so every opset imports alike.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/GraphImporter.h"
#include "dialects/cnn/CnnOps.h"
#include "dialects/cnn/CnnUnary.h"

#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

using namespace mlir;
using namespace cnnc::onnx;
using cnn::Shape;

double cnnc::onnx::widen(float f) {
  for (int digits = 6; digits < 9; ++digits) {
    char text[32];
    std::snprintf(text, sizeof(text), "%.*g", digits, static_cast<double>(f));
    double d = std::strtod(text, nullptr);
    if (static_cast<float>(d) == f)
      return d;
  }
  return f;
}

namespace {

bool isUsed(const Node &node, size_t output) {
  return output < node.outputs.size() && !node.outputs[output].empty();
}

/// A one-element float constant, e.g. Clip's min (absent: nullopt).
std::optional<float> scalarConstant(const GraphImporter &g,
                                    const std::string &name) {
  const Tensor *t = g.constant(name);
  if (!t || t->type != Tensor::Type::Float || t->floats.size() != 1)
    return std::nullopt;
  return t->floats[0];
}

/// A one-element constant exponent of Pow (float or integer), if it is one.
std::optional<double> scalarExponent(const GraphImporter &g,
                                     const std::string &name) {
  if (std::optional<float> f = scalarConstant(g, name))
    return widen(*f);
  std::optional<std::vector<int64_t>> ints = g.constantInts(name);
  if (ints && ints->size() == 1)
    return static_cast<double>(ints->front());
  return std::nullopt;
}

/// Clip's bounds: attributes before opset 11, optional inputs after.
std::pair<std::optional<float>, std::optional<float>>
clipBounds(const GraphImporter &g, const Node &node) {
  if (g.graph.opset < 11) {
    auto bound = [&](const char *key) -> std::optional<float> {
      if (const cnnc::onnx::Attribute *a = node.attr(key))
        return a->f;
      return std::nullopt;
    };
    return {bound("min"), bound("max")};
  }
  return {scalarConstant(g, node.input(1)), scalarConstant(g, node.input(2))};
}

std::string checkAutoPad(const Node &node) {
  std::string autoPad = node.getString("auto_pad", "NOTSET");
  if (autoPad == "NOTSET" || autoPad == "VALID" || autoPad == "SAME_UPPER" ||
      autoPad == "SAME_LOWER")
    return "";
  return "auto_pad='" + autoPad + "'";
}

/// Zero strides would divide by zero in the SAME padding rule.
std::string checkGeometry(const Node &node) {
  for (const char *key : {"kernel_shape", "strides", "dilations"})
    for (int64_t v : node.getInts(key, {}))
      if (v < 1)
        return std::string(key) + " value " + std::to_string(v);
  for (int64_t v : node.getInts("pads", {}))
    if (v < 0)
      return "pads value " + std::to_string(v);
  if (node.getInt("group", 1) < 1)
    return "group value " + std::to_string(node.getInt("group", 1));
  return "";
}

std::string checkWindow(const Node &node) {
  size_t rank = node.getInts("kernel_shape", {}).size();
  if (rank != 1 && rank != 2)
    return "kernel_shape (only 1-D and 2-D pooling)";
  if (std::string bad = checkGeometry(node); !bad.empty())
    return bad;
  for (int64_t d : node.getInts("dilations", {}))
    if (d != 1)
      return "dilations (pooling with dilation)";
  if (node.getInts("strides", std::vector<int64_t>(rank, 1)).size() != rank ||
      node.getInts("pads", std::vector<int64_t>(2 * rank, 0)).size() !=
          2 * rank)
    return "strides/pads (not of the kernel's rank)";
  return checkAutoPad(node);
}

/// The rank of a convolution weight cnnc computes: 1-D (as 2-D of height
/// 1) and 2-D.
std::string checkConvWeightRank(const Tensor *w) {
  if (!w || w->dims.size() == 3 || w->dims.size() == 4)
    return "";
  return "weight rank " + std::to_string(w->dims.size()) +
         " (only 1-D and 2-D convolution)";
}

/// The cnn.reduce kind of an ONNX Reduce* op.
std::optional<cnn::ReduceKind> reduceKindOf(llvm::StringRef op) {
  using K = cnn::ReduceKind;
  return llvm::StringSwitch<std::optional<K>>(op)
      .Case("ReduceSum", K::sum)
      .Case("ReduceMean", K::mean)
      .Case("ReduceMax", K::max)
      .Case("ReduceMin", K::min)
      .Case("ReduceProd", K::prod)
      .Case("ReduceL1", K::l1)
      .Case("ReduceL2", K::l2)
      .Case("ReduceSumSquare", K::sum_square)
      .Case("ReduceLogSum", K::log_sum)
      .Case("ReduceLogSumExp", K::log_sum_exp)
      .Default(std::nullopt);
}

/// A Reduce* op's axes: an attribute, an input from opset 13 (ReduceSum) or
/// 18 (the others); empty when absent, nullopt when not constant.
std::optional<std::vector<int64_t>> reduceAxes(const GraphImporter &g,
                                               const Node &node) {
  if (g.opset() < (node.opType == "ReduceSum" ? 13 : 18))
    return node.getInts("axes", {});
  if (node.input(1).empty())
    return std::vector<int64_t>{};
  return g.constantInts(node.input(1));
}

/// ONNX ops that are one cnn.unary function, whose parameters are the op's
/// attributes of the same names (with the same defaults).
std::optional<cnn::UnaryFn> unaryFnOf(llvm::StringRef op) {
  using F = cnn::UnaryFn;
  static const std::pair<const char *, F> kOps[] = {
      {"Exp", F::exp},           {"Log", F::log},
      {"Sqrt", F::sqrt},         {"Abs", F::abs},
      {"Neg", F::neg},           {"Reciprocal", F::reciprocal},
      {"Floor", F::floor},       {"Ceil", F::ceil},
      {"Round", F::round},       {"Sign", F::sign},
      {"Erf", F::erf},           {"Sin", F::sin},
      {"Cos", F::cos},           {"Tan", F::tan},
      {"Asin", F::asin},         {"Acos", F::acos},
      {"Atan", F::atan},         {"Sinh", F::sinh},
      {"Cosh", F::cosh},         {"Asinh", F::asinh},
      {"Acosh", F::acosh},       {"Atanh", F::atanh},
      {"Softplus", F::softplus}, {"Softsign", F::softsign},
      {"Elu", F::elu},           {"Selu", F::selu},
      {"Celu", F::celu},         {"ThresholdedRelu", F::thresholded_relu},
      {"Shrink", F::shrink},
  };
  for (auto [name, fn] : kOps)
    if (op == name)
      return fn;
  return std::nullopt;
}

/// Elementwise ops of any number of inputs with numpy broadcasting.
bool isBroadcastOp(llvm::StringRef op) {
  return llvm::is_contained(
      {"Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Sum", "Mean"}, op);
}

} // namespace

std::string cnnc::onnx::unsupportedReason(const Node &node,
                                          const GraphImporter &g) {
  if (!node.inDefaultDomain())
    return "op";
  const std::string &op = node.opType;
  if (node.outputs.empty() || (op != "Constant" && node.inputs.empty()))
    return "node without inputs or outputs";
  if (op == "Relu" || op == "Sigmoid" || op == "Tanh" || op == "LeakyRelu" ||
      op == "HardSigmoid" || isBroadcastOp(op) || unaryFnOf(op) ||
      op == "GlobalAveragePool" || op == "Concat" || op == "Softmax" ||
      op == "Identity" || op == "MatMul" || op == "Gemm")
    return "";
  if (isShapeOp(op))
    return unsupportedShapeOpReason(node, g);
  if (op == "Conv") {
    if (std::string bad = checkConvWeightRank(g.constant(node.input(1)));
        !bad.empty())
      return bad;
    if (std::string bad = checkGeometry(node); !bad.empty())
      return bad;
    return checkAutoPad(node);
  }
  if (op == "ConvTranspose") {
    const Tensor *w = g.constant(node.input(1));
    if (!w || w->type != Tensor::Type::Float)
      return "weight (only a constant)";
    if (std::string bad = checkConvWeightRank(w); !bad.empty())
      return bad;
    if (!node.input(2).empty() && !g.constant(node.input(2)))
      return "bias (only a constant)";
    if (std::string bad = checkGeometry(node); !bad.empty())
      return bad;
    return checkAutoPad(node);
  }
  if (op == "BatchNormalization") {
    if (node.getInt("training_mode", 0) != 0 || isUsed(node, 1))
      return "training_mode (only inference)";
    if (node.getInt("spatial", 1) != 1) // opsets 7-8
      return "spatial=0";
    return "";
  }
  if (op == "Clip") {
    auto [lo, hi] = clipBounds(g, node);
    if (g.opset() >= 11 &&
        ((!node.input(1).empty() && !lo) || (!node.input(2).empty() && !hi)))
      return "min/max (only constant scalars)";
    if (lo && hi && *lo > *hi)
      return "min/max (min above max)";
    return "";
  }
  if (op == "HardSwish")
    return "";
  if (op == "Gelu") {
    std::string approximate = node.getString("approximate", "none");
    return approximate == "none" || approximate == "tanh"
               ? ""
               : "approximate='" + approximate + "'";
  }
  if (reduceKindOf(op))
    return reduceAxes(g, node) ? "" : "axes (only constant)";
  if (op == "LogSoftmax" || op == "GlobalMaxPool" ||
      op == "InstanceNormalization" || op == "MeanVarianceNormalization" ||
      op == "PRelu")
    return "";
  if (op == "LRN")
    return node.getInt("size", 0) < 1 ? "size (must be at least 1)" : "";
  // Of a computed tensor (constants are folded): only to FLOAT, a copy.
  if (op == "Cast") {
    int64_t to = node.getInt("to", 0);
    return to == 1 ? ""
                   : "to=" + std::to_string(to) +
                         " of a computed tensor (only FLOAT, 1)";
  }
  // CastLike to a computed tensor's type (f32) or a float constant's.
  if (op == "CastLike") {
    if (node.input(1).empty())
      return "node without the tensor whose type it casts to";
    const Tensor *like = g.constant(node.input(1));
    if (like && like->typeName != "FLOAT" && like->typeName != "DOUBLE")
      return "cast of a computed tensor to " + like->typeName + " (only FLOAT)";
    return "";
  }
  if (op == "LayerNormalization")
    return "";
  if (op == "MaxPool") {
    if (node.getInt("storage_order", 0) != 0 || isUsed(node, 1))
      return "Indices output";
    return checkWindow(node);
  }
  if (op == "AveragePool")
    return checkWindow(node);
  if (op == "Dropout") {
    if (isUsed(node, 1))
      return "mask output";
    // Since opset 12 training_mode is an input; true would drop at random.
    if (!node.input(2).empty()) {
      std::optional<std::vector<int64_t>> mode = g.constantInts(node.input(2));
      const Tensor *t = g.constant(node.input(2));
      bool isFalse = t && t->numElements() == 1 &&
                     ((mode && (*mode)[0] == 0) ||
                      (t->type == Tensor::Type::Float && t->floats[0] == 0));
      if (!isFalse)
        return "training_mode (only false: inference)";
    }
    return "";
  }
  if (op == "Constant") {
    using Kind = cnnc::onnx::Attribute::Kind;
    for (const auto &[key, a] : node.attributes) {
      if (key == "value" && a.kind == Kind::Tensor) {
        if (a.tensor->type == Tensor::Type::Other)
          return "value type " + a.tensor->typeName;
        return "";
      }
      if ((key == "value_float" && a.kind == Kind::Float) ||
          (key == "value_floats" && a.kind == Kind::Floats) ||
          (key == "value_int" && a.kind == Kind::Int) ||
          (key == "value_ints" && a.kind == Kind::Ints))
        return "";
    }
    return "attribute (only value, value_float(s), value_int(s))";
  }
  return "op";
}

namespace {

/// ONNX auto_pad / pads as cnn's [top, left, bottom, right].
SmallVector<int64_t, 4> padding(const Node &node, llvm::ArrayRef<int64_t> in,
                                llvm::ArrayRef<int64_t> kernel,
                                llvm::ArrayRef<int64_t> stride,
                                llvm::ArrayRef<int64_t> dilation) {
  std::string autoPad = node.getString("auto_pad", "NOTSET");
  if (autoPad == "VALID")
    return {0, 0, 0, 0};
  if (autoPad == "NOTSET") {
    std::vector<int64_t> pads = node.getInts("pads", {0, 0, 0, 0});
    return SmallVector<int64_t, 4>(pads.begin(), pads.end());
  }
  // SAME_*: the odd pixel goes to the end (UPPER) or the beginning (LOWER).
  return cnn::samePadding(in, kernel, stride, dilation,
                          autoPad == "SAME_UPPER");
}

class NodeImporter {
public:
  NodeImporter(GraphImporter &g, const Node &node, Location loc)
      : g(g), b(g.builder), node(node), loc(loc) {}

  LogicalResult run();

private:
  InFlightDiagnostic error() { return emitError(loc); }
  FailureOr<Value> in(size_t i) { return g.operand(node, i, loc); }
  /// Input `i` and its shape if the node has it (a conv's bias).
  LogicalResult optionalOperand(size_t i, Value &v,
                                std::optional<Shape> &shape) {
    if (node.input(i).empty())
      return success();
    FailureOr<Value> operand = in(i);
    if (failed(operand))
      return failure();
    v = *operand;
    shape = GraphImporter::shapeOf(v);
    return success();
  }
  LogicalResult done(Value v) {
    g.define(node.outputs[0], v);
    return success();
  }
  RankedTensorType type(llvm::ArrayRef<int64_t> s) { return g.tensorType(s); }

  LogicalResult conv(Value x);
  LogicalResult convTranspose(Value x);
  LogicalResult gemm(Value x);
  LogicalResult matmul(Value x);
  LogicalResult pool(Value x);
  LogicalResult broadcast();
  /// cnn.unary `fn`, its parameters from the attributes of their names (or
  /// `p0` for the first).
  LogicalResult unary(cnn::UnaryFn fn, std::optional<double> p0 = {});
  LogicalResult softmax(Value x);
  /// Gelu: x (1 + erf(x / sqrt 2)) / 2, or its tanh approximation.
  LogicalResult gelu(Value x);
  /// LayerNormalization, InstanceNormalization, MeanVarianceNormalization:
  /// (x - mean) / sqrt(variance + epsilon) over their axes (MVN: epsilon
  /// added after the square root), then scale and bias where given.
  LogicalResult normalization(Value x);
  /// x / (bias + alpha / size * the sum of squares of `size` neighbouring
  /// channels) ^ beta: the sum as slices of the zero-padded squares.
  LogicalResult lrn(Value x);
  /// cnn.reduce of the (increasing) `axes`; without `keepDims` they are
  /// reshaped away. A mean over the H and W of an NCHW tensor is a
  /// cnn.global_avgpool, which convs fuse into.
  LogicalResult reduce(Value x, cnn::ReduceKind kind,
                       llvm::ArrayRef<int64_t> axes, bool keepDims);
  /// Operand `index`, of lower rank than `rank`, with `trailing` 1s added
  /// and leading 1s up to `rank`.
  FailureOr<Value> expandRank(size_t index, size_t rank, size_t trailing);

  GraphImporter &g;
  OpBuilder &b;
  const Node &node;
  Location loc;
};

LogicalResult NodeImporter::run() {
  const std::string &op = node.opType;
  // Any operand may be a constant to reshape before it becomes a weight.
  // x ^ a constant is a cnn.unary (x * x for 2, ...).
  std::optional<double> exponent =
      op == "Pow" ? scalarExponent(g, node.input(1)) : std::nullopt;
  if (exponent)
    return unary(cnn::UnaryFn::pow, *exponent);
  if (isBroadcastOp(op))
    return broadcast();
  if (std::optional<cnn::UnaryFn> fn = unaryFnOf(op))
    return unary(*fn);
  if (isShapeOp(op))
    return importShapeOp(g, node, loc);
  FailureOr<Value> first = in(0);
  if (failed(first))
    return failure();
  Value x = *first;
  Shape shape = GraphImporter::shapeOf(x);
  auto emitErr = [&] { return error(); };

  if (op == "Identity" || op == "Dropout" || op == "Cast" || op == "CastLike")
    return done(x);
  if (op == "Relu")
    return done(cnn::ReluOp::create(b, loc, type(shape), x));
  if (op == "Sigmoid")
    return done(cnn::SigmoidOp::create(b, loc, type(shape), x));
  if (op == "Tanh")
    return done(cnn::TanhOp::create(b, loc, type(shape), x));
  if (op == "LeakyRelu")
    return done(cnn::LeakyReluOp::create(
        b, loc, type(shape), x,
        llvm::APFloat(widen(node.getFloat("alpha", 0.01f)))));
  if (op == "HardSigmoid")
    return done(cnn::HardSigmoidOp::create(
        b, loc, type(shape), x,
        llvm::APFloat(widen(node.getFloat("alpha", 0.2f))),
        llvm::APFloat(widen(node.getFloat("beta", 0.5f)))));
  if (op == "HardSwish")
    return done(cnn::HardSwishOp::create(b, loc, type(shape), x));
  if (op == "Gelu")
    return gelu(x);
  if (op == "Clip") {
    // [0, 6] and [0, inf) are the activations that fuse into layers; an
    // infinite bound does not clip.
    auto [lo, hi] = clipBounds(g, node);
    if (lo && std::isinf(*lo))
      lo.reset();
    if (hi && std::isinf(*hi))
      hi.reset();
    if (lo == 0.0f && hi == 6.0f)
      return done(cnn::Relu6Op::create(b, loc, type(shape), x));
    if (lo == 0.0f && !hi)
      return done(cnn::ReluOp::create(b, loc, type(shape), x));
    FloatAttr min, max;
    if (lo)
      min = b.getF64FloatAttr(widen(*lo));
    if (hi)
      max = b.getF64FloatAttr(widen(*hi));
    return done(cnn::ClipOp::create(b, loc, type(shape), x, min, max));
  }
  if (op == "Conv")
    return conv(x);
  if (op == "ConvTranspose")
    return convTranspose(x);
  if (op == "Gemm")
    return gemm(x);
  if (op == "MatMul")
    return matmul(x);
  if (op == "MaxPool" || op == "AveragePool")
    return pool(x);
  if (op == "BatchNormalization") {
    SmallVector<Value, 4> params;
    for (size_t i = 1; i <= 4; ++i) {
      FailureOr<Value> p = in(i);
      if (failed(p))
        return failure();
      params.push_back(*p);
    }
    SmallVector<Shape> paramShapes;
    for (Value p : params)
      paramShapes.push_back(GraphImporter::shapeOf(p));
    if (shape.size() < 2)
      return error() << "BatchNormalization expects an [N, C, ...] input, got "
                        "shape "
                     << cnn::formatShape(shape);
    if (failed(cnn::verifyBatchNormShapes(emitErr, shape, paramShapes)))
      return failure();
    return done(cnn::BatchNormOp::create(
        b, loc, type(shape), x, params[0], params[1], params[2], params[3],
        llvm::APFloat(widen(node.getFloat("epsilon", 1e-5f)))));
  }
  if (op == "GlobalAveragePool" || op == "GlobalMaxPool") {
    if (shape.size() < 3)
      return error() << op << " expects an [N, C, ...] input, got shape "
                     << cnn::formatShape(shape);
    auto spatial = llvm::to_vector(llvm::seq<int64_t>(2, shape.size()));
    return reduce(
        x, op == "GlobalMaxPool" ? cnn::ReduceKind::max : cnn::ReduceKind::mean,
        spatial, /*keepDims=*/true);
  }
  if (std::optional<cnn::ReduceKind> kind = reduceKindOf(op)) {
    std::vector<int64_t> axes = *reduceAxes(g, node);
    if (axes.empty() && node.getInt("noop_with_empty_axes", 0) != 0)
      return done(x);
    if (axes.empty())
      for (int64_t d = 0, e = shape.size(); d < e; ++d)
        axes.push_back(d);
    for (int64_t &axis : axes) {
      FailureOr<int64_t> a = cnn::normalizeAxis(emitErr, axis, shape.size());
      if (failed(a))
        return failure();
      axis = *a;
    }
    llvm::sort(axes);
    if (std::adjacent_find(axes.begin(), axes.end()) != axes.end())
      return error() << op << " reduces an axis twice";
    return reduce(x, *kind, axes, node.getInt("keepdims", 1) != 0);
  }
  int64_t rank = shape.size();
  auto axis = [&](int64_t dflt) -> FailureOr<int64_t> {
    return cnn::normalizeAxis(emitErr, node.getInt("axis", dflt), rank);
  };
  if (op == "Concat") {
    FailureOr<int64_t> a = axis(1);
    if (failed(a))
      return failure();
    SmallVector<Value> ins;
    SmallVector<Shape> shapes;
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      FailureOr<Value> v = in(i);
      if (failed(v))
        return failure();
      ins.push_back(*v);
      shapes.push_back(GraphImporter::shapeOf(*v));
    }
    FailureOr<Shape> out = cnn::inferConcatShape(emitErr, shapes, *a);
    if (failed(out))
      return failure();
    return done(cnn::ConcatOp::create(b, loc, type(*out), ins, *a));
  }
  if (op == "Softmax" || op == "LogSoftmax")
    return softmax(x);
  if (op == "LayerNormalization" || op == "InstanceNormalization" ||
      op == "MeanVarianceNormalization")
    return normalization(x);
  if (op == "LRN")
    return lrn(x);
  if (op == "PRelu") {
    // relu(x) + slope * (x - relu(x)), the slope broadcast to x.
    FailureOr<Value> slope = expandRank(1, rank, 0);
    if (failed(slope))
      return failure();
    FailureOr<Shape> out = cnn::inferBroadcastShape(
        emitErr, shape, GraphImporter::shapeOf(*slope));
    if (failed(out))
      return failure();
    if (*out != shape)
      return error() << "PRelu's slope "
                     << cnn::formatShape(GraphImporter::shapeOf(*slope))
                     << " does not broadcast to X " << cnn::formatShape(shape);
    Value pos = cnn::ReluOp::create(b, loc, type(shape), x);
    Value neg = cnn::SubOp::create(b, loc, type(shape), x, pos);
    Value scaled = cnn::MulOp::create(b, loc, type(shape), *slope, neg);
    return done(cnn::AddOp::create(b, loc, type(shape), pos, scaled));
  }
  return error() << "ONNX op '" << op << "' has no importer";
}

LogicalResult NodeImporter::conv(Value x) {
  FailureOr<Value> w = in(1);
  if (failed(w))
    return failure();
  Shape inShape = GraphImporter::shapeOf(x),
        wShape = GraphImporter::shapeOf(*w);
  if (inShape.size() != 4 || wShape.size() != 4)
    return error() << "Conv of input " << cnn::formatShape(inShape)
                   << " by weight " << cnn::formatShape(wShape)
                   << " (cnnc computes 1-D and 2-D convolutions: inputs and "
                      "weights of rank 3 or 4)";
  Value bias;
  std::optional<Shape> biasShape;
  if (failed(optionalOperand(2, bias, biasShape)))
    return failure();
  std::vector<int64_t> kernel =
      node.getInts("kernel_shape", {wShape[2], wShape[3]});
  if (kernel != std::vector<int64_t>{wShape[2], wShape[3]})
    return error() << "Conv kernel_shape does not match the weight shape "
                   << cnn::formatShape(wShape);
  std::vector<int64_t> strides = node.getInts("strides", {1, 1});
  std::vector<int64_t> dilations = node.getInts("dilations", {1, 1});
  if (strides.size() != 2 || dilations.size() != 2 ||
      node.getInts("pads", {0, 0, 0, 0}).size() != 4)
    return error() << "Conv strides, dilations and pads must be 2-D";
  int64_t groups = node.getInt("group", 1);
  SmallVector<int64_t, 4> pads =
      padding(node, inShape, kernel, strides, dilations);
  FailureOr<Shape> out =
      cnn::inferConv2dShape([&] { return error(); }, inShape, wShape, biasShape,
                            strides, pads, dilations, groups);
  if (failed(out))
    return failure();
  return done(cnn::Conv2dOp::create(b, loc, type(*out), x, *w, bias,
                                    /*residual=*/Value(), strides, pads,
                                    dilations, groups, cnn::Activation::none,
                                    llvm::APFloat(0.01)));
}

/// ConvTranspose as the conv it is the gradient of: the input with s - 1
/// zeros between its pixels (a reshape, pad and reshape), padded by
/// (k - 1) * d minus ONNX's pads (plus output_padding at the end; a negative
/// amount crops), convolved with stride 1 by the kernel flipped and its
/// input and output channels swapped (per group).
LogicalResult NodeImporter::convTranspose(Value x) {
  const Tensor *w = g.constant(node.input(1));
  Shape xs = GraphImporter::shapeOf(x);
  int64_t groups = node.getInt("group", 1);
  if (xs.size() != 4 || xs[1] != w->dims[0] || w->dims[0] % groups)
    return error() << "ConvTranspose of input " << cnn::formatShape(xs)
                   << " by weight " << cnn::formatShape(w->dims)
                   << " with group " << groups
                   << " (expected an NCHW input whose channels are the "
                      "weight's first dimension, divisible by group)";
  int64_t cin = w->dims[0], mg = w->dims[1], kh = w->dims[2], kw = w->dims[3];
  int64_t cg = cin / groups, m = mg * groups;
  std::vector<int64_t> kernel = node.getInts("kernel_shape", {kh, kw});
  std::vector<int64_t> strides = node.getInts("strides", {1, 1});
  std::vector<int64_t> dilations = node.getInts("dilations", {1, 1});
  std::vector<int64_t> outPad = node.getInts("output_padding", {0, 0});
  std::vector<int64_t> pads = node.getInts("pads", {0, 0, 0, 0});
  if (kernel != std::vector<int64_t>{kh, kw} || strides.size() != 2 ||
      dilations.size() != 2 || outPad.size() != 2 || pads.size() != 4)
    return error() << "ConvTranspose kernel_shape, strides, dilations, "
                      "output_padding and pads must be 2-D and match the "
                      "weight";
  // Pads from output_shape or auto_pad (SAME_*: the input size x stride).
  std::vector<int64_t> outShape = node.getInts("output_shape", {});
  std::string autoPad = node.getString("auto_pad", "NOTSET");
  if (outShape.size() > 2)
    outShape.erase(outShape.begin(), outShape.end() - 2);
  if (outShape.empty() && autoPad.rfind("SAME", 0) == 0)
    outShape = {xs[2] * strides[0], xs[3] * strides[1]};
  if (autoPad == "VALID")
    pads = {0, 0, 0, 0};
  int64_t full[2];
  for (int i = 0; i < 2; ++i)
    full[i] = strides[i] * (xs[2 + i] - 1) + outPad[i] +
              (w->dims[2 + i] - 1) * dilations[i] + 1;
  if (!outShape.empty()) {
    // As ONNX states it, with floor division: an output_shape past the
    // full size (a negative total) grows at the end.
    for (int i = 0; i < 2; ++i) {
      int64_t total = full[i] - outShape[i];
      int64_t half = llvm::divideFloorSigned(total, 2);
      pads[i] = autoPad == "SAME_UPPER" ? half : total - half;
      pads[i + 2] = total - pads[i];
    }
  }
  for (int i = 0; i < 2; ++i)
    if (full[i] - pads[i] - pads[i + 2] < 1)
      return error() << "ConvTranspose output would be empty";
  // The zero-stuffed input: [N, C, H, 1, W, 1] padded to [.., s, .., s],
  // viewed as [N, C, H s, W s] and cut to (H - 1) s + 1 rows and columns.
  Value stuffed = x;
  if (strides[0] > 1 || strides[1] > 1) {
    Shape split = {xs[0], xs[1], xs[2], 1, xs[3], 1};
    Value parts = g.reshape(x, split, loc);
    SmallVector<int64_t> high = {0, 0, 0, strides[0] - 1, 0, strides[1] - 1};
    Shape padded = {xs[0], xs[1], xs[2], strides[0], xs[3], strides[1]};
    Value spread = cnn::PadOp::create(
        b, loc, type(padded), parts, SmallVector<int64_t>(6, 0), high,
        cnn::PadMode::constant, llvm::APFloat(0.0));
    stuffed = g.reshape(
        spread, {xs[0], xs[1], xs[2] * strides[0], xs[3] * strides[1]}, loc);
    for (int i = 0; i < 2; ++i) {
      Shape s = GraphImporter::shapeOf(stuffed);
      s[2 + i] = (xs[2 + i] - 1) * strides[i] + 1;
      stuffed =
          cnn::SliceOp::create(b, loc, type(s), stuffed, 2 + i, 0, s[2 + i]);
    }
  }
  // [top, left, bottom, right]; negative amounts are cropped first.
  SmallVector<int64_t, 4> padding(4);
  for (int i = 0; i < 2; ++i) {
    int64_t reach = (w->dims[2 + i] - 1) * dilations[i];
    padding[i] = reach - pads[i];
    padding[i + 2] = reach - pads[i + 2] + outPad[i];
  }
  for (int i = 0; i < 2; ++i) {
    Shape s = GraphImporter::shapeOf(stuffed);
    int64_t begin = std::max<int64_t>(-padding[i], 0),
            end = std::max<int64_t>(-padding[i + 2], 0);
    if (begin + end == 0)
      continue;
    if (begin + end >= s[2 + i])
      return error() << "ConvTranspose pads crop the whole input";
    s[2 + i] -= begin + end;
    stuffed =
        cnn::SliceOp::create(b, loc, type(s), stuffed, 2 + i, begin, s[2 + i]);
    padding[i] = std::max<int64_t>(padding[i], 0);
    padding[i + 2] = std::max<int64_t>(padding[i + 2], 0);
  }
  // W [C, M/g, kh, kw] -> W' [M, C/g, kh, kw], flipped.
  std::vector<float> flipped(w->floats.size());
  for (int64_t gi = 0; gi < groups; ++gi)
    for (int64_t c = 0; c < cg; ++c)
      for (int64_t o = 0; o < mg; ++o)
        for (int64_t i = 0; i < kh; ++i)
          for (int64_t j = 0; j < kw; ++j)
            flipped[(((gi * mg + o) * cg + c) * kh + (kh - 1 - i)) * kw +
                    (kw - 1 - j)] =
                w->floats[(((gi * cg + c) * mg + o) * kh + i) * kw + j];
  Value weight = g.weight(w->name + ".flipped", {m, cg, kh, kw}, flipped, loc);
  Value bias;
  std::optional<Shape> biasShape;
  if (failed(optionalOperand(2, bias, biasShape)))
    return failure();
  SmallVector<int64_t, 2> one = {1, 1};
  FailureOr<Shape> out = cnn::inferConv2dShape(
      [&] { return error(); }, GraphImporter::shapeOf(stuffed), {m, cg, kh, kw},
      biasShape, one, padding, dilations, groups);
  if (failed(out))
    return failure();
  return done(cnn::Conv2dOp::create(b, loc, type(*out), stuffed, weight, bias,
                                    /*residual=*/Value(), one, padding,
                                    dilations, groups, cnn::Activation::none,
                                    llvm::APFloat(0.01)));
}

/// Y = alpha * A' * B' + beta * C as cnn.dense: A' is A or a transpose of
/// it; a constant B is made the [N, K] weight (transposed unless transB)
/// times alpha, and a constant C of N values its bias times beta; other
/// forms scale and add after the dense.
LogicalResult NodeImporter::gemm(Value x) {
  double alpha = widen(node.getFloat("alpha", 1.0f)),
         beta = widen(node.getFloat("beta", 1.0f));
  Shape inShape = GraphImporter::shapeOf(x);
  if (inShape.size() != 2)
    return error() << "Gemm's A must be a matrix, got shape "
                   << cnn::formatShape(inShape);
  if (node.getInt("transA", 0) != 0) {
    inShape = {inShape[1], inShape[0]};
    x = cnn::TransposeOp::create(b, loc, type(inShape), x,
                                 ArrayRef<int64_t>{1, 0});
  }
  auto scalar = [&](const char *name, double v) {
    return g.weight(node.outputs[0] + "." + name, {1, 1},
                    {static_cast<float>(v)}, loc);
  };
  Value w;
  bool scaled = false; // alpha applied to the weight
  const Tensor *t = g.constant(node.input(1));
  if (t && t->type == Tensor::Type::Float && t->dims.size() == 2) {
    bool transB = node.getInt("transB", 0) != 0;
    int64_t n = transB ? t->dims[0] : t->dims[1],
            k = transB ? t->dims[1] : t->dims[0];
    std::vector<float> nk(t->floats.size());
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < k; ++j)
        nk[i * k + j] = static_cast<float>(
            alpha * (transB ? t->floats[i * k + j] : t->floats[j * n + i]));
    bool same = transB && alpha == 1;
    w = same ? *in(1)
             : g.weight(t->name + (transB ? ".scaled" : ".T"), {n, k}, nk, loc);
    scaled = true;
  } else {
    FailureOr<Value> wv = in(1);
    if (failed(wv))
      return failure();
    w = *wv;
    Shape s = GraphImporter::shapeOf(w);
    if (node.getInt("transB", 0) == 0 && s.size() == 2)
      w = cnn::TransposeOp::create(b, loc, type({s[1], s[0]}), w,
                                   ArrayRef<int64_t>{1, 0});
  }
  Shape wShape = GraphImporter::shapeOf(w);
  if (wShape.size() != 2)
    return error() << "Gemm's B must be a matrix, got shape "
                   << cnn::formatShape(wShape);
  // A [N] or [1, N] constant C is the dense's bias.
  Value bias;
  std::optional<Shape> biasShape;
  const Tensor *c = node.input(2).empty() ? nullptr : g.constant(node.input(2));
  bool cIsBias =
      c && c->type == Tensor::Type::Float && c->numElements() == wShape[0] &&
      (c->dims.size() == 1 || (c->dims.size() == 2 && c->dims[0] == 1));
  if (cIsBias) {
    std::vector<float> values(c->floats);
    for (float &v : values)
      v = static_cast<float>(beta * v);
    bias = c->dims.size() == 1 && beta == 1
               ? *in(2)
               : g.weight(beta == 1 ? c->name : c->name + ".beta", {wShape[0]},
                          values, loc);
    biasShape = Shape{wShape[0]};
  }
  FailureOr<Shape> out =
      cnn::inferDenseShape([&] { return error(); }, inShape, wShape, biasShape);
  if (failed(out))
    return failure();
  Value y = cnn::DenseOp::create(b, loc, type(*out), x, w, bias,
                                 cnn::Activation::none, llvm::APFloat(0.01));
  if (!scaled && alpha != 1)
    y = cnn::MulOp::create(b, loc, type(*out), y, scalar("alpha", alpha));
  if (!node.input(2).empty() && !cIsBias) {
    FailureOr<Value> cv =
        g.staticShape(node.input(2)) && g.staticShape(node.input(2))->size() < 2
            ? expandRank(2, 2, 0)
            : in(2);
    if (failed(cv))
      return failure();
    Value term = *cv;
    Shape cShape = GraphImporter::shapeOf(term);
    if (beta != 1)
      term =
          cnn::MulOp::create(b, loc, type(cShape), term, scalar("beta", beta));
    FailureOr<Shape> sum =
        cnn::inferBroadcastShape([&] { return error(); }, *out, cShape);
    if (failed(sum))
      return failure();
    if (*sum != *out)
      return error() << "Gemm's C " << cnn::formatShape(cShape)
                     << " does not broadcast to " << cnn::formatShape(*out);
    y = cnn::AddOp::create(b, loc, type(*out), y, term);
  }
  return done(y);
}

/// MatMul as numpy's matmul: [..., M, K] x [..., K, N], the batch
/// dimensions broadcast (a rank-1 operand is a row or column, dropped from
/// the result). A B of one matrix is a dense of all of A's rows (a Linear
/// layer on an NHWC tensor, ConvNeXt's; a following Add adds its bias);
/// batched matrices are one dense per batch entry, concatenated.
LogicalResult NodeImporter::matmul(Value x) {
  const Tensor *t = g.constant(node.input(1));
  if (t && t->type != Tensor::Type::Float)
    return error() << "MatMul B must be a float tensor";
  Value bValue;
  if (!t) {
    FailureOr<Value> v = in(1);
    if (failed(v))
      return failure();
    bValue = *v;
  }
  Shape as = GraphImporter::shapeOf(x);
  Shape bs = t ? Shape(t->dims.begin(), t->dims.end())
               : GraphImporter::shapeOf(bValue);
  if (as.empty() || bs.empty())
    return error() << "MatMul of scalars";
  bool rowA = as.size() == 1, columnB = bs.size() == 1;
  if (rowA)
    as.insert(as.begin(), 1);
  if (columnB)
    bs.push_back(1);
  int64_t m = as[as.size() - 2], k = as.back(), n = bs.back();
  if (bs[bs.size() - 2] != k)
    return error() << "MatMul of " << cnn::formatShape(as) << " by "
                   << cnn::formatShape(bs) << ": inner dimensions differ";
  Shape aBatch(as.begin(), as.end() - 2), bBatch(bs.begin(), bs.end() - 2);
  // numpy's broadcasting, aligned at the last dimension.
  Shape batch(std::max(aBatch.size(), bBatch.size()), 1);
  for (size_t i = 0; i < batch.size(); ++i) {
    auto dim = [&](const Shape &s) {
      return i < s.size() ? s[s.size() - 1 - i] : 1;
    };
    int64_t da = dim(aBatch), db = dim(bBatch);
    if (da != db && da != 1 && db != 1)
      return error() << "MatMul of " << cnn::formatShape(as) << " by "
                     << cnn::formatShape(bs)
                     << ": batch dimensions do not broadcast";
    batch[batch.size() - 1 - i] = std::max(da, db);
  }
  int64_t aCount = ShapedType::getNumElements(aBatch),
          bCount = ShapedType::getNumElements(bBatch),
          entries = ShapedType::getNumElements(batch);
  constexpr int64_t kMaxEntries = 1024;
  if (bCount > 1 && entries > kMaxEntries)
    return error() << "MatMul of " << entries
                   << " batched matrices (cnnc makes one dense layer per "
                      "matrix, at most "
                   << kMaxEntries << ")";
  // B's matrix `index` transposed: the [N, K] weight of a dense.
  Value b3 = bValue ? g.reshape(bValue, {bCount, k, n}, loc) : Value();
  auto weightOf = [&](int64_t index) -> Value {
    if (t) {
      std::vector<float> nk(k * n);
      const float *matrix = t->floats.data() + index * k * n;
      for (int64_t i = 0; i < k; ++i)
        for (int64_t j = 0; j < n; ++j)
          nk[j * k + i] = matrix[i * n + j];
      std::string name = t->name + ".T";
      if (bCount > 1)
        name += std::to_string(index);
      return g.weight(name, {n, k}, nk, loc);
    }
    Value matrix = b3;
    if (bCount > 1)
      matrix = cnn::SliceOp::create(b, loc, type({1, k, n}), b3, 0, index, 1);
    matrix = g.reshape(matrix, {k, n}, loc);
    return cnn::TransposeOp::create(b, loc, type({n, k}), matrix,
                                    ArrayRef<int64_t>{1, 0});
  };
  auto dense = [&](Value rows, Value w) {
    Shape out = {GraphImporter::shapeOf(rows)[0], n};
    return cnn::DenseOp::create(b, loc, type(out), rows, w, Value(),
                                cnn::Activation::none, llvm::APFloat(0.01));
  };
  Value y;
  if (bCount == 1) {
    y = dense(g.reshape(x, {aCount * m, k}, loc), weightOf(0));
  } else {
    // Entry e of the broadcast batch reads A's and B's entries at the same
    // coordinates, a dimension of 1 at 0.
    Value a3 = g.reshape(x, {aCount, m, k}, loc);
    auto entryIndex = [&](int64_t e, llvm::ArrayRef<int64_t> dims) {
      int64_t index = 0, stride = 1;
      for (size_t i = 0; i < dims.size(); ++i) {
        size_t axis = batch.size() - 1 - i;
        int64_t extent = batch[axis], coordinate = e % extent;
        e /= extent;
        int64_t d = dims[dims.size() - 1 - i];
        index += (d == 1 ? 0 : coordinate) * stride;
        stride *= d;
      }
      return index;
    };
    SmallVector<Value> parts;
    for (int64_t e = 0; e < entries; ++e) {
      Value rows = a3;
      if (aCount > 1)
        rows = cnn::SliceOp::create(b, loc, type({1, m, k}), a3, 0,
                                    entryIndex(e, aBatch), 1);
      Value product =
          dense(g.reshape(rows, {m, k}, loc), weightOf(entryIndex(e, bBatch)));
      parts.push_back(g.reshape(product, {1, m, n}, loc));
    }
    y = parts.size() == 1 ? parts[0]
                          : cnn::ConcatOp::create(b, loc, type({entries, m, n}),
                                                  ValueRange(parts), 0)
                                .getResult();
  }
  Shape shape = batch;
  if (!rowA)
    shape.push_back(m);
  if (!columnB)
    shape.push_back(n);
  return done(g.reshape(y, shape, loc));
}

LogicalResult NodeImporter::pool(Value x) {
  Shape inShape = GraphImporter::shapeOf(x);
  if (inShape.size() != 4)
    return error() << node.opType << " expects an NCHW input, got shape "
                   << cnn::formatShape(inShape);
  std::vector<int64_t> kernel = node.getInts("kernel_shape", {});
  std::vector<int64_t> strides = node.getInts("strides", {1, 1});
  SmallVector<int64_t, 4> pads =
      padding(node, inShape, kernel, strides, {1, 1});
  bool ceil = node.getInt("ceil_mode", 0) != 0;
  FailureOr<Shape> out = cnn::inferPool2dShape([&] { return error(); }, inShape,
                                               kernel, strides, pads, ceil);
  if (failed(out))
    return failure();
  if (node.opType == "MaxPool")
    return done(cnn::MaxPool2dOp::create(b, loc, type(*out), x, kernel, strides,
                                         pads, ceil));
  bool countPad = node.getInt("count_include_pad", 0) != 0;
  return done(cnn::AvgPool2dOp::create(b, loc, type(*out), x, kernel, strides,
                                       pads, ceil, countPad));
}

FailureOr<Value> NodeImporter::expandRank(size_t index, size_t rank,
                                          size_t trailing) {
  // A constant becomes a weight of the broadcast rank; a tensor is reshaped.
  auto fits = [&](llvm::ArrayRef<int64_t> shape) {
    if (shape.size() + trailing <= rank)
      return success();
    return LogicalResult(error() << "operand " << index << " of shape "
                                 << cnn::formatShape(shape)
                                 << " has too many dimensions to broadcast "
                                    "to rank "
                                 << rank);
  };
  auto expand = [&](llvm::ArrayRef<int64_t> shape) {
    Shape dims(rank - trailing - shape.size(), 1);
    dims.append(shape.begin(), shape.end());
    dims.append(trailing, 1);
    return dims;
  };
  const Tensor *t = g.constant(node.input(index));
  if (t && t->type == Tensor::Type::Float && !g.isDefined(t->name)) {
    if (failed(fits(t->dims)))
      return failure();
    return g.weight(t->name, expand(t->dims), t->floats, loc);
  }
  FailureOr<Value> v = in(index);
  if (failed(v) || failed(fits(GraphImporter::shapeOf(*v))))
    return failure();
  return g.reshape(*v, expand(GraphImporter::shapeOf(*v)), loc);
}

LogicalResult NodeImporter::broadcast() {
  // ONNX broadcasting prepends 1s to lower-rank operands; a constant one
  // becomes a weight of the full rank, so look at ranks before making weights.
  auto rankOf = [&](size_t i) -> size_t {
    if (g.isDefined(node.input(i)))
      return GraphImporter::shapeOf(*in(i)).size();
    const Tensor *t = g.constant(node.input(i));
    return t ? t->dims.size() : 0; // an undefined value: in(i) reports it
  };
  size_t n = node.inputs.size(), rank = 0;
  for (size_t i = 0; i < n; ++i)
    rank = std::max(rank, rankOf(i));
  // Before opset 7, `broadcast` = 1 with `axis` aligns B's dimensions with
  // A's from `axis` on (the rest of A's dimensions are 1 in B).
  size_t trailing = 0;
  if (g.opset() < 7 && node.getInt("broadcast", 0) != 0 && node.attr("axis")) {
    FailureOr<int64_t> axis = cnn::normalizeAxis(
        [&] { return error(); }, node.getInt("axis", 0), rankOf(0));
    if (failed(axis))
      return failure();
    if (*axis + rankOf(1) > rankOf(0))
      return error() << "B of rank " << rankOf(1) << " does not fit A of rank "
                     << rankOf(0) << " from axis " << *axis;
    trailing = rankOf(0) - *axis - rankOf(1);
  }
  SmallVector<Value> operands;
  for (size_t i = 0; i < n; ++i) {
    FailureOr<Value> v =
        rankOf(i) < rank ? expandRank(i, rank, i ? trailing : 0) : in(i);
    if (failed(v))
      return failure();
    operands.push_back(*v);
  }
  const std::string &op = node.opType;
  auto combine = [&](Value lhs, Value rhs) -> FailureOr<Value> {
    FailureOr<Shape> out = cnn::inferBroadcastShape(
        [&] { return error(); }, GraphImporter::shapeOf(lhs),
        GraphImporter::shapeOf(rhs));
    if (failed(out))
      return failure();
    RankedTensorType t = type(*out);
    if (op == "Add" || op == "Sum" || op == "Mean")
      return cnn::AddOp::create(b, loc, t, lhs, rhs).getResult();
    if (op == "Sub")
      return cnn::SubOp::create(b, loc, t, lhs, rhs).getResult();
    if (op == "Mul")
      return cnn::MulOp::create(b, loc, t, lhs, rhs).getResult();
    if (op == "Div")
      return cnn::DivOp::create(b, loc, t, lhs, rhs).getResult();
    if (op == "Pow")
      return cnn::PowOp::create(b, loc, t, lhs, rhs).getResult();
    if (op == "Max")
      return cnn::MaxOp::create(b, loc, t, lhs, rhs).getResult();
    return cnn::MinOp::create(b, loc, t, lhs, rhs).getResult();
  };
  Value result = operands.front();
  for (Value operand : llvm::drop_begin(operands)) {
    FailureOr<Value> v = combine(result, operand);
    if (failed(v))
      return failure();
    result = *v;
  }
  if (op == "Mean" && n > 1) {
    Value count = g.weight(node.outputs[0] + ".count", Shape(rank, 1),
                           {static_cast<float>(n)}, loc);
    result = cnn::DivOp::create(b, loc, result.getType(), result, count);
  }
  return done(result);
}

LogicalResult NodeImporter::unary(cnn::UnaryFn fn, std::optional<double> p0) {
  FailureOr<Value> x = in(0);
  if (failed(x))
    return failure();
  const cnn::UnaryFnInfo &info = cnn::unaryFnInfo(fn);
  double params[2] = {0, 0};
  for (size_t i = 0; i < info.numParams(); ++i)
    params[i] = widen(node.getFloat(info.params[i], info.defaults[i]));
  if (p0)
    params[0] = *p0;
  if (fn == cnn::UnaryFn::celu && params[0] == 0)
    return error() << "Celu's alpha must not be 0";
  return done(cnn::UnaryOp::create(b, loc, (*x).getType(), fn, *x,
                                   llvm::APFloat(params[0]),
                                   llvm::APFloat(params[1])));
}

LogicalResult NodeImporter::gelu(Value x) {
  auto unaryOp = [&](cnn::UnaryFn fn, Value v, double p0 = 0, double p1 = 0) {
    return cnn::UnaryOp::create(b, loc, v.getType(), fn, v, llvm::APFloat(p0),
                                llvm::APFloat(p1));
  };
  if (node.getString("approximate", "none") == "tanh")
    return done(unaryOp(cnn::UnaryFn::gelu_tanh, x));
  Value erf = unaryOp(cnn::UnaryFn::erf,
                      unaryOp(cnn::UnaryFn::affine, x, M_SQRT1_2, 0));
  Value half = unaryOp(cnn::UnaryFn::affine, erf, 0.5, 0.5);
  return done(cnn::MulOp::create(b, loc, x.getType(), x, half));
}

LogicalResult NodeImporter::normalization(Value x) {
  const std::string &op = node.opType;
  Shape shape = GraphImporter::shapeOf(x);
  int64_t rank = shape.size();
  auto emitErr = [&] { return error(); };
  SmallVector<int64_t> axes;
  // Scale and bias: LayerNorm's match the normalised trailing axes,
  // InstanceNorm's are per channel ([C], as [1, C, 1, ...]).
  size_t trailing = 0;
  if (op == "LayerNormalization") {
    FailureOr<int64_t> axis =
        cnn::normalizeAxis(emitErr, node.getInt("axis", -1), rank);
    if (failed(axis))
      return failure();
    for (int64_t d = *axis; d < rank; ++d)
      axes.push_back(d);
  } else if (op == "InstanceNormalization") {
    if (rank < 3)
      return error() << op << " expects an [N, C, ...] input, got shape "
                     << cnn::formatShape(shape);
    for (int64_t d = 2; d < rank; ++d)
      axes.push_back(d);
    trailing = rank - 2;
  } else {
    for (int64_t axis : node.getInts("axes", {0, 2, 3})) {
      FailureOr<int64_t> a = cnn::normalizeAxis(emitErr, axis, rank);
      if (failed(a))
        return failure();
      axes.push_back(*a);
    }
    llvm::sort(axes);
    axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  }
  Shape reduced = shape;
  for (int64_t a : axes)
    reduced[a] = 1;
  bool mvn = op == "MeanVarianceNormalization";
  double eps = mvn ? 1e-9 : widen(node.getFloat("epsilon", 1e-5f));
  auto mean = [&](Value v) {
    return cnn::ReduceOp::create(b, loc, type(reduced), cnn::ReduceKind::mean,
                                 v, axes)
        .getResult();
  };
  RankedTensorType full = type(shape), part = type(reduced);
  Value average = mean(x);
  Value centred = cnn::SubOp::create(b, loc, full, x, average);
  Value variance = mean(cnn::MulOp::create(b, loc, full, centred, centred));
  Value epsilon =
      g.weight(node.outputs[0] + ".epsilon", Shape(rank, 1), {float(eps)}, loc);
  auto sqrt = [&](Value v) {
    return cnn::UnaryOp::create(b, loc, part, cnn::UnaryFn::sqrt, v,
                                llvm::APFloat(0.0), llvm::APFloat(0.0))
        .getResult();
  };
  Value deviation =
      mvn ? cnn::AddOp::create(b, loc, part, sqrt(variance), epsilon)
                .getResult()
          : sqrt(cnn::AddOp::create(b, loc, part, variance, epsilon));
  Value y = cnn::DivOp::create(b, loc, full, centred, deviation);
  // LayerNormalization's optional outputs: the mean and 1 / deviation.
  if (isUsed(node, 1))
    g.define(node.outputs[1], average);
  if (isUsed(node, 2))
    g.define(node.outputs[2],
             cnn::UnaryOp::create(b, loc, part, cnn::UnaryFn::reciprocal,
                                  deviation, llvm::APFloat(0.0),
                                  llvm::APFloat(0.0)));
  for (size_t i = 1; i <= 2 && i < node.inputs.size(); ++i) {
    if (node.input(i).empty())
      continue;
    FailureOr<Value> p = expandRank(i, rank, trailing);
    if (failed(p))
      return failure();
    FailureOr<Shape> out =
        cnn::inferBroadcastShape(emitErr, shape, GraphImporter::shapeOf(*p));
    if (failed(out))
      return failure();
    if (*out != shape)
      return error() << op << "'s " << (i == 1 ? "scale " : "bias ")
                     << cnn::formatShape(GraphImporter::shapeOf(*p))
                     << " does not broadcast to X " << cnn::formatShape(shape);
    y = i == 1 ? cnn::MulOp::create(b, loc, full, y, *p).getResult()
               : cnn::AddOp::create(b, loc, full, y, *p).getResult();
  }
  return done(y);
}

LogicalResult NodeImporter::lrn(Value x) {
  Shape shape = GraphImporter::shapeOf(x);
  int64_t rank = shape.size(), size = node.getInt("size", 1);
  if (rank < 3)
    return error() << "LRN expects an [N, C, ...] input, got shape "
                   << cnn::formatShape(shape);
  double alpha = widen(node.getFloat("alpha", 1e-4f)),
         beta = widen(node.getFloat("beta", 0.75f)),
         bias = widen(node.getFloat("bias", 1.0f));
  RankedTensorType full = type(shape);
  Value squares = cnn::MulOp::create(b, loc, full, x, x);
  SmallVector<int64_t> low(rank, 0), high(rank, 0);
  low[1] = (size - 1) / 2;
  high[1] = size - 1 - low[1];
  Shape padded = shape;
  padded[1] += size - 1;
  Value wide = cnn::PadOp::create(b, loc, type(padded), squares, low, high,
                                  cnn::PadMode::constant, llvm::APFloat(0.0));
  Value sum;
  for (int64_t k = 0; k < size; ++k) {
    Value part = cnn::SliceOp::create(b, loc, full, wide, 1, k, shape[1]);
    sum = sum ? cnn::AddOp::create(b, loc, full, sum, part).getResult() : part;
  }
  auto constant = [&](const char *name, double v) {
    return g.weight(node.outputs[0] + "." + name, Shape(rank, 1),
                    {static_cast<float>(v)}, loc);
  };
  Value scaled =
      cnn::MulOp::create(b, loc, full, sum, constant("scale", alpha / size));
  Value base = cnn::AddOp::create(b, loc, full, scaled, constant("bias", bias));
  Value denominator =
      cnn::UnaryOp::create(b, loc, full, cnn::UnaryFn::pow, base,
                           llvm::APFloat(beta), llvm::APFloat(0.0));
  return done(cnn::DivOp::create(b, loc, full, x, denominator));
}

LogicalResult NodeImporter::reduce(Value x, cnn::ReduceKind kind,
                                   llvm::ArrayRef<int64_t> axes,
                                   bool keepDims) {
  Shape shape = GraphImporter::shapeOf(x);
  Shape kept = shape, dropped;
  for (auto [d, size] : llvm::enumerate(shape)) {
    if (llvm::is_contained(axes, static_cast<int64_t>(d)))
      kept[d] = 1;
    else
      dropped.push_back(size);
  }
  Value y;
  if (kind == cnn::ReduceKind::mean && shape.size() == 4 &&
      axes == llvm::ArrayRef<int64_t>{2, 3})
    y = cnn::GlobalAvgPoolOp::create(b, loc, type(kept), x);
  else
    y = cnn::ReduceOp::create(b, loc, type(kept), kind, x, axes);
  return done(keepDims ? y : g.reshape(y, dropped, loc));
}

/// Since opset 13 Softmax and LogSoftmax normalise along `axis` (default -1).
/// Before, they normalised the input flattened to 2-D at `axis` (default 1):
/// a reshape around a softmax over the last axis.
LogicalResult NodeImporter::softmax(Value x) {
  Shape shape = GraphImporter::shapeOf(x);
  int64_t rank = shape.size();
  bool old = g.opset() < 13;
  FailureOr<int64_t> axis = cnn::normalizeAxis(
      [&] { return error(); }, node.getInt("axis", old ? 1 : -1), rank);
  if (failed(axis))
    return failure();
  bool log = node.opType == "LogSoftmax";
  if (!old || *axis == rank - 1)
    return done(cnn::SoftmaxOp::create(b, loc, type(shape), x, *axis, log));
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < rank; ++d)
    (d < *axis ? outer : inner) *= shape[d];
  Value flat = g.reshape(x, {outer, inner}, loc);
  Value y = cnn::SoftmaxOp::create(b, loc, type({outer, inner}), flat, 1, log);
  return done(g.reshape(y, shape, loc));
}

/// Whether `node` is a 1-D Conv, ConvTranspose or pool (an [N, C, L] input).
bool isOneDimensional(const GraphImporter &g, const Node &node) {
  if (!llvm::is_contained({"Conv", "ConvTranspose", "MaxPool", "AveragePool"},
                          node.opType))
    return false;
  std::optional<Shape> in = g.staticShape(node.input(0));
  return in && in->size() == 3;
}

/// A 1-D Conv, ConvTranspose or pool as the 2-D op of height 1: the input
/// [N, C, L] as [N, C, 1, L], the weight [., ., k] as [., ., 1, k], each
/// spatial attribute given a leading height (1 for kernel, strides and
/// dilations, 0 for output_padding; pads [b, e] as [0, b, 0, e]), and the
/// output reshaped back to rank 3.
LogicalResult importAs2d(GraphImporter &g, const Node &node, Location loc) {
  auto lifted = [](const std::string &name) { return name + ".as2d"; };
  Node as2d = node;
  for (size_t i = 0; i < std::min<size_t>(node.inputs.size(), 2); ++i) {
    if (node.inputs[i].empty())
      continue;
    as2d.inputs[i] = lifted(node.inputs[i]);
    if (const Tensor *t = g.constant(node.inputs[i]);
        t && t->dims.size() == 3) {
      Tensor w = *t;
      w.name = as2d.inputs[i];
      w.dims.insert(w.dims.begin() + 2, 1);
      g.addConstant(std::move(w));
      continue;
    }
    FailureOr<Value> v = g.operand(node, i, loc);
    if (failed(v))
      return failure();
    Shape s = GraphImporter::shapeOf(*v);
    if (s.size() != 3)
      return emitError(loc)
             << node.opType << " of a 1-D input needs a rank-3 "
             << (i ? "weight" : "input") << ", got " << cnn::formatShape(s);
    g.define(as2d.inputs[i], g.reshape(*v, {s[0], s[1], 1, s[2]}, loc));
  }
  for (auto &[key, attr] : as2d.attributes) {
    if (attr.kind != cnnc::onnx::Attribute::Kind::Ints)
      continue;
    std::vector<int64_t> &v = attr.ints;
    if (key == "pads" && v.size() == 2)
      v = {0, v[0], 0, v[1]};
    else if (key == "output_shape" && !v.empty())
      v = {1, v.back()};
    else if (key == "output_padding" && v.size() == 1)
      v.insert(v.begin(), 0);
    else if (v.size() == 1 &&
             llvm::is_contained({"kernel_shape", "strides", "dilations"}, key))
      v.insert(v.begin(), 1);
  }
  as2d.outputs = {lifted(node.outputs[0])};
  if (failed(NodeImporter(g, as2d, loc).run()))
    return failure();
  Value out = g.lookup(as2d.outputs[0]);
  Shape s = GraphImporter::shapeOf(out);
  g.define(node.outputs[0], g.reshape(out, {s[0], s[1], s[3]}, loc));
  return success();
}

} // namespace

LogicalResult cnnc::onnx::importNode(GraphImporter &g, const Node &node,
                                     Location loc) {
  if (isOneDimensional(g, node))
    return importAs2d(g, node, loc);
  return NodeImporter(g, node, loc).run();
}
