//===- VectorizeTransposes.cpp - layout changes as tiled vector shuffles --===//
//
// The transposes left at a model's edges (NCHW input to NHWC, NHWC outputs
// back to NCHW) and around layout-bound ops otherwise lower to scalar loops
// that LLVM vectorises with gathers and scatters, on the calling thread,
// slower than the layers around them. Here each becomes a forall
// of 2-D tiles (at most 16 x 16: the input's and the output's contiguous
// dimensions), each tile read as whole vectors, transposed in registers
// (a 16 x 16 tile by the unpack/permute sequence of `shuffle_16x16`, which
// LLVM lowers to fewer instructions than one 256-lane shuffle; others by one
// shuffle of the flattened tile) and written as whole vectors; cnnc-parallelize
// then runs the big ones on the thread pool.
//
//===----------------------------------------------------------------------===//

#include "compiler/transforms/Passes.h"
#include "compiler/transforms/TileSizes.h"
#include "compiler/transforms/TransformScript.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace cnnc {
#define GEN_PASS_DEF_VECTORIZETRANSPOSES
#include "compiler/transforms/Passes.h.inc"
} // namespace cnnc

using namespace mlir;
using cnnc::largestDivisorAtMost;

namespace {

/// Elements per tile side: one AVX-512 vector of f32.
constexpr int64_t kTileSide = 16;

/// Tile sizes over the transpose's (output) loops: the output's last
/// dimension and the one the input has last, up to kTileSide each, 1 for
/// the others.
SmallVector<int64_t> tileSizes(linalg::TransposeOp op) {
  ArrayRef<int64_t> shape = op.getInit().getType().getShape();
  ArrayRef<int64_t> perm = op.getPermutation();
  int64_t rank = shape.size();
  SmallVector<int64_t> sizes(rank, 1);
  sizes[rank - 1] = largestDivisorAtMost(shape[rank - 1], kTileSide);
  for (int64_t d = 0; d < rank; ++d)
    if (perm[d] == rank - 1)
      sizes[d] = largestDivisorAtMost(shape[d], kTileSide);
  return sizes;
}

struct VectorizeTransposes
    : cnnc::impl::VectorizeTransposesBase<VectorizeTransposes> {
  void runOnOperation() override {
    SmallVector<Operation *> transposes;
    getOperation().walk([&](linalg::TransposeOp op) {
      if (!op.hasPureTensorSemantics() ||
          !op.getInit().getType().hasStaticShape())
        return;
      // Created with the location of the layer it serves; named apart so
      // that --report, a row per layer, keeps the layer's own remarks.
      op->setLoc(NameLoc::get(
          StringAttr::get(op.getContext(), "layout transpose"), op.getLoc()));
      transposes.push_back(op);
    });
    // A failure leaves a transpose as it was (or tiled): still correct.
    cnnc::applyToEach(getOperation(), transposes, "cnnc.vtranspose",
                      [](int64_t id, Operation *op) {
                        return schedule(
                            id, tileSizes(cast<linalg::TransposeOp>(op)));
                      });
  }

  /// Tiles on the forall, each tile one vector read, a transpose lowered to
  /// register shuffles, one vector write.
  static std::string schedule(int64_t id, ArrayRef<int64_t> sizes) {
    return fmt::format(R"(
module attributes {{transform.with_named_sequence}} {{
  transform.named_sequence @__transform_main(%root: !transform.any_op {{transform.readonly}}) {{
    %t = transform.structured.match attributes{{cnnc.vtranspose = {0} : i64}} in %root : (!transform.any_op) -> !transform.any_op
    %tile, %forall = transform.structured.tile_using_forall %t tile_sizes [{1}] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.structured.vectorize %tile : !transform.any_op
    transform.apply_patterns to %forall {{
      transform.apply_patterns.vector.transfer_permutation_patterns
      transform.apply_patterns.vector.cast_away_vector_leading_one_dim
      transform.apply_patterns.vector.lower_transpose lowering_strategy = "shuffle_16x16"
      transform.apply_patterns.canonicalization
    }} : !transform.any_op
    transform.yield
  }}
}}
)",
                       id, fmt::join(sizes, ", "));
  }
};

} // namespace
