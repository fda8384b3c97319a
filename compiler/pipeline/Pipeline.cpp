//===- Pipeline.cpp - the one place the pass order lives ------------------===//

#include "compiler/pipeline/Pipeline.h"

#include "mlir/Pass/PassRegistry.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/ErrorHandling.h"

#include <fmt/format.h>

using namespace mlir;

/// The pipelines are written in mlir-opt syntax so that each stage can be
/// replayed by hand with `cnnc-opt --pass-pipeline=...`.
static void addPipeline(OpPassManager &pm, llvm::StringRef pipeline) {
  if (failed(parsePassPipeline(pipeline, pm, llvm::errs())))
    llvm::report_fatal_error("cnnc: invalid built-in pass pipeline");
}

void cnnc::addCnnOptimizationPasses(OpPassManager &pm,
                                    const PipelineOptions &options) {
  addPipeline(pm, options.fuse ? "cnn-fold-batchnorm,cnn-drop-padding-taps,"
                                 "cnn-fuse,canonicalize"
                               : "cnn-fold-batchnorm,cnn-drop-padding-taps,"
                                 "canonicalize");
}

/// `pass` with the target's options, its option list left open for more.
static std::string targetPass(llvm::StringRef pass,
                              const cnnc::PipelineOptions &options) {
  return fmt::format("{}{{report={} vector-bits={} vector-registers={}",
                     pass.str(), options.report, options.vectorBits,
                     options.vectorRegisters);
}

/// The option giving the passes that size for the cache the target's L2,
/// where it is known.
static std::string cacheOption(const cnnc::PipelineOptions &options) {
  return options.l2CacheBytes
             ? fmt::format(" l2-cache-bytes={}", *options.l2CacheBytes)
             : "";
}

void cnnc::addCnnToLinalgPasses(OpPassManager &pm,
                                const PipelineOptions &options) {
  if (options.optLevel < 2) {
    addPipeline(pm, "convert-cnn-to-linalg,canonicalize,cse");
    return;
  }
  // 3x3 convs as Winograd products, which the vectoriser then tiles.
  // Grouped convs: groups narrower than a vector (at most 8 lanes: a
  // half-width tile beats multiplying by more zeros) computed merged.
  // Register tiles hold three quarters of the vector registers as
  // accumulators (as cnnc-select-conv-schedule sizes them).
  std::string pipeline = fmt::format(
      "convert-cnn-to-linalg{{nhwc min-group-width={} max-accumulators={}}},"
      "canonicalize,cse,",
      std::min(8u, options.vectorBits / 32), options.vectorRegisters * 3 / 4);
  if (options.winograd) {
    pipeline += targetPass("cnnc-winograd", options) + cacheOption(options);
    if (options.winogradEmbedLimit)
      pipeline += fmt::format(" embed-limit={}", *options.winogradEmbedLimit);
    pipeline += "},";
  }
  // Each conv's register tile and tile order chosen for the target; a
  // depthwise conv that computes the 1x1 expansion it reads as it goes
  // (cnnc-fuse-expand-depthwise, after the vectoriser, whose per-conv
  // cleanup then does not walk its code) left out. Then the convs tiled and
  // vectorised, with accumulators hoisted out of the reduction loops into
  // registers.
  pipeline += fmt::format(
      "cnnc-select-conv-schedule{{vector-bits={} vector-registers={}",
      options.vectorBits, options.vectorRegisters);
  pipeline += cacheOption(options);
  if (!options.tileSizes.empty())
    pipeline += " tile-sizes=" + llvm::join(options.tileSizes, ",");
  if (options.fuse)
    pipeline += " keep-expand-depthwise";
  pipeline += fmt::format("}},cnnc-vectorize-conv{{report={} vector-bits={}",
                          options.report, options.vectorBits);
  if (options.fuse)
    pipeline += "}," + targetPass("cnnc-fuse-expand-depthwise", options);
  addPipeline(pm, pipeline +
                      fmt::format("}},cnnc-vectorize-transposes,"
                                  "cnnc-vectorize-resample{{report={}}},",
                                  options.report) +
                      "loop-invariant-subset-hoisting,canonicalize,cse,"
                      "cnnc-pad-in-producer");
}

void cnnc::addBufferizationPasses(OpPassManager &pm,
                                  const PipelineOptions &options) {
  // At -O2, the tiles' temporaries forwarded away and the sequential buffer
  // ops left over vectorised a row at a time.
  std::string optimize =
      options.optLevel >= 2
          ? fmt::format("cnnc-forward-transfers,cnnc-copy-to-linalg,"
                        "cnnc-vectorize-buffer-ops{{report={}}},canonicalize,",
                        options.report)
          : "cnnc-copy-to-linalg,";
  addPipeline(pm, "cnnc-split-empty-tensors,"
                  "one-shot-bufferize{bufferize-function-boundaries "
                  "function-boundary-type-conversion=identity-layout-map},"
                  "cnnc-distinct-results,"
                  "buffer-results-to-out-params{hoist-static-allocs "
                  "modify-public-functions},"
                  "cse,canonicalize," +
                      optimize + "cnnc-plan-workspace,cnnc-entry-abi");
}

void cnnc::addLowerToLLVMPasses(OpPassManager &pm,
                                const PipelineOptions &options) {
  // Vector transfers become 1-D and unrolled (no allocas in loops);
  // contractions become outer-product FMAs (the default is far slower).
  // Thread-level loops go to the runtime's pool; any left run in order.
  // At -O2, exp, tanh and erf are polynomials rather than a libm call per lane
  // (first: the pool's work estimate counts their arithmetic). The math
  // ops LLVM has no intrinsic for (erf, asinh, ...) become libm calls, a
  // lane at a time, before vectors are lowered.
  addPipeline(
      pm, std::string(options.optLevel >= 2 ? "cnnc-approximate-math," : "") +
              "cnnc-parallelize" + (options.report ? "{report=true}" : "") +
              ",scf-forall-to-for,func.func(lower-vector-multi-reduction),"
              "convert-vector-to-scf{full-unroll target-rank=1},"
              "convert-linalg-to-loops,expand-strided-metadata,"
              "lower-affine,convert-scf-to-cf,"
              "convert-math-to-llvm,convert-math-to-libm,"
              "convert-vector-to-llvm{vector-contract-lowering=outerproduct},"
              "finalize-memref-to-llvm,"
              "convert-arith-to-llvm,convert-index-to-llvm,"
              "convert-cf-to-llvm,"
              "convert-func-to-llvm{use-bare-ptr-memref-call-conv},"
              "convert-ub-to-llvm,reconcile-unrealized-casts");
}

LogicalResult cnnc::checkLayerCount(func::FuncOp model) {
  int64_t layers = 0;
  WalkResult result = model.walk([&](Operation *op) {
    if (op->getDialect() && op->getDialect()->getNamespace() == "cnn" &&
        ++layers > kMaxLayers) {
      op->emitError() << "this model has more than " << kMaxLayers
                      << " layers, the most cnnc compiles";
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return failure(result.wasInterrupted());
}

void cnnc::buildPipeline(OpPassManager &pm, Stage stop,
                         const PipelineOptions &options) {
  if (stop == Stage::Cnn)
    return;
  if (options.optLevel > 0)
    addCnnOptimizationPasses(pm, options);
  if (stop == Stage::CnnOpt)
    return;
  addCnnToLinalgPasses(pm, options);
  if (stop == Stage::Linalg)
    return;
  addBufferizationPasses(pm, options);
  addLowerToLLVMPasses(pm, options);
}
