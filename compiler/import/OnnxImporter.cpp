//===- OnnxImporter.cpp - .onnx models to the cnn dialect -----------------===//

#include "compiler/import/OnnxImporter.h"
#include "compiler/import/GraphImporter.h"
#include "dialects/cnn/CnnDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;

/// The graph's inputs with the shapes `options` give them: symbolic
/// dimensions fixed, static ones checked.
static LogicalResult applyInputShapes(cnnc::onnx::Graph &graph,
                                      const cnnc::OnnxImportOptions &options,
                                      Location loc) {
  llvm::StringSet<> initializers, inputs;
  for (const cnnc::onnx::Tensor &t : graph.initializers)
    initializers.insert(t.name);
  std::vector<std::string> names;
  for (cnnc::onnx::ValueInfo &input : graph.inputs) {
    if (initializers.contains(input.name))
      continue; // older exporters list initializers as inputs too
    inputs.insert(input.name);
    names.push_back("'" + input.name + "'");
    auto given = options.inputShapes.find(input.name);
    if (given != options.inputShapes.end()) {
      const std::vector<int64_t> &shape = given->second;
      if (input.hasShape && shape.size() != input.dims.size())
        return emitError(loc)
               << "input '" << input.name << "' has " << input.dims.size()
               << " dimensions; --input-shape gives " << shape.size();
      for (size_t d = 0; input.hasShape && d < shape.size(); ++d)
        if (input.dims[d] >= 1 && input.dims[d] != shape[d])
          return emitError(loc) << "input '" << input.name << "' has dimension "
                                << d << " of size " << input.dims[d]
                                << "; --input-shape gives " << shape[d];
      input.hasShape = true;
      input.dims = shape;
      input.dimNames.assign(shape.size(), "");
    } else if (options.batch && input.hasShape && !input.dims.empty() &&
               input.dims[0] < 1) {
      input.dims[0] = *options.batch;
      input.dimNames[0].clear();
    }
  }
  for (const auto &[name, shape] : options.inputShapes)
    if (!inputs.contains(name))
      return emitError(loc) << "--input-shape names '" << name
                            << "', which is not an input of the model (its "
                               "inputs: "
                            << llvm::join(names, ", ") << ")";
  return success();
}

OwningOpRef<ModuleOp> cnnc::importOnnx(MLIRContext &context,
                                       llvm::StringRef path,
                                       const OnnxImportOptions &options) {
  context.loadDialect<cnn::CnnDialect, func::FuncDialect>();
  Location loc = FileLineColLoc::get(&context, path, 0, 0);
  std::string error;
  std::optional<onnx::Graph> graph =
      onnx::readModel(path.str(), error, {options.allowExternalPaths});
  if (!graph) {
    emitError(loc) << error;
    return nullptr;
  }
  if (failed(applyInputShapes(*graph, options, loc)))
    return nullptr;
  return onnx::GraphImporter(context, *graph, path).run();
}
