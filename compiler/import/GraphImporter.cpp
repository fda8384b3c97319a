//===- GraphImporter.cpp - an ONNX graph as one func.func -----------------===//
//
// Graph inputs become arguments, initializers `cnn.weight`s (made at their
// first use, so integer shape constants never become tensors), nodes cnn ops.
// Every node is checked before any op is built so that all unsupported nodes
// are reported together.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/GraphImporter.h"
#include "compiler/import/ModelName.h"
#include "dialects/cnn/CnnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Path.h"

using namespace mlir;
using namespace cnnc::onnx;

namespace {

/// Tensor names for `cnn.name`: dots are fine (the C API maps them to
/// underscores), a leading digit is not (PyTorch names outputs "123").
std::string tensorName(llvm::StringRef name) {
  std::string result;
  for (char c : name)
    result += llvm::isAlnum(c) || c == '.' ? c : '_';
  if (result.empty() || !llvm::isAlpha(result[0]))
    result = "t" + result;
  return result;
}

std::string nodeLabel(const Node &node, size_t index) {
  return node.name.empty() ? node.opType + "#" + std::to_string(index)
                           : node.name;
}

} // namespace

Location GraphImporter::fileLoc() {
  return FileLineColLoc::get(builder.getContext(), path, 0, 0);
}

Location GraphImporter::nodeLoc(const Node &node, size_t index) {
  return NameLoc::get(builder.getStringAttr(nodeLabel(node, index)), fileLoc());
}

void GraphImporter::addConstant(Tensor tensor) {
  ownedConstants.push_back(std::move(tensor));
  constants[ownedConstants.back().name] = &ownedConstants.back();
}

Value GraphImporter::weight(llvm::StringRef name, llvm::ArrayRef<int64_t> shape,
                            llvm::ArrayRef<float> data, Location loc) {
  RankedTensorType type = tensorType(shape);
  return cnn::WeightOp::create(builder, loc, builder.getStringAttr(name),
                               cnn::createWeightBlob(type, name, data))
      .getResult();
}

FailureOr<Value> GraphImporter::operand(const Node &node, size_t index,
                                        Location loc) {
  std::string name = node.input(index);
  if (Value v = values.lookup(name))
    return v;
  if (const Tensor *t = constant(name)) {
    if (t->type != Tensor::Type::Float)
      return emitError(loc) << "ONNX constant '" << name << "' of type "
                            << t->typeName << " cannot be used as a tensor";
    Value v = weight(name, t->dims, t->floats, loc);
    values[name] = v;
    return v;
  }
  return emitError(loc) << "ONNX value '" << name << "' is not defined";
}

LogicalResult GraphImporter::checkSupport() {
  bool ok = true;
  for (auto [i, node] : llvm::enumerate(graph.nodes)) {
    std::string reason = unsupportedReason(node, *this);
    if (node.opType == "Constant" && reason.empty()) {
      Tensor value = *node.attr("value")->tensor;
      value.name = node.outputs[0];
      addConstant(std::move(value));
    }
    if (reason.empty())
      continue;
    ok = false;
    InFlightDiagnostic diag = emitError(nodeLoc(node, i));
    if (reason == "op")
      diag << "unsupported ONNX op '" << node.opType << "'";
    else
      diag << "unsupported " << reason << " in ONNX op '" << node.opType << "'";
    diag << " (node '" << nodeLabel(node, i) << "')";
  }
  return success(ok);
}

LogicalResult GraphImporter::importInputs(SmallVectorImpl<Type> &types) {
  for (const ValueInfo &input : graph.inputs) {
    if (constant(input.name))
      continue; // older exporters list initializers as inputs too
    Location loc = NameLoc::get(builder.getStringAttr(input.name), fileLoc());
    if (!input.isFloat)
      return emitError(loc) << "input '" << input.name << "' has element type "
                            << input.typeName << "; cnnc supports FLOAT";
    if (!input.hasShape)
      return emitError(loc) << "input '" << input.name << "' has no shape";
    for (auto [d, dim] : llvm::enumerate(input.dims))
      if (dim < 1) {
        InFlightDiagnostic diag = emitError(loc);
        diag << "input '" << input.name << "' has a dynamic dimension " << d;
        if (!input.dimNames[d].empty())
          diag << " ('" << input.dimNames[d] << "')";
        return diag << "; cnnc needs static shapes (export with a fixed "
                       "input size)";
      }
    types.push_back(tensorType(input.dims));
  }
  return success();
}

OwningOpRef<ModuleOp> GraphImporter::run() {
  for (const Tensor &t : graph.initializers)
    constants[t.name] = &t;
  if (failed(checkSupport()))
    return nullptr;

  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc());
  builder.setInsertionPointToEnd(module->getBody());
  SmallVector<Type> inputTypes;
  if (failed(importInputs(inputTypes)))
    return nullptr;
  std::string name = cnnc::modelNameFromPath(path);
  auto func = func::FuncOp::create(builder, fileLoc(), name,
                                   builder.getFunctionType(inputTypes, {}));
  Block *entry = func.addEntryBlock();
  builder.setInsertionPointToStart(entry);
  unsigned arg = 0;
  for (const ValueInfo &input : graph.inputs) {
    if (constant(input.name))
      continue;
    func.setArgAttr(arg, "cnn.name",
                    builder.getStringAttr(tensorName(input.name)));
    values[input.name] = entry->getArgument(arg++);
  }

  for (auto [i, node] : llvm::enumerate(graph.nodes))
    if (node.opType != "Constant" &&
        failed(importNode(*this, node, nodeLoc(node, i))))
      return nullptr;

  SmallVector<Value> results;
  for (const ValueInfo &output : graph.outputs) {
    Location loc = NameLoc::get(builder.getStringAttr(output.name), fileLoc());
    Node use;
    use.inputs = {output.name};
    FailureOr<Value> v = operand(use, 0, loc);
    if (failed(v))
      return nullptr;
    results.push_back(*v);
  }
  if (results.empty()) {
    emitError(fileLoc()) << "the ONNX graph has no outputs";
    return nullptr;
  }
  func::ReturnOp::create(builder, fileLoc(), results);
  func.setType(
      builder.getFunctionType(inputTypes, ValueRange(results).getTypes()));
  for (auto [i, output] : llvm::enumerate(graph.outputs))
    func.setResultAttr(i, "cnn.name",
                       builder.getStringAttr(tensorName(output.name)));
  if (failed(verify(*module)))
    return nullptr;
  return module;
}
