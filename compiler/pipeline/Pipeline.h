//===- Pipeline.h - the one place the pass order lives ----------*- C++ -*-===//

#ifndef CNNC_PIPELINE_PIPELINE_H
#define CNNC_PIPELINE_PIPELINE_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassManager.h"

#include <optional>
#include <string>
#include <vector>

namespace cnnc {

/// Where compilation stops; each stage adds the passes after the previous.
enum class Stage {
  Cnn,      // the cnn dialect as built from the model
  CnnOpt,   // after the cnn-level optimisations
  Linalg,   // linalg on tensors
  LLVMMlir, // the LLVM dialect, ready for translation
};

struct PipelineOptions {
  unsigned optLevel = 2; // 0: none of the optimisations
  bool fuse = true;     // cnn-fuse, cnnc-fuse-expand-depthwise (off: --no-fuse)
  bool winograd = true; // cnnc-winograd at -O2 (off: --no-winograd)
  bool report = false;  // remarks for cnnc --report
  /// Register tiles per layer, LAYER:PIXELSxCHANNELS[xREDUCTION] (-O2).
  std::vector<std::string> tileSizes;
  /// The target's SIMD registers: their width in bits and number.
  unsigned vectorBits = 512, vectorRegisters = 32;
  /// Largest Winograd weights stored in the executable (bytes per conv;
  /// larger ones are transformed at the first run); unset: the pass's.
  std::optional<int64_t> winogradEmbedLimit;
  /// One core's L2 cache in bytes; unset: the passes' default.
  std::optional<int64_t> l2CacheBytes;
};

/// cnn -> cnn: batch-norm folding, then conv/dense epilogue fusion.
void addCnnOptimizationPasses(mlir::OpPassManager &pm,
                              const PipelineOptions &options);
/// cnn -> linalg on tensors; at -O2 and up with NHWC convolutions tiled and
/// vectorised.
void addCnnToLinalgPasses(mlir::OpPassManager &pm,
                          const PipelineOptions &options);
/// linalg on tensors -> loops on buffers with the C entry ABI: outputs as
/// destination buffers, intermediates planned into one workspace.
void addBufferizationPasses(mlir::OpPassManager &pm,
                            const PipelineOptions &options);
/// buffers and loops -> the LLVM dialect, thread-level loops on the
/// runtime's pool.
void addLowerToLLVMPasses(mlir::OpPassManager &pm,
                          const PipelineOptions &options);

/// The most layers (cnn ops) a model compiled may have. Compile time and
/// memory grow with each layer, so a runaway model (a generated chain of
/// 10^5 layers) ends in an error instead of hours and gigabytes; real CNNs
/// have hundreds.
constexpr int64_t kMaxLayers = 20000;

/// Fails, at the first layer past kMaxLayers, for a model with more.
mlir::LogicalResult checkLayerCount(mlir::func::FuncOp model);

/// All stages up to and including `stop`.
void buildPipeline(mlir::OpPassManager &pm, Stage stop,
                   const PipelineOptions &options);

} // namespace cnnc

#endif // CNNC_PIPELINE_PIPELINE_H
