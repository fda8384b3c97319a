//===- CnnOps.h - cnn dialect operations ------------------------*- C++ -*-===//

#ifndef CNN_OPS_H
#define CNN_OPS_H

#include "dialects/cnn/CnnDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "dialects/cnn/CnnOps.h.inc"

#endif // CNN_OPS_H
