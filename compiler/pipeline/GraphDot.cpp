//===- GraphDot.cpp - cnnc --emit=dot: the model graph for Graphviz -------===//

#include "compiler/pipeline/GraphDot.h"
#include "compiler/pipeline/LayerInfo.h"

#include "dialects/cnn/CnnOps.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/GraphWriter.h"

#include <fmt/format.h>

using namespace mlir;

namespace {

std::string quoted(llvm::StringRef text) {
  return "\"" + llvm::DOT::EscapeString(text.str()) + "\"";
}

std::string tensorName(func::FuncOp model, unsigned index, bool result) {
  auto name = result ? model.getResultAttrOfType<StringAttr>(index, "cnn.name")
                     : model.getArgAttrOfType<StringAttr>(index, "cnn.name");
  return name ? name.str()
              : fmt::format("{}{}", result ? "output" : "input", index);
}

} // namespace

void cnnc::writeGraphDot(func::FuncOp model, llvm::raw_ostream &os) {
  os << "digraph " << quoted(model.getSymName()) << " {\n"
     << "  node [shape=box, fontname=\"Helvetica\", fontsize=10];\n"
     << "  edge [fontname=\"Helvetica\", fontsize=9];\n";
  llvm::DenseMap<Value, std::string> producers;
  for (auto [i, arg] : llvm::enumerate(model.getArguments())) {
    std::string id = fmt::format("in{}", i);
    producers[arg] = id;
    os << "  " << id << " [shape=ellipse, label="
       << quoted(tensorName(model, i, false) + "\n" + shapeText(arg.getType()))
       << "];\n";
  }
  auto edge = [&](Value value, llvm::StringRef to) {
    auto it = producers.find(value);
    if (it != producers.end())
      os << "  " << it->second << " -> " << to
         << " [label=" << quoted(shapeText(value.getType())) << "];\n";
  };
  int layer = 0;
  for (Operation &op : model.getBody().front()) {
    if (isa<cnn::WeightOp, func::ReturnOp>(op) || op.getNumResults() != 1)
      continue;
    std::string id = fmt::format("l{}", ++layer);
    producers[op.getResult(0)] = id;
    std::string name = layerName(&op);
    std::string label =
        fmt::format("{}{}\n{}\n{:.2f} MFLOP", name == "-" ? "" : name + ": ",
                    describeLayer(&op), shapeText(op.getResult(0).getType()),
                    layerFlops(&op) / 1e6);
    os << "  " << id << " [label=" << quoted(label) << "];\n";
    for (Value operand : op.getOperands())
      edge(operand, id);
  }
  auto ret = cast<func::ReturnOp>(model.getBody().front().getTerminator());
  for (auto [i, value] : llvm::enumerate(ret.getOperands())) {
    std::string id = fmt::format("out{}", i);
    os << "  " << id
       << " [shape=ellipse, label=" << quoted(tensorName(model, i, true))
       << "];\n";
    edge(value, id);
  }
  os << "}\n";
}
