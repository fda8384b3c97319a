//===- CnnDialect.cpp - the cnn dialect -----------------------------------===//

#include "dialects/cnn/CnnDialect.h"
#include "dialects/cnn/CnnOps.h"

#include "dialects/cnn/CnnDialect.cpp.inc"

void cnn::CnnDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/cnn/CnnOps.cpp.inc"
      >();
}
