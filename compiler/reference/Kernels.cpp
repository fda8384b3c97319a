//===- Kernels.cpp - plain loops of the reference evaluator ---------------===//
//
// Straight loops over NCHW data, accumulating in double. The only concession
// to speed is the loop order of conv2d (one kernel tap at a time over whole
// output rows), which keeps the innermost loop contiguous and branch-free.
//
//===----------------------------------------------------------------------===//

#include "compiler/reference/Kernels.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

using llvm::ArrayRef;

namespace cnnc::reference {

int64_t numElements(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

Tensor zeros(ArrayRef<int64_t> shape) {
  Tensor t;
  t.shape.assign(shape.begin(), shape.end());
  t.data.assign(numElements(shape), 0.0);
  return t;
}

/// The output positions o in [0, outSize) whose input position
/// o * stride + offset lies in [0, inSize), as [begin, end). Positions outside
/// read zero padding and contribute nothing to a convolution.
static std::pair<int64_t, int64_t> validOutputRange(int64_t offset,
                                                    int64_t stride,
                                                    int64_t inSize,
                                                    int64_t outSize) {
  int64_t begin = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  int64_t last = inSize - 1 - offset; // largest o * stride allowed
  int64_t end = last < 0 ? 0 : last / stride + 1;
  end = std::min(end, outSize);
  return {std::min(begin, end), end};
}

void conv2d(const Tensor &input, const Tensor &weight, const Tensor *bias,
            ArrayRef<int64_t> strides, ArrayRef<int64_t> padding,
            ArrayRef<int64_t> dilations, int64_t groups, Tensor &out) {
  const int64_t n = input.shape[0], c = input.shape[1], h = input.shape[2],
                w = input.shape[3];
  const int64_t f = weight.shape[0], cPerGroup = weight.shape[1],
                kh = weight.shape[2], kw = weight.shape[3];
  const int64_t oh = out.shape[2], ow = out.shape[3];
  const int64_t sh = strides[0], sw = strides[1];
  const int64_t dh = dilations[0], dw = dilations[1];
  const int64_t pt = padding[0], pl = padding[1];
  const int64_t fPerGroup = f / groups;

  for (int64_t b = 0; b < n; ++b) {
    for (int64_t fi = 0; fi < f; ++fi) {
      double *outPlane = &out.data[(b * f + fi) * oh * ow];
      std::fill(outPlane, outPlane + oh * ow, bias ? bias->data[fi] : 0.0);
      const int64_t g = fi / fPerGroup;
      for (int64_t ci = 0; ci < cPerGroup; ++ci) {
        const double *inPlane =
            &input.data[(b * c + g * cPerGroup + ci) * h * w];
        for (int64_t i = 0; i < kh; ++i) {
          for (int64_t j = 0; j < kw; ++j) {
            const double wv =
                weight.data[((fi * cPerGroup + ci) * kh + i) * kw + j];
            const int64_t xOffset = j * dw - pl;
            auto [oxBegin, oxEnd] = validOutputRange(xOffset, sw, w, ow);
            for (int64_t oy = 0; oy < oh; ++oy) {
              const int64_t iy = oy * sh + i * dh - pt;
              if (iy < 0 || iy >= h)
                continue;
              const double *inRow = inPlane + iy * w;
              double *outRow = outPlane + oy * ow;
              for (int64_t ox = oxBegin; ox < oxEnd; ++ox)
                outRow[ox] += wv * inRow[ox * sw + xOffset];
            }
          }
        }
      }
    }
  }
}

void dense(const Tensor &input, const Tensor &weight, const Tensor *bias,
           Tensor &out) {
  const int64_t n = input.shape[0], k = input.shape[1], m = weight.shape[0];
  for (int64_t b = 0; b < n; ++b) {
    for (int64_t mi = 0; mi < m; ++mi) {
      double acc = bias ? bias->data[mi] : 0.0;
      for (int64_t ki = 0; ki < k; ++ki)
        acc += input.data[b * k + ki] * weight.data[mi * k + ki];
      out.data[b * m + mi] = acc;
    }
  }
}

void batchNorm(const Tensor &input, const Tensor &gamma, const Tensor &beta,
               const Tensor &mean, const Tensor &variance, double epsilon,
               Tensor &out) {
  const int64_t n = input.shape[0], c = input.shape[1];
  const int64_t inner =
      numElements(ArrayRef<int64_t>(input.shape).drop_front(2));
  for (int64_t b = 0; b < n; ++b) {
    for (int64_t ci = 0; ci < c; ++ci) {
      const double stddev = std::sqrt(variance.data[ci] + epsilon);
      const int64_t base = (b * c + ci) * inner;
      for (int64_t i = 0; i < inner; ++i)
        out.data[base + i] =
            (input.data[base + i] - mean.data[ci]) / stddev * gamma.data[ci] +
            beta.data[ci];
    }
  }
}

void maxPool2d(const Tensor &input, ArrayRef<int64_t> kernel,
               ArrayRef<int64_t> strides, ArrayRef<int64_t> padding,
               Tensor &out) {
  const int64_t nc = input.shape[0] * input.shape[1], h = input.shape[2],
                w = input.shape[3];
  const int64_t oh = out.shape[2], ow = out.shape[3];
  for (int64_t p = 0; p < nc; ++p) {
    const double *inPlane = &input.data[p * h * w];
    for (int64_t oy = 0; oy < oh; ++oy) {
      // Padding is -inf, so only the part of the window inside the input
      // matters (this also clips ceil_mode windows).
      const int64_t yStart = oy * strides[0] - padding[0];
      const int64_t yBegin = std::max<int64_t>(yStart, 0);
      const int64_t yEnd = std::min(yStart + kernel[0], h);
      for (int64_t ox = 0; ox < ow; ++ox) {
        const int64_t xStart = ox * strides[1] - padding[1];
        const int64_t xBegin = std::max<int64_t>(xStart, 0);
        const int64_t xEnd = std::min(xStart + kernel[1], w);
        double best = -std::numeric_limits<double>::infinity();
        for (int64_t y = yBegin; y < yEnd; ++y)
          for (int64_t x = xBegin; x < xEnd; ++x)
            best = std::max(best, inPlane[y * w + x]);
        out.data[(p * oh + oy) * ow + ox] = best;
      }
    }
  }
}

void avgPool2d(const Tensor &input, ArrayRef<int64_t> kernel,
               ArrayRef<int64_t> strides, ArrayRef<int64_t> padding,
               bool countIncludePad, Tensor &out) {
  const int64_t nc = input.shape[0] * input.shape[1], h = input.shape[2],
                w = input.shape[3];
  const int64_t oh = out.shape[2], ow = out.shape[3];
  const int64_t pt = padding[0], pl = padding[1], pb = padding[2],
                pr = padding[3];
  for (int64_t p = 0; p < nc; ++p) {
    const double *inPlane = &input.data[p * h * w];
    for (int64_t oy = 0; oy < oh; ++oy) {
      // As in PyTorch: the window is first clipped to the padded input (this
      // is the count_include_pad divisor), then to the input itself.
      int64_t yBegin = oy * strides[0] - pt;
      int64_t yEnd = std::min(yBegin + kernel[0], h + pb);
      const int64_t paddedHeight = yEnd - yBegin;
      yBegin = std::max<int64_t>(yBegin, 0);
      yEnd = std::min(yEnd, h);
      for (int64_t ox = 0; ox < ow; ++ox) {
        int64_t xBegin = ox * strides[1] - pl;
        int64_t xEnd = std::min(xBegin + kernel[1], w + pr);
        const int64_t paddedWidth = xEnd - xBegin;
        xBegin = std::max<int64_t>(xBegin, 0);
        xEnd = std::min(xEnd, w);
        double sum = 0.0;
        for (int64_t y = yBegin; y < yEnd; ++y)
          for (int64_t x = xBegin; x < xEnd; ++x)
            sum += inPlane[y * w + x];
        const int64_t divisor = countIncludePad
                                    ? paddedHeight * paddedWidth
                                    : (yEnd - yBegin) * (xEnd - xBegin);
        out.data[(p * oh + oy) * ow + ox] = sum / divisor;
      }
    }
  }
}

void globalAvgPool(const Tensor &input, Tensor &out) {
  const int64_t nc = input.shape[0] * input.shape[1];
  const int64_t hw = input.shape[2] * input.shape[3];
  for (int64_t p = 0; p < nc; ++p) {
    double sum = 0.0;
    for (int64_t i = 0; i < hw; ++i)
      sum += input.data[p * hw + i];
    out.data[p] = sum / hw;
  }
}

void concat(ArrayRef<const Tensor *> inputs, int64_t axis, Tensor &out) {
  // Row-major: the output is `outer` rows, each the concatenation of one
  // contiguous chunk (dims axis.. of one row) per input.
  const int64_t outer =
      numElements(ArrayRef<int64_t>(out.shape).take_front(axis));
  double *dst = out.data.data();
  for (int64_t o = 0; o < outer; ++o) {
    for (const Tensor *t : inputs) {
      const int64_t chunk =
          numElements(ArrayRef<int64_t>(t->shape).drop_front(axis));
      const double *src = t->data.data() + o * chunk;
      dst = std::copy(src, src + chunk, dst);
    }
  }
}

void slice(const Tensor &input, int64_t axis, int64_t offset, Tensor &out) {
  // Row-major: `outer` rows, each keeping a contiguous chunk of the input's.
  ArrayRef<int64_t> shape = input.shape;
  const int64_t outer = numElements(shape.take_front(axis));
  const int64_t inner = numElements(shape.drop_front(axis + 1));
  const int64_t inChunk = shape[axis] * inner;
  const int64_t outChunk = out.shape[axis] * inner;
  for (int64_t o = 0; o < outer; ++o) {
    const double *src = input.data.data() + o * inChunk + offset * inner;
    std::copy(src, src + outChunk, out.data.data() + o * outChunk);
  }
}

void transpose(const Tensor &input, ArrayRef<int64_t> perm, Tensor &out) {
  // Walk the output in order; `index` is the input index of the element.
  const int64_t rank = perm.size();
  llvm::SmallVector<int64_t> inStride(rank, 1), index(rank, 0);
  for (int64_t d = rank - 2; d >= 0; --d)
    inStride[d] = inStride[d + 1] * input.shape[d + 1];
  for (double &value : out.data) {
    int64_t offset = 0;
    for (int64_t d = 0; d < rank; ++d)
      offset += index[d] * inStride[perm[d]];
    value = input.data[offset];
    for (int64_t d = rank - 1; d >= 0 && ++index[d] == out.shape[d]; --d)
      index[d] = 0;
  }
}

void resize(const Tensor &input, const cnn::ResizeTaps &rows,
            const cnn::ResizeTaps &cols, Tensor &out) {
  const int64_t nc = input.shape[0] * input.shape[1], h = input.shape[2],
                w = input.shape[3];
  const int64_t oh = out.shape[2], ow = out.shape[3];
  for (int64_t p = 0; p < nc; ++p)
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t x = 0; x < ow; ++x) {
        double sum = 0;
        for (int64_t i = 0; i < rows.taps; ++i)
          for (int64_t j = 0; j < cols.taps; ++j)
            sum += rows.weight[y * rows.taps + i] *
                   cols.weight[x * cols.taps + j] *
                   input.data[(p * h + rows.index[y * rows.taps + i]) * w +
                              cols.index[x * cols.taps + j]];
        out.data[(p * oh + y) * ow + x] = sum;
      }
}

void upsampleNearest(const Tensor &input, ArrayRef<int64_t> scale,
                     Tensor &out) {
  const int64_t nc = input.shape[0] * input.shape[1], h = input.shape[2],
                w = input.shape[3];
  const int64_t oh = out.shape[2], ow = out.shape[3];
  for (int64_t p = 0; p < nc; ++p)
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t x = 0; x < ow; ++x)
        out.data[(p * oh + y) * ow + x] =
            input.data[(p * h + y / scale[0]) * w + x / scale[1]];
}

void softmax(const Tensor &input, int64_t axis, bool log, Tensor &out) {
  ArrayRef<int64_t> shape = input.shape;
  const int64_t outer = numElements(shape.take_front(axis));
  const int64_t size = shape[axis];
  const int64_t inner = numElements(shape.drop_front(axis + 1));
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      // Elements along the axis are `inner` apart.
      const int64_t base = o * size * inner + i;
      auto at = [&](int64_t k) { return base + k * inner; };
      // Subtracting the maximum keeps exp() from overflowing.
      double maxValue = -std::numeric_limits<double>::infinity();
      for (int64_t k = 0; k < size; ++k)
        maxValue = std::max(maxValue, input.data[at(k)]);
      double sum = 0.0;
      for (int64_t k = 0; k < size; ++k) {
        out.data[at(k)] = std::exp(input.data[at(k)] - maxValue);
        sum += out.data[at(k)];
      }
      for (int64_t k = 0; k < size; ++k)
        out.data[at(k)] = log ? input.data[at(k)] - maxValue - std::log(sum)
                              : out.data[at(k)] / sum;
    }
  }
}

void reduce(const Tensor &input, ArrayRef<int64_t> axes, cnn::ReduceKind kind,
            Tensor &out) {
  using K = cnn::ReduceKind;
  const size_t rank = input.shape.size();
  // The output element of each input element: its index with the reduced
  // axes at 0.
  std::vector<int64_t> target(input.data.size());
  llvm::SmallVector<int64_t, 4> index(rank, 0);
  for (int64_t &t : target) {
    int64_t offset = 0;
    for (size_t d = 0; d < rank; ++d)
      offset =
          offset * out.shape[d] +
          (llvm::is_contained(axes, static_cast<int64_t>(d)) ? 0 : index[d]);
    t = offset;
    for (size_t d = rank; d-- > 0;) {
      if (++index[d] < input.shape[d])
        break;
      index[d] = 0;
    }
  }
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> maxima(out.data.size(), -inf);
  for (size_t i = 0; i < target.size(); ++i)
    maxima[target[i]] = std::max(maxima[target[i]], input.data[i]);
  double init = kind == K::max    ? -inf
                : kind == K::min  ? inf
                : kind == K::prod ? 1
                                  : 0;
  std::fill(out.data.begin(), out.data.end(), init);
  for (size_t i = 0; i < target.size(); ++i) {
    double x = input.data[i], &acc = out.data[target[i]];
    switch (kind) {
    case K::max:
      acc = std::isnan(x) ? x : std::max(acc, x);
      break;
    case K::min:
      acc = std::isnan(x) ? x : std::min(acc, x);
      break;
    case K::prod:
      acc *= x;
      break;
    case K::l1:
      acc += std::fabs(x);
      break;
    case K::l2:
    case K::sum_square:
      acc += x * x;
      break;
    case K::log_sum_exp:
      acc += std::exp(x - maxima[target[i]]);
      break;
    default:
      acc += x;
    }
  }
  const double count = static_cast<double>(input.data.size()) /
                       static_cast<double>(out.data.size());
  for (size_t o = 0; o < out.data.size(); ++o) {
    double &v = out.data[o];
    if (kind == K::mean)
      v /= count;
    else if (kind == K::l2)
      v = std::sqrt(v);
    else if (kind == K::log_sum)
      v = std::log(v);
    else if (kind == K::log_sum_exp)
      v = maxima[o] + std::log(v);
  }
}

void pad(const Tensor &input, ArrayRef<int64_t> low, cnn::PadMode mode,
         double value, Tensor &out) {
  const size_t rank = out.shape.size();
  llvm::SmallVector<int64_t, 4> index(rank, 0);
  for (double &result : out.data) {
    int64_t offset = 0;
    bool outside = false;
    for (size_t d = 0; d < rank; ++d) {
      int64_t size = input.shape[d], i = index[d] - low[d];
      if (mode == cnn::PadMode::reflect) {
        i = i < 0 ? -i : i;
        i = i > size - 1 ? 2 * (size - 1) - i : i;
      } else if (mode == cnn::PadMode::edge) {
        i = std::clamp<int64_t>(i, 0, size - 1);
      }
      outside |= i < 0 || i >= size;
      offset = offset * size + i;
    }
    result = outside ? value : input.data[offset];
    for (size_t d = rank; d-- > 0;) {
      if (++index[d] < out.shape[d])
        break;
      index[d] = 0;
    }
  }
}

static double activate(cnn::Activation activation, double alpha, double x) {
  switch (activation) {
  case cnn::Activation::none:
    return x;
  case cnn::Activation::relu:
    return std::max(x, 0.0);
  case cnn::Activation::relu6:
    return std::min(std::max(x, 0.0), 6.0);
  case cnn::Activation::leaky_relu:
    return x > 0 ? x : alpha * x;
  case cnn::Activation::sigmoid:
    return 1.0 / (1.0 + std::exp(-x));
  case cnn::Activation::tanh:
    return std::tanh(x);
  case cnn::Activation::silu:
    return x / (1.0 + std::exp(-x));
  case cnn::Activation::mish:
    return x * std::tanh(std::log1p(std::exp(x)));
  case cnn::Activation::hardswish:
    return x * std::clamp(x / 6 + 0.5, 0.0, 1.0);
  }
  llvm_unreachable("unknown activation");
}

void epilogue(Tensor &out, const Tensor *residual, cnn::Activation activation,
              double alpha) {
  for (size_t i = 0; i < out.data.size(); ++i)
    out.data[i] = activate(activation, alpha,
                           out.data[i] + (residual ? residual->data[i] : 0.0));
}

/// Row-major strides of `shape`, with 0 along size-1 dimensions so that a
/// broadcast operand keeps reading the same element there.
static llvm::SmallVector<int64_t, 4> broadcastStrides(ArrayRef<int64_t> shape) {
  llvm::SmallVector<int64_t, 4> strides(shape.size(), 0);
  int64_t stride = 1;
  for (int64_t d = shape.size() - 1; d >= 0; --d) {
    strides[d] = shape[d] == 1 ? 0 : stride;
    stride *= shape[d];
  }
  return strides;
}

void broadcastBinary(const Tensor &lhs, const Tensor &rhs,
                     llvm::function_ref<double(double, double)> fn,
                     Tensor &out) {
  const size_t rank = out.shape.size();
  llvm::SmallVector<int64_t, 4> lhsStrides = broadcastStrides(lhs.shape);
  llvm::SmallVector<int64_t, 4> rhsStrides = broadcastStrides(rhs.shape);
  llvm::SmallVector<int64_t, 4> index(rank, 0);
  for (double &result : out.data) {
    int64_t lhsOffset = 0, rhsOffset = 0;
    for (size_t d = 0; d < rank; ++d) {
      lhsOffset += index[d] * lhsStrides[d];
      rhsOffset += index[d] * rhsStrides[d];
    }
    result = fn(lhs.data[lhsOffset], rhs.data[rhsOffset]);
    // Advance the row-major index of the output.
    for (size_t d = rank; d-- > 0;) {
      if (++index[d] < out.shape[d])
        break;
      index[d] = 0;
    }
  }
}

} // namespace cnnc::reference
