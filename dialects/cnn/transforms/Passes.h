//===- Passes.h - optimisations on the cnn dialect --------------*- C++ -*-===//

#ifndef CNN_TRANSFORMS_PASSES_H
#define CNN_TRANSFORMS_PASSES_H

#include "dialects/cnn/CnnOps.h"

#include "mlir/Pass/Pass.h"

namespace cnn {

#define GEN_PASS_DECL
#include "dialects/cnn/transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "dialects/cnn/transforms/Passes.h.inc"

} // namespace cnn

#endif // CNN_TRANSFORMS_PASSES_H
