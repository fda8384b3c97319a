//===- CnnDialect.h - the cnn dialect ---------------------------*- C++ -*-===//

#ifndef CNN_DIALECT_H
#define CNN_DIALECT_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Dialect.h"

#include "dialects/cnn/CnnDialect.h.inc"

#endif // CNN_DIALECT_H
