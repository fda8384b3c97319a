//===- GraphImporter.h - state shared by the ONNX op importers --*- C++ -*-===//

#ifndef CNNC_IMPORT_GRAPHIMPORTER_H
#define CNNC_IMPORT_GRAPHIMPORTER_H

#include "compiler/import/OnnxModel.h"
#include "dialects/cnn/CnnShapes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringMap.h"

#include <deque>

namespace cnnc::onnx {

/// Values and constants of the graph being imported.
class GraphImporter {
public:
  GraphImporter(mlir::MLIRContext &context, const Graph &graph,
                llvm::StringRef path)
      : builder(&context), graph(graph), path(path.str()) {}

  mlir::OwningOpRef<mlir::ModuleOp> run();

  /// The constant behind a value name (initializer or Constant node), if any.
  const Tensor *constant(llvm::StringRef name) const {
    return constants.lookup(name);
  }
  /// The tensor for input `index` of `node`; constants become `cnn.weight`s.
  mlir::FailureOr<mlir::Value> operand(const Node &node, size_t index,
                                       mlir::Location loc);
  /// A `cnn.weight` holding `values` with `shape`.
  mlir::Value weight(llvm::StringRef name, llvm::ArrayRef<int64_t> shape,
                     llvm::ArrayRef<float> values, mlir::Location loc);
  void define(llvm::StringRef name, mlir::Value value) { values[name] = value; }
  bool isDefined(llvm::StringRef name) const { return values.count(name); }
  void addConstant(Tensor tensor);

  mlir::RankedTensorType tensorType(llvm::ArrayRef<int64_t> shape) {
    return mlir::RankedTensorType::get(shape, builder.getF32Type());
  }
  static cnn::Shape shapeOf(mlir::Value v) {
    return cnn::Shape(
        llvm::cast<mlir::RankedTensorType>(v.getType()).getShape());
  }

  mlir::OpBuilder builder;
  const Graph &graph;

private:
  mlir::Location fileLoc();
  mlir::Location nodeLoc(const Node &node, size_t index);
  mlir::LogicalResult checkSupport();
  mlir::LogicalResult importInputs(mlir::SmallVectorImpl<mlir::Type> &types);

  std::string path;
  llvm::StringMap<mlir::Value> values;
  llvm::StringMap<const Tensor *> constants;
  std::deque<Tensor> ownedConstants; // Constant nodes' values
};

/// Why `node` cannot be imported ("" if it can): the op, or an attribute
/// value, or a non-constant input that must be constant.
std::string unsupportedReason(const Node &node, const GraphImporter &graph);

/// Builds the cnn ops for a node that passed `unsupportedReason`.
mlir::LogicalResult importNode(GraphImporter &graph, const Node &node,
                               mlir::Location loc);

} // namespace cnnc::onnx

#endif // CNNC_IMPORT_GRAPHIMPORTER_H
