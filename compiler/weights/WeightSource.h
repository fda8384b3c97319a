//===- WeightSource.h - where a model's parameters come from ----*- C++ -*-===//

#ifndef CNNC_WEIGHTS_WEIGHTSOURCE_H
#define CNNC_WEIGHTS_WEIGHTSOURCE_H

#include "compiler/weights/SafeTensors.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Location.h"

namespace cnnc {

/// How a parameter is initialised when no weights file provides it. These
/// are PyTorch's defaults, so seeded models behave like fresh torch modules.
enum class WeightInit {
  KaimingUniform, // U(-1/sqrt(fanIn), 1/sqrt(fanIn)): conv/dense weight+bias
  Zeros,          // batchnorm beta and running_mean
  Ones,           // batchnorm gamma and running_var
};

struct WeightRequest {
  std::string name; // hierarchical: "layer1.0.conv1.weight"
  llvm::SmallVector<int64_t, 4> shape;
  WeightInit init;
  int64_t fanIn;      // for KaimingUniform
  mlir::Location loc; // the layer that needs it, for diagnostics
};

/// Hands out parameters as f32 `dense_resource` attributes, either from a
/// safetensors file (checked by name, shape and dtype) or by seeded,
/// per-name deterministic initialisation.
class WeightSource {
public:
  /// Seeded initialisation: the same (seed, name) always gives the same data.
  explicit WeightSource(uint64_t seed) : seed(seed) {}
  /// Parameters from `file`; `fileLoc` is where the file was named.
  WeightSource(SafeTensorsFile file, mlir::Location fileLoc)
      : file(std::move(file)), fileLoc(fileLoc) {}

  /// Emits an error at `request.loc` (missing, mis-shaped or non-F32 tensor)
  /// and fails.
  mlir::FailureOr<mlir::ElementsAttr> get(const WeightRequest &request);

  /// After the model is built: a file tensor that no layer used is an error
  /// (a misspelt layer name would otherwise silently get no weights).
  mlir::LogicalResult checkAllUsed();

private:
  std::vector<float> initialise(const WeightRequest &request) const;

  uint64_t seed = 0;
  std::optional<SafeTensorsFile> file;
  std::optional<mlir::Location> fileLoc;
  llvm::StringSet<> used;
};

} // namespace cnnc

#endif // CNNC_WEIGHTS_WEIGHTSOURCE_H
