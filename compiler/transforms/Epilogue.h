//===- Epilogue.h - the bias and elementwise op of a conv -------*- C++ -*-===//

#ifndef CNNC_TRANSFORMS_EPILOGUE_H
#define CNNC_TRANSFORMS_EPILOGUE_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace cnnc {

/// The elementwise generic the conv feeds as first input (its fused
/// epilogue: the activation and residual add convert-cnn-to-linalg puts
/// after it), if any. A residual add also reads another conv's result (a
/// downsample path) as its second input; that conv is not its owner.
mlir::linalg::GenericOp epilogueOf(mlir::linalg::LinalgOp conv);

/// epilogueOf(conv) when hand-written vector code can apply it
/// (applyEpilogue): every input (the conv's result, a residual) has the
/// output's type and is read at the output's index, the output is not
/// read, and each op of the body maps to vectors.
mlir::linalg::GenericOp vectorizableEpilogueOf(mlir::linalg::LinalgOp conv);

/// The bias a conv's init holds: the [F] tensor broadcast over (n, h, w), or
/// the scalar filled; null for any other init.
mlir::Value biasOf(mlir::linalg::LinalgOp conv);

} // namespace cnnc

#endif // CNNC_TRANSFORMS_EPILOGUE_H
