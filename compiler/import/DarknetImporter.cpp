//===- DarknetImporter.cpp - Darknet .cfg + .weights to cnn ---------------===//
//
// One pass over the sections, Darknet's own order: every layer reads the
// previous layer's output (or the layers a [route]/[shortcut] names) and its
// parameters are the next ones in the .weights file. Sections and keys are
// all checked first, so that every unknown one is reported together; shape
// and parameter errors stop at the first.
//
// Darknet semantics kept here:
// - [convolutional]: `pad=1` means padding size/2; with dilation d the
//   padding is padding*d (AlexeyAB's darknet). batch_normalize: the conv has
//   no bias, a batchnorm follows whose beta is the layer's "biases";
//   eps = 1e-5 inside the square root, as AlexeyAB's darknet.
// - [maxpool]: padding defaults to size-1; padding/2 goes top/left, the rest
//   bottom/right; out = (in + padding - size) / stride + 1.
// - [route]: several layers are a channel concat; groups/group_id take the
//   group_id-th of `groups` equal channel slices of each routed layer.
// - [shortcut]: act(previous + from...), optionally weighted.
// - the heads ([yolo], [Gaussian_yolo], [region], [detection]): their input
//   becomes a model output (no box decoding).
// Each layer function's comment names the Darknet source it follows.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/DarknetImporter.h"
#include "compiler/import/DarknetCfg.h"
#include "compiler/import/DarknetSections.h"
#include "compiler/import/ModelName.h"
#include "compiler/weights/WeightSource.h"
#include "dialects/cnn/CnnOps.h"
#include "dialects/cnn/CnnShapes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/Path.h"

using namespace mlir;
using namespace cnnc;
using namespace cnnc::darknet;
using cnn::Shape;
using llvm::SMLoc;

namespace {

//===----------------------------------------------------------------------===//
// Activations
//===----------------------------------------------------------------------===//

/// A Darknet activation: a cnn op of its own, a cnn.unary function, or one
/// of the normalisations across an image's channels.
struct Act {
  enum Kind {
    Linear,
    Relu,
    Relu6,
    Leaky,
    Relie,
    Logistic,
    Tanh,
    Mish,
    Swish,
    Hardtan,
    Unary,
    NormalizeChannels,
    NormalizeChannelsSoftmax,
    NormalizeChannelsSoftmaxMaxval,
  } kind;
  cnn::UnaryFn fn = cnn::UnaryFn::exp;
  double p0 = 0, p1 = 0;
};

/// Darknet's activations by name (activations.c, get_activation).
const std::pair<llvm::StringLiteral, Act> kActivations[] = {
    {"linear", {Act::Linear}},
    {"relu", {Act::Relu}},
    {"relu6", {Act::Relu6}},
    {"leaky", {Act::Leaky}},
    {"revleaky", {Act::Leaky}}, // Darknet computes it as leaky
    {"relie", {Act::Relie}},
    {"logistic", {Act::Logistic}},
    {"tanh", {Act::Tanh}},
    {"mish", {Act::Mish}},
    {"swish", {Act::Swish}},
    {"hardtan", {Act::Hardtan}},
    {"elu", {Act::Unary, cnn::UnaryFn::elu, 1.0}},
    // Darknet's constants, rounded.
    {"selu", {Act::Unary, cnn::UnaryFn::selu, 1.6732, 1.0507}},
    {"gelu", {Act::Unary, cnn::UnaryFn::gelu_tanh}},
    {"hard_mish", {Act::Unary, cnn::UnaryFn::hard_mish}},
    {"loggy", {Act::Unary, cnn::UnaryFn::loggy}},
    {"ramp", {Act::Unary, cnn::UnaryFn::ramp}},
    {"plse", {Act::Unary, cnn::UnaryFn::plse}},
    {"lhtan", {Act::Unary, cnn::UnaryFn::lhtan}},
    {"stair", {Act::Unary, cnn::UnaryFn::stair}},
    {"normalize_channels", {Act::NormalizeChannels}},
    {"normalize_channels_softmax", {Act::NormalizeChannelsSoftmax}},
    {"normalize_channels_softmax_maxval",
     {Act::NormalizeChannelsSoftmaxMaxval}},
};

std::optional<Act> parseActivation(llvm::StringRef name) {
  for (const auto &[known, act] : kActivations)
    if (known == name)
      return act;
  return std::nullopt;
}

/// The output layers.
bool isHead(llvm::StringRef type) {
  return type == "yolo" || type == "Gaussian_yolo" || type == "region" ||
         type == "detection";
}

//===----------------------------------------------------------------------===//
// The importer
//===----------------------------------------------------------------------===//

/// AlexeyAB's darknet normalises with sqrt(variance + .00001f).
constexpr double kBatchNormEps = 1e-5;

/// A [convolutional] layer's parameters.
struct ConvParams {
  Value biases;
  SmallVector<Value, 3> batchNorm; // scales, means, variances; or none
  Value weight;
};

/// A layer's output, by Darknet layer index.
struct Layer {
  Value value;
  const CfgSection *section;
  bool detection = false; // the heads: their own output is not computed
  ConvParams conv;        // of a [convolutional] layer
};

/// Where the .weights file first ran out.
struct Shortage {
  int layer;
  const CfgSection *section;
  std::string name;
  uint64_t bytes;
  uint64_t offset;
};

class Importer {
public:
  Importer(MLIRContext &context, const llvm::SourceMgr &sourceMgr,
           llvm::ArrayRef<CfgSection> sections, std::optional<WeightsFile> file,
           uint64_t seed, int64_t batch)
      : builder(&context), sourceMgr(sourceMgr), sections(sections),
        file(std::move(file)), seeded(seed), batch(batch) {}

  OwningOpRef<ModuleOp> run();

private:
  // Locations and errors.
  Location loc(SMLoc l) {
    auto [line, col] = sourceMgr.getLineAndColumn(l);
    return FileLineColLoc::get(builder.getContext(), fileName(), line, col);
  }
  llvm::StringRef fileName() const {
    return sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID())
        ->getBufferIdentifier();
  }
  InFlightDiagnostic error(SMLoc l) { return emitError(loc(l)); }
  /// The value of `key` in `s`, or the section header if it is not set.
  static SMLoc valueLoc(const CfgSection &s, llvm::StringRef key) {
    const CfgOption *option = s.find(key);
    return option ? option->valueLoc : s.loc;
  }
  static std::string describe(int index, const CfgSection &section) {
    return "layer " + std::to_string(index) + " [" +
           canonicalType(section.type).str() + "]";
  }

  LogicalResult checkSections();

  // Options.
  FailureOr<int64_t> getInt(const CfgSection &s, llvm::StringRef key,
                            std::optional<int64_t> dflt, int64_t min,
                            int64_t max = INT32_MAX);
  FailureOr<double> getFloat(const CfgSection &s, llvm::StringRef key,
                             double dflt);
  FailureOr<SmallVector<std::pair<int64_t, SMLoc>>>
  getIntList(const CfgSection &s, llvm::StringRef key);
  FailureOr<Act> getActivation(const CfgSection &s, llvm::StringRef dflt);

  // Layers.
  FailureOr<Value> previous(int index, const CfgSection &s);
  FailureOr<Value> referenced(int index, int64_t ref, SMLoc at);
  LogicalResult requireImage(int index, const CfgSection &s, Value in);
  FailureOr<Value> importLayer(int index, const CfgSection &s);
  FailureOr<Value> convolutional(int index, const CfgSection &s);
  /// A conv weight binarized per filter, as Darknet's binarize_weights.
  FailureOr<Value> binarizedWeights(Value weight);
  FailureOr<ConvParams> readConvParams(int index, const CfgSection &s,
                                       Shape kernel, bool bn);
  FailureOr<ConvParams> sharedConvParams(int index, const CfgSection &s);
  FailureOr<Value> connected(int index, const CfgSection &s);
  FailureOr<Value> pool(int index, const CfgSection &s, bool average);
  Value blur(int index, const CfgSection &s, Value x, int64_t mode,
             ArrayRef<int64_t> strides);
  FailureOr<Value> avgpool(int index, const CfgSection &s);
  FailureOr<Value> route(int index, const CfgSection &s);
  FailureOr<Value> shortcut(int index, const CfgSection &s);
  FailureOr<SmallVector<Value>> shortcutWeights(int index, const CfgSection &s,
                                                Value in,
                                                ArrayRef<Value> addends);
  FailureOr<Value> upsample(int index, const CfgSection &s);
  FailureOr<Value> reorg(int index, const CfgSection &s, bool inputSizes);
  FailureOr<Value> crop(int index, const CfgSection &s);
  FailureOr<Value> local(int index, const CfgSection &s);
  FailureOr<Value> scaleLayer(int index, const CfgSection &s, bool elementwise);
  FailureOr<Value> softmax(int index, const CfgSection &s);
  FailureOr<Value> detection(int index, const CfgSection &s);
  FailureOr<Value> yoloV1Detection(int index, const CfgSection &s, Value in,
                                   int64_t classes, int64_t num,
                                   int64_t coords);
  FailureOr<Value> batchNormLayer(int index, const CfgSection &s);
  FailureOr<Value> activate(const CfgSection &s, Act act, Value v);
  /// Scales, rolling mean and rolling variance, in file order.
  FailureOr<SmallVector<Value, 3>>
  batchNormParams(int index, const CfgSection &s, int64_t channels);
  Value addOverlap(Location l, Value sum, Value v);
  /// Darknet's batch normalisation: `biases` is beta.
  Value batchNorm(Location l, Value x, llvm::ArrayRef<Value> params,
                  Value biases);

  // Parameters.
  FailureOr<Value> param(int index, const CfgSection &s, llvm::StringRef name,
                         Shape shape, WeightInit init, int64_t fanIn,
                         bool transposed = false);
  LogicalResult checkAllWeightsRead();

  Shape shapeOf(Value v) {
    return Shape(cast<RankedTensorType>(v.getType()).getShape());
  }
  RankedTensorType tensorType(llvm::ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, builder.getF32Type());
  }
  /// `OpTy` with the result shape from a shape rule (null if it failed).
  template <typename OpTy>
  FailureOr<Value> make(Location l, FailureOr<Shape> shape, ValueRange inputs,
                        llvm::ArrayRef<NamedAttribute> attrs = {}) {
    if (failed(shape))
      return failure();
    return OpTy::create(builder, l, TypeRange{tensorType(*shape)}, inputs,
                        attrs)
        ->getResult(0);
  }

  OpBuilder builder;
  const llvm::SourceMgr &sourceMgr;
  llvm::ArrayRef<CfgSection> sections;
  std::optional<WeightsFile> file;
  WeightSource seeded;
  /// The compiled batch: images computed independently, as Darknet does.
  int64_t batch;
  Value image;
  std::vector<Layer> layers;
  std::optional<Shortage> shortage;
  uint64_t expectedBytes = 0;
  std::optional<int> lastWeighted;
};

//===----------------------------------------------------------------------===//
// Sections and options
//===----------------------------------------------------------------------===//

LogicalResult Importer::checkSections() {
  bool ok = true;
  for (auto [i, s] : llvm::enumerate(sections)) {
    const SectionSpec *spec = findSection(s.type);
    if (!spec && isRecurrent(s.type)) {
      error(s.loc) << "[" << s.type
                   << "] is a recurrent layer; cnnc compiles feed-forward "
                      "networks";
      ok = false;
      continue;
    }
    if (!spec && isTrainingOnly(s.type)) {
      error(s.loc) << "[" << s.type
                   << "] is a training-only layer (a loss); remove it to "
                      "compile the network for inference";
      ok = false;
      continue;
    }
    if (!spec) {
      error(s.loc) << "unknown Darknet section [" << s.type
                   << "]; cnnc supports " << listSections();
      ok = false;
      continue;
    }
    if (i > 0 && spec->type == "net") {
      error(s.loc) << "[" << s.type
                   << "] must be the first section, and only once";
      ok = false;
    }
    for (const CfgOption &option : s.options) {
      if (spec->accepts(option.key))
        continue;
      if (spec->rejects(option.key)) {
        error(option.keyLoc) << "unsupported key '" << option.key << "' in ["
                             << s.type << "] (it changes the layer's results)";
        ok = false;
        continue;
      }
      // Darknet ignores keys it does not read.
      InFlightDiagnostic diag = emitWarning(loc(option.keyLoc));
      diag << "unknown key '" << option.key << "' in [" << s.type
           << "] ignored";
      if (spec->keys.empty())
        diag << " (it takes no keys)";
      else
        diag << " (known: " << spec->listKeys() << ")";
    }
  }
  if (!ok)
    return failure();
  if (sections.empty() || findSection(sections.front().type)->type != "net") {
    SMLoc at = sections.empty()
                   ? SMLoc::getFromPointer(
                         sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID())
                             ->getBufferStart())
                   : sections.front().loc;
    return error(at) << "a Darknet cfg must start with a [net] section "
                        "(width, height, channels)";
  }
  if (sections.size() == 1)
    return error(sections.front().loc)
           << "the cfg has no layers after [" << sections.front().type << "]";
  return success();
}

FailureOr<int64_t> Importer::getInt(const CfgSection &s, llvm::StringRef key,
                                    std::optional<int64_t> dflt, int64_t min,
                                    int64_t max) {
  const CfgOption *option = s.find(key);
  if (!option) {
    if (dflt)
      return *dflt;
    return error(s.loc) << "[" << s.type << "] needs '" << key << "'";
  }
  int64_t value;
  if (option->value.getAsInteger(10, value))
    return error(option->valueLoc)
           << "'" << key << "' must be an integer, got '" << option->value
           << "'";
  if (value < min || value > max) {
    InFlightDiagnostic diag = error(option->valueLoc);
    diag << "'" << key << "' must be ";
    if (max == INT32_MAX)
      diag << ">= " << min;
    else
      diag << "between " << min << " and " << max;
    return diag << ", got " << value;
  }
  return value;
}

FailureOr<double> Importer::getFloat(const CfgSection &s, llvm::StringRef key,
                                     double dflt) {
  const CfgOption *option = s.find(key);
  if (!option)
    return dflt;
  double value;
  if (option->value.getAsDouble(value))
    return error(option->valueLoc)
           << "'" << key << "' must be a number, got '" << option->value << "'";
  return value;
}

FailureOr<SmallVector<std::pair<int64_t, SMLoc>>>
Importer::getIntList(const CfgSection &s, llvm::StringRef key) {
  const CfgOption *option = s.find(key);
  if (!option)
    return error(s.loc) << "[" << s.type << "] needs '" << key << "'";
  SmallVector<llvm::StringRef> items;
  option->value.split(items, ',');
  SmallVector<std::pair<int64_t, SMLoc>> values;
  for (llvm::StringRef item : items) {
    llvm::StringRef trimmed = item.trim();
    SMLoc at =
        SMLoc::getFromPointer(trimmed.empty() ? item.data() : trimmed.data());
    int64_t value;
    if (trimmed.getAsInteger(10, value))
      return error(at) << "'" << key
                       << "' must be a comma-separated list of integers, got '"
                       << trimmed << "'";
    values.push_back({value, at});
  }
  return values;
}

FailureOr<Act> Importer::getActivation(const CfgSection &s,
                                       llvm::StringRef dflt) {
  const CfgOption *option = s.find("activation");
  std::optional<Act> act = parseActivation(option ? option->value : dflt);
  if (!act)
    return error(option->valueLoc)
           << "unknown activation '" << option->value << "' (Darknet's are "
           << llvm::join(llvm::make_first_range(kActivations), ", ") << ")";
  return *act;
}

//===----------------------------------------------------------------------===//
// Parameters
//===----------------------------------------------------------------------===//

FailureOr<Value> Importer::param(int index, const CfgSection &s,
                                 llvm::StringRef suffix, Shape shape,
                                 WeightInit init, int64_t fanIn,
                                 bool transposed) {
  std::string name = "layers." + std::to_string(index) + "." + suffix.str();
  Location l = loc(s.loc);
  RankedTensorType type = tensorType(shape);
  lastWeighted = index;
  ElementsAttr value;
  if (!file) {
    FailureOr<ElementsAttr> seededValue =
        seeded.get(WeightRequest{name, shape, init, fanIn, l});
    if (failed(seededValue))
      return failure();
    value = *seededValue;
  } else {
    uint64_t count = type.getNumElements();
    expectedBytes += count * sizeof(float);
    std::vector<float> values;
    if (!shortage && !file->read(count, values))
      shortage =
          Shortage{index, &s, name, count * sizeof(float), file->offset()};
    // After a shortage, zeros keep the import going so that the error can
    // say how large the file should be.
    if (shortage)
      values.assign(count, 0.0f);
    if (transposed) { // stored [shape[1]][shape[0]]
      std::vector<float> rowMajor(values.size());
      for (int64_t r = 0; r < shape[0]; ++r)
        for (int64_t c = 0; c < shape[1]; ++c)
          rowMajor[r * shape[1] + c] = values[c * shape[0] + r];
      values = std::move(rowMajor);
    }
    value = cnn::createWeightBlob(type, name, values);
  }
  return cnn::WeightOp::create(builder, l, builder.getStringAttr(name), value)
      .getResult();
}

LogicalResult Importer::checkAllWeightsRead() {
  if (!file)
    return success();
  uint64_t expected = file->headerBytes() + expectedBytes;
  auto sizes = [&](InFlightDiagnostic &diag) -> InFlightDiagnostic & {
    return diag << " (the cfg needs a " << expected
                << "-byte file, this one has " << file->sizeBytes()
                << " bytes)";
  };
  if (shortage) {
    InFlightDiagnostic diag = error(shortage->section->loc);
    diag << "'" << file->path() << "' ends inside "
         << describe(shortage->layer, *shortage->section) << ": '"
         << shortage->name << "' needs " << shortage->bytes
         << " bytes at offset " << shortage->offset << " but "
         << file->sizeBytes() - shortage->offset << " remain";
    return sizes(diag);
  }
  if (file->remainingBytes() == 0)
    return success();
  const CfgSection &at =
      lastWeighted ? *layers[*lastWeighted].section : sections.front();
  InFlightDiagnostic diag = error(at.loc);
  diag << "'" << file->path() << "' has " << file->remainingBytes()
       << " bytes more than the cfg's layers read; ";
  if (lastWeighted)
    diag << "the last layer with weights is " << describe(*lastWeighted, at);
  else
    diag << "no layer has weights";
  return sizes(diag);
}

//===----------------------------------------------------------------------===//
// Layers
//===----------------------------------------------------------------------===//

FailureOr<Value> Importer::previous(int index, const CfgSection &s) {
  if (index == 0)
    return image;
  const Layer &prev = layers[index - 1];
  if (prev.detection)
    return error(s.loc) << describe(index, s) << " reads the output of "
                        << describe(index - 1, *prev.section)
                        << ", which cnnc does not compute (no box decoding); "
                           "use a [route] to an earlier layer";
  return prev.value;
}

FailureOr<Value> Importer::referenced(int index, int64_t ref, SMLoc at) {
  int64_t target = ref < 0 ? index + ref : ref;
  if (target < 0 || target >= index) {
    InFlightDiagnostic diag = error(at);
    diag << "layer " << ref << " does not exist: this is layer " << index;
    if (index == 0)
      return diag << ", the first one";
    return diag << ", which can refer to layers 0 to " << index - 1
                << " (or -1 to -" << index << ")";
  }
  const Layer &layer = layers[target];
  if (layer.detection)
    return error(at) << "layer " << ref << " is "
                     << describe(target, *layer.section)
                     << ", whose output cnnc does not compute (no box "
                        "decoding)";
  return layer.value;
}

LogicalResult Importer::requireImage(int index, const CfgSection &s, Value in) {
  if (shapeOf(in).size() == 4)
    return success();
  return error(s.loc) << "[" << s.type
                      << "] needs an image input [N, C, H, W], but layer "
                      << index - 1 << " gives "
                      << cnn::formatShape(shapeOf(in));
}

FailureOr<Value> Importer::activate(const CfgSection &s, Act act, Value v) {
  Location l = loc(s.loc);
  Type t = v.getType();
  auto unary = [&](cnn::UnaryFn fn, Value x, double p0 = 0,
                   double p1 = 0) -> Value {
    return cnn::UnaryOp::create(builder, l, x.getType(), fn, x,
                                llvm::APFloat(p0), llvm::APFloat(p1));
  };
  switch (act.kind) {
  case Act::Linear:
    return v;
  case Act::Relu:
    return cnn::ReluOp::create(builder, l, t, v).getResult();
  case Act::Relu6:
    return cnn::Relu6Op::create(builder, l, t, v).getResult();
  case Act::Leaky:
    return cnn::LeakyReluOp::create(builder, l, t, v, llvm::APFloat(0.1))
        .getResult();
  case Act::Relie:
    return cnn::LeakyReluOp::create(builder, l, t, v, llvm::APFloat(0.01))
        .getResult();
  case Act::Logistic:
    return cnn::SigmoidOp::create(builder, l, t, v).getResult();
  case Act::Tanh:
    return cnn::TanhOp::create(builder, l, t, v).getResult();
  case Act::Mish:
    return cnn::MishOp::create(builder, l, t, v).getResult();
  case Act::Swish:
    return cnn::SiluOp::create(builder, l, t, v).getResult();
  case Act::Hardtan:
    return cnn::ClipOp::create(builder, l, t, v, builder.getF64FloatAttr(-1),
                               builder.getF64FloatAttr(1))
        .getResult();
  case Act::Unary:
    return unary(act.fn, v, act.p0, act.p1);
  case Act::NormalizeChannels:
  case Act::NormalizeChannelsSoftmax:
  case Act::NormalizeChannelsSoftmaxMaxval:
    break;
  }
  // activations.c: per pixel, over the channels, with eps = 0.0001 in the
  // sum: relu(x) / sum, or exp(x - m) / sum with m the channels' maximum
  // (_maxval) or 0.
  Shape shape = shapeOf(v);
  if (shape.size() != 4)
    return error(valueLoc(s, "activation"))
           << "the normalize_channels activations need an image [N, C, H, W], "
              "not "
           << cnn::formatShape(shape);
  Shape pixels = shape;
  pixels[1] = 1;
  auto reduce = [&](cnn::ReduceKind kind, Value x) -> Value {
    return cnn::ReduceOp::create(builder, l, tensorType(pixels), kind, x,
                                 ArrayRef<int64_t>{1});
  };
  Value terms;
  if (act.kind == Act::NormalizeChannels) {
    terms = cnn::ReluOp::create(builder, l, t, v);
  } else {
    Value x = v;
    if (act.kind == Act::NormalizeChannelsSoftmaxMaxval)
      x = cnn::SubOp::create(builder, l, t, v, reduce(cnn::ReduceKind::max, v));
    terms = unary(cnn::UnaryFn::exp, x);
  }
  Value sum = unary(cnn::UnaryFn::affine, reduce(cnn::ReduceKind::sum, terms),
                    1.0, 0.0001);
  return cnn::DivOp::create(builder, l, t, terms, sum).getResult();
}

FailureOr<SmallVector<Value, 3>>
Importer::batchNormParams(int index, const CfgSection &s, int64_t channels) {
  SmallVector<Value, 3> params;
  for (auto [suffix, init] : {std::pair{"bn.weight", WeightInit::Ones},
                              std::pair{"bn.running_mean", WeightInit::Zeros},
                              std::pair{"bn.running_var", WeightInit::Ones}}) {
    FailureOr<Value> v = param(index, s, suffix, {channels}, init, 0);
    if (failed(v))
      return failure();
    params.push_back(*v);
  }
  return params;
}

Value Importer::batchNorm(Location l, Value x, llvm::ArrayRef<Value> params,
                          Value biases) {
  return cnn::BatchNormOp::create(builder, l, x.getType(), x, params[0], biases,
                                  params[1], params[2],
                                  llvm::APFloat(kBatchNormEps))
      .getResult();
}

/// [batchnorm]: the file holds biases (beta), scales, rolling means and
/// rolling variances of the input's channels.
FailureOr<Value> Importer::batchNormLayer(int index, const CfgSection &s) {
  FailureOr<Value> in = previous(index, s);
  if (failed(in))
    return failure();
  int64_t channels = shapeOf(*in)[1];
  FailureOr<Value> biases =
      param(index, s, "bn.bias", {channels}, WeightInit::Zeros, 0);
  if (failed(biases))
    return failure();
  FailureOr<SmallVector<Value, 3>> params = batchNormParams(index, s, channels);
  if (failed(params))
    return failure();
  return batchNorm(loc(s.loc), *in, *params, *biases);
}

FailureOr<Value> Importer::binarizedWeights(Value weight) {
  auto op = weight.getDefiningOp<cnn::WeightOp>();
  FailureOr<std::vector<float>> values =
      op ? op.readValues() : FailureOr<std::vector<float>>(failure());
  if (failed(values))
    return failure();
  Shape shape = shapeOf(weight);
  int64_t filters = shape[0], size = values->size() / filters;
  for (int64_t f = 0; f < filters; ++f) {
    llvm::MutableArrayRef<float> filter(values->data() + f * size, size);
    double mean = 0;
    for (float w : filter)
      mean += std::fabs(w);
    float magnitude = static_cast<float>(mean / size);
    for (float &w : filter)
      w = w > 0 ? magnitude : -magnitude;
  }
  std::string name = op.getName().str() + ".binary";
  return cnn::WeightOp::create(
             builder, op.getLoc(), builder.getStringAttr(name),
             cnn::createWeightBlob(tensorType(shape), name, *values))
      .getResult();
}

FailureOr<Value> Importer::convolutional(int index, const CfgSection &s) {
  FailureOr<Value> in = previous(index, s);
  if (failed(in) || failed(requireImage(index, s, *in)))
    return failure();
  FailureOr<int64_t> filters = getInt(s, "filters", 1, 1);
  FailureOr<int64_t> size = getInt(s, "size", 1, 1);
  FailureOr<int64_t> stride = getInt(s, "stride", 1, 1);
  FailureOr<int64_t> pad = getInt(s, "pad", 0, 0, 1);
  FailureOr<int64_t> padding = getInt(s, "padding", 0, 0);
  FailureOr<int64_t> groups = getInt(s, "groups", 1, 1);
  FailureOr<int64_t> dilation = getInt(s, "dilation", 1, 1);
  FailureOr<int64_t> bn = getInt(s, "batch_normalize", 0, 0, 1);
  FailureOr<Act> act = getActivation(s, "logistic");
  if (failed(filters) || failed(size) || failed(stride) || failed(pad) ||
      failed(padding) || failed(groups) || failed(dilation) || failed(bn) ||
      failed(act))
    return failure();
  FailureOr<int64_t> strideY = getInt(s, "stride_y", *stride, 1);
  FailureOr<int64_t> strideX = getInt(s, "stride_x", *stride, 1);
  FailureOr<int64_t> antialiasing = getInt(s, "antialiasing", 0, 0, 2);
  FailureOr<int64_t> binary = getInt(s, "binary", 0, 0, 1);
  FailureOr<int64_t> xnor = getInt(s, "xnor", 0, 0, 1);
  // bin_output only selects AlexeyAB's bit-packed kernels (see below).
  FailureOr<int64_t> binOutput = getInt(s, "bin_output", 0, 0, 1);
  if (failed(strideY) || failed(strideX) || failed(antialiasing) ||
      failed(binary) || failed(xnor) || failed(binOutput))
    return failure();
  SmallVector<int64_t> strides = {*strideY, *strideX};
  // Antialiased, the layer runs at stride 1 and a blur takes its strides.
  SmallVector<int64_t> blurStrides = strides;
  if (*antialiasing)
    strides = {1, 1};
  Shape inShape = shapeOf(*in);
  int64_t channels = inShape[1];
  if (channels % *groups != 0 || *filters % *groups != 0)
    return error(valueLoc(s, "groups"))
           << "groups=" << *groups << " must divide the input channels ("
           << channels << ") and filters (" << *filters << ")";
  int64_t d = *size == 1 ? 1 : *dilation; // as Darknet
  int64_t p = (*pad ? *size / 2 : *padding) * d;
  // Darknet sizes its output with (in + 2*padding - size) / stride + 1 and
  // fills it with a dilated im2col; the two agree only for some paddings.
  int64_t darknetPad = *pad ? *size / 2 : *padding;
  for (int i = 0; i < 2; ++i) {
    int64_t dim = inShape[2 + i];
    int64_t darknetOut = (dim + 2 * darknetPad - *size) / strides[i] + 1;
    int64_t out =
        cnn::slidingOutputSize(dim, *size, strides[i], p, p, d, false);
    if (d > 1 && darknetOut != out)
      return error(valueLoc(s, "dilation"))
             << "dilation=" << d << " with size=" << *size
             << " and padding=" << darknetPad << " gives Darknet an output of "
             << darknetOut << " but a dilated convolution of " << out
             << " (Darknet is only consistent with pad=1 and an odd size)";
  }

  Shape kernel = {*filters, channels / *groups, *size, *size};
  FailureOr<ConvParams> params = s.find("share_index")
                                     ? sharedConvParams(index, s)
                                     : readConvParams(index, s, kernel, *bn);
  if (failed(params))
    return failure();
  if (shapeOf(params->weight) != kernel)
    return error(valueLoc(s, "share_index"))
           << "the shared layer's kernel "
           << cnn::formatShape(shapeOf(params->weight))
           << " is not this layer's " << cnn::formatShape(kernel);
  if (params->batchNorm.empty() != !*bn)
    return error(valueLoc(s, "share_index"))
           << "the shared layer's batch_normalize differs from this layer's";
  layers[index].conv = *params;

  Location l = loc(s.loc);
  auto emitErr = [&] { return error(s.loc); };
  SmallVector<int64_t> paddings = {p, p, p, p};
  SmallVector<int64_t> dilations = {d, d};
  FailureOr<Shape> shape = cnn::inferConv2dShape(
      emitErr, inShape, shapeOf(params->weight),
      *bn ? std::nullopt : std::optional<Shape>(Shape{*filters}), strides,
      paddings, dilations, *groups);
  if (failed(shape))
    return failure();
  // XNOR-net (binary=1: weights; xnor=1: weights and input), as Darknet's
  // forward_convolutional_layer computes it: each filter's weights become
  // +-(the mean of their magnitudes), the input x > 0 ? 1 : -1, the padding
  // still 0. (AlexeyAB's CPU inference of aligned xnor layers uses bit-packed
  // kernels instead, whose padding counts as -1.)
  Value weight = params->weight, input = *in;
  if (*binary || *xnor) {
    FailureOr<Value> binarized = binarizedWeights(params->weight);
    if (failed(binarized))
      return failure();
    weight = *binarized;
  }
  if (*xnor)
    input = cnn::UnaryOp::create(builder, l, input.getType(),
                                 cnn::UnaryFn::binarize, input,
                                 llvm::APFloat(0.0), llvm::APFloat(0.0));
  Value conv = cnn::Conv2dOp::create(builder, l, tensorType(*shape), input,
                                     weight, *bn ? Value() : params->biases,
                                     /*residual=*/Value(), strides, paddings,
                                     dilations, *groups, cnn::Activation::none,
                                     llvm::APFloat(0.01));
  if (*bn)
    conv = batchNorm(l, conv, params->batchNorm, params->biases);
  FailureOr<Value> out = activate(s, *act, conv);
  if (failed(out) || !*antialiasing)
    return out;
  return blur(index, s, *out, *antialiasing, blurStrides);
}

/// AlexeyAB's antialiasing (convolutional_layer.c, maxpool_layer.c): after
/// the layer, computed at stride 1, a depthwise blur at the layer's
/// strides: [1 2 1; 2 4 2; 1 2 1] / 16 padded by 1, or with
/// antialiasing=2 the mean of 2x2 unpadded.
Value Importer::blur(int index, const CfgSection &s, Value x, int64_t mode,
                     ArrayRef<int64_t> strides) {
  Location l = loc(s.loc);
  Shape shape = shapeOf(x);
  int64_t c = shape[1], size = mode == 2 ? 2 : 3, pad = mode == 2 ? 0 : 1;
  std::vector<float> kernel =
      mode == 2
          ? std::vector<float>(4, 0.25f)
          : std::vector<float>{1 / 16.f, 2 / 16.f, 1 / 16.f, 2 / 16.f, 4 / 16.f,
                               2 / 16.f, 1 / 16.f, 2 / 16.f, 1 / 16.f};
  std::vector<float> values;
  for (int64_t i = 0; i < c; ++i)
    values.insert(values.end(), kernel.begin(), kernel.end());
  std::string name = "layers." + std::to_string(index) + ".blur";
  Value weight =
      cnn::WeightOp::create(
          builder, l, builder.getStringAttr(name),
          cnn::createWeightBlob(tensorType({c, 1, size, size}), name, values))
          .getResult();
  for (int d = 0; d < 2; ++d)
    shape[2 + d] = (shape[2 + d] + 2 * pad - size) / strides[d] + 1;
  return cnn::Conv2dOp::create(builder, l, tensorType(shape), x, weight,
                               Value(),
                               /*residual=*/Value(), strides,
                               SmallVector<int64_t>{pad, pad, pad, pad},
                               SmallVector<int64_t>{1, 1}, c,
                               cnn::Activation::none, llvm::APFloat(0.01))
      .getResult();
}

FailureOr<ConvParams> Importer::readConvParams(int index, const CfgSection &s,
                                               Shape kernel, bool bn) {
  int64_t filters = kernel[0];
  int64_t fanIn = kernel[1] * kernel[2] * kernel[3];
  // The file holds biases, then scales/mean/variance, then the kernel.
  ConvParams params;
  FailureOr<Value> biases =
      bn ? param(index, s, "bn.bias", {filters}, WeightInit::Zeros, 0)
         : param(index, s, "conv.bias", {filters}, WeightInit::KaimingUniform,
                 fanIn);
  if (failed(biases))
    return failure();
  params.biases = *biases;
  if (bn) {
    FailureOr<SmallVector<Value, 3>> bnParams =
        batchNormParams(index, s, filters);
    if (failed(bnParams))
      return failure();
    params.batchNorm = *bnParams;
  }
  FailureOr<Value> weight =
      param(index, s, "conv.weight", kernel, WeightInit::KaimingUniform, fanIn);
  if (failed(weight))
    return failure();
  params.weight = *weight;
  return params;
}

/// share_index (AlexeyAB's darknet, for TridentNet): the parameters of an
/// earlier [convolutional] layer, which the .weights file holds only once.
FailureOr<ConvParams> Importer::sharedConvParams(int index,
                                                 const CfgSection &s) {
  FailureOr<int64_t> ref = getInt(s, "share_index", std::nullopt, INT32_MIN);
  if (failed(ref))
    return failure();
  int64_t target = *ref < 0 ? index + *ref : *ref;
  SMLoc at = valueLoc(s, "share_index");
  if (target < 0 || target >= index)
    return error(at) << "share_index=" << *ref
                     << " is not an earlier layer (this is layer " << index
                     << ")";
  const Layer &shared = layers[target];
  if (canonicalType(shared.section->type) != "convolutional")
    return error(at) << "share_index=" << *ref << " is "
                     << describe(target, *shared.section)
                     << ", not a [convolutional] layer";
  return shared.conv;
}

FailureOr<Value> Importer::connected(int index, const CfgSection &s) {
  FailureOr<Value> in = previous(index, s);
  FailureOr<int64_t> outputs = getInt(s, "output", 1, 1);
  FailureOr<int64_t> bn = getInt(s, "batch_normalize", 0, 0, 1);
  FailureOr<Act> act = getActivation(s, "logistic");
  if (failed(in) || failed(outputs) || failed(bn) || failed(act))
    return failure();
  Location l = loc(s.loc);
  Value x = *in;
  // Darknet's inputs are the flat C*H*W values of the previous layer.
  if (shapeOf(x).size() != 2) {
    FailureOr<Value> flat = make<cnn::FlattenOp>(
        l, cnn::inferFlattenShape([&] { return error(s.loc); }, shapeOf(x)), x);
    if (failed(flat))
      return failure();
    x = *flat;
  }
  int64_t inputs = shapeOf(x)[1];
  // The file holds biases, the weights, then scales/mean/variance.
  FailureOr<Value> biases =
      *bn ? param(index, s, "bn.bias", {*outputs}, WeightInit::Zeros, 0)
          : param(index, s, "fc.bias", {*outputs}, WeightInit::KaimingUniform,
                  inputs);
  if (failed(biases))
    return failure();
  FailureOr<Value> weight = param(index, s, "fc.weight", {*outputs, inputs},
                                  WeightInit::KaimingUniform, inputs,
                                  file && file->transposedConnected());
  if (failed(weight))
    return failure();
  SmallVector<Value, 3> operands = {x, *weight};
  if (!*bn)
    operands.push_back(*biases);
  FailureOr<Value> y = make<cnn::DenseOp>(
      l,
      cnn::inferDenseShape(
          [&] { return error(s.loc); }, shapeOf(x), shapeOf(*weight),
          *bn ? std::nullopt : std::optional<Shape>(Shape{*outputs})),
      operands);
  if (failed(y))
    return failure();
  if (*bn) {
    FailureOr<SmallVector<Value, 3>> bnParams =
        batchNormParams(index, s, *outputs);
    if (failed(bnParams))
      return failure();
    y = batchNorm(l, *y, *bnParams, *biases);
  }
  return activate(s, *act, *y);
}

/// [maxpool] and [local_avgpool] (maxpool_layer.c): windows of `size`
/// moved by stride_y/stride_x; the average counts only the input values a
/// window covers. [maxpool] with maxpool_depth takes instead, per pixel,
/// the maximum of channels g, g + out_channels, ...
FailureOr<Value> Importer::pool(int index, const CfgSection &s, bool average) {
  FailureOr<Value> in = previous(index, s);
  if (failed(in) || failed(requireImage(index, s, *in)))
    return failure();
  Location l = loc(s.loc);
  Shape inShape = shapeOf(*in);
  FailureOr<int64_t> depth = getInt(s, "maxpool_depth", 0, 0, 1);
  if (failed(depth))
    return failure();
  if (*depth) {
    FailureOr<int64_t> outChannels =
        getInt(s, "out_channels", 1, 1, inShape[1]);
    if (failed(outChannels))
      return failure();
    if (inShape[1] % *outChannels != 0)
      return error(valueLoc(s, "out_channels"))
             << "out_channels=" << *outChannels
             << " must divide the input channels (" << inShape[1] << ")";
    int64_t c = *outChannels, h = inShape[2], w = inShape[3];
    Value split = cnn::ReshapeOp::create(
        builder, l, tensorType({batch, inShape[1] / c, c, h, w}), *in);
    Value max = cnn::ReduceOp::create(
        builder, l, tensorType({batch, 1, c, h, w}), cnn::ReduceKind::max,
        split, ArrayRef<int64_t>{1});
    return cnn::ReshapeOp::create(builder, l, tensorType({batch, c, h, w}), max)
        .getResult();
  }
  FailureOr<int64_t> stride = getInt(s, "stride", 1, 1);
  if (failed(stride))
    return failure();
  FailureOr<int64_t> strideY = getInt(s, "stride_y", *stride, 1);
  FailureOr<int64_t> strideX = getInt(s, "stride_x", *stride, 1);
  FailureOr<int64_t> size = getInt(s, "size", *stride, 1);
  FailureOr<int64_t> antialiasing =
      average ? 0 : getInt(s, "antialiasing", 0, 0, 2);
  if (failed(strideY) || failed(strideX) || failed(size) ||
      failed(antialiasing))
    return failure();
  FailureOr<int64_t> padding = getInt(s, "padding", *size - 1, 0);
  if (failed(padding))
    return failure();
  // Darknet pads padding/2 before and the rest after, but only the padding
  // that some window reads matters: out = (in + padding - size) / stride + 1
  // windows, the last ending at (out - 1) * stride + size - before.
  SmallVector<int64_t> strides = {*strideY, *strideX};
  // Antialiased, the pool runs at stride 1 and a blur takes its strides.
  SmallVector<int64_t> blurStrides = strides;
  if (*antialiasing)
    strides = {1, 1};
  int64_t before = *padding / 2;
  SmallVector<int64_t> pads = {before, before, 0, 0};
  for (int d = 0; d < 2; ++d) {
    int64_t extent = inShape[2 + d];
    int64_t out = (extent + *padding - *size) / strides[d] + 1;
    if (extent + *padding < *size || out < 1)
      return error(s.loc) << "[" << s.type << "] size=" << *size
                          << " does not fit the padded input "
                          << cnn::formatShape(inShape);
    pads[2 + d] =
        std::max<int64_t>((out - 1) * strides[d] + *size - before - extent, 0);
  }
  // cnn's pools (as PyTorch) keep every window partly in the input.
  if (std::max({pads[0], pads[2], pads[3]}) * 2 > *size)
    return error(valueLoc(s, "padding"))
           << "padding=" << *padding << " pads "
           << std::max({pads[0], pads[2], pads[3]})
           << " rows/columns on one side, more than half the window (size="
           << *size << "); cnnc supports at most " << *size / 2;
  SmallVector<int64_t> kernel = {*size, *size};
  SmallVector<NamedAttribute> attrs = {
      builder.getNamedAttr("kernel", builder.getDenseI64ArrayAttr(kernel)),
      builder.getNamedAttr("strides", builder.getDenseI64ArrayAttr(strides)),
      builder.getNamedAttr("padding", builder.getDenseI64ArrayAttr(pads)),
      builder.getNamedAttr("ceil_mode", builder.getBoolAttr(false))};
  FailureOr<Shape> shape = cnn::inferPool2dShape(
      [&] { return error(s.loc); }, inShape, kernel, strides, pads, false);
  if (!average) {
    FailureOr<Value> max = make<cnn::MaxPool2dOp>(l, shape, *in, attrs);
    if (failed(max) || !*antialiasing)
      return max;
    return blur(index, s, *max, *antialiasing, blurStrides);
  }
  attrs.push_back(
      builder.getNamedAttr("count_include_pad", builder.getBoolAttr(false)));
  return make<cnn::AvgPool2dOp>(l, shape, *in, attrs);
}

FailureOr<Value> Importer::avgpool(int index, const CfgSection &s) {
  FailureOr<Value> in = previous(index, s);
  if (failed(in) || failed(requireImage(index, s, *in)))
    return failure();
  Shape inShape = shapeOf(*in);
  return make<cnn::GlobalAvgPoolOp>(loc(s.loc),
                                    Shape{inShape[0], inShape[1], 1, 1}, *in);
}

FailureOr<Value> Importer::route(int index, const CfgSection &s) {
  auto refs = getIntList(s, "layers");
  FailureOr<int64_t> groups = getInt(s, "groups", 1, 1);
  if (failed(refs) || failed(groups))
    return failure();
  FailureOr<int64_t> groupId = getInt(s, "group_id", 0, 0, *groups - 1);
  if (failed(groupId))
    return failure();
  Location l = loc(s.loc);
  SmallVector<Value> parts;
  for (auto [ref, at] : *refs) {
    FailureOr<Value> v = referenced(index, ref, at);
    if (failed(v))
      return failure();
    Shape shape = shapeOf(*v);
    if (!parts.empty()) {
      Shape first = shapeOf(parts.front());
      bool ok = shape.size() == first.size();
      for (size_t d = 2; ok && d < shape.size(); ++d)
        ok = shape[d] == first[d];
      if (!ok)
        return error(at) << "layer " << ref << " has shape "
                         << cnn::formatShape(shape)
                         << ", which cannot be concatenated with "
                         << cnn::formatShape(first)
                         << " (only the channels may differ)";
    }
    if (*groups > 1) {
      if (shape[1] % *groups != 0)
        return error(at) << "layer " << ref << " has " << shape[1]
                         << " channels, not divisible by groups=" << *groups;
      int64_t part = shape[1] / *groups;
      FailureOr<Value> slice = make<cnn::SliceOp>(
          l,
          cnn::inferSliceShape([&] { return error(s.loc); }, shape, 1,
                               *groupId * part, part),
          *v,
          {builder.getNamedAttr("axis", builder.getI64IntegerAttr(1)),
           builder.getNamedAttr("offset",
                                builder.getI64IntegerAttr(*groupId * part)),
           builder.getNamedAttr("size", builder.getI64IntegerAttr(part))});
      if (failed(slice))
        return failure();
      v = slice;
    }
    parts.push_back(*v);
  }
  if (parts.size() == 1)
    return parts.front();
  SmallVector<Shape> shapes;
  for (Value v : parts)
    shapes.push_back(shapeOf(v));
  return make<cnn::ConcatOp>(
      l, cnn::inferConcatShape([&] { return error(s.loc); }, shapes, 1), parts,
      {builder.getNamedAttr("axis", builder.getI64IntegerAttr(1))});
}

FailureOr<Value> Importer::shortcut(int index, const CfgSection &s) {
  FailureOr<Value> in = previous(index, s);
  auto refs = getIntList(s, "from");
  FailureOr<Act> act = getActivation(s, "linear");
  if (failed(in) || failed(refs) || failed(act))
    return failure();
  SmallVector<Value> addends;
  for (auto [ref, at] : *refs) {
    FailureOr<Value> v = referenced(index, ref, at);
    if (failed(v))
      return failure();
    addends.push_back(*v);
  }
  FailureOr<SmallVector<Value>> weights =
      shortcutWeights(index, s, *in, addends);
  if (failed(weights))
    return failure();
  Location l = loc(s.loc);
  // Of the weights, those of the input channels that a layer has.
  auto weighted = [&](Value x, size_t i) -> Value {
    if (weights->empty())
      return x;
    Value w = (*weights)[i];
    int64_t channels = shapeOf(x)[1];
    if (shapeOf(w)[1] > channels)
      w = cnn::SliceOp::create(builder, l, tensorType({1, channels, 1, 1}), w,
                               1, 0, channels);
    return cnn::MulOp::create(builder, l, x.getType(), x, w);
  };
  Value sum = weighted(*in, 0);
  for (auto [i, v] : llvm::enumerate(addends)) {
    // Channels the sum does not have are never added.
    if (!weights->empty() && shapeOf(v)[1] > shapeOf(sum)[1]) {
      Shape cut = shapeOf(v);
      cut[1] = shapeOf(sum)[1];
      v = cnn::SliceOp::create(builder, l, tensorType(cut), v, 1, 0, cut[1]);
    }
    sum = addOverlap(l, sum, weighted(v, i + 1));
  }
  return activate(s, *act, sum);
}

/// A weighted [shortcut] (AlexeyAB's darknet, blas.c,
/// shortcut_multilayer_cpu): one weight per layer (weights_type=per_feature)
/// or per layer and channel (per_channel), the input's first, read from the
/// file; normalised over the layers by weights_normalization: relu(w) /
/// (eps + sum relu(w)), or softmax with eps = 0.0001 in the sum. Returns
/// one [1, C or 1, 1, 1] tensor per layer, or none without weights.
FailureOr<SmallVector<Value>>
Importer::shortcutWeights(int index, const CfgSection &s, Value in,
                          ArrayRef<Value> addends) {
  const CfgOption *typeOption = s.find("weights_type");
  const CfgOption *normOption = s.find("weights_normalization");
  llvm::StringRef type = typeOption ? typeOption->value : "none";
  llvm::StringRef norm = normOption ? normOption->value : "none";
  if (!llvm::is_contained({"none", "per_feature", "per_layer", "per_channel"},
                          type))
    return error(typeOption->valueLoc)
           << "unknown weights_type '" << type
           << "' (Darknet's are none, per_feature, per_layer, per_channel)";
  if (!llvm::is_contained({"none", "relu", "avg_relu", "softmax"}, norm))
    return error(normOption->valueLoc)
           << "unknown weights_normalization '" << norm
           << "' (Darknet's are none, relu, avg_relu, softmax)";
  SmallVector<Value> weights;
  if (type == "none")
    return weights;
  Shape shape = shapeOf(in);
  if (shape.size() != 4)
    return error(typeOption->valueLoc)
           << "a weighted [shortcut] needs an image [N, C, H, W], not "
           << cnn::formatShape(shape);
  if (type == "per_channel")
    for (Value v : addends)
      if (shapeOf(v).size() != 4 || shapeOf(v)[2] != shape[2] ||
          shapeOf(v)[3] != shape[3])
        return error(typeOption->valueLoc)
               << "weights_type=per_channel of layers of other image sizes ("
               << cnn::formatShape(shapeOf(v)) << " and "
               << cnn::formatShape(shape) << "): not supported";
  int64_t layersCount = addends.size() + 1;
  int64_t perLayer = type == "per_channel" ? shape[1] : 1;
  Shape all = {layersCount, perLayer};
  FailureOr<Value> w =
      param(index, s, "shortcut.weight", all, WeightInit::Ones, 0);
  if (failed(w))
    return failure();
  Location l = loc(s.loc);
  Value values = *w;
  if (norm != "none") {
    Shape one = {1, perLayer};
    auto reduce = [&](cnn::ReduceKind kind, Value x) -> Value {
      return cnn::ReduceOp::create(builder, l, tensorType(one), kind, x,
                                   ArrayRef<int64_t>{0});
    };
    Value terms;
    if (norm == "softmax") {
      Value shifted = cnn::SubOp::create(builder, l, values.getType(), values,
                                         reduce(cnn::ReduceKind::max, values));
      terms =
          cnn::UnaryOp::create(builder, l, values.getType(), cnn::UnaryFn::exp,
                               shifted, llvm::APFloat(0.0), llvm::APFloat(0.0));
    } else {
      terms = cnn::ReluOp::create(builder, l, values.getType(), values);
    }
    Value sum =
        cnn::UnaryOp::create(builder, l, tensorType(one), cnn::UnaryFn::affine,
                             reduce(cnn::ReduceKind::sum, terms),
                             llvm::APFloat(1.0), llvm::APFloat(0.0001));
    values = cnn::DivOp::create(builder, l, values.getType(), terms, sum);
  }
  for (int64_t i = 0; i < layersCount; ++i) {
    Value row = cnn::SliceOp::create(builder, l, tensorType({1, perLayer}),
                                     values, 0, i, 1);
    weights.push_back(cnn::ReshapeOp::create(
        builder, l, tensorType({1, perLayer, 1, 1}), row));
  }
  return weights;
}

/// Darknet's shortcut of unequal shapes adds the elements both have, in
/// memory order (blas.c, shortcut_multilayer_cpu): `sum`'s first ones, the
/// rest passed on. Of equal image sizes those are the first channels; of
/// others (the stride-2 shortcuts of Darknet's ResNet cfgs) the flattened
/// tensors' first elements.
Value Importer::addOverlap(Location l, Value sum, Value v) {
  Shape to = shapeOf(sum), from = shapeOf(v);
  auto slice = [&](Value x, int64_t offset, int64_t size) -> Value {
    Shape shape = shapeOf(x);
    shape[1] = size;
    return cnn::SliceOp::create(builder, l, tensorType(shape), x, 1, offset,
                                size);
  };
  auto butChannels = [](Shape s) {
    s.erase(s.begin() + 1);
    return s;
  };
  if (butChannels(to) != butChannels(from)) {
    auto flat = [&](Value x) -> Value {
      int64_t n = ShapedType::getNumElements(shapeOf(x)) / batch;
      return cnn::ReshapeOp::create(builder, l, tensorType({batch, n}), x);
    };
    Value added = addOverlap(l, flat(sum), flat(v));
    return cnn::ReshapeOp::create(builder, l, sum.getType(), added);
  }
  if (from[1] > to[1])
    v = slice(v, 0, to[1]);
  if (from[1] >= to[1])
    return cnn::AddOp::create(builder, l, sum.getType(), sum, v);
  Value head = slice(sum, 0, from[1]);
  head = cnn::AddOp::create(builder, l, head.getType(), head, v);
  return cnn::ConcatOp::create(
      builder, l, sum.getType(),
      ValueRange{head, slice(sum, from[1], to[1] - from[1])}, 1);
}

/// Darknet's reorg_cpu (blas.c) with forward=0 reads its input as
/// [C', H' * s, W' * s] and writes output channel (dy * s + dx) * C' + c of
/// an [s * s * C', H', W'] tensor from rows y * s + dy and columns x * s + dx
/// of channel c: [C', H', s, W', s] transposed to [s, s, C', H', W'].
/// [reorg3d] (reorg_layer.c) calls it with its output sizes, C' = C and
/// H' = H / s: a space-to-depth. [reorg] (reorg_old_layer.c, and
/// pjreddie's [reorg] that YOLOv2 was trained with) calls it with its input
/// sizes: C' = C / (s * s), H' = H; the same values then fill an
/// [s * s * C, H / s, W / s] output.
FailureOr<Value> Importer::reorg(int index, const CfgSection &s,
                                 bool inputSizes) {
  FailureOr<Value> in = previous(index, s);
  if (failed(in) || failed(requireImage(index, s, *in)))
    return failure();
  FailureOr<int64_t> stride = getInt(s, "stride", 1, 1);
  if (failed(stride))
    return failure();
  Shape shape = shapeOf(*in);
  int64_t c = shape[1], h = shape[2], w = shape[3], st = *stride;
  if (h % st != 0 || w % st != 0)
    return error(valueLoc(s, "stride"))
           << "stride=" << st << " must divide the input's height and width ("
           << cnn::formatShape(shape) << ")";
  if (inputSizes && c % (st * st) != 0)
    return error(valueLoc(s, "stride"))
           << "[reorg] with stride=" << st << " needs a multiple of " << st * st
           << " channels, not " << c << " ([reorg3d] takes any)";
  int64_t cc = inputSizes ? c / (st * st) : c;
  int64_t hh = inputSizes ? h : h / st, ww = inputSizes ? w : w / st;
  Location l = loc(s.loc);
  Value split = cnn::ReshapeOp::create(
      builder, l, tensorType({batch, cc, hh, st, ww, st}), *in);
  Value moved = cnn::TransposeOp::create(
      builder, l, tensorType({batch, st, st, cc, hh, ww}), split,
      ArrayRef<int64_t>{0, 3, 5, 1, 2, 4});
  return cnn::ReshapeOp::create(
             builder, l, tensorType({batch, st * st * c, h / st, w / st}),
             moved)
      .getResult();
}

/// [local] (local_layer.c): a locally connected layer, a convolution with
/// its own filters [filters, C, size, size] and biases at each of the
/// output's locations (the file holds the biases [filters, H', W'], then the
/// filters location by location). Darknet pads `pad` pixels (not size/2) and
/// sizes its output (in - (pad ? 1 : size)) / stride + 1. Each location
/// becomes a conv2d of its window of the padded input.
FailureOr<Value> Importer::local(int index, const CfgSection &s) {
  FailureOr<Value> in = previous(index, s);
  if (failed(in) || failed(requireImage(index, s, *in)))
    return failure();
  FailureOr<int64_t> filters = getInt(s, "filters", 1, 1);
  FailureOr<int64_t> size = getInt(s, "size", 1, 1);
  FailureOr<int64_t> stride = getInt(s, "stride", 1, 1);
  FailureOr<int64_t> pad = getInt(s, "pad", 0, 0);
  FailureOr<Act> act = getActivation(s, "logistic");
  if (failed(filters) || failed(size) || failed(stride) || failed(pad) ||
      failed(act))
    return failure();
  Shape inShape = shapeOf(*in);
  int64_t c = inShape[1], k = *size, st = *stride, p = *pad;
  SmallVector<int64_t, 2> outSizes;
  for (int64_t dim : {inShape[2], inShape[3]}) {
    int64_t out = (dim - (p ? 1 : k)) / st + 1;
    // Darknet's im2col reads windows by its own rule; both must agree.
    if (dim - (p ? 1 : k) < 0 || out != (dim + 2 * p - k) / st + 1)
      return error(valueLoc(s, "pad"))
             << "[local] with size=" << k << ", stride=" << st
             << " and pad=" << p << " gives Darknet an output of " << out
             << " but windows for " << (dim + 2 * p - k) / st + 1
             << " (Darknet is only consistent with pad=0, or pad=1 and "
                "size=3)";
    outSizes.push_back(out);
  }
  int64_t oh = outSizes[0], ow = outSizes[1], n = *filters;
  int64_t fanIn = c * k * k;
  FailureOr<Value> biases = param(index, s, "local.bias", {n, oh, ow},
                                  WeightInit::KaimingUniform, fanIn);
  if (failed(biases))
    return failure();
  FailureOr<Value> weights =
      param(index, s, "local.weight", {oh * ow * n, c, k, k},
            WeightInit::KaimingUniform, fanIn);
  if (failed(weights))
    return failure();

  Location l = loc(s.loc);
  Value x = *in;
  if (p)
    x = cnn::PadOp::create(
        builder, l,
        tensorType({batch, c, inShape[2] + 2 * p, inShape[3] + 2 * p}), x,
        SmallVector<int64_t>{0, 0, p, p}, SmallVector<int64_t>{0, 0, p, p},
        cnn::PadMode::constant, llvm::APFloat(0.0));
  auto slice = [&](Value v, int64_t axis, int64_t offset,
                   int64_t length) -> Value {
    Shape shape = shapeOf(v);
    shape[axis] = length;
    return cnn::SliceOp::create(builder, l, tensorType(shape), v, axis, offset,
                                length);
  };
  auto zeros = builder.getDenseI64ArrayAttr({0, 0, 0, 0});
  auto ones = builder.getDenseI64ArrayAttr({1, 1});
  SmallVector<Value> rows;
  for (int64_t y = 0; y < oh; ++y) {
    Value band = slice(x, 2, y * st, k);
    SmallVector<Value> row;
    for (int64_t xx = 0; xx < ow; ++xx) {
      Value window = slice(band, 3, xx * st, k);
      Value filter = slice(*weights, 0, (y * ow + xx) * n, n);
      row.push_back(cnn::Conv2dOp::create(
          builder, l, tensorType({batch, n, 1, 1}), window, filter, Value(),
          /*residual=*/Value(), ones, zeros, ones, 1, cnn::Activation::none,
          llvm::APFloat(0.01)));
    }
    rows.push_back(row.size() == 1
                       ? row.front()
                       : cnn::ConcatOp::create(
                             builder, l, tensorType({batch, n, 1, ow}), row, 3)
                             .getResult());
  }
  Value out = rows.size() == 1
                  ? rows.front()
                  : cnn::ConcatOp::create(
                        builder, l, tensorType({batch, n, oh, ow}), rows, 2)
                        .getResult();
  Value bias =
      cnn::ReshapeOp::create(builder, l, tensorType({1, n, oh, ow}), *biases);
  out = cnn::AddOp::create(builder, l, out.getType(), out, bias);
  return activate(s, *act, out);
}

/// Darknet's crop at inference (crop_layer.c, not training: no flip, the
/// window centred, rounding down): the window, then x * 2 - 1 (pixels from
/// [0, 1] to [-1, 1]) unless noadjust=1.
FailureOr<Value> Importer::crop(int index, const CfgSection &s) {
  FailureOr<Value> in = previous(index, s);
  if (failed(in) || failed(requireImage(index, s, *in)))
    return failure();
  Shape shape = shapeOf(*in);
  FailureOr<int64_t> height = getInt(s, "crop_height", 1, 1, shape[2]);
  FailureOr<int64_t> width = getInt(s, "crop_width", 1, 1, shape[3]);
  FailureOr<int64_t> noadjust = getInt(s, "noadjust", 0, 0, 1);
  if (failed(height) || failed(width) || failed(noadjust))
    return failure();
  Location l = loc(s.loc);
  Value x = *in;
  for (auto [axis, size] : {std::pair(2, *height), std::pair(3, *width)}) {
    if (size == shape[axis])
      continue;
    Shape out = shapeOf(x);
    out[axis] = size;
    x = cnn::SliceOp::create(builder, l, tensorType(out), x, axis,
                             (shape[axis] - size) / 2, size);
  }
  if (*noadjust)
    return x;
  return cnn::UnaryOp::create(builder, l, x.getType(), cnn::UnaryFn::affine, x,
                              llvm::APFloat(2.0), llvm::APFloat(-1.0))
      .getResult();
}

/// The layer `from` times the previous layer: per channel ([C, 1, 1]) or,
/// with scale_wh, per pixel ([1, H, W]) for [scale_channels]; elementwise
/// (the same shape) for [sam]; then the activation.
FailureOr<Value> Importer::scaleLayer(int index, const CfgSection &s,
                                      bool elementwise) {
  FailureOr<Value> in = previous(index, s);
  auto refs = getIntList(s, "from");
  FailureOr<Act> act = getActivation(s, "linear");
  FailureOr<int64_t> perPixel = getInt(s, "scale_wh", 0, 0, 1);
  if (failed(in) || failed(refs) || failed(act) || failed(perPixel))
    return failure();
  if (refs->size() != 1)
    return error(valueLoc(s, "from")) << "[" << s.type << "] scales one layer";
  auto [ref, at] = refs->front();
  FailureOr<Value> from = referenced(index, ref, at);
  if (failed(from))
    return failure();
  Shape scale = shapeOf(*in), shape = shapeOf(*from);
  if (failed(requireImage(index, s, *from)))
    return failure();
  Shape expected = elementwise ? shape
                   : *perPixel ? Shape{batch, 1, shape[2], shape[3]}
                               : Shape{batch, shape[1], 1, 1};
  if (scale != expected)
    return error(s.loc) << "[" << s.type << "] scales layer " << ref << " ("
                        << cnn::formatShape(shape)
                        << ") by the previous layer, "
                        << "which must have shape "
                        << cnn::formatShape(expected) << ", not "
                        << cnn::formatShape(scale);
  Location l = loc(s.loc);
  Value scaled = cnn::MulOp::create(builder, l, from->getType(), *from, *in);
  return activate(s, *act, scaled);
}

/// [upsample] (upsample_layer.c): nearest neighbour by `stride`, times
/// `scale`.
FailureOr<Value> Importer::upsample(int index, const CfgSection &s) {
  FailureOr<Value> in = previous(index, s);
  if (failed(in) || failed(requireImage(index, s, *in)))
    return failure();
  FailureOr<int64_t> stride = getInt(s, "stride", 2, 1);
  FailureOr<double> factor = getFloat(s, "scale", 1.0);
  if (failed(stride) || failed(factor))
    return failure();
  Location l = loc(s.loc);
  SmallVector<int64_t> scale = {*stride, *stride};
  FailureOr<Value> up = make<cnn::UpsampleOp>(
      l,
      cnn::inferUpsampleShape([&] { return error(s.loc); }, shapeOf(*in),
                              scale),
      *in,
      {builder.getNamedAttr("scale", builder.getDenseI64ArrayAttr(scale))});
  if (failed(up) || *factor == 1)
    return up;
  return cnn::UnaryOp::create(builder, l, up->getType(), cnn::UnaryFn::affine,
                              *up, llvm::APFloat(*factor), llvm::APFloat(0.0))
      .getResult();
}

/// Darknet's softmax (softmax_layer.c): of all C*H*W values of an image
/// together, or of each of `groups` equal runs of them, of x / temperature.
/// [N, C, 1, 1] (after [avgpool]) keeps its shape.
FailureOr<Value> Importer::softmax(int index, const CfgSection &s) {
  FailureOr<Value> in = previous(index, s);
  FailureOr<int64_t> groups = getInt(s, "groups", 1, 1);
  FailureOr<double> temperature = getFloat(s, "temperature", 1.0);
  if (failed(in) || failed(groups) || failed(temperature))
    return failure();
  if (*temperature <= 0)
    return error(valueLoc(s, "temperature"))
           << "'temperature' must be > 0, got " << *temperature;
  Location l = loc(s.loc);
  Value x = *in;
  Shape shape = shapeOf(x);
  int64_t n = ShapedType::getNumElements(shape) / batch;
  if (n % *groups != 0)
    return error(valueLoc(s, "groups"))
           << "groups=" << *groups << " must divide the " << n
           << " values of the input " << cnn::formatShape(shape);
  if (*temperature != 1)
    x = cnn::UnaryOp::create(builder, l, x.getType(), cnn::UnaryFn::affine, x,
                             llvm::APFloat(1 / *temperature),
                             llvm::APFloat(0.0));
  // Images are flattened, as before a [connected] layer, but for
  // [N, C, 1, 1] (after [avgpool]).
  bool keep = shape.size() != 4 || (shape[2] == 1 && shape[3] == 1);
  Shape result = keep ? shape : Shape{batch, n};
  if (*groups == 1) {
    if (!keep)
      x = cnn::FlattenOp::create(builder, l, tensorType(result), x);
    return cnn::SoftmaxOp::create(builder, l, x.getType(), x, /*axis=*/1)
        .getResult();
  }
  x = cnn::ReshapeOp::create(builder, l,
                             tensorType({batch, *groups, n / *groups}), x);
  x = cnn::SoftmaxOp::create(builder, l, x.getType(), x, /*axis=*/2);
  return cnn::ReshapeOp::create(builder, l, tensorType(result), x).getResult();
}

FailureOr<Value> Importer::detection(int index, const CfgSection &s) {
  FailureOr<Value> in = previous(index, s);
  if (failed(in))
    return failure();
  llvm::StringRef type = canonicalType(s.type);
  bool yolo = type == "yolo" || type == "Gaussian_yolo";
  bool v1 = type == "detection";
  FailureOr<int64_t> classes = getInt(s, "classes", v1 ? 1 : 20, 0);
  FailureOr<int64_t> num = getInt(s, "num", 1, 1);
  FailureOr<int64_t> coords = type == "yolo" ? 4
                              : type == "Gaussian_yolo"
                                  ? 8
                                  : getInt(s, "coords", v1 ? 1 : 4, 1);
  if (failed(classes) || failed(num) || failed(coords))
    return failure();
  if (v1)
    return yoloV1Detection(index, s, *in, *classes, *num, *coords);
  int64_t anchors = *num;
  if (yolo && s.find("mask")) {
    auto mask = getIntList(s, "mask");
    if (failed(mask))
      return failure();
    anchors = mask->size();
  }
  // Darknet checks that the input holds anchors x (box, objectness,
  // classes) per cell; a mismatch is a cfg error there too.
  Shape shape = shapeOf(*in);
  int64_t expected = anchors * (*coords + 1 + *classes);
  if (shape.size() != 4 || shape[1] != expected)
    return error(s.loc) << "[" << s.type << "] with " << anchors
                        << " anchors and classes=" << *classes << " needs "
                        << anchors << " * (" << *coords << " + 1 + " << *classes
                        << ") = " << expected << " input channels, but layer "
                        << index - 1 << " gives " << cnn::formatShape(shape);
  return *in;
}

FailureOr<Value> Importer::yoloV1Detection(int index, const CfgSection &s,
                                           Value in, int64_t classes,
                                           int64_t num, int64_t coords) {
  FailureOr<int64_t> side = getInt(s, "side", 7, 1);
  FailureOr<int64_t> softmax = getInt(s, "softmax", 0, 0, 1);
  if (failed(side) || failed(softmax))
    return failure();
  Shape shape = shapeOf(in);
  int64_t cells = *side * *side;
  int64_t expected = cells * (classes + num * (1 + coords));
  if (shape.size() != 2 || shape[1] != expected)
    return error(s.loc) << "[detection] with side=" << *side
                        << ", classes=" << classes << ", num=" << num
                        << " and coords=" << coords << " needs " << cells
                        << " * (" << classes << " + " << num << " * (1 + "
                        << coords << ")) = " << expected << " values [" << batch
                        << ", " << expected << "] (a [connected] "
                        << "layer), but layer " << index - 1 << " gives "
                        << cnn::formatShape(shape);
  if (!*softmax)
    return in;
  Location l = loc(s.loc);
  int64_t scores = cells * classes;
  Value probs = cnn::SliceOp::create(builder, l, tensorType({batch, scores}),
                                     in, 1, 0, scores);
  probs = cnn::ReshapeOp::create(builder, l,
                                 tensorType({batch, cells, classes}), probs);
  probs = cnn::SoftmaxOp::create(builder, l, probs.getType(), probs, 2);
  probs =
      cnn::ReshapeOp::create(builder, l, tensorType({batch, scores}), probs);
  Value boxes =
      cnn::SliceOp::create(builder, l, tensorType({batch, expected - scores}),
                           in, 1, scores, expected - scores);
  return cnn::ConcatOp::create(builder, l, in.getType(),
                               ValueRange{probs, boxes}, 1)
      .getResult();
}

FailureOr<Value> Importer::importLayer(int index, const CfgSection &s) {
  llvm::StringRef type = canonicalType(s.type);
  if (type == "convolutional")
    return convolutional(index, s);
  if (type == "connected")
    return connected(index, s);
  if (type == "maxpool" || type == "local_avgpool")
    return pool(index, s, type == "local_avgpool");
  if (type == "avgpool")
    return avgpool(index, s);
  if (type == "route")
    return route(index, s);
  if (type == "shortcut")
    return shortcut(index, s);
  if (type == "upsample")
    return upsample(index, s);
  if (type == "reorg" || type == "reorg3d")
    return reorg(index, s, type == "reorg");
  if (type == "crop")
    return crop(index, s);
  if (type == "local")
    return local(index, s);
  if (type == "scale_channels" || type == "sam")
    return scaleLayer(index, s, type == "sam");
  if (type == "activation") {
    FailureOr<Value> in = previous(index, s);
    FailureOr<Act> act = getActivation(s, "linear");
    if (failed(in) || failed(act))
      return failure();
    return activate(s, *act, *in);
  }
  if (type == "batchnorm")
    return batchNormLayer(index, s);
  if (type == "softmax")
    return softmax(index, s);
  if (type == "dropout" || type == "cost") // inference: identity
    return previous(index, s);
  if (isHead(type))
    return detection(index, s);
  llvm_unreachable("checkSections() accepted an unknown section");
}

//===----------------------------------------------------------------------===//
// The model
//===----------------------------------------------------------------------===//

OwningOpRef<ModuleOp> Importer::run() {
  if (failed(checkSections()))
    return nullptr;
  const CfgSection &net = sections.front();
  FailureOr<int64_t> width = getInt(net, "width", std::nullopt, 1);
  FailureOr<int64_t> height = getInt(net, "height", std::nullopt, 1);
  FailureOr<int64_t> channels = getInt(net, "channels", std::nullopt, 1);
  if (failed(width) || failed(height) || failed(channels))
    return nullptr;
  // Zoo cfgs ship their training batch; the compiled one is the caller's
  // (Darknet detects with batch 1).
  if (failed(getInt(net, "batch", 1, 1)))
    return nullptr;

  Location netLoc = loc(net.loc);
  OwningOpRef<ModuleOp> module = ModuleOp::create(netLoc);
  builder.setInsertionPointToEnd(module->getBody());
  RankedTensorType inputType = tensorType({batch, *channels, *height, *width});
  std::string name = cnnc::modelNameFromPath(fileName());
  auto func = func::FuncOp::create(builder, netLoc, name,
                                   builder.getFunctionType({inputType}, {}));
  func.setArgAttr(0, "cnn.name", builder.getStringAttr("image"));
  builder.setInsertionPointToStart(func.addEntryBlock());
  image = func.getArgument(0);

  SmallVector<Value> outputs;
  SmallVector<std::string> outputNames;
  for (auto [i, s] : llvm::enumerate(sections.drop_front())) {
    int index = static_cast<int>(i);
    bool isDetection = isHead(canonicalType(s.type));
    layers.push_back({Value(), &s, isDetection, ConvParams()});
    FailureOr<Value> value = importLayer(index, s);
    if (failed(value))
      return nullptr;
    layers.back().value = *value;
    if (isDetection) {
      // One tensor returned twice is not a meaningful model (and the
      // buffer-results-to-out-params pass does not handle it).
      if (auto it = llvm::find(outputs, *value); it != outputs.end()) {
        error(s.loc) << describe(index, s) << " has the same input as "
                     << outputNames[it - outputs.begin()]
                     << "; each output must be a different tensor";
        return nullptr;
      }
      outputs.push_back(*value);
      outputNames.push_back(canonicalType(s.type).lower() +
                            std::to_string(index));
    }
  }
  if (failed(checkAllWeightsRead()))
    return nullptr;
  if (outputs.empty()) {
    outputs.push_back(layers.back().value);
    outputNames.push_back("output");
  }
  func::ReturnOp::create(builder, netLoc, outputs);
  func.setType(
      builder.getFunctionType({inputType}, ValueRange(outputs).getTypes()));
  for (auto [i, outputName] : llvm::enumerate(outputNames))
    func.setResultAttr(i, "cnn.name", builder.getStringAttr(outputName));
  if (failed(verify(*module)))
    return nullptr;
  return module;
}

} // namespace

OwningOpRef<ModuleOp> cnnc::importDarknet(MLIRContext &context,
                                          const llvm::SourceMgr &sourceMgr,
                                          std::optional<WeightsFile> weights,
                                          uint64_t seed, int64_t batch) {
  context.loadDialect<cnn::CnnDialect, func::FuncDialect>();
  std::optional<std::vector<CfgSection>> sections = parseCfg(sourceMgr);
  if (!sections)
    return nullptr;
  return Importer(context, sourceMgr, *sections, std::move(weights), seed,
                  batch)
      .run();
}
