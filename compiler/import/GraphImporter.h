//===- GraphImporter.h - state shared by the ONNX op importers --*- C++ -*-===//

#ifndef CNNC_IMPORT_GRAPHIMPORTER_H
#define CNNC_IMPORT_GRAPHIMPORTER_H

#include "compiler/import/OnnxModel.h"
#include "compiler/import/OnnxOpVersions.h"
#include "dialects/cnn/CnnShapes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

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
  /// The values of an INT64/INT32 constant, if `name` is one.
  std::optional<std::vector<int64_t>> constantInts(llvm::StringRef name) const;
  /// The values of a float constant, if `name` is one.
  std::optional<std::vector<float>> constantFloats(llvm::StringRef name) const;
  int64_t opset() const { return graph.opset; }
  /// The shape of a value imported so far or of a constant.
  std::optional<cnn::Shape> staticShape(llvm::StringRef name) const;
  /// The tensor for input `index` of `node`; constants become `cnn.weight`s.
  mlir::FailureOr<mlir::Value> operand(const Node &node, size_t index,
                                       mlir::Location loc);
  /// A `cnn.weight` holding `values` with `shape`.
  mlir::Value weight(llvm::StringRef name, llvm::ArrayRef<int64_t> shape,
                     llvm::ArrayRef<float> values, mlir::Location loc);
  /// `v` as a tensor of `shape` (same element count): `v` itself or a
  /// `cnn.reshape`.
  mlir::Value reshape(mlir::Value v, llvm::ArrayRef<int64_t> shape,
                      mlir::Location loc);
  void define(llvm::StringRef name, mlir::Value value) { values[name] = value; }
  /// The value imported as `name`, or null.
  mlir::Value lookup(llvm::StringRef name) const { return values.lookup(name); }
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
  mlir::LogicalResult checkOpset();
  mlir::LogicalResult importInputs(mlir::SmallVectorImpl<mlir::Type> &types);
  mlir::LogicalResult importNodes();

  std::string path;
  llvm::StringMap<mlir::Value> values;
  llvm::StringMap<const Tensor *> constants;
  std::deque<Tensor> ownedConstants; // Constant nodes' values
  llvm::StringSet<> failedValues;    // values of inputs and nodes that failed
};

/// Why `node` cannot be imported ("" if it can): "op", or an attribute
/// value, or a non-constant input that must be constant. Only what can be
/// decided without tensor shapes; the importers check the rest.
std::string unsupportedReason(const Node &node, const GraphImporter &graph);

/// Builds the cnn ops for a node that passed `unsupportedReason`.
mlir::LogicalResult importNode(GraphImporter &graph, const Node &node,
                               mlir::Location loc);

/// The output of `node` evaluated at import time when its inputs are
/// constants and it moves data (Concat, Reshape, Slice, Gather, ...) or does
/// integer arithmetic, or when it is the Shape of a static shape
/// (OnnxConstantFolding.cpp); nullopt otherwise, with `error` set when the
/// node could be evaluated but is malformed.
std::optional<Tensor> foldConstantNode(const Node &node,
                                       const GraphImporter &graph,
                                       std::string &error);

/// What ONNX Slice keeps of each dimension of a tensor of `dims`: from
/// `begin` in steps of `step`, `size` entries (Python slice rules: negative
/// indices from the end, clamped). Fails with `error` set when starts, ends,
/// axes or steps are not constant or invalid.
struct SliceBounds {
  std::vector<int64_t> begin, step, size;
};
std::optional<SliceBounds> sliceBounds(const Node &node,
                                       const GraphImporter &graph,
                                       llvm::ArrayRef<int64_t> dims,
                                       std::string &error);

/// The shape ops: Reshape, Flatten, Squeeze, Unsqueeze, Pad, Resize, Upsample,
/// Transpose, Slice, Split (OnnxShapeOps.cpp), dispatched to by the two
/// functions above.
bool isShapeOp(llvm::StringRef opType);
std::string unsupportedShapeOpReason(const Node &node,
                                     const GraphImporter &graph);
mlir::LogicalResult importShapeOp(GraphImporter &graph, const Node &node,
                                  mlir::Location loc);

/// "unsupported REASON in ONNX op 'OP' (node 'NAME')" at `loc`, a node's
/// location: the words of every unsupported-node error.
mlir::InFlightDiagnostic emitUnsupported(mlir::Location loc, const Node &node,
                                         llvm::StringRef reason);

/// A float attribute as the double it was written as (0.2f -> 0.2, not
/// 0.20000000298...): the shortest decimal that reads back as the float.
double widen(float f);

} // namespace cnnc::onnx

#endif // CNNC_IMPORT_GRAPHIMPORTER_H
