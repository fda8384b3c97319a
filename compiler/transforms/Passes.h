//===- Passes.h - cnnc passes on buffers ------------------------*- C++ -*-===//

#ifndef CNNC_TRANSFORMS_PASSES_H
#define CNNC_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Transform/IR/TransformDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

namespace cnnc {

/// Module attributes in which cnnc-winograd adds up the bytes of the
/// transformed weights it stored in the module and of those the runtime
/// makes at the first run (cnnc --stats reads them).
constexpr llvm::StringLiteral kWinogradStoredBytes =
    "cnnc.winograd_stored_bytes";
constexpr llvm::StringLiteral kWinogradFirstRunBytes =
    "cnnc.winograd_first_run_bytes";

#define GEN_PASS_DECL
#include "compiler/transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/transforms/Passes.h.inc"

/// The attribute PlanWorkspace leaves on a function: its workspace size.
inline constexpr llvm::StringLiteral kWorkspaceBytesAttr =
    "cnn.workspace_bytes";

} // namespace cnnc

#endif // CNNC_TRANSFORMS_PASSES_H
