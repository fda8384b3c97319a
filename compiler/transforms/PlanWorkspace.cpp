//===- PlanWorkspace.cpp - intermediates in one planned arena -------------===//
//
// Live range of a buffer = from its alloc to the last op (in the function's
// top-level order) that uses it or any view of it. Buffers are placed
// largest first at the lowest offset that does not overlap a placed buffer
// with an intersecting live range (greedy by size, as in TFLite's arena
// planner).
//
// A buffer allocated inside a parallel loop (scf.forall at the top level,
// static bounds) is private to each iteration: it gets one slot per
// iteration, live over the whole loop, and each iteration's view starts at
// its slot.
//
//===----------------------------------------------------------------------===//

#include "compiler/transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/Support/MathExtras.h"

namespace cnnc {
#define GEN_PASS_DEF_PLANWORKSPACE
#include "compiler/transforms/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

constexpr int64_t kAlignment = 64;

struct Buffer {
  memref::AllocOp alloc;
  int64_t bytes;
  int64_t first, last; // live range, as top-level op indices
  int64_t offset = -1;
  scf::ForallOp loop;    // the parallel loop it is private to, if any
  int64_t slotBytes = 0; // then: bytes per iteration
};

/// The iteration count of a top-level forall with static bounds from 0 by
/// 1, or none.
std::optional<int64_t> staticTripCount(scf::ForallOp loop, Block &body) {
  if (loop->getBlock() != &body ||
      !llvm::all_of(loop.getStaticLowerBound(),
                    [](int64_t v) { return v == 0; }) ||
      !llvm::all_of(loop.getStaticStep(), [](int64_t v) { return v == 1; }) ||
      ShapedType::isDynamicShape(loop.getStaticUpperBound()))
    return std::nullopt;
  int64_t trips = 1;
  for (int64_t bound : loop.getStaticUpperBound())
    trips *= bound;
  return trips;
}

/// The byte offset of the current iteration's slot: the iteration's
/// row-major index times `slotBytes`, plus `base`.
Value slotOffset(OpBuilder &b, Location loc, scf::ForallOp loop,
                 int64_t slotBytes, int64_t base) {
  Value linear = arith::ConstantIndexOp::create(b, loc, 0);
  for (auto [iv, bound] :
       llvm::zip(loop.getInductionVars(), loop.getStaticUpperBound()))
    linear = arith::AddIOp::create(
        b, loc,
        arith::MulIOp::create(b, loc, linear,
                              arith::ConstantIndexOp::create(b, loc, bound)),
        iv);
  Value scaled = arith::MulIOp::create(
      b, loc, linear, arith::ConstantIndexOp::create(b, loc, slotBytes));
  return arith::AddIOp::create(b, loc, scaled,
                               arith::ConstantIndexOp::create(b, loc, base));
}

/// Index of the top-level op of `body` that contains `op`.
int64_t topLevelIndex(Operation *op, Block &body,
                      const DenseMap<Operation *, int64_t> &index) {
  Operation *top = body.findAncestorOpInBlock(*op);
  return index.lookup(top);
}

/// Last top-level position where `value` or a view of it is used.
int64_t lastUse(Value value, Block &body,
                const DenseMap<Operation *, int64_t> &index) {
  int64_t last = -1;
  SmallVector<Value> worklist = {value};
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    for (Operation *user : v.getUsers()) {
      last = std::max(last, topLevelIndex(user, body, index));
      if (auto view = dyn_cast<ViewLikeOpInterface>(user);
          view && view.getViewSource() == v)
        llvm::append_range(worklist, user->getResults());
    }
  }
  return last;
}

struct PlanWorkspace : cnnc::impl::PlanWorkspaceBase<PlanWorkspace> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (func.isPublic() && !func.isExternal() && failed(plan(func)))
        return signalPassFailure();
  }

  LogicalResult plan(func::FuncOp func) {
    Block &body = func.getBody().front();
    DenseMap<Operation *, int64_t> index;
    for (auto [i, op] : llvm::enumerate(body))
      index[&op] = i;

    SmallVector<Buffer> buffers;
    WalkResult walk = func.walk([&](memref::AllocOp alloc) {
      MemRefType type = alloc.getType();
      if (!type.hasStaticShape() || !type.getLayout().isIdentity())
        return alloc.emitError("cannot plan a dynamic or strided buffer"),
               WalkResult::interrupt();
      int64_t bytes = type.getNumElements() *
                      llvm::divideCeil(type.getElementTypeBitWidth(), 8);
      int64_t first = topLevelIndex(alloc, body, index);
      // Inside a parallel loop: a slot per iteration, all live while it
      // runs (one slot would be shared by the iterations).
      if (auto loop = alloc->getParentOfType<scf::ForallOp>()) {
        std::optional<int64_t> trips = staticTripCount(loop, body);
        if (!trips || loop->getParentOfType<scf::ForallOp>())
          return alloc.emitError("cannot plan a buffer inside a nested or "
                                 "dynamic parallel loop"),
                 WalkResult::interrupt();
        int64_t slot = llvm::alignTo(bytes, kAlignment);
        buffers.push_back({alloc, slot * *trips, first, first, -1, loop, slot});
        return WalkResult::advance();
      }
      buffers.push_back({alloc, bytes, first,
                         std::max(first, lastUse(alloc, body, index)), -1,
                         nullptr, 0});
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return failure();

    // Largest first; each at the lowest gap among live-overlapping buffers.
    SmallVector<Buffer *> order;
    for (Buffer &b : buffers)
      order.push_back(&b);
    llvm::stable_sort(order,
                      [](Buffer *a, Buffer *b) { return a->bytes > b->bytes; });
    int64_t total = 0;
    SmallVector<Buffer *> placed;
    for (Buffer *buf : order) {
      SmallVector<std::pair<int64_t, int64_t>> taken;
      for (Buffer *other : placed)
        if (other->first <= buf->last && buf->first <= other->last)
          taken.push_back({other->offset, other->offset + other->bytes});
      llvm::sort(taken);
      int64_t offset = 0;
      for (auto [begin, end] : taken) {
        if (offset + buf->bytes <= begin)
          break;
        offset = std::max<int64_t>(offset, llvm::alignTo(end, kAlignment));
      }
      buf->offset = offset;
      total = std::max<int64_t>(total,
                                llvm::alignTo(offset + buf->bytes, kAlignment));
      placed.push_back(buf);
    }

    // The workspace argument and a view per buffer.
    OpBuilder builder(func.getContext());
    auto wsType = MemRefType::get({total}, builder.getI8Type());
    unsigned argIndex = func.getNumArguments();
    if (failed(func.insertArgument(argIndex, wsType, {}, func.getLoc())))
      return failure();
    Value workspace = func.getArgument(argIndex);
    for (Buffer &buf : buffers) {
      builder.setInsertionPoint(buf.alloc);
      Value offset = buf.loop ? slotOffset(builder, buf.alloc.getLoc(),
                                           buf.loop, buf.slotBytes, buf.offset)
                              : arith::ConstantIndexOp::create(
                                    builder, buf.alloc.getLoc(), buf.offset)
                                    .getResult();
      Value view = memref::ViewOp::create(builder, buf.alloc.getLoc(),
                                          buf.alloc.getType(), workspace,
                                          offset, ValueRange{});
      for (Operation *user : llvm::make_early_inc_range(buf.alloc->getUsers()))
        if (isa<memref::DeallocOp>(user))
          user->erase();
      buf.alloc.replaceAllUsesWith(view);
      buf.alloc.erase();
    }
    func->setAttr(cnnc::kWorkspaceBytesAttr, builder.getI64IntegerAttr(total));
    return success();
  }
};

} // namespace
