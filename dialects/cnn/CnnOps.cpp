//===- CnnOps.cpp - cnn dialect operations --------------------------------===//

#include "dialects/cnn/CnnOps.h"
#include "dialects/cnn/CnnShapes.h"
#include "dialects/cnn/CnnUnary.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/OpImplementation.h"

#include <cmath>
#include <cstring>

using namespace mlir;
using namespace cnn;

static Shape shapeOf(Value v) {
  return Shape(cast<RankedTensorType>(v.getType()).getShape());
}

static std::optional<Shape> optionalShape(Value v) {
  if (!v)
    return std::nullopt;
  return shapeOf(v);
}

/// Checks that the declared result shape is the one the layer computes.
static LogicalResult checkResult(Operation *op, FailureOr<Shape> expected) {
  if (failed(expected))
    return failure();
  Shape actual = shapeOf(op->getResult(0));
  if (failed(
          checkTensorSize([&] { return op->emitOpError(); }, "result", actual)))
    return failure();
  if (actual != *expected)
    return op->emitOpError("result shape ")
           << formatShape(actual) << " does not match the expected shape "
           << formatShape(*expected);
  return success();
}

//===----------------------------------------------------------------------===//
// WeightOp
//===----------------------------------------------------------------------===//

LogicalResult WeightOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                         WeightOp::Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  auto value = dyn_cast_or_null<ElementsAttr>(adaptor.getValue());
  if (!value)
    return failure();
  inferred.push_back(value.getShapedType());
  return success();
}

LogicalResult WeightOp::verify() {
  if (!getValue().getShapedType().getElementType().isF32())
    return emitOpError("weight '") << getName() << "' must hold f32 values";
  return success();
}

OpFoldResult WeightOp::fold(FoldAdaptor) { return getValue(); }

FailureOr<std::vector<float>> WeightOp::readValues() {
  ElementsAttr value = getValue();
  std::vector<float> values(value.getNumElements());
  // Blobs are read byte-wise: their alignment comes from the input file.
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(value)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return emitError("weight '")
             << getName() << "' has no data (its dense_resource blob '"
             << resource.getRawHandle().getKey() << "' is missing)";
    ArrayRef<char> bytes = blob->getData();
    if (bytes.size() != values.size() * sizeof(float))
      return emitError("weight '")
             << getName() << "' has " << bytes.size()
             << " bytes of data, expected " << values.size() * sizeof(float);
    if (!values.empty()) // an empty blob's data may have no address
      std::memcpy(values.data(), bytes.data(), bytes.size());
    return values;
  }
  // Dense (including splat) attributes iterate as floats.
  if (auto floats = value.tryGetValues<float>()) {
    llvm::copy(*floats, values.begin());
    return values;
  }
  return emitError("cannot read the values of weight '") << getName() << "'";
}

ElementsAttr cnn::createWeightBlob(RankedTensorType type, StringRef name,
                                   ArrayRef<float> values) {
  // An empty tensor's values may have no address; the blob copies from one.
  static const float none = 0;
  if (values.empty())
    values = ArrayRef<float>(&none, size_t(0));
  return ElementsAttr(DenseF32ResourceElementsAttr::get(
      type, name, HeapAsmResourceBlob::allocateAndCopyInferAlign(values)));
}

//===----------------------------------------------------------------------===//
// Layers
//===----------------------------------------------------------------------===//

LogicalResult Conv2dOp::verify() {
  if (getResidual() && shapeOf(getResidual()) != shapeOf(getResult()))
    return emitOpError("residual shape ") << formatShape(shapeOf(getResidual()))
                                          << " does not match the result shape "
                                          << formatShape(shapeOf(getResult()));
  return checkResult(
      *this, inferConv2dShape([&] { return emitOpError(); },
                              shapeOf(getInput()), shapeOf(getWeight()),
                              optionalShape(getBias()), getStrides(),
                              getPadding(), getDilations(), getGroups()));
}

LogicalResult DenseOp::verify() {
  return checkResult(
      *this, inferDenseShape([&] { return emitOpError(); }, shapeOf(getInput()),
                             shapeOf(getWeight()), optionalShape(getBias())));
}

LogicalResult BatchNormOp::verify() {
  if (getEpsilon().convertToDouble() < 0)
    return emitOpError("epsilon must be >= 0");
  Shape params[] = {shapeOf(getGamma()), shapeOf(getBeta()), shapeOf(getMean()),
                    shapeOf(getVariance())};
  if (failed(verifyBatchNormShapes([&] { return emitOpError(); },
                                   shapeOf(getInput()), params)))
    return failure();
  return checkResult(*this, shapeOf(getInput()));
}

LogicalResult MaxPool2dOp::verify() {
  return checkResult(*this, inferPool2dShape([&] { return emitOpError(); },
                                             shapeOf(getInput()), getKernel(),
                                             getStrides(), getPadding(),
                                             getCeilMode()));
}

LogicalResult AvgPool2dOp::verify() {
  return checkResult(*this, inferPool2dShape([&] { return emitOpError(); },
                                             shapeOf(getInput()), getKernel(),
                                             getStrides(), getPadding(),
                                             getCeilMode()));
}

LogicalResult GlobalAvgPoolOp::verify() {
  Shape in = shapeOf(getInput());
  return checkResult(*this, Shape{in[0], in[1], 1, 1});
}

LogicalResult FlattenOp::verify() {
  return checkResult(*this, inferFlattenShape([&] { return emitOpError(); },
                                              shapeOf(getInput())));
}

LogicalResult ConcatOp::verify() {
  SmallVector<Shape> inputs;
  for (Value v : getInputs())
    inputs.push_back(shapeOf(v));
  return checkResult(*this, inferConcatShape([&] { return emitOpError(); },
                                             inputs, getAxis()));
}

LogicalResult UpsampleOp::verify() {
  return checkResult(*this,
                     inferUpsampleShape([&] { return emitOpError(); },
                                        shapeOf(getInput()), getScale()));
}

LogicalResult ResizeOp::verify() {
  Shape in = shapeOf(getInput()), out = shapeOf(getResult());
  if (out[0] != in[0] || out[1] != in[1])
    return emitOpError("result shape ")
           << formatShape(out) << " does not keep the batch and channels of "
           << formatShape(in);
  if (failed(checkTensorSize([&] { return emitOpError(); }, "result", out)))
    return failure();
  if (getScale().size() != 2 || llvm::any_of(getScale(), [](double s) {
        return !(s > 0) || !std::isfinite(s);
      }))
    return emitOpError("scale must be two positive factors [h, w]");
  return success();
}

LogicalResult ReshapeOp::verify() {
  Shape out = shapeOf(getResult());
  return checkResult(*this, inferReshapeShape([&] { return emitOpError(); },
                                              shapeOf(getInput()), out,
                                              /*copyZeros=*/false));
}

/// A reshape to the same shape is its input; a reshape of a reshape reads
/// the first one's input (Unsqueeze then Squeeze).
OpFoldResult ReshapeOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  if (auto inner = getInput().getDefiningOp<ReshapeOp>()) {
    getInputMutable().assign(inner.getInput());
    return getResult();
  }
  return {};
}

LogicalResult PadOp::verify() {
  return checkResult(
      *this, inferPadShape([&] { return emitOpError(); }, shapeOf(getInput()),
                           getLow(), getHigh(), getMode() == PadMode::reflect));
}

LogicalResult SliceOp::verify() {
  return checkResult(*this, inferSliceShape([&] { return emitOpError(); },
                                            shapeOf(getInput()), getAxis(),
                                            getOffset(), getSize()));
}

LogicalResult TransposeOp::verify() {
  return checkResult(*this,
                     inferTransposeShape([&] { return emitOpError(); },
                                         shapeOf(getInput()), getPerm()));
}

/// The identity permutation is its input; a transpose of a transpose reads
/// the first one's input with the composed permutation.
OpFoldResult TransposeOp::fold(FoldAdaptor) {
  ArrayRef<int64_t> perm = getPerm();
  if (llvm::equal(perm, llvm::seq<int64_t>(0, perm.size())))
    return getInput();
  if (auto inner = getInput().getDefiningOp<TransposeOp>()) {
    SmallVector<int64_t> composed;
    for (int64_t p : perm)
      composed.push_back(inner.getPerm()[p]);
    getInputMutable().assign(inner.getInput());
    setPerm(composed);
    return getResult();
  }
  return {};
}

LogicalResult SoftmaxOp::verify() {
  return verifyAxis([&] { return emitOpError(); }, getAxis(),
                    getType().getRank());
}

static LogicalResult verifyBinary(Operation *op) {
  return checkResult(op, inferBroadcastShape([&] { return op->emitOpError(); },
                                             shapeOf(op->getOperand(0)),
                                             shapeOf(op->getOperand(1))));
}

LogicalResult AddOp::verify() { return verifyBinary(*this); }
LogicalResult PowOp::verify() { return verifyBinary(*this); }

LogicalResult ReduceOp::verify() {
  return checkResult(*this, inferReduceShape([&] { return emitOpError(); },
                                             shapeOf(getInput()), getAxes()));
}
LogicalResult MaxOp::verify() { return verifyBinary(*this); }
LogicalResult MinOp::verify() { return verifyBinary(*this); }

LogicalResult UnaryOp::verify() {
  const UnaryFnInfo &info = unaryFnInfo(getFn());
  double params[] = {getP0().convertToDouble(), getP1().convertToDouble()};
  for (size_t i = info.numParams(); i < 2; ++i)
    if (params[i] != 0)
      return emitOpError("'")
             << stringifyUnaryFn(getFn()) << "' has " << info.numParams()
             << " parameter(s); p" << i << " must be absent";
  if (getFn() == UnaryFn::celu && params[0] == 0)
    return emitOpError("celu's alpha must not be 0");
  return success();
}
LogicalResult MulOp::verify() { return verifyBinary(*this); }
LogicalResult SubOp::verify() { return verifyBinary(*this); }
LogicalResult DivOp::verify() { return verifyBinary(*this); }

LogicalResult ClipOp::verify() {
  if (getMin() && getMax() &&
      getMin()->convertToDouble() > getMax()->convertToDouble())
    return emitOpError("min ")
           << getMin()->convertToDouble() << " is above max "
           << getMax()->convertToDouble();
  return success();
}

#define GET_OP_CLASSES
#include "dialects/cnn/CnnOps.cpp.inc"
