//===- CnnDialect.cpp - the cnn dialect -----------------------------------===//

#include "dialects/cnn/CnnDialect.h"
#include "dialects/cnn/CnnOps.h"

#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

#include "dialects/cnn/CnnDialect.cpp.inc"
#include "dialects/cnn/CnnEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/cnn/CnnAttrs.cpp.inc"

void cnn::CnnDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/cnn/CnnAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "dialects/cnn/CnnOps.cpp.inc"
      >();
}
