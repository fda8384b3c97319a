//===- CnnShapes.cpp - result shapes of cnn layers ------------------------===//

#include "dialects/cnn/CnnShapes.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace cnn {

std::string formatShape(ArrayRef<int64_t> shape) {
  std::string s = "[";
  llvm::raw_string_ostream os(s);
  llvm::interleaveComma(shape, os);
  os << "]";
  return s;
}

LogicalResult checkTensorSize(EmitErrorFn emitError, StringRef what,
                              ArrayRef<int64_t> shape) {
  int64_t elements = 1;
  for (int64_t d : shape) {
    if (d < 1)
      return emitError() << what << " shape " << formatShape(shape)
                         << " has a dimension below 1";
    // elements <= 2^31 and d <= 2^31: no overflow.
    if (d > kMaxTensorElements || elements * d > kMaxTensorElements)
      return emitError() << what << " shape " << formatShape(shape)
                         << " has more than 2^31 elements";
    elements *= d;
  }
  return success();
}

/// The input of a sliding window op padded by `padding` [top, left, bottom,
/// right] must be a tensor of bounded size.
static LogicalResult checkPaddedInput(EmitErrorFn emitError, StringRef op,
                                      ArrayRef<int64_t> in,
                                      ArrayRef<int64_t> padding) {
  if (llvm::any_of(padding, [](int64_t p) { return p > kMaxTensorElements; }))
    return emitError() << op << " padding " << formatShape(padding)
                       << " is too large";
  return checkTensorSize(emitError, (op + " padded input").str(),
                         {in[0], in[1], in[2] + padding[0] + padding[2],
                          in[3] + padding[1] + padding[3]});
}

int64_t slidingOutputSize(int64_t in, int64_t kernel, int64_t stride,
                          int64_t padBegin, int64_t padEnd, int64_t dilation,
                          bool ceilMode) {
  int64_t span = in + padBegin + padEnd - dilation * (kernel - 1) - 1;
  if (span < 0)
    return 0;
  if (!ceilMode)
    return span / stride + 1;
  int64_t out = llvm::divideCeil(span, stride) + 1;
  // PyTorch: the last window must start inside the input or the left padding.
  if ((out - 1) * stride >= in + padBegin)
    --out;
  return out;
}

Shape samePadding(ArrayRef<int64_t> in, ArrayRef<int64_t> kernel,
                  ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
                  bool upper) {
  Shape pad(4);
  for (int i = 0; i < 2; ++i) {
    int64_t out = llvm::divideCeil(in[2 + i], strides[i]);
    int64_t total = std::max<int64_t>(
        (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - in[2 + i],
        0);
    pad[i] = upper ? total / 2 : total - total / 2;
    pad[i + 2] = total - pad[i];
  }
  return pad;
}

static LogicalResult checkPositive(EmitErrorFn emitError, StringRef what,
                                   ArrayRef<int64_t> values, size_t size,
                                   int64_t min = 1) {
  if (values.size() != size)
    return emitError() << what << " must have " << size << " values, got "
                       << values.size();
  for (int64_t v : values)
    if (v < min)
      return emitError() << what << " must be >= " << min << ", got "
                         << formatShape(values);
  return success();
}

FailureOr<Shape> inferConv2dShape(EmitErrorFn emitError, ArrayRef<int64_t> in,
                                  ArrayRef<int64_t> w,
                                  std::optional<Shape> bias,
                                  ArrayRef<int64_t> strides,
                                  ArrayRef<int64_t> padding,
                                  ArrayRef<int64_t> dilations, int64_t groups) {
  if (in.size() != 4)
    return emitError() << "conv2d expects an NCHW input, got shape "
                       << formatShape(in);
  if (failed(checkPositive(emitError, "strides", strides, 2)) ||
      failed(checkPositive(emitError, "dilations", dilations, 2)) ||
      failed(checkPositive(emitError, "padding", padding, 4, 0)))
    return failure();
  if (groups < 1)
    return emitError() << "groups must be >= 1, got " << groups;
  if (in[1] % groups != 0)
    return emitError() << "input channels (" << in[1]
                       << ") are not divisible by groups (" << groups << ")";
  if (w.size() != 4 || w[0] % groups != 0 || w[1] != in[1] / groups)
    return emitError() << "conv2d weight shape " << formatShape(w)
                       << " does not match input shape " << formatShape(in)
                       << " with groups=" << groups << " (expected [F, "
                       << in[1] / groups << ", KH, KW], F divisible by "
                       << groups << ")";
  if (bias && (bias->size() != 1 || (*bias)[0] != w[0]))
    return emitError() << "conv2d bias shape " << formatShape(*bias)
                       << " does not match weight shape " << formatShape(w)
                       << " (expected [" << w[0] << "])";
  // Padding and dilation bounded by the padded input's size: a huge value
  // is an error, not a huge intermediate.
  if (failed(checkTensorSize(emitError, "conv2d weight", w)) ||
      failed(checkPaddedInput(emitError, "conv2d", in, padding)))
    return failure();
  if (dilations[0] > kMaxTensorElements / w[2] ||
      dilations[1] > kMaxTensorElements / w[3])
    return emitError() << "conv2d dilations " << formatShape(dilations)
                       << " are too large";
  int64_t oh = slidingOutputSize(in[2], w[2], strides[0], padding[0],
                                 padding[2], dilations[0], false);
  int64_t ow = slidingOutputSize(in[3], w[3], strides[1], padding[1],
                                 padding[3], dilations[1], false);
  if (oh < 1 || ow < 1)
    return emitError() << "conv2d kernel " << formatShape(w.drop_front(2))
                       << " does not fit the padded input " << formatShape(in);
  return Shape{in[0], w[0], oh, ow};
}

FailureOr<Shape> inferDenseShape(EmitErrorFn emitError, ArrayRef<int64_t> in,
                                 ArrayRef<int64_t> w,
                                 std::optional<Shape> bias) {
  if (in.size() != 2)
    return emitError() << "dense expects a 2-D [N, K] input, got shape "
                       << formatShape(in) << " (use flatten first)";
  if (w.size() != 2 || w[1] != in[1])
    return emitError() << "dense weight shape " << formatShape(w)
                       << " does not match input shape " << formatShape(in)
                       << " (expected [units, " << in[1] << "])";
  if (bias && (bias->size() != 1 || (*bias)[0] != w[0]))
    return emitError() << "dense bias shape " << formatShape(*bias)
                       << " does not match weight shape " << formatShape(w)
                       << " (expected [" << w[0] << "])";
  return Shape{in[0], w[0]};
}

FailureOr<Shape> inferPool2dShape(EmitErrorFn emitError, ArrayRef<int64_t> in,
                                  ArrayRef<int64_t> kernel,
                                  ArrayRef<int64_t> strides,
                                  ArrayRef<int64_t> padding, bool ceilMode) {
  if (in.size() != 4)
    return emitError() << "pooling expects an NCHW input, got shape "
                       << formatShape(in);
  if (failed(checkPositive(emitError, "kernel", kernel, 2)) ||
      failed(checkPositive(emitError, "strides", strides, 2)) ||
      failed(checkPositive(emitError, "padding", padding, 4, 0)))
    return failure();
  if (failed(checkPaddedInput(emitError, "pooling", in, padding)))
    return failure();
  // Every window then holds an input element (no empty maximum or mean).
  for (int i = 0; i < 2; ++i)
    if (padding[i] >= kernel[i] || padding[i + 2] >= kernel[i])
      return emitError() << "pooling padding " << formatShape(padding)
                         << " must be smaller than the kernel "
                         << formatShape(kernel);
  int64_t oh = slidingOutputSize(in[2], kernel[0], strides[0], padding[0],
                                 padding[2], 1, ceilMode);
  int64_t ow = slidingOutputSize(in[3], kernel[1], strides[1], padding[1],
                                 padding[3], 1, ceilMode);
  if (oh < 1 || ow < 1)
    return emitError() << "pooling kernel " << formatShape(kernel)
                       << " does not fit the padded input " << formatShape(in);
  return Shape{in[0], in[1], oh, ow};
}

LogicalResult verifyBatchNormShapes(EmitErrorFn emitError, ArrayRef<int64_t> in,
                                    ArrayRef<Shape> params) {
  if (in.size() < 2)
    return emitError() << "batchnorm expects an [N, C, ...] input, got shape "
                       << formatShape(in);
  for (const Shape &p : params)
    if (p.size() != 1 || p[0] != in[1])
      return emitError() << "batchnorm parameter shape " << formatShape(p)
                         << " does not match input shape " << formatShape(in)
                         << " (expected [" << in[1] << "])";
  return success();
}

FailureOr<Shape> inferFlattenShape(EmitErrorFn emitError,
                                   ArrayRef<int64_t> in) {
  if (in.empty())
    return emitError() << "flatten expects a tensor of rank >= 1";
  int64_t rest = 1;
  for (int64_t d : in.drop_front())
    rest *= d;
  return Shape{in[0], rest};
}

FailureOr<Shape> inferConcatShape(EmitErrorFn emitError, ArrayRef<Shape> inputs,
                                  int64_t axis) {
  if (inputs.empty())
    return emitError() << "concat expects at least one input";
  Shape result = inputs.front();
  if (failed(verifyAxis(emitError, axis, result.size())))
    return failure();
  for (const Shape &s : inputs.drop_front()) {
    bool ok = s.size() == result.size();
    for (size_t d = 0; ok && d < s.size(); ++d)
      ok = d == static_cast<size_t>(axis) || s[d] == result[d];
    if (!ok)
      return emitError() << "concat inputs " << formatShape(inputs.front())
                         << " and " << formatShape(s) << " differ outside axis "
                         << axis;
    result[axis] += s[axis];
  }
  return result;
}

FailureOr<Shape> inferUpsampleShape(EmitErrorFn emitError, ArrayRef<int64_t> in,
                                    ArrayRef<int64_t> scale) {
  if (in.size() != 4)
    return emitError() << "upsample expects an NCHW input, got shape "
                       << formatShape(in);
  if (failed(checkPositive(emitError, "scale", scale, 2)))
    return failure();
  return Shape{in[0], in[1], in[2] * scale[0], in[3] * scale[1]};
}

FailureOr<Shape> inferReshapeShape(EmitErrorFn emitError, ArrayRef<int64_t> in,
                                   ArrayRef<int64_t> target, bool copyZeros) {
  if (failed(checkTensorSize(emitError, "reshape input", in)))
    return failure();
  int64_t count = 1;
  for (int64_t d : in)
    count *= d;
  Shape result;
  std::optional<size_t> inferred;
  int64_t known = 1;
  for (auto [i, value] : llvm::enumerate(target)) {
    int64_t d = value;
    if (d == 0 && copyZeros) {
      if (i >= in.size())
        return emitError() << "reshape target " << formatShape(target)
                           << " copies dimension " << i << " (0) of "
                           << formatShape(in) << ", which has no such "
                           << "dimension";
      d = in[i];
    } else if (d == -1) {
      if (inferred)
        return emitError() << "reshape target " << formatShape(target)
                           << " has more than one -1";
      inferred = i;
      result.push_back(1);
      continue;
    } else if (d < 1) {
      return emitError() << "reshape target " << formatShape(target)
                         << " has a dimension below 1";
    }
    result.push_back(d);
    if (d > count || known * d > count)
      return emitError() << "cannot reshape " << formatShape(in) << " ("
                         << count << " elements) to " << formatShape(target);
    known *= d;
  }
  if (inferred ? count % known != 0 : known != count)
    return emitError() << "cannot reshape " << formatShape(in) << " (" << count
                       << " elements) to " << formatShape(target);
  if (inferred)
    result[*inferred] = count / known;
  return result;
}

FailureOr<Shape> inferPadShape(EmitErrorFn emitError, ArrayRef<int64_t> in,
                               ArrayRef<int64_t> low, ArrayRef<int64_t> high,
                               bool reflect) {
  if (low.size() != in.size() || high.size() != in.size())
    return emitError() << "pad needs " << in.size()
                       << " low and high values (one per dimension of "
                       << formatShape(in) << "), got " << low.size() << " and "
                       << high.size();
  Shape result;
  for (auto [d, l, h] : llvm::zip_equal(in, low, high)) {
    if (l < 0 || h < 0)
      return emitError() << "pad amounts must be >= 0, got low "
                         << formatShape(low) << " and high "
                         << formatShape(high);
    if (reflect && (l >= d || h >= d))
      return emitError() << "reflect padding (low " << formatShape(low)
                         << ", high " << formatShape(high)
                         << ") must be smaller than each dimension of "
                         << formatShape(in);
    result.push_back(d + l + h);
  }
  return result;
}

FailureOr<Shape> inferSliceShape(EmitErrorFn emitError, ArrayRef<int64_t> in,
                                 int64_t axis, int64_t offset, int64_t size) {
  if (failed(verifyAxis(emitError, axis, in.size())))
    return failure();
  if (offset < 0 || size < 1 || offset + size > in[axis])
    return emitError() << "slice [" << offset << ", " << offset + size
                       << ") is out of range for dimension " << axis
                       << " of shape " << formatShape(in);
  Shape result(in);
  result[axis] = size;
  return result;
}

FailureOr<Shape> inferTransposeShape(EmitErrorFn emitError,
                                     ArrayRef<int64_t> in,
                                     ArrayRef<int64_t> perm) {
  SmallVector<bool> seen(in.size(), false);
  bool ok = perm.size() == in.size();
  for (int64_t p : perm) {
    ok = ok && p >= 0 && p < static_cast<int64_t>(in.size()) && !seen[p];
    if (ok)
      seen[p] = true;
  }
  if (!ok)
    return emitError() << "perm " << formatShape(perm)
                       << " is not a permutation of the axes of shape "
                       << formatShape(in);
  Shape result;
  for (int64_t p : perm)
    result.push_back(in[p]);
  return result;
}

FailureOr<Shape> inferBroadcastShape(EmitErrorFn emitError,
                                     ArrayRef<int64_t> lhs,
                                     ArrayRef<int64_t> rhs) {
  bool ok = lhs.size() == rhs.size();
  Shape result;
  for (size_t d = 0; ok && d < lhs.size(); ++d) {
    ok = lhs[d] == rhs[d] || lhs[d] == 1 || rhs[d] == 1;
    result.push_back(std::max(lhs[d], rhs[d]));
  }
  if (!ok)
    return emitError() << "operand shapes " << formatShape(lhs) << " and "
                       << formatShape(rhs) << " do not broadcast";
  return result;
}

LogicalResult verifyAxis(EmitErrorFn emitError, int64_t axis, int64_t rank) {
  if (axis < 0 || axis >= rank)
    return emitError() << "axis " << axis << " is out of range for rank "
                       << rank;
  return success();
}

FailureOr<Shape> inferReduceShape(EmitErrorFn emitError,
                                  ArrayRef<int64_t> input,
                                  ArrayRef<int64_t> axes) {
  Shape result(input);
  for (auto [i, axis] : llvm::enumerate(axes)) {
    if (failed(verifyAxis(emitError, axis, input.size())))
      return failure();
    if (i > 0 && axis <= axes[i - 1])
      return emitError() << "reduced axes " << formatShape(axes)
                         << " are not increasing";
    result[axis] = 1;
  }
  return result;
}

FailureOr<int64_t> normalizeAxis(EmitErrorFn emitError, int64_t axis,
                                 int64_t rank) {
  int64_t a = axis < 0 ? axis + rank : axis;
  if (failed(verifyAxis(emitError, a, rank)))
    return failure();
  return a;
}

} // namespace cnn
