//===- Epilogue.h - the elementwise op a conv's result feeds ----*- C++ -*-===//

#ifndef CNNC_TRANSFORMS_EPILOGUE_H
#define CNNC_TRANSFORMS_EPILOGUE_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace cnnc {

/// The elementwise generic the conv feeds as first input (its fused
/// epilogue: the activation and residual add convert-cnn-to-linalg puts
/// after it), if any. A residual add also reads another conv's result (a
/// downsample path) as its second input; that conv is not its owner.
mlir::linalg::GenericOp epilogueOf(mlir::linalg::LinalgOp conv);

} // namespace cnnc

#endif // CNNC_TRANSFORMS_EPILOGUE_H
