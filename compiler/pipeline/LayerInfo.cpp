//===- LayerInfo.cpp - how --report and --emit=dot describe a layer -------===//

#include "compiler/pipeline/LayerInfo.h"

#include "dialects/cnn/CnnOps.h"

#include "llvm/Support/Path.h"

#include <fmt/format.h>

using namespace mlir;

static int64_t elements(Value value) {
  return cast<RankedTensorType>(value.getType()).getNumElements();
}

std::string cnnc::shapeText(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor)
    return "-";
  std::string text;
  for (int64_t dim : tensor.getShape())
    text += (text.empty() ? "" : "x") + std::to_string(dim);
  return text.empty() ? "scalar" : text;
}

int64_t cnnc::layerFlops(Operation *op) {
  if (op->getNumResults() != 1 ||
      !isa<RankedTensorType>(op->getResult(0).getType()))
    return 0;
  int64_t out = elements(op->getResult(0));
  if (auto conv = dyn_cast<cnn::Conv2dOp>(op)) {
    auto w = cast<RankedTensorType>(conv.getWeight().getType()).getShape();
    return 2 * out * w[1] * w[2] * w[3];
  }
  if (auto dense = dyn_cast<cnn::DenseOp>(op))
    return 2 * out *
           cast<RankedTensorType>(dense.getWeight().getType()).getDimSize(1);
  if (auto pool = dyn_cast<cnn::MaxPool2dOp>(op))
    return out * pool.getKernel()[0] * pool.getKernel()[1];
  if (auto pool = dyn_cast<cnn::AvgPool2dOp>(op))
    return out * pool.getKernel()[0] * pool.getKernel()[1];
  if (isa<cnn::GlobalAvgPoolOp>(op))
    return elements(op->getOperand(0));
  if (auto resize = dyn_cast<cnn::ResizeOp>(op)) {
    int64_t taps = resize.getMode() == cnn::ResizeMode::nearest  ? 1
                   : resize.getMode() == cnn::ResizeMode::linear ? 4
                                                                 : 16;
    return taps == 1 ? 0 : 2 * taps * out; // a multiply-add per tap
  }
  if (isa<cnn::FlattenOp, cnn::ConcatOp, cnn::UpsampleOp, cnn::TransposeOp,
          cnn::SliceOp, cnn::ReshapeOp>(op))
    return 0; // data movement
  return out; // elementwise, softmax, batchnorm: about one per element
}

static std::string epilogue(Value bias, Value residual,
                            cnn::Activation activation) {
  std::string text;
  if (bias)
    text += " + bias";
  if (residual)
    text += " + residual";
  if (activation != cnn::Activation::none)
    text += " + " + cnn::stringifyActivation(activation).str();
  return text;
}

std::string cnnc::describeLayer(Operation *op) {
  if (auto conv = dyn_cast<cnn::Conv2dOp>(op)) {
    auto w = cast<RankedTensorType>(conv.getWeight().getType()).getShape();
    std::string text = fmt::format("conv2d {}x{}", w[2], w[3]);
    // Strides as "/2", or "/1x2" when they differ.
    auto strides = conv.getStrides();
    if (strides[0] != strides[1])
      text += fmt::format("/{}x{}", strides[0], strides[1]);
    else if (strides[0] != 1)
      text += fmt::format("/{}", strides[0]);
    if (conv.getGroups() > 1)
      text += w[1] == 1 && w[0] == static_cast<int64_t>(conv.getGroups())
                  ? " depthwise"
                  : fmt::format(" g{}", conv.getGroups());
    return text +
           epilogue(conv.getBias(), conv.getResidual(), conv.getActivation());
  }
  if (auto dense = dyn_cast<cnn::DenseOp>(op))
    return "dense" + epilogue(dense.getBias(), nullptr, dense.getActivation());
  if (auto unary = dyn_cast<cnn::UnaryOp>(op))
    return cnn::stringifyUnaryFn(unary.getFn()).str();
  if (auto reduce = dyn_cast<cnn::ReduceOp>(op))
    return "reduce_" + cnn::stringifyReduceKind(reduce.getKind()).str();
  if (auto softmax = dyn_cast<cnn::SoftmaxOp>(op); softmax && softmax.getLog())
    return "log_softmax";
  return op->getName().stripDialect().str();
}

std::string cnnc::layerName(Operation *op) {
  for (Value operand : op->getOperands())
    if (auto weight = operand.getDefiningOp<cnn::WeightOp>()) {
      llvm::StringRef name = weight.getName();
      return name.substr(0, name.find(".weight")).str();
    }
  return "-";
}

std::string cnnc::layerWhere(Location loc) {
  std::string where = "-";
  loc->walk([&](Location inner) {
    if (auto file = dyn_cast<FileLineColLoc>(inner)) {
      where = fmt::format(
          "{}:{}:{}",
          llvm::sys::path::filename(file.getFilename().strref()).str(),
          file.getLine(), file.getColumn());
      return WalkResult::interrupt();
    }
    if (auto name = dyn_cast<NameLoc>(inner)) {
      where = name.getName().str();
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return where;
}
