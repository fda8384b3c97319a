//===- Report.cpp - cnnc --report: what the compiler did to each layer ----===//

#include "compiler/pipeline/Report.h"
#include "compiler/pipeline/LayerInfo.h"

#include "dialects/cnn/CnnOps.h"

#include "mlir/Pass/Pass.h"
#include "llvm/Support/Path.h"

#include <fmt/format.h>

using namespace mlir;

namespace {

/// The pass whose input is the final cnn-dialect form of the model.
constexpr llvm::StringLiteral kLoweringPass = "convert-cnn-to-linalg";

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
      layers.push_back({op->getLoc(), cnnc::layerName(op),
                        cnnc::layerWhere(op->getLoc()), cnnc::describeLayer(op),
                        cnnc::shapeText(op->getResult(0).getType()),
                        cnnc::layerFlops(op)});
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
