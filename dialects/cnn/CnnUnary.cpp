//===- CnnUnary.cpp - the functions of cnn.unary --------------------------===//
//
// Formulas as ONNX defines them (Elu, Selu, Celu, ThresholdedRelu, Shrink,
// Softplus, Softsign, Round half to even, Sign of 0 is 0), and Darknet's
// activations as its activations.h computes them.
//
//===----------------------------------------------------------------------===//

#include "dialects/cnn/CnnUnary.h"

#include <algorithm>
#include <cassert>
#include <cmath>

using namespace cnn;

namespace {

double elu(double x, double alpha) {
  return x >= 0 ? x : alpha * (std::exp(x) - 1);
}

const UnaryFnInfo kFns[] = {
    {UnaryFn::exp,
     {},
     {},
     [](double x, double, double) { return std::exp(x); }},
    {UnaryFn::log,
     {},
     {},
     [](double x, double, double) { return std::log(x); }},
    {UnaryFn::sqrt,
     {},
     {},
     [](double x, double, double) { return std::sqrt(x); }},
    {UnaryFn::abs,
     {},
     {},
     [](double x, double, double) { return std::fabs(x); }},
    {UnaryFn::neg, {}, {}, [](double x, double, double) { return -x; }},
    {UnaryFn::reciprocal,
     {},
     {},
     [](double x, double, double) { return 1 / x; }},
    {UnaryFn::floor,
     {},
     {},
     [](double x, double, double) { return std::floor(x); }},
    {UnaryFn::ceil,
     {},
     {},
     [](double x, double, double) { return std::ceil(x); }},
    {UnaryFn::round,
     {},
     {},
     [](double x, double, double) { return std::nearbyint(x); }},
    {UnaryFn::sign,
     {},
     {},
     [](double x, double, double) {
       return x > 0 ? 1.0 : x < 0 ? -1.0 : x; // 0 and NaN stay
     }},
    {UnaryFn::erf,
     {},
     {},
     [](double x, double, double) { return std::erf(x); }},
    {UnaryFn::sin,
     {},
     {},
     [](double x, double, double) { return std::sin(x); }},
    {UnaryFn::cos,
     {},
     {},
     [](double x, double, double) { return std::cos(x); }},
    {UnaryFn::tan,
     {},
     {},
     [](double x, double, double) { return std::tan(x); }},
    {UnaryFn::asin,
     {},
     {},
     [](double x, double, double) { return std::asin(x); }},
    {UnaryFn::acos,
     {},
     {},
     [](double x, double, double) { return std::acos(x); }},
    {UnaryFn::atan,
     {},
     {},
     [](double x, double, double) { return std::atan(x); }},
    {UnaryFn::sinh,
     {},
     {},
     [](double x, double, double) { return std::sinh(x); }},
    {UnaryFn::cosh,
     {},
     {},
     [](double x, double, double) { return std::cosh(x); }},
    {UnaryFn::asinh,
     {},
     {},
     [](double x, double, double) { return std::asinh(x); }},
    {UnaryFn::acosh,
     {},
     {},
     [](double x, double, double) { return std::acosh(x); }},
    {UnaryFn::atanh,
     {},
     {},
     [](double x, double, double) { return std::atanh(x); }},
    {UnaryFn::softplus,
     {},
     {},
     [](double x, double, double) {
       return std::max(x, 0.0) + std::log1p(std::exp(-std::fabs(x)));
     }},
    {UnaryFn::softsign,
     {},
     {},
     [](double x, double, double) { return x / (1 + std::fabs(x)); }},
    {UnaryFn::elu,
     {"alpha"},
     {1.0},
     [](double x, double alpha, double) { return elu(x, alpha); }},
    // ONNX's defaults, as their f32 values.
    {UnaryFn::selu,
     {"alpha", "gamma"},
     {1.67326319217681884765625, 1.05070102214813232421875},
     [](double x, double alpha, double gamma) {
       return gamma * elu(x, alpha);
     }},
    {UnaryFn::celu,
     {"alpha"},
     {1.0},
     [](double x, double alpha, double) {
       return std::max(0.0, x) + std::min(0.0, alpha * std::expm1(x / alpha));
     }},
    {UnaryFn::thresholded_relu,
     {"alpha"},
     {1.0},
     [](double x, double alpha, double) { return x > alpha ? x : 0.0; }},
    {UnaryFn::shrink,
     {"bias", "lambd"},
     {0.0, 0.5},
     [](double x, double bias, double lambd) {
       return x < -lambd ? x + bias : x > lambd ? x - bias : 0.0;
     }},
    {UnaryFn::pow,
     {"exponent"},
     {1.0},
     [](double x, double e, double) { return std::pow(x, e); }},
    // GELU's tanh approximation (PyTorch's approximate="tanh").
    {UnaryFn::gelu_tanh,
     {},
     {},
     [](double x, double, double) {
       return 0.5 * x *
              (1 + std::tanh(std::sqrt(2 / M_PI) * (x + 0.044715 * x * x * x)));
     }},
    {UnaryFn::hard_mish,
     {},
     {},
     [](double x, double, double) {
       return x > 0 ? x : x > -2 ? x * x / 2 + x : 0.0;
     }},
    // Darknet's activations (activations.h).
    {UnaryFn::loggy,
     {},
     {},
     [](double x, double, double) { return 2 / (1 + std::exp(-x)) - 1; }},
    {UnaryFn::ramp,
     {},
     {},
     [](double x, double, double) { return std::max(x, 0.0) + 0.1 * x; }},
    {UnaryFn::plse,
     {},
     {},
     [](double x, double, double) {
       return x < -4  ? 0.01 * (x + 4)
              : x > 4 ? 0.01 * (x - 4) + 1
                      : 0.125 * x + 0.5;
     }},
    {UnaryFn::lhtan,
     {},
     {},
     [](double x, double, double) {
       return x < 0 ? 0.001 * x : x > 1 ? 0.001 * (x - 1) + 1 : x;
     }},
    {UnaryFn::stair,
     {},
     {},
     [](double x, double, double) {
       double n = std::floor(x), half = std::floor(x / 2);
       return std::fmod(n, 2) == 0 ? half : x - n + half;
     }},
    {UnaryFn::affine,
     {"scale", "shift"},
     {1.0, 0.0},
     [](double x, double scale, double shift) { return scale * x + shift; }},
    {UnaryFn::binarize,
     {},
     {},
     [](double x, double, double) { return x > 0 ? 1.0 : -1.0; }},
};

} // namespace

llvm::ArrayRef<UnaryFnInfo> cnn::unaryFns() { return kFns; }

const UnaryFnInfo &cnn::unaryFnInfo(UnaryFn fn) {
  const UnaryFnInfo &info = kFns[static_cast<size_t>(fn)];
  assert(info.fn == fn && "kFns is in the enum's order");
  return info;
}
