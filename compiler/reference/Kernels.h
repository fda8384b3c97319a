//===- Kernels.h - plain loops of the reference evaluator -------*- C++ -*-===//
//
// One function per layer kind, written for obviousness: NCHW, row-major,
// double precision. The caller has validated the shapes and sized `out`
// (shape set, data zero-filled) with the dialect's shape rules; the kernels
// only compute values.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_REFERENCE_KERNELS_H
#define CNNC_REFERENCE_KERNELS_H

#include "compiler/reference/Evaluator.h"
#include "dialects/cnn/CnnOps.h"
#include "dialects/cnn/CnnResize.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"

namespace cnnc::reference {

/// Number of elements of a tensor of shape `shape` (1 for a scalar).
int64_t numElements(llvm::ArrayRef<int64_t> shape);

/// A zero-filled tensor of shape `shape`.
Tensor zeros(llvm::ArrayRef<int64_t> shape);

/// `padding` is [top, left, bottom, right]; `bias` may be null.
void conv2d(const Tensor &input, const Tensor &weight, const Tensor *bias,
            llvm::ArrayRef<int64_t> strides, llvm::ArrayRef<int64_t> padding,
            llvm::ArrayRef<int64_t> dilations, int64_t groups, Tensor &out);

/// out[n, m] = sum_k x[n, k] * w[m, k] + b[m]; `bias` may be null.
void dense(const Tensor &input, const Tensor &weight, const Tensor *bias,
           Tensor &out);

/// Normalises dimension 1 of an [N, C, ...] input.
void batchNorm(const Tensor &input, const Tensor &gamma, const Tensor &beta,
               const Tensor &mean, const Tensor &variance, double epsilon,
               Tensor &out);

/// Padding reads as -inf; windows are clipped to the input.
void maxPool2d(const Tensor &input, llvm::ArrayRef<int64_t> kernel,
               llvm::ArrayRef<int64_t> strides, llvm::ArrayRef<int64_t> padding,
               Tensor &out);

/// PyTorch's avg_pool2d, including its divisor rules.
void avgPool2d(const Tensor &input, llvm::ArrayRef<int64_t> kernel,
               llvm::ArrayRef<int64_t> strides, llvm::ArrayRef<int64_t> padding,
               bool countIncludePad, Tensor &out);

void globalAvgPool(const Tensor &input, Tensor &out);

void concat(llvm::ArrayRef<const Tensor *> inputs, int64_t axis, Tensor &out);

/// out = input[..., offset : offset + out.shape[axis], ...] along `axis`.
void slice(const Tensor &input, int64_t axis, int64_t offset, Tensor &out);

/// out[i_0, ..., i_r] = input[j] where j[perm[d]] = i_d.
void transpose(const Tensor &input, llvm::ArrayRef<int64_t> perm, Tensor &out);

/// out[n, c, y, x] = sum over taps i, j of rows.weight * cols.weight *
/// input[n, c, rows.index, cols.index] (cnn.resize).
void resize(const Tensor &input, const cnn::ResizeTaps &rows,
            const cnn::ResizeTaps &cols, Tensor &out);

/// Nearest neighbour: out[.., y, x] = in[.., y / scale[0], x / scale[1]].
void upsampleNearest(const Tensor &input, llvm::ArrayRef<int64_t> scale,
                     Tensor &out);

/// Softmax along `axis`, or its logarithm.
void softmax(const Tensor &input, int64_t axis, bool log, Tensor &out);

/// cnn.reduce: `out` has `input`'s shape with the `axes` reduced to 1.
void reduce(const Tensor &input, llvm::ArrayRef<int64_t> axes,
            cnn::ReduceKind kind, Tensor &out);

/// Any rank: out[i] = in[i - low] inside the input; outside, `value`
/// (constant), the mirrored element (reflect) or the nearest one (edge).
void pad(const Tensor &input, llvm::ArrayRef<int64_t> low, cnn::PadMode mode,
         double value, Tensor &out);

/// out[i] = fn(in[i]).
/// out = activation(out + residual), elementwise (residual may be null):
/// the activation ops and the fused conv2d/dense epilogue.
void epilogue(Tensor &out, const Tensor *residual, cnn::Activation activation,
              double alpha);

/// out = fn(lhs, rhs) with numpy broadcasting of size-1 dimensions (operands
/// of equal rank).
void broadcastBinary(const Tensor &lhs, const Tensor &rhs,
                     llvm::function_ref<double(double, double)> fn,
                     Tensor &out);

} // namespace cnnc::reference

#endif // CNNC_REFERENCE_KERNELS_H
