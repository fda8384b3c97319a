//===- CnnUnary.h - the functions of cnn.unary ------------------*- C++ -*-===//
//
// One row per function: its name in .cnn (the enum's), its parameters with
// their defaults, and its value in double precision (the reference
// evaluator's; the lowering builds the same formula in f32).
//
//===----------------------------------------------------------------------===//

#ifndef CNN_UNARY_H
#define CNN_UNARY_H

#include "dialects/cnn/CnnOps.h"

#include "llvm/ADT/ArrayRef.h"

#include <array>

namespace cnn {

struct UnaryFnInfo {
  UnaryFn fn;
  /// Parameter names (.cnn keywords, ONNX attribute names), in the order of
  /// `p0` and `p1`; nullptr where there is none.
  std::array<const char *, 2> params;
  std::array<double, 2> defaults;
  double (*eval)(double x, double p0, double p1);

  size_t numParams() const { return !params[0] ? 0 : !params[1] ? 1 : 2; }
};

/// Every function, in the enum's order.
llvm::ArrayRef<UnaryFnInfo> unaryFns();
const UnaryFnInfo &unaryFnInfo(UnaryFn fn);

} // namespace cnn

#endif // CNN_UNARY_H
