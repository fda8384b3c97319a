//===- VectorCode.cpp - small builders for hand-generated vector code -----===//

#include "compiler/transforms/VectorCode.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/UB/IR/UBOps.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;

Value cnnc::indexConstant(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

Value cnnc::plus(OpBuilder &b, Location loc, Value base, int64_t offset) {
  return offset ? b.createOrFold<arith::AddIOp>(loc, base,
                                                indexConstant(b, loc, offset))
                : base;
}

Value cnnc::readVector(OpBuilder &b, Location loc, VectorType type,
                       Value source, ArrayRef<Value> indices) {
  return vector::TransferReadOp::create(
      b, loc, type, source, indices, /*padding=*/std::nullopt,
      SmallVector<bool>(type.getRank(), true));
}

Value cnnc::stack(OpBuilder &b, Location loc, ArrayRef<Value> vectors,
                  ArrayRef<int64_t> shape) {
  auto row = cast<VectorType>(vectors[0].getType());
  Value all = ub::PoisonOp::create(
      b, loc, VectorType::get(shape, row.getElementType()));
  SmallVector<int64_t> position(shape.size() - 1, 0);
  for (Value v : vectors) {
    all = vector::InsertOp::create(b, loc, v, all, position);
    // The next position, last index fastest.
    for (int64_t d = position.size() - 1; d >= 0; --d) {
      if (++position[d] < shape[d])
        break;
      position[d] = 0;
    }
  }
  return all;
}

SmallVector<Value> cnnc::unstack(OpBuilder &b, Location loc, Value v,
                                 int64_t count) {
  SmallVector<Value> rows;
  for (int64_t i = 0; i < count; ++i)
    rows.push_back(vector::ExtractOp::create(b, loc, v, ArrayRef<int64_t>{i}));
  return rows;
}

SmallVector<Value> cnnc::readPatch(OpBuilder &b, Location loc, Value source,
                                   ArrayRef<Value> origin, int64_t rows,
                                   int64_t columns, int64_t lanes) {
  auto type =
      VectorType::get({columns, lanes}, getElementTypeOrSelf(source.getType()));
  SmallVector<Value> pixels;
  for (int64_t i = 0; i < rows; ++i)
    llvm::append_range(
        pixels, unstack(b, loc,
                        readVector(b, loc, type, source,
                                   {origin[0], plus(b, loc, origin[1], i),
                                    origin[2], origin[3]}),
                        columns));
  return pixels;
}

Value cnnc::biasVector(OpBuilder &b, Location loc, Value bias, Value channel,
                       int64_t lanes) {
  auto type = VectorType::get({lanes}, getElementTypeOrSelf(bias.getType()));
  if (isa<RankedTensorType>(bias.getType()))
    return readVector(b, loc, type, bias, {channel});
  return vector::BroadcastOp::create(b, loc, type, bias);
}

Value cnnc::applyEpilogue(OpBuilder &b, Location loc,
                          linalg::GenericOp epilogue, ArrayRef<Value> inputs,
                          int64_t lanes) {
  IRMapping map;
  Block *body = epilogue.getBody();
  for (auto [arg, v] : llvm::zip(body->getArguments(), inputs))
    map.map(arg, v);
  auto lookup = [&](Value v) -> Value {
    if (Value mapped = map.lookupOrNull(v))
      return mapped;
    // Defined outside the body: a scalar to broadcast.
    Value splat = vector::BroadcastOp::create(
        b, loc, VectorType::get({lanes}, v.getType()), v);
    map.map(v, splat);
    return splat;
  };
  for (Operation &op : body->without_terminator()) {
    if (op.hasTrait<OpTrait::ConstantLike>()) {
      map.map(op.getResult(0), lookup(b.clone(op)->getResult(0)));
      continue;
    }
    OperationState state(loc, op.getName());
    for (Value operand : op.getOperands())
      state.addOperands(lookup(operand));
    for (Type t : op.getResultTypes())
      state.addTypes(VectorType::get({lanes}, t));
    state.addAttributes(op.getAttrs());
    Operation *vectorOp = b.create(state);
    map.map(op.getResults(), vectorOp->getResults());
  }
  return lookup(body->getTerminator()->getOperand(0));
}
