//===- Report.cpp - cnnc --report: what the compiler did to each layer ----===//

#include "compiler/pipeline/Report.h"

#include "dialects/cnn/CnnOps.h"

#include "mlir/Pass/Pass.h"
#include "llvm/Support/Path.h"

#include <fmt/format.h>

using namespace mlir;

namespace {

/// The pass whose input is the final cnn-dialect form of the model.
constexpr llvm::StringLiteral kLoweringPass = "convert-cnn-to-linalg";

std::string shapeOf(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor)
    return "-";
  std::string text;
  for (int64_t dim : tensor.getShape())
    text += (text.empty() ? "" : "x") + std::to_string(dim);
  return text.empty() ? "scalar" : text;
}

int64_t elements(Value value) {
  return cast<RankedTensorType>(value.getType()).getNumElements();
}

/// Multiply-adds count as two.
int64_t flopsOf(Operation *op) {
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

std::string epilogue(Value bias, Value residual, cnn::Activation activation) {
  std::string text;
  if (bias)
    text += " + bias";
  if (residual)
    text += " + residual";
  if (activation != cnn::Activation::none)
    text += " + " + cnn::stringifyActivation(activation).str();
  return text;
}

/// The op with the parts cnn-fuse folded into it.
std::string describe(Operation *op) {
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

/// The layer's name: its weight's, without the parameter suffix.
std::string nameOf(Operation *op) {
  for (Value operand : op->getOperands())
    if (auto weight = operand.getDefiningOp<cnn::WeightOp>()) {
      llvm::StringRef name = weight.getName();
      return name.substr(0, name.find(".weight")).str();
    }
  return "-";
}

/// file:line:col (file name only) or the ONNX node name.
std::string whereOf(Location loc) {
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

} // namespace

cnnc::LayerReport::LayerReport(MLIRContext &context)
    : capture(&context, [this](Diagnostic &diag) {
        if (diag.getSeverity() != DiagnosticSeverity::Remark)
          return failure(); // errors and warnings go on to the user
        remarks[diag.getLocation()].push_back(diag.str());
        return success();
      }) {}

void cnnc::LayerReport::runBeforePass(Pass *pass, Operation *op) {
  if (pass->getArgument() == kLoweringPass)
    if (auto module = dyn_cast<ModuleOp>(op))
      snapshot(module);
}

void cnnc::LayerReport::snapshot(ModuleOp module) {
  if (!layers.empty())
    return;
  module.walk([&](Operation *op) {
    if (op->getDialect() && op->getDialect()->getNamespace() == "cnn" &&
        !isa<cnn::WeightOp>(op))
      layers.push_back({op->getLoc(), nameOf(op), whereOf(op->getLoc()),
                        describe(op), shapeOf(op->getResult(0).getType()),
                        flopsOf(op)});
  });
}

void cnnc::LayerReport::print(llvm::raw_ostream &os) const {
  std::vector<std::string> code;
  size_t nameWidth = 5, whereWidth = 2, opWidth = 2, shapeWidth = 6;
  int64_t total = 0;
  for (const Layer &layer : layers) {
    auto it = remarks.find(layer.loc);
    std::string notes;
    if (it != remarks.end())
      for (const std::string &remark : it->second)
        notes += (notes.empty() ? "" : "; ") + remark;
    code.push_back(notes.empty() ? "scalar loops, calling thread" : notes);
    nameWidth = std::max(nameWidth, layer.name.size());
    whereWidth = std::max(whereWidth, layer.where.size());
    opWidth = std::max(opWidth, layer.op.size());
    shapeWidth = std::max(shapeWidth, layer.shape.size());
    total += layer.flops;
  }
  os << fmt::format("{} layers, {:.3f} GFLOP\n", layers.size(), total / 1e9);
  auto row = [&](llvm::StringRef index, llvm::StringRef name,
                 llvm::StringRef where, llvm::StringRef op,
                 llvm::StringRef shape, llvm::StringRef flops,
                 llvm::StringRef notes) {
    os << fmt::format("{:>3}  {:<{}}  {:<{}}  {:<{}}  {:<{}}  {:>9}  {}\n",
                      index.str(), name.str(), nameWidth, where.str(),
                      whereWidth, op.str(), opWidth, shape.str(), shapeWidth,
                      flops.str(), notes.str());
  };
  row("#", "layer", "at", "op", "output", "MFLOP", "code");
  for (auto [i, layer] : llvm::enumerate(layers))
    row(std::to_string(i + 1), layer.name, layer.where, layer.op, layer.shape,
        fmt::format("{:.2f}", layer.flops / 1e6), code[i]);
}
