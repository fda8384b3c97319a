//===- Evaluator.cpp - naive reference evaluator of cnn functions ---------===//
//
// Runs the ops of the function body in order through the loops of
// Kernels.cpp. Result shapes are recomputed from the concrete operand shapes
// with the dialect's own shape rules (and compared with the declared result
// types), so a malformed op is reported at its location instead of making a
// kernel read out of bounds.
//
//===----------------------------------------------------------------------===//

#include "compiler/reference/Evaluator.h"
#include "compiler/reference/Kernels.h"
#include "dialects/cnn/CnnOps.h"
#include "dialects/cnn/CnnResize.h"
#include "dialects/cnn/CnnShapes.h"
#include "dialects/cnn/CnnUnary.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

using namespace mlir;

namespace cnnc::reference {
namespace {

/// Reports at the op's location, for the shape rules of CnnShapes.h.
auto errorAt(Operation *op) {
  return [op] { return op->emitError(); };
}

/// Fails with a diagnostic through `emitError` unless `shape` fits the ranked
/// tensor `type` (dynamic dimensions match anything).
LogicalResult checkShape(Type type, ArrayRef<int64_t> shape,
                         llvm::function_ref<InFlightDiagnostic()> emitError,
                         StringRef what) {
  auto tensorType = dyn_cast<RankedTensorType>(type);
  if (!tensorType)
    return emitError() << what << " has type " << type
                       << ", expected a ranked tensor";
  bool ok = tensorType.getRank() == static_cast<int64_t>(shape.size());
  for (size_t d = 0; ok && d < shape.size(); ++d)
    ok = tensorType.isDynamicDim(d) || tensorType.getDimSize(d) == shape[d];
  if (!ok)
    return emitError() << what << " has shape " << cnn::formatShape(shape)
                       << ", which does not match its type " << type;
  return success();
}

class Evaluator {
public:
  FailureOr<SmallVector<Tensor>> run(func::FuncOp func,
                                     ArrayRef<Tensor> inputs);

private:
  /// Operands are always defined: ops run in order and the first failure
  /// stops the run.
  const Tensor &lookup(Value v) const { return values.find(v)->second; }
  const Tensor *lookupOptional(Value v) const {
    return v ? &lookup(v) : nullptr;
  }

  LogicalResult evaluate(Operation *op);
  void releaseDeadOperands(Operation *op);

  FailureOr<Tensor> eval(cnn::WeightOp op);
  FailureOr<Tensor> eval(cnn::Conv2dOp op);
  FailureOr<Tensor> eval(cnn::DenseOp op);
  FailureOr<Tensor> eval(cnn::BatchNormOp op);
  FailureOr<Tensor> eval(cnn::MaxPool2dOp op);
  FailureOr<Tensor> eval(cnn::AvgPool2dOp op);
  FailureOr<Tensor> eval(cnn::GlobalAvgPoolOp op);
  FailureOr<Tensor> eval(cnn::FlattenOp op);
  FailureOr<Tensor> eval(cnn::ConcatOp op);
  FailureOr<Tensor> eval(cnn::SliceOp op);
  FailureOr<Tensor> eval(cnn::TransposeOp op);
  FailureOr<Tensor> eval(cnn::ResizeOp op);
  FailureOr<Tensor> eval(cnn::UpsampleOp op);
  FailureOr<Tensor> eval(cnn::SoftmaxOp op);
  FailureOr<Tensor> eval(cnn::ReduceOp op);
  FailureOr<Tensor> eval(cnn::ReshapeOp op);
  FailureOr<Tensor> eval(cnn::PadOp op);
  FailureOr<Tensor> evalUnary(Operation *op,
                              llvm::function_ref<double(double)> fn);
  FailureOr<Tensor> evalActivation(Operation *op, cnn::Activation activation,
                                   double alpha);
  FailureOr<Tensor> evalBinary(Operation *op,
                               llvm::function_ref<double(double, double)> fn);

  llvm::DenseMap<Value, Tensor> values;
};

} // namespace

FailureOr<SmallVector<Tensor>> Evaluator::run(func::FuncOp func,
                                              ArrayRef<Tensor> inputs) {
  if (func.isExternal() || !func.getBody().hasOneBlock())
    return func.emitError(
        "reference evaluator expects a function with a single-block body");
  Block &body = func.getBody().front();
  if (inputs.size() != body.getNumArguments())
    return func.emitError("reference evaluator got ")
           << inputs.size() << " inputs for " << body.getNumArguments()
           << " arguments";
  for (auto [arg, input] : llvm::zip_equal(body.getArguments(), inputs)) {
    std::string what = "input #" + std::to_string(arg.getArgNumber());
    if (llvm::any_of(input.shape, [](int64_t d) { return d < 0; }) ||
        static_cast<int64_t>(input.data.size()) != numElements(input.shape))
      return func.emitError()
             << what << " has " << input.data.size() << " values for shape "
             << cnn::formatShape(input.shape);
    if (failed(checkShape(arg.getType(), input.shape, errorAt(func), what)))
      return failure();
    values[arg] = input;
  }

  for (Operation &op : body.without_terminator()) {
    if (failed(evaluate(&op)))
      return failure();
    releaseDeadOperands(&op);
  }

  auto ret = dyn_cast<func::ReturnOp>(body.getTerminator());
  if (!ret)
    return body.getTerminator()->emitError(
               "reference evaluator does not support '")
           << body.getTerminator()->getName() << "'";
  SmallVector<Tensor> outputs;
  for (Value v : ret.getOperands())
    outputs.push_back(lookup(v));
  return outputs;
}

LogicalResult Evaluator::evaluate(Operation *op) {
  FailureOr<Tensor> result =
      llvm::TypeSwitch<Operation *, FailureOr<Tensor>>(op)
          .Case<cnn::WeightOp, cnn::Conv2dOp, cnn::DenseOp, cnn::BatchNormOp,
                cnn::MaxPool2dOp, cnn::AvgPool2dOp, cnn::GlobalAvgPoolOp,
                cnn::FlattenOp, cnn::ConcatOp, cnn::SliceOp, cnn::TransposeOp,
                cnn::ResizeOp, cnn::UpsampleOp, cnn::SoftmaxOp, cnn::ReduceOp,
                cnn::ReshapeOp, cnn::PadOp>([&](auto op) { return eval(op); })
          .Case([&](cnn::ReluOp) {
            return evalActivation(op, cnn::Activation::relu, 0);
          })
          .Case([&](cnn::Relu6Op) {
            return evalActivation(op, cnn::Activation::relu6, 0);
          })
          .Case([&](cnn::LeakyReluOp leaky) {
            return evalActivation(op, cnn::Activation::leaky_relu,
                                  leaky.getAlpha().convertToDouble());
          })
          .Case([&](cnn::SigmoidOp) {
            return evalActivation(op, cnn::Activation::sigmoid, 0);
          })
          .Case([&](cnn::TanhOp) {
            return evalActivation(op, cnn::Activation::tanh, 0);
          })
          .Case([&](cnn::SiluOp) {
            return evalActivation(op, cnn::Activation::silu, 0);
          })
          .Case([&](cnn::HardSigmoidOp hard) {
            double alpha = hard.getAlpha().convertToDouble(),
                   beta = hard.getBeta().convertToDouble();
            return evalUnary(op, [&](double x) {
              return std::clamp(alpha * x + beta, 0.0, 1.0);
            });
          })
          .Case([&](cnn::HardSwishOp) {
            return evalActivation(op, cnn::Activation::hardswish, 0);
          })
          .Case([&](cnn::ClipOp clip) {
            double inf = std::numeric_limits<double>::infinity();
            double lo = clip.getMin() ? clip.getMin()->convertToDouble() : -inf;
            double hi = clip.getMax() ? clip.getMax()->convertToDouble() : inf;
            return evalUnary(op,
                             [&](double x) { return std::clamp(x, lo, hi); });
          })
          .Case([&](cnn::MishOp) {
            return evalActivation(op, cnn::Activation::mish, 0);
          })
          .Case([&](cnn::AddOp) {
            return evalBinary(op, [](double a, double b) { return a + b; });
          })
          .Case([&](cnn::SubOp) {
            return evalBinary(op, [](double a, double b) { return a - b; });
          })
          .Case([&](cnn::MulOp) {
            return evalBinary(op, [](double a, double b) { return a * b; });
          })
          .Case([&](cnn::DivOp) {
            return evalBinary(op, [](double a, double b) { return a / b; });
          })
          .Case([&](cnn::PowOp) {
            return evalBinary(
                op, [](double a, double b) { return std::pow(a, b); });
          })
          .Case([&](cnn::MaxOp) {
            return evalBinary(op, [](double a, double b) {
              return std::isnan(a) || std::isnan(b) ? NAN : std::max(a, b);
            });
          })
          .Case([&](cnn::MinOp) {
            return evalBinary(op, [](double a, double b) {
              return std::isnan(a) || std::isnan(b) ? NAN : std::min(a, b);
            });
          })
          .Case([&](cnn::UnaryOp unary) {
            const cnn::UnaryFnInfo &info = cnn::unaryFnInfo(unary.getFn());
            double p0 = unary.getP0().convertToDouble(),
                   p1 = unary.getP1().convertToDouble();
            return evalUnary(op,
                             [&](double x) { return info.eval(x, p0, p1); });
          })
          .Default([&](Operation *op) -> FailureOr<Tensor> {
            return op->emitError("reference evaluator does not support '")
                   << op->getName() << "'";
          });
  if (failed(result))
    return failure();
  // Every supported op has exactly one result.
  Value value = op->getResult(0);
  if (failed(checkShape(value.getType(), result->shape, errorAt(op),
                        "the computed result")))
    return failure();
  values[value] = std::move(*result);
  return success();
}

/// Frees the tensors whose last use was `op`, so that large networks do not
/// keep every activation alive.
void Evaluator::releaseDeadOperands(Operation *op) {
  for (Value v : op->getOperands()) {
    bool dead = llvm::all_of(v.getUsers(), [&](Operation *user) {
      return user == op ||
             (user->getBlock() == op->getBlock() && user->isBeforeInBlock(op));
    });
    if (dead)
      values.erase(v);
  }
}

//===----------------------------------------------------------------------===//
// Weights
//===----------------------------------------------------------------------===//

FailureOr<Tensor> Evaluator::eval(cnn::WeightOp op) {
  ElementsAttr value = op.getValue();
  ShapedType type = value.getShapedType();
  if (!type.hasStaticShape() || !type.getElementType().isF32())
    return op.emitError("weight '")
           << op.getName() << "' must be a static f32 tensor, got " << type;
  FailureOr<std::vector<float>> values = op.readValues();
  if (failed(values))
    return failure();
  Tensor t = zeros(type.getShape());
  llvm::copy(*values, t.data.begin());
  return t;
}

//===----------------------------------------------------------------------===//
// Layers
//===----------------------------------------------------------------------===//

static std::optional<cnn::Shape> shapeOf(const Tensor *t) {
  if (!t)
    return std::nullopt;
  return cnn::Shape(t->shape);
}

FailureOr<Tensor> Evaluator::eval(cnn::Conv2dOp op) {
  const Tensor &input = lookup(op.getInput());
  const Tensor &weight = lookup(op.getWeight());
  const Tensor *bias = lookupOptional(op.getBias());
  std::optional<cnn::Shape> biasShape = shapeOf(bias);
  FailureOr<cnn::Shape> shape = cnn::inferConv2dShape(
      errorAt(op), input.shape, weight.shape, biasShape, op.getStrides(),
      op.getPadding(), op.getDilations(), op.getGroups());
  if (failed(shape))
    return failure();
  Tensor out = zeros(*shape);
  conv2d(input, weight, bias, op.getStrides(), op.getPadding(),
         op.getDilations(), op.getGroups(), out);
  const Tensor *residual = lookupOptional(op.getResidual());
  if (residual && residual->shape != out.shape)
    return op.emitError("residual shape does not match the result");
  epilogue(out, residual, op.getActivation(), op.getAlpha().convertToDouble());
  return out;
}

FailureOr<Tensor> Evaluator::eval(cnn::DenseOp op) {
  const Tensor &input = lookup(op.getInput());
  const Tensor &weight = lookup(op.getWeight());
  const Tensor *bias = lookupOptional(op.getBias());
  std::optional<cnn::Shape> biasShape = shapeOf(bias);
  FailureOr<cnn::Shape> shape =
      cnn::inferDenseShape(errorAt(op), input.shape, weight.shape, biasShape);
  if (failed(shape))
    return failure();
  Tensor out = zeros(*shape);
  dense(input, weight, bias, out);
  epilogue(out, nullptr, op.getActivation(), op.getAlpha().convertToDouble());
  return out;
}

FailureOr<Tensor> Evaluator::eval(cnn::BatchNormOp op) {
  const Tensor &input = lookup(op.getInput());
  const Tensor &gamma = lookup(op.getGamma());
  const Tensor &beta = lookup(op.getBeta());
  const Tensor &mean = lookup(op.getMean());
  const Tensor &variance = lookup(op.getVariance());
  cnn::Shape params[] = {cnn::Shape(gamma.shape), cnn::Shape(beta.shape),
                         cnn::Shape(mean.shape), cnn::Shape(variance.shape)};
  if (failed(cnn::verifyBatchNormShapes(errorAt(op), input.shape, params)))
    return failure();
  Tensor out = zeros(input.shape);
  batchNorm(input, gamma, beta, mean, variance,
            op.getEpsilon().convertToDouble(), out);
  return out;
}

FailureOr<Tensor> Evaluator::eval(cnn::MaxPool2dOp op) {
  const Tensor &input = lookup(op.getInput());
  FailureOr<cnn::Shape> shape =
      cnn::inferPool2dShape(errorAt(op), input.shape, op.getKernel(),
                            op.getStrides(), op.getPadding(), op.getCeilMode());
  if (failed(shape))
    return failure();
  Tensor out = zeros(*shape);
  maxPool2d(input, op.getKernel(), op.getStrides(), op.getPadding(), out);
  return out;
}

FailureOr<Tensor> Evaluator::eval(cnn::AvgPool2dOp op) {
  const Tensor &input = lookup(op.getInput());
  FailureOr<cnn::Shape> shape =
      cnn::inferPool2dShape(errorAt(op), input.shape, op.getKernel(),
                            op.getStrides(), op.getPadding(), op.getCeilMode());
  if (failed(shape))
    return failure();
  Tensor out = zeros(*shape);
  avgPool2d(input, op.getKernel(), op.getStrides(), op.getPadding(),
            op.getCountIncludePad(), out);
  return out;
}

FailureOr<Tensor> Evaluator::eval(cnn::GlobalAvgPoolOp op) {
  const Tensor &input = lookup(op.getInput());
  if (input.shape.size() != 4)
    return op.emitError("global_avgpool expects an NCHW input, got shape ")
           << cnn::formatShape(input.shape);
  Tensor out = zeros({input.shape[0], input.shape[1], 1, 1});
  globalAvgPool(input, out);
  return out;
}

FailureOr<Tensor> Evaluator::eval(cnn::FlattenOp op) {
  const Tensor &input = lookup(op.getInput());
  FailureOr<cnn::Shape> shape =
      cnn::inferFlattenShape(errorAt(op), input.shape);
  if (failed(shape))
    return failure();
  // Row-major data is already flat.
  Tensor out;
  out.shape = *shape;
  out.data = input.data;
  return out;
}

FailureOr<Tensor> Evaluator::eval(cnn::ConcatOp op) {
  SmallVector<const Tensor *> inputs;
  SmallVector<cnn::Shape> shapes;
  for (Value v : op.getInputs()) {
    inputs.push_back(&lookup(v));
    shapes.push_back(cnn::Shape(inputs.back()->shape));
  }
  FailureOr<cnn::Shape> shape =
      cnn::inferConcatShape(errorAt(op), shapes, op.getAxis());
  if (failed(shape))
    return failure();
  Tensor out = zeros(*shape);
  concat(inputs, op.getAxis(), out);
  return out;
}

FailureOr<Tensor> Evaluator::eval(cnn::SliceOp op) {
  const Tensor &input = lookup(op.getInput());
  FailureOr<cnn::Shape> shape = cnn::inferSliceShape(
      errorAt(op), input.shape, op.getAxis(), op.getOffset(), op.getSize());
  if (failed(shape))
    return failure();
  Tensor out = zeros(*shape);
  slice(input, op.getAxis(), op.getOffset(), out);
  return out;
}

FailureOr<Tensor> Evaluator::eval(cnn::TransposeOp op) {
  const Tensor &input = lookup(op.getInput());
  FailureOr<cnn::Shape> shape =
      cnn::inferTransposeShape(errorAt(op), input.shape, op.getPerm());
  if (failed(shape))
    return failure();
  Tensor out = zeros(*shape);
  transpose(input, op.getPerm(), out);
  return out;
}

FailureOr<Tensor> Evaluator::eval(cnn::ResizeOp op) {
  const Tensor &input = lookup(op.getInput());
  if (failed(checkShape(op.getInput().getType(), input.shape, errorAt(op),
                        "the input")))
    return failure();
  Tensor out = zeros(op.getType().getShape());
  ArrayRef<int64_t> in = input.shape, size = out.shape;
  resize(input, cnn::resizeTaps(op, in[2], size[2], op.getScale()[0]),
         cnn::resizeTaps(op, in[3], size[3], op.getScale()[1]), out);
  return out;
}

FailureOr<Tensor> Evaluator::eval(cnn::UpsampleOp op) {
  const Tensor &input = lookup(op.getInput());
  FailureOr<cnn::Shape> shape =
      cnn::inferUpsampleShape(errorAt(op), input.shape, op.getScale());
  if (failed(shape))
    return failure();
  Tensor out = zeros(*shape);
  upsampleNearest(input, op.getScale(), out);
  return out;
}

FailureOr<Tensor> Evaluator::eval(cnn::SoftmaxOp op) {
  const Tensor &input = lookup(op.getInput());
  if (failed(cnn::verifyAxis(errorAt(op), op.getAxis(), input.shape.size())))
    return failure();
  Tensor out = zeros(input.shape);
  softmax(input, op.getAxis(), op.getLog(), out);
  return out;
}

FailureOr<Tensor> Evaluator::eval(cnn::ReduceOp op) {
  const Tensor &input = lookup(op.getInput());
  FailureOr<cnn::Shape> shape =
      cnn::inferReduceShape(errorAt(op), input.shape, op.getAxes());
  if (failed(shape))
    return failure();
  Tensor out = zeros(*shape);
  reduce(input, op.getAxes(), op.getKind(), out);
  return out;
}

FailureOr<Tensor> Evaluator::eval(cnn::ReshapeOp op) {
  const Tensor &input = lookup(op.getInput());
  FailureOr<cnn::Shape> shape =
      cnn::inferReshapeShape(errorAt(op), input.shape, op.getType().getShape(),
                             /*copyZeros=*/false);
  if (failed(shape))
    return failure();
  Tensor out;
  out.shape = *shape;
  out.data = input.data;
  return out;
}

FailureOr<Tensor> Evaluator::eval(cnn::PadOp op) {
  const Tensor &input = lookup(op.getInput());
  FailureOr<cnn::Shape> shape =
      cnn::inferPadShape(errorAt(op), input.shape, op.getLow(), op.getHigh(),
                         op.getMode() == cnn::PadMode::reflect);
  if (failed(shape))
    return failure();
  Tensor out = zeros(*shape);
  pad(input, op.getLow(), op.getMode(), op.getValue().convertToDouble(), out);
  return out;
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

FailureOr<Tensor> Evaluator::evalUnary(Operation *op,
                                       llvm::function_ref<double(double)> fn) {
  Tensor out = lookup(op->getOperand(0));
  for (double &x : out.data)
    x = fn(x);
  return out;
}

FailureOr<Tensor> Evaluator::evalActivation(Operation *op,
                                            cnn::Activation activation,
                                            double alpha) {
  Tensor out = lookup(op->getOperand(0));
  epilogue(out, nullptr, activation, alpha);
  return out;
}

FailureOr<Tensor>
Evaluator::evalBinary(Operation *op,
                      llvm::function_ref<double(double, double)> fn) {
  const Tensor &lhs = lookup(op->getOperand(0));
  const Tensor &rhs = lookup(op->getOperand(1));
  FailureOr<cnn::Shape> shape =
      cnn::inferBroadcastShape(errorAt(op), lhs.shape, rhs.shape);
  if (failed(shape))
    return failure();
  Tensor out = zeros(*shape);
  broadcastBinary(lhs, rhs, fn, out);
  return out;
}

FailureOr<SmallVector<Tensor>> evaluate(func::FuncOp func,
                                        ArrayRef<Tensor> inputs) {
  return Evaluator().run(func, inputs);
}

} // namespace cnnc::reference
