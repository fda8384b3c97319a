//===- GraphImporter.cpp - an ONNX graph as one func.func -----------------===//
//
// Graph inputs become arguments, initializers `cnn.weight`s (made at their
// first use, so integer shape constants never become tensors), nodes cnn ops.
// A node that cannot be imported is reported and its outputs marked failed;
// import goes on with the nodes that do not depend on it, so that every
// unsupported node (and every bad input) is reported in one run, and the
// caller gets no module, hence no code.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/GraphImporter.h"
#include "compiler/import/ModelName.h"
#include "dialects/cnn/CnnOps.h"
#include "dialects/cnn/CnnShapes.h"

#include "llvm/ADT/StringSet.h"

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

/// The value of a Constant node: `value`, or since opset 12 one of
/// `value_float(s)` / `value_int(s)`; nullopt for the other forms.
std::optional<Tensor> constantNodeValue(const Node &node) {
  for (const auto &[key, a] : node.attributes) {
    Tensor t;
    t.name = node.outputs[0];
    if (key == "value" && a.kind == cnnc::onnx::Attribute::Kind::Tensor) {
      t = *a.tensor;
      t.name = node.outputs[0];
      return t;
    }
    if (key == "value_float" || key == "value_floats") {
      t.type = Tensor::Type::Float;
      t.floats = key == "value_float" ? std::vector<float>{a.f} : a.floats;
    } else if (key == "value_int" || key == "value_ints") {
      t.type = Tensor::Type::Int64;
      t.ints = key == "value_int" ? std::vector<int64_t>{a.i} : a.ints;
    } else {
      continue;
    }
    if (key == "value_floats" || key == "value_ints")
      t.dims = {static_cast<int64_t>(std::max(t.floats.size(), t.ints.size()))};
    t.typeName = t.type == Tensor::Type::Float ? "FLOAT" : "INT64";
    return t;
  }
  return std::nullopt;
}

} // namespace

InFlightDiagnostic cnnc::onnx::emitUnsupported(Location loc, const Node &node,
                                               llvm::StringRef reason) {
  InFlightDiagnostic diag = emitError(loc);
  // "op" or "op (why)": the op itself is not supported.
  if (reason.consume_front("op")) {
    diag << "unsupported ONNX op '" << node.opType << "'";
    if (!node.inDefaultDomain())
      diag << " of domain '" << node.domain << "'";
    diag << reason;
  } else
    diag << "unsupported " << reason << " in ONNX op '" << node.opType << "'";
  if (auto name = dyn_cast<NameLoc>(loc))
    diag << " (node '" << name.getName().getValue() << "')";
  return diag;
}

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

std::optional<std::vector<int64_t>>
GraphImporter::constantInts(llvm::StringRef name) const {
  const Tensor *t = constant(name);
  if (!t || t->type != Tensor::Type::Int64)
    return std::nullopt;
  return t->ints;
}

std::optional<std::vector<float>>
GraphImporter::constantFloats(llvm::StringRef name) const {
  const Tensor *t = constant(name);
  if (!t || t->type != Tensor::Type::Float)
    return std::nullopt;
  return t->floats;
}

std::optional<cnn::Shape>
GraphImporter::staticShape(llvm::StringRef name) const {
  if (Value v = values.lookup(name))
    return shapeOf(v);
  if (const Tensor *t = constant(name))
    return cnn::Shape(t->dims.begin(), t->dims.end());
  return std::nullopt;
}

Value GraphImporter::weight(llvm::StringRef name, llvm::ArrayRef<int64_t> shape,
                            llvm::ArrayRef<float> data, Location loc) {
  RankedTensorType type = tensorType(shape);
  return cnn::WeightOp::create(builder, loc, builder.getStringAttr(name),
                               cnn::createWeightBlob(type, name, data))
      .getResult();
}

Value GraphImporter::reshape(Value v, llvm::ArrayRef<int64_t> shape,
                             Location loc) {
  if (shapeOf(v) == cnn::Shape(shape))
    return v;
  return cnn::ReshapeOp::create(builder, loc, tensorType(shape), v);
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

LogicalResult GraphImporter::checkOpset() {
  if (graph.opset >= kMinOpset && graph.opset <= kMaxOpset)
    return success();
  InFlightDiagnostic diag = emitError(fileLoc());
  if (graph.opset == 0) {
    diag << "the model imports no opset of the default ONNX domain";
  } else if (graph.opset < kMinOpset) {
    diag << "ONNX opset " << graph.opset << " is not supported";
  } else {
    // Any op may have a version there that cnnc does not know of.
    diag << "ONNX opset " << graph.opset << " is newer than cnnc knows";
    llvm::StringSet<> named;
    std::string newest;
    for (const Node &node : graph.nodes) {
      llvm::ArrayRef<int64_t> versions = onnxOpVersions(node.opType);
      if (node.inDefaultDomain() && !versions.empty() &&
          named.insert(node.opType).second)
        newest += (newest.empty() ? "" : ", ") + node.opType + "-" +
                  std::to_string(versions.back());
    }
    if (!newest.empty())
      diag << ": its versions of the model's ops may be newer than those "
              "cnnc implements ("
           << newest << ")";
  }
  return diag << "; cnnc imports opsets " << kMinOpset << " to " << kMaxOpset;
}

LogicalResult GraphImporter::importInputs(SmallVectorImpl<Type> &types) {
  bool ok = true;
  for (const ValueInfo &input : graph.inputs) {
    if (constant(input.name))
      continue; // older exporters list initializers as inputs too
    Location loc = NameLoc::get(builder.getStringAttr(input.name), fileLoc());
    auto bad = [&]() -> InFlightDiagnostic {
      ok = false;
      failedValues.insert(input.name);
      return emitError(loc);
    };
    if (!input.isFloat) {
      bad() << "input '" << input.name << "' has element type "
            << input.typeName << "; cnnc supports FLOAT";
      continue;
    }
    if (!input.hasShape) {
      bad() << "input '" << input.name << "' has no shape";
      continue;
    }
    auto dynamic = llvm::find_if(input.dims, [](int64_t d) { return d < 1; });
    if (dynamic != input.dims.end()) {
      size_t d = dynamic - input.dims.begin();
      InFlightDiagnostic diag = bad();
      diag << "input '" << input.name << "' has a dynamic dimension " << d;
      if (!input.dimNames[d].empty())
        diag << " ('" << input.dimNames[d] << "')";
      diag << "; give its size with --input-shape " << input.name << "=";
      for (auto [i, dim] : llvm::enumerate(input.dims))
        diag << (i ? "x" : "") << (dim < 1 ? "N" : std::to_string(dim));
      if (d == 0)
        diag << " or --batch N";
      continue;
    }
    if (failed(cnn::checkTensorSize(bad, "input '" + input.name + "'",
                                    input.dims)))
      continue;
    types.push_back(tensorType(input.dims));
  }
  return success(ok);
}

LogicalResult GraphImporter::importNodes() {
  // Errors name the node they come from: the printed location is the file.
  const Node *current = nullptr;
  std::string label;
  ScopedDiagnosticHandler handler(builder.getContext(), [&](Diagnostic &d) {
    if (current && d.getSeverity() == DiagnosticSeverity::Error &&
        !llvm::StringRef(d.str()).contains("(node '"))
      d.attachNote() << "in ONNX node '" << label << "' (" << current->opType
                     << ")";
    return failure(); // and on to the handler that prints it
  });
  bool ok = true;
  // ONNX graphs are in SSA form: each value has one producer (a graph
  // input, an initializer or one node's output).
  llvm::StringSet<> produced;
  for (const ValueInfo &input : graph.inputs)
    produced.insert(input.name);
  for (const Tensor &t : graph.initializers)
    produced.insert(t.name);
  for (auto [i, node] : llvm::enumerate(graph.nodes)) {
    current = &node;
    label = nodeLabel(node, i);
    Location loc = nodeLoc(node, i);
    if (auto twice = llvm::find_if(node.outputs,
                                   [&](const std::string &out) {
                                     return !out.empty() &&
                                            !produced.insert(out).second;
                                   });
        twice != node.outputs.end()) {
      emitError(loc) << "ONNX value '" << *twice
                     << "' is produced twice (a graph is in SSA form)";
      return failure();
    }
    // Constant computations are evaluated; what needs no shapes is checked
    // for every node; nodes fed by a failed one are not built (their shape
    // checks would repeat its error).
    bool fedByFailure = llvm::any_of(node.inputs, [&](const std::string &n) {
      return failedValues.contains(n);
    });
    std::string reason = versionReason(node, opset());
    std::string foldError;
    std::optional<Tensor> folded =
        fedByFailure || !reason.empty()
            ? std::nullopt
            : foldConstantNode(node, *this, foldError);
    if (folded) {
      addConstant(std::move(*folded));
      continue;
    }
    if (reason.empty())
      reason = unsupportedReason(node, *this);
    if (!foldError.empty()) {
      emitError(loc) << "cannot evaluate ONNX op '" << node.opType
                     << "' on constants: " << foldError << " (node '" << label
                     << "')";
    } else if (!reason.empty()) {
      emitUnsupported(loc, node, reason);
    } else if (!fedByFailure) {
      if (node.opType == "Constant") {
        addConstant(*constantNodeValue(node));
        continue;
      }
      if (succeeded(importNode(*this, node, loc)))
        continue;
    }
    ok = false;
    for (const std::string &output : node.outputs)
      failedValues.insert(output);
  }
  return success(ok);
}

OwningOpRef<ModuleOp> GraphImporter::run() {
  if (failed(checkOpset()))
    return nullptr;
  for (const Tensor &t : graph.initializers)
    constants[t.name] = &t;

  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc());
  builder.setInsertionPointToEnd(module->getBody());
  SmallVector<Type> inputTypes;
  bool ok = succeeded(importInputs(inputTypes));
  std::string name = cnnc::modelNameFromPath(path);
  auto func = func::FuncOp::create(builder, fileLoc(), name,
                                   builder.getFunctionType(inputTypes, {}));
  Block *entry = func.addEntryBlock();
  builder.setInsertionPointToStart(entry);
  unsigned arg = 0;
  for (const ValueInfo &input : graph.inputs) {
    if (constant(input.name) || failedValues.contains(input.name))
      continue;
    func.setArgAttr(arg, "cnn.name",
                    builder.getStringAttr(tensorName(input.name)));
    values[input.name] = entry->getArgument(arg++);
  }
  ok &= succeeded(importNodes());
  if (!ok)
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
