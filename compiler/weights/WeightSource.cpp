//===- WeightSource.cpp - where a model's parameters come from ------------===//

#include "compiler/weights/WeightSource.h"
#include "dialects/cnn/CnnOps.h"
#include "dialects/cnn/CnnShapes.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/xxhash.h"

#include <cmath>
#include <cstring>

using namespace cnnc;
using namespace mlir;

/// splitmix64: tiny, fast, and identical on every platform (unlike the
/// distributions in <random>).
static uint64_t splitmix64(uint64_t &state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::vector<float>
WeightSource::initialise(const WeightRequest &request) const {
  int64_t count = 1;
  for (int64_t d : request.shape)
    count *= d;
  switch (request.init) {
  case WeightInit::Zeros:
    return std::vector<float>(count, 0.0f);
  case WeightInit::Ones:
    return std::vector<float>(count, 1.0f);
  case WeightInit::KaimingUniform:
    break;
  }
  // Seeding by name keeps every other layer's weights unchanged when a layer
  // is added or removed.
  uint64_t state =
      llvm::xxh3_64bits(request.name) ^ (seed * 0x2545f4914f6cdd1dULL);
  double bound =
      1.0 / std::sqrt(static_cast<double>(std::max<int64_t>(request.fanIn, 1)));
  std::vector<float> values(count);
  for (float &v : values) {
    double unit = (splitmix64(state) >> 11) * 0x1.0p-53; // [0, 1)
    v = static_cast<float>((2.0 * unit - 1.0) * bound);
  }
  return values;
}

FailureOr<ElementsAttr> WeightSource::get(const WeightRequest &request) {
  if (failed(cnn::checkTensorSize([&] { return emitError(request.loc); },
                                  "weight '" + request.name + "'",
                                  request.shape)))
    return failure();
  std::vector<float> values;
  if (!file) {
    values = initialise(request);
  } else {
    auto it = file->tensors().find(request.name);
    if (it == file->tensors().end())
      return emitError(request.loc)
             << "weight '" << request.name << "' of shape "
             << cnn::formatShape(request.shape) << " is missing from '"
             << file->path() << "'";
    const SafeTensor &tensor = it->second;
    if (tensor.shape != request.shape)
      return emitError(request.loc)
             << "weight '" << request.name << "' has shape "
             << cnn::formatShape(tensor.shape) << " in '" << file->path()
             << "' but the layer needs " << cnn::formatShape(request.shape);
    if (tensor.dtype != "F32")
      return emitError(request.loc)
             << "weight '" << request.name << "' has dtype " << tensor.dtype
             << " in '" << file->path() << "'; only F32 is supported";
    used.insert(request.name);
    values.resize(tensor.bytes.size() / sizeof(float));
    if (!values.empty()) // an empty tensor's bytes may have no address
      std::memcpy(values.data(), tensor.bytes.data(), tensor.bytes.size());
  }
  auto type = RankedTensorType::get(request.shape,
                                    Float32Type::get(request.loc.getContext()));
  return cnn::createWeightBlob(type, request.name, values);
}

LogicalResult WeightSource::checkAllUsed() {
  if (!file)
    return success();
  std::vector<std::string> unused;
  for (const auto &entry : file->tensors())
    // PyTorch's batchnorm step counter is training state, not a weight.
    if (!used.contains(entry.getKey()) &&
        !entry.getKey().ends_with("num_batches_tracked"))
      unused.push_back(entry.getKey().str());
  if (unused.empty())
    return success();
  llvm::sort(unused);
  InFlightDiagnostic diag = emitError(*fileLoc)
                            << "'" << file->path() << "' has " << unused.size()
                            << " tensor(s) that no layer uses: ";
  llvm::interleaveComma(llvm::ArrayRef(unused).take_front(10), diag);
  if (unused.size() > 10)
    diag << ", ...";
  return diag;
}
