//===- Parallelize.cpp - thread-level loops onto libcnnrt's thread pool ---===//
//
// Each outermost `scf.forall` (after bufferization) becomes a task function
// `void T(void *ctx, int64_t begin, int64_t end)` running iterations
// [begin, end) of its linearised iteration space, and the loop becomes a call
// to `cnnrt_parallel_for(T, ctx, count)`. The context is an array of the
// pointers behind the memrefs the body reads and writes, which must be
// arguments of the enclosing function (inputs, outputs, the workspace);
// constants, globals and views of those are re-created inside the task.
//
//===----------------------------------------------------------------------===//

#include "compiler/transforms/Passes.h"

#include "mlir/Conversion/LLVMCommon/MemRefBuilder.h"
#include "mlir/Conversion/LLVMCommon/TypeConverter.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/SetVector.h"

namespace cnnc {
#define GEN_PASS_DEF_PARALLELIZE
#include "compiler/transforms/Passes.h.inc"
} // namespace cnnc

using namespace mlir;

namespace {

constexpr llvm::StringLiteral kParallelFor = "cnnrt_parallel_for";

/// What a loop body needs from outside: `roots` travel in the context,
/// `clones` (in dependency order) are re-created in the task.
struct Captures {
  SetVector<Value> roots;
  SetVector<Operation *> clones;
};

/// Memrefs a task can rebuild from a bare pointer: static shape, identity
/// layout (what the entry ABI's arguments are).
bool isPlainMemRef(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  return memref && memref.hasStaticShape() && memref.getLayout().isIdentity();
}

LogicalResult capture(Value value, func::FuncOp func, Captures &captures) {
  if (auto arg = dyn_cast<BlockArgument>(value)) {
    if (arg.getOwner() != &func.getBody().front() ||
        !isPlainMemRef(arg.getType()))
      return failure();
    captures.roots.insert(arg);
    return success();
  }
  Operation *def = value.getDefiningOp();
  if (captures.clones.contains(def))
    return success();
  if (def->getNumRegions() != 0 || !isMemoryEffectFree(def))
    return failure();
  for (Value operand : def->getOperands())
    if (failed(capture(operand, func, captures)))
      return failure();
  captures.clones.insert(def);
  return success();
}

/// A memref of `type` (identity layout, static) over the buffer at `ptr`:
/// MLIR's descriptor for it, cast back to the memref type.
/// finalize-memref-to-llvm turns uses of the memref into that descriptor
/// again; reconcile-unrealized-casts then drops the pair.
Value memrefFromPointer(OpBuilder &b, Location loc, Value ptr,
                        MemRefType type) {
  LLVMTypeConverter converter(b.getContext());
  Value descriptor =
      MemRefDescriptor::fromStaticShape(b, loc, converter, type, ptr);
  return UnrealizedConversionCastOp::create(b, loc, type, descriptor)
      .getResult(0);
}

/// Element operations one execution of `block` performs: each op counts
/// the elements of its largest vector operand or result (1 if scalar),
/// times the trip counts of the static loops around it; a linalg op not yet
/// lowered to loops (a layer computed by scalar loops) counts its iteration
/// space times its body's ops, loads and stores (a copy: two), a memref.copy
/// its elements.
/// Enough to tell a LeNet-sized loop from a ResNet one.
int64_t estimateWork(Block *block) {
  int64_t work = 0;
  for (Operation &op : *block) {
    if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
      int64_t points = 1;
      for (int64_t range : linalgOp.getStaticLoopRanges())
        points *= ShapedType::isDynamic(range) ? 1 : range;
      // Its body's ops (less the yield), the loads of its inputs and the
      // store of its result.
      int64_t body = linalgOp->getNumOperands();
      if (Block *inner = linalgOp.getBlock())
        body += inner->getOperations().size() - 1;
      work += points * body;
      continue;
    }
    if (auto copy = dyn_cast<memref::CopyOp>(op)) {
      auto type = cast<MemRefType>(copy.getSource().getType());
      work += type.hasStaticShape() ? type.getNumElements() : 1;
      continue;
    }
    int64_t elements = 1;
    for (Type type : llvm::concat<Type>(llvm::to_vector(op.getOperandTypes()),
                                        llvm::to_vector(op.getResultTypes())))
      if (auto vector = dyn_cast<VectorType>(type))
        elements = std::max(elements, vector.getNumElements());
    work += elements;
    int64_t trips = 1;
    if (auto loop = dyn_cast<scf::ForOp>(op))
      if (auto n = loop.getStaticTripCount())
        trips = n->getSExtValue();
    for (Region &region : op.getRegions())
      for (Block &inner : region)
        work += trips * estimateWork(&inner);
  }
  return work;
}

struct Parallelize : cnnc::impl::ParallelizeBase<Parallelize> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (auto func : llvm::to_vector(module.getOps<func::FuncOp>())) {
      if (func.isDeclaration())
        continue;
      SmallVector<scf::ForallOp> loops;
      func.walk<WalkOrder::PreOrder>([&](scf::ForallOp loop) {
        loops.push_back(loop);
        return WalkResult::skip(); // nested loops stay inside the task
      });
      for (scf::ForallOp loop : loops)
        outline(module, func, loop);
    }
  }

  /// Trip counts of each dimension; failure if any bound is dynamic.
  static FailureOr<SmallVector<int64_t>> tripCounts(scf::ForallOp loop) {
    SmallVector<int64_t> counts;
    for (auto [lb, ub, step] :
         llvm::zip(loop.getMixedLowerBound(), loop.getMixedUpperBound(),
                   loop.getMixedStep())) {
      auto l = getConstantIntValue(lb), u = getConstantIntValue(ub),
           s = getConstantIntValue(step);
      if (!l || !u || !s || *s <= 0)
        return failure();
      counts.push_back(*u > *l ? (*u - *l + *s - 1) / *s : 0);
    }
    return counts;
  }

  void outline(ModuleOp module, func::FuncOp func, scf::ForallOp loop) {
    FailureOr<SmallVector<int64_t>> counts = tripCounts(loop);
    if (failed(counts) || !loop.getOutputs().empty())
      return;
    int64_t total = 1;
    for (int64_t count : *counts)
      total *= count;
    int64_t work = total * estimateWork(loop.getBody());
    bool pool = work >= minWork;
    SetVector<Value> used;
    getUsedValuesDefinedAbove(loop.getRegion(), used);
    Captures captures;
    for (Value value : used) {
      if (failed(capture(value, func, captures))) {
        if (report)
          emitRemark(loop.getLoc())
              << "calling thread: the loop uses values a task cannot receive";
        return;
      }
    }
    if (report && pool)
      emitRemark(loop.getLoc()) << "thread pool: " << total << " tiles";
    else if (report)
      emitRemark(loop.getLoc())
          << "calling thread: about " << work << " element ops < min-work";

    MLIRContext *ctx = &getContext();
    Location loc = loop.getLoc();
    Type ptrType = LLVM::LLVMPointerType::get(ctx);
    Type i64 = IntegerType::get(ctx, 64);
    auto taskType = FunctionType::get(ctx, {ptrType, i64, i64}, {});
    OpBuilder b(ctx);

    // The task: rebuild the roots, re-create the clones, run the iterations.
    b.setInsertionPointToEnd(module.getBody());
    auto task = func::FuncOp::create(
        b, loc, (func.getName() + "_loop" + Twine(taskCount++)).str(),
        taskType);
    task.setPrivate();
    task->setAttr("llvm.linkage",
                  LLVM::LinkageAttr::get(ctx, LLVM::Linkage::Internal));
    Block *entry = task.addEntryBlock();
    b.setInsertionPointToStart(entry);
    IRMapping mapping;
    for (auto [i, root] : llvm::enumerate(captures.roots)) {
      Value slot =
          LLVM::GEPOp::create(b, loc, ptrType, ptrType, entry->getArgument(0),
                              ArrayRef<LLVM::GEPArg>{int32_t(i)});
      Value ptr = LLVM::LoadOp::create(b, loc, ptrType, slot);
      mapping.map(root, memrefFromPointer(b, loc, ptr,
                                          cast<MemRefType>(root.getType())));
    }
    for (Operation *op : captures.clones)
      b.clone(*op, mapping);
    Value begin = arith::IndexCastOp::create(b, loc, b.getIndexType(),
                                             entry->getArgument(1));
    Value end = arith::IndexCastOp::create(b, loc, b.getIndexType(),
                                           entry->getArgument(2));
    int64_t rank = counts->size();
    SmallVector<Value> dimCounts, lbs, steps;
    for (int64_t d = 0; d < rank; ++d) {
      dimCounts.push_back(arith::ConstantIndexOp::create(b, loc, (*counts)[d]));
      lbs.push_back(getValueOrCreateConstantIndexOp(
          b, loc, loop.getMixedLowerBound()[d]));
      steps.push_back(
          getValueOrCreateConstantIndexOp(b, loc, loop.getMixedStep()[d]));
    }
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    auto body = scf::ForOp::create(b, loc, begin, end, one);
    func::ReturnOp::create(b, loc);

    // Iteration i of the linearised space, last dimension fastest.
    b.setInsertionPointToStart(body.getBody());
    Value rest = body.getInductionVar();
    SmallVector<Value> ivs(rank);
    for (int64_t d = rank - 1; d >= 0; --d) {
      Value index = rest;
      if (d > 0) {
        index = arith::RemUIOp::create(b, loc, rest, dimCounts[d]);
        rest = arith::DivUIOp::create(b, loc, rest, dimCounts[d]);
      }
      ivs[d] = b.createOrFold<arith::AddIOp>(
          loc, lbs[d], b.createOrFold<arith::MulIOp>(loc, index, steps[d]));
    }
    mapping.map(loop.getInductionVars(), ivs);
    for (Operation &op : loop.getBody()->without_terminator())
      b.clone(op, mapping);

    // The launch: pointers into a context array, then the runtime call.
    b.setInsertionPointToStart(&func.getBody().front());
    Value slots = arith::ConstantIntOp::create(
        b, loc, i64, std::max<int64_t>(captures.roots.size(), 1));
    Value context = LLVM::AllocaOp::create(b, loc, ptrType, ptrType, slots);
    b.setInsertionPoint(loop);
    for (auto [i, root] : llvm::enumerate(captures.roots)) {
      Value address =
          memref::ExtractAlignedPointerAsIndexOp::create(b, loc, root);
      Value asInt = arith::IndexCastOp::create(b, loc, i64, address);
      Value ptr = LLVM::IntToPtrOp::create(b, loc, ptrType, asInt);
      Value slot = LLVM::GEPOp::create(b, loc, ptrType, ptrType, context,
                                       ArrayRef<LLVM::GEPArg>{int32_t(i)});
      LLVM::StoreOp::create(b, loc, ptr, slot);
    }
    if (pool) {
      Value fn = func::ConstantOp::create(b, loc, taskType, task.getName());
      Value count = arith::ConstantIntOp::create(b, loc, i64, total);
      func::CallOp::create(b, loc, parallelFor(module, taskType),
                           ValueRange{fn, context, count});
    } else {
      // All iterations on the calling thread, still out of line: the
      // model's function stays a sequence of calls (LLVM's loop analyses
      // took minutes on one holding thousands of loops: DenseNet-121).
      task->setAttr("passthrough",
                    b.getArrayAttr({b.getStringAttr("noinline")}));
      Value zero = arith::ConstantIntOp::create(b, loc, i64, 0);
      Value count = arith::ConstantIntOp::create(b, loc, i64, total);
      func::CallOp::create(b, loc, task, ValueRange{context, zero, count});
    }
    loop.erase();
  }

  /// `void cnnrt_parallel_for(task, void *ctx, int64_t count)`, declared once.
  func::FuncOp parallelFor(ModuleOp module, FunctionType taskType) {
    if (auto existing = module.lookupSymbol<func::FuncOp>(kParallelFor))
      return existing;
    MLIRContext *ctx = module.getContext();
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    auto decl = func::FuncOp::create(
        b, module.getLoc(), kParallelFor,
        FunctionType::get(ctx,
                          {taskType, LLVM::LLVMPointerType::get(ctx),
                           IntegerType::get(ctx, 64)},
                          {}));
    decl.setPrivate();
    return decl;
  }

  int taskCount = 0;
};

} // namespace
