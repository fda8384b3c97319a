//===- CnnOps.h - cnn dialect operations ------------------------*- C++ -*-===//

#ifndef CNN_OPS_H
#define CNN_OPS_H

#include "dialects/cnn/CnnDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialects/cnn/CnnEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/cnn/CnnAttrs.h.inc"

#define GET_OP_CLASSES
#include "dialects/cnn/CnnOps.h.inc"

namespace cnn {

/// A weight value as a `dense_resource` blob named after the weight, so that
/// printed IR stays short however large the tensor.
mlir::ElementsAttr createWeightBlob(mlir::RankedTensorType type,
                                    llvm::StringRef name,
                                    llvm::ArrayRef<float> values);

} // namespace cnn

#endif // CNN_OPS_H
