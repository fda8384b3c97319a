//===- CnnResize.cpp - the sampling positions of cnn.resize ---------------===//

#include "dialects/cnn/CnnResize.h"

#include <algorithm>
#include <cmath>

using namespace cnn;

/// The input coordinate output position `x` samples.
static double inputCoordinate(ResizeCoordinates coordinates, double x,
                              int64_t in, int64_t out, double scale) {
  switch (coordinates) {
  case ResizeCoordinates::half_pixel:
    return (x + 0.5) / scale - 0.5;
  case ResizeCoordinates::pytorch_half_pixel:
    return out > 1 ? (x + 0.5) / scale - 0.5 : 0;
  case ResizeCoordinates::align_corners:
    return out > 1 ? x * (in - 1) / (out - 1) : 0;
  case ResizeCoordinates::asymmetric:
    return x / scale;
  case ResizeCoordinates::tf_half_pixel_for_centers:
    return (x + 0.5) / scale;
  }
  llvm_unreachable("unknown coordinate transform");
}

static int64_t roundNearest(NearestRounding rounding, double x) {
  double below = std::floor(x);
  switch (rounding) {
  case NearestRounding::round_prefer_floor:
    return x - below <= 0.5 ? below : below + 1;
  case NearestRounding::round_prefer_ceil:
    return x - below < 0.5 ? below : below + 1;
  case NearestRounding::floor:
    return below;
  case NearestRounding::ceil:
    return std::ceil(x);
  }
  llvm_unreachable("unknown rounding");
}

/// Keys' cubic convolution coefficients of the neighbours at -1, 0, 1, 2
/// of a point `t` in [0, 1) past neighbour 0.
static void cubicCoefficients(double a, double t, double c[4]) {
  auto near = [a](double d) { // |d| <= 1
    return ((a + 2) * d - (a + 3)) * d * d + 1;
  };
  auto far = [a](double d) { // 1 < |d| < 2
    return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a;
  };
  c[0] = far(t + 1);
  c[1] = near(t);
  c[2] = near(1 - t);
  c[3] = far(2 - t);
}

ResizeTaps cnn::resizeTaps(ResizeOp op, int64_t in, int64_t out, double scale) {
  ResizeTaps result;
  ResizeMode mode = op.getMode();
  result.taps = mode == ResizeMode::nearest  ? 1
                : mode == ResizeMode::linear ? 2
                                             : 4;
  for (int64_t x = 0; x < out; ++x) {
    double at = inputCoordinate(op.getCoordinates(), x, in, out, scale);
    if (mode == ResizeMode::nearest) {
      result.index.push_back(
          std::clamp<int64_t>(roundNearest(op.getRounding(), at), 0, in - 1));
      result.weight.push_back(1);
      continue;
    }
    double below = std::floor(at), t = at - below;
    int64_t first = static_cast<int64_t>(below) - (result.taps == 4 ? 1 : 0);
    double c[4] = {1 - t, t, 0, 0};
    if (mode == ResizeMode::cubic)
      cubicCoefficients(op.getCubicCoeffA().convertToDouble(), t, c);
    double sum = 0;
    for (int64_t k = 0; k < result.taps; ++k) {
      bool outside = first + k < 0 || first + k >= in;
      if (outside && op.getExcludeOutside())
        c[k] = 0;
      sum += c[k];
    }
    for (int64_t k = 0; k < result.taps; ++k) {
      // Outside the input, the border repeats (ONNX pads by edge).
      result.index.push_back(std::clamp<int64_t>(first + k, 0, in - 1));
      result.weight.push_back(op.getExcludeOutside() ? c[k] / sum : c[k]);
    }
  }
  return result;
}
