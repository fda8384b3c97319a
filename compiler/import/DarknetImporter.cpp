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
// - [shortcut]: act(previous + from...) of equal shapes.
// - [yolo]/[region]: their input becomes a model output (no box decoding).
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

enum class Act {
  Linear,
  Relu,
  Relu6,
  Leaky,
  Logistic,
  Tanh,
  Mish,
  Swish,
  Elu,
  Selu,
  Relie,
  Hardtan
};

std::optional<Act> parseActivation(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<Act>>(name)
      .Case("linear", Act::Linear)
      .Case("relu", Act::Relu)
      .Case("relu6", Act::Relu6)
      .Case("leaky", Act::Leaky)
      .Case("logistic", Act::Logistic)
      .Case("tanh", Act::Tanh)
      .Case("mish", Act::Mish)
      .Case("swish", Act::Swish)
      .Case("elu", Act::Elu)
      .Case("selu", Act::Selu)
      .Case("relie", Act::Relie)
      .Case("hardtan", Act::Hardtan)
      .Default(std::nullopt);
}

//===----------------------------------------------------------------------===//
// The importer
//===----------------------------------------------------------------------===//

/// AlexeyAB's darknet normalises with sqrt(variance + .00001f).
constexpr double kBatchNormEps = 1e-5;

/// A layer's output, by Darknet layer index.
struct Layer {
  Value value;
  const CfgSection *section;
  bool detection = false; // [yolo]/[region]: its own output is not computed
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
           uint64_t seed)
      : builder(&context), sourceMgr(sourceMgr), sections(sections),
        file(std::move(file)), seeded(seed) {}

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
  FailureOr<SmallVector<std::pair<int64_t, SMLoc>>>
  getIntList(const CfgSection &s, llvm::StringRef key);
  FailureOr<Act> getActivation(const CfgSection &s, llvm::StringRef dflt);

  // Layers.
  FailureOr<Value> previous(int index, const CfgSection &s);
  FailureOr<Value> referenced(int index, int64_t ref, SMLoc at);
  LogicalResult requireImage(int index, const CfgSection &s, Value in);
  FailureOr<Value> importLayer(int index, const CfgSection &s);
  FailureOr<Value> convolutional(int index, const CfgSection &s);
  FailureOr<Value> connected(int index, const CfgSection &s);
  FailureOr<Value> maxpool(int index, const CfgSection &s);
  FailureOr<Value> avgpool(int index, const CfgSection &s);
  FailureOr<Value> route(int index, const CfgSection &s);
  FailureOr<Value> shortcut(int index, const CfgSection &s);
  FailureOr<Value> upsample(int index, const CfgSection &s);
  FailureOr<Value> reorg(int index, const CfgSection &s);
  FailureOr<Value> crop(int index, const CfgSection &s);
  FailureOr<Value> scaleChannels(int index, const CfgSection &s);
  FailureOr<Value> softmax(int index, const CfgSection &s);
  FailureOr<Value> detection(int index, const CfgSection &s);
  Value activate(Act act, Value v, Location l);
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
           << "unsupported activation '" << option->value
           << "' (cnnc supports linear, relu, relu6, leaky, logistic, tanh, "
              "mish, swish, elu, selu, relie, hardtan)";
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

Value Importer::activate(Act act, Value v, Location l) {
  Type t = v.getType();
  switch (act) {
  case Act::Linear:
    return v;
  case Act::Relu:
    return cnn::ReluOp::create(builder, l, t, v);
  case Act::Relu6:
    return cnn::Relu6Op::create(builder, l, t, v);
  case Act::Leaky:
    return cnn::LeakyReluOp::create(builder, l, t, v, llvm::APFloat(0.1));
  case Act::Logistic:
    return cnn::SigmoidOp::create(builder, l, t, v);
  case Act::Tanh:
    return cnn::TanhOp::create(builder, l, t, v);
  case Act::Mish:
    return cnn::MishOp::create(builder, l, t, v);
  case Act::Swish:
    return cnn::SiluOp::create(builder, l, t, v);
  case Act::Elu:
    return cnn::UnaryOp::create(builder, l, t, cnn::UnaryFn::elu, v,
                                llvm::APFloat(1.0), llvm::APFloat(0.0));
  case Act::Selu: // darknet's constants, rounded
    return cnn::UnaryOp::create(builder, l, t, cnn::UnaryFn::selu, v,
                                llvm::APFloat(1.6732), llvm::APFloat(1.0507));
  case Act::Relie:
    return cnn::LeakyReluOp::create(builder, l, t, v, llvm::APFloat(0.01));
  case Act::Hardtan:
    return cnn::ClipOp::create(builder, l, t, v, builder.getF64FloatAttr(-1),
                               builder.getF64FloatAttr(1));
  }
  llvm_unreachable("unknown activation");
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
  for (int64_t dim : {inShape[2], inShape[3]}) {
    int64_t darknetOut = (dim + 2 * darknetPad - *size) / *stride + 1;
    int64_t out = cnn::slidingOutputSize(dim, *size, *stride, p, p, d, false);
    if (d > 1 && darknetOut != out)
      return error(valueLoc(s, "dilation"))
             << "dilation=" << d << " with size=" << *size
             << " and padding=" << darknetPad << " gives Darknet an output of "
             << darknetOut << " but a dilated convolution of " << out
             << " (Darknet is only consistent with pad=1 and an odd size)";
  }

  Location l = loc(s.loc);
  int64_t fanIn = channels / *groups * *size * *size;
  // The file holds biases, then scales/mean/variance, then the kernel.
  FailureOr<Value> biases =
      *bn ? param(index, s, "bn.bias", {*filters}, WeightInit::Zeros, 0)
          : param(index, s, "conv.bias", {*filters}, WeightInit::KaimingUniform,
                  fanIn);
  if (failed(biases))
    return failure();
  FailureOr<SmallVector<Value, 3>> bnParams;
  if (*bn && failed(bnParams = batchNormParams(index, s, *filters)))
    return failure();
  FailureOr<Value> weight = param(index, s, "conv.weight",
                                  {*filters, channels / *groups, *size, *size},
                                  WeightInit::KaimingUniform, fanIn);
  if (failed(weight))
    return failure();

  auto emitErr = [&] { return error(s.loc); };
  SmallVector<int64_t> strides = {*stride, *stride};
  SmallVector<int64_t> paddings = {p, p, p, p};
  SmallVector<int64_t> dilations = {d, d};
  FailureOr<Shape> shape = cnn::inferConv2dShape(
      emitErr, inShape, shapeOf(*weight),
      *bn ? std::nullopt : std::optional<Shape>(Shape{*filters}), strides,
      paddings, dilations, *groups);
  if (failed(shape))
    return failure();
  Value conv = cnn::Conv2dOp::create(
      builder, l, tensorType(*shape), *in, *weight, *bn ? Value() : *biases,
      /*residual=*/Value(), strides, paddings, dilations, *groups,
      cnn::Activation::none, llvm::APFloat(0.01));
  if (*bn)
    conv = batchNorm(l, conv, *bnParams, *biases);
  return activate(*act, conv, l);
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
  return activate(*act, *y, l);
}

FailureOr<Value> Importer::maxpool(int index, const CfgSection &s) {
  FailureOr<Value> in = previous(index, s);
  if (failed(in) || failed(requireImage(index, s, *in)))
    return failure();
  FailureOr<int64_t> stride = getInt(s, "stride", 1, 1);
  if (failed(stride))
    return failure();
  FailureOr<int64_t> size = getInt(s, "size", *stride, 1);
  if (failed(size))
    return failure();
  FailureOr<int64_t> padding = getInt(s, "padding", *size - 1, 0);
  if (failed(padding))
    return failure();
  // Darknet pads padding/2 before and the rest after, but only the padding
  // that some window reads matters: out = (in + padding - size) / stride + 1
  // windows, the last ending at (out - 1) * stride + size - before.
  Shape inShape = shapeOf(*in);
  int64_t before = *padding / 2;
  SmallVector<int64_t> pads = {before, before, 0, 0};
  for (int d = 0; d < 2; ++d) {
    int64_t extent = inShape[2 + d];
    int64_t out = (extent + *padding - *size) / *stride + 1;
    if (extent + *padding < *size || out < 1)
      return error(s.loc) << "maxpool size=" << *size
                          << " does not fit the padded input "
                          << cnn::formatShape(inShape);
    pads[2 + d] =
        std::max<int64_t>((out - 1) * *stride + *size - before - extent, 0);
  }
  // cnn.maxpool2d (as PyTorch) keeps every window partly in the input.
  if (std::max({pads[0], pads[2], pads[3]}) * 2 > *size)
    return error(valueLoc(s, "padding"))
           << "padding=" << *padding << " pads "
           << std::max({pads[0], pads[2], pads[3]})
           << " rows/columns on one side, more than half the window (size="
           << *size << "); cnnc supports at most " << *size / 2;
  SmallVector<int64_t> kernel = {*size, *size}, strides = {*stride, *stride};
  return make<cnn::MaxPool2dOp>(
      loc(s.loc),
      cnn::inferPool2dShape([&] { return error(s.loc); }, shapeOf(*in), kernel,
                            strides, pads, false),
      *in,
      {builder.getNamedAttr("kernel", builder.getDenseI64ArrayAttr(kernel)),
       builder.getNamedAttr("strides", builder.getDenseI64ArrayAttr(strides)),
       builder.getNamedAttr("padding", builder.getDenseI64ArrayAttr(pads)),
       builder.getNamedAttr("ceil_mode", builder.getBoolAttr(false))});
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
  Location l = loc(s.loc);
  Value sum = *in;
  for (auto [ref, at] : *refs) {
    FailureOr<Value> v = referenced(index, ref, at);
    if (failed(v))
      return failure();
    sum = addOverlap(l, sum, *v);
  }
  return activate(*act, sum, l);
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
      int64_t n = ShapedType::getNumElements(shapeOf(x));
      return cnn::ReshapeOp::create(builder, l, tensorType({1, n}), x);
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

/// Darknet's reorg (blas.c, reorg_cpu, as the layer calls it): a
/// space-to-depth whose output channel (dy * stride + dx) * C + c holds
/// input channel c at rows y * stride + dy and columns x * stride + dx;
/// [C, H/s, s, W/s, s] transposed to [s, s, C, H/s, W/s].
FailureOr<Value> Importer::reorg(int index, const CfgSection &s) {
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
  Location l = loc(s.loc);
  Value split = cnn::ReshapeOp::create(
      builder, l, tensorType({1, c, h / st, st, w / st, st}), *in);
  Value moved = cnn::TransposeOp::create(
      builder, l, tensorType({1, st, st, c, h / st, w / st}), split,
      ArrayRef<int64_t>{0, 3, 5, 1, 2, 4});
  return cnn::ReshapeOp::create(
             builder, l, tensorType({1, st * st * c, h / st, w / st}), moved)
      .getResult();
}

/// Darknet's crop at inference (crop_layer.c, not training: no flip, the
/// window centred, rounding down): the window, then x * 2 - 1 (pixels from
/// [0, 1] to [-1, 1]) unless noadjust=1, as a depthwise 1x1 conv (exact:
/// x * 2 is).
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
  int64_t c = shape[1];
  std::string name = "layers." + std::to_string(index) + ".crop";
  auto constant = [&](llvm::StringRef suffix, Shape dims, float value) {
    std::string weightName = name + suffix.str();
    return cnn::WeightOp::create(
               builder, l, builder.getStringAttr(weightName),
               cnn::createWeightBlob(
                   tensorType(dims), weightName,
                   std::vector<float>(ShapedType::getNumElements(dims), value)))
        .getResult();
  };
  Value scale = constant(".scale", {c, 1, 1, 1}, 2.0f);
  Value shift = constant(".shift", {c}, -1.0f);
  return cnn::Conv2dOp::create(builder, l, x.getType(), x, scale, shift,
                               /*residual=*/Value(),
                               builder.getDenseI64ArrayAttr({1, 1}),
                               builder.getDenseI64ArrayAttr({0, 0, 0, 0}),
                               builder.getDenseI64ArrayAttr({1, 1}), c,
                               cnn::Activation::none, llvm::APFloat(0.0))
      .getResult();
}

/// The layer `from` scaled by the previous layer: per channel ([C, 1, 1])
/// or, with scale_wh, per pixel ([1, H, W]); then the activation.
FailureOr<Value> Importer::scaleChannels(int index, const CfgSection &s) {
  FailureOr<Value> in = previous(index, s);
  auto refs = getIntList(s, "from");
  FailureOr<Act> act = getActivation(s, "linear");
  FailureOr<int64_t> perPixel = getInt(s, "scale_wh", 0, 0, 1);
  if (failed(in) || failed(refs) || failed(act) || failed(perPixel))
    return failure();
  if (refs->size() != 1)
    return error(valueLoc(s, "from")) << "[scale_channels] scales one layer";
  auto [ref, at] = refs->front();
  FailureOr<Value> from = referenced(index, ref, at);
  if (failed(from))
    return failure();
  Shape scale = shapeOf(*in), shape = shapeOf(*from);
  if (failed(requireImage(index, s, *from)))
    return failure();
  Shape expected =
      *perPixel ? Shape{1, 1, shape[2], shape[3]} : Shape{1, shape[1], 1, 1};
  if (scale != expected)
    return error(s.loc) << "[scale_channels] scales layer " << ref << " ("
                        << cnn::formatShape(shape)
                        << ") by the previous layer, "
                        << "which must have shape "
                        << cnn::formatShape(expected) << ", not "
                        << cnn::formatShape(scale);
  Location l = loc(s.loc);
  Value scaled = cnn::MulOp::create(builder, l, from->getType(), *from, *in);
  return activate(*act, scaled, l);
}

FailureOr<Value> Importer::upsample(int index, const CfgSection &s) {
  FailureOr<Value> in = previous(index, s);
  if (failed(in) || failed(requireImage(index, s, *in)))
    return failure();
  FailureOr<int64_t> stride = getInt(s, "stride", 2, 1);
  if (failed(stride))
    return failure();
  SmallVector<int64_t> scale = {*stride, *stride};
  return make<cnn::UpsampleOp>(
      loc(s.loc),
      cnn::inferUpsampleShape([&] { return error(s.loc); }, shapeOf(*in),
                              scale),
      *in,
      {builder.getNamedAttr("scale", builder.getDenseI64ArrayAttr(scale))});
}

FailureOr<Value> Importer::softmax(int index, const CfgSection &s) {
  FailureOr<Value> in = previous(index, s);
  FailureOr<int64_t> groups = getInt(s, "groups", 1, 1, 1);
  if (failed(in) || failed(groups))
    return failure();
  Location l = loc(s.loc);
  Value x = *in;
  Shape shape = shapeOf(x);
  // Darknet normalises all C*H*W values of an image together; [N, C, 1, 1]
  // (after [avgpool]) keeps its shape.
  bool keep = shape.size() == 4 && shape[2] == 1 && shape[3] == 1;
  if (!keep && shape.size() != 2) {
    FailureOr<Value> flat = make<cnn::FlattenOp>(
        l, cnn::inferFlattenShape([&] { return error(s.loc); }, shape), x);
    if (failed(flat))
      return failure();
    x = *flat;
  }
  return cnn::SoftmaxOp::create(builder, l, x.getType(), x, /*axis=*/1)
      .getResult();
}

FailureOr<Value> Importer::detection(int index, const CfgSection &s) {
  FailureOr<Value> in = previous(index, s);
  if (failed(in))
    return failure();
  bool yolo = canonicalType(s.type) == "yolo";
  FailureOr<int64_t> classes = getInt(s, "classes", 20, 0);
  FailureOr<int64_t> num = getInt(s, "num", 1, 1);
  FailureOr<int64_t> coords = yolo ? 4 : getInt(s, "coords", 4, 1);
  if (failed(classes) || failed(num) || failed(coords))
    return failure();
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

FailureOr<Value> Importer::importLayer(int index, const CfgSection &s) {
  llvm::StringRef type = canonicalType(s.type);
  if (type == "convolutional")
    return convolutional(index, s);
  if (type == "connected")
    return connected(index, s);
  if (type == "maxpool")
    return maxpool(index, s);
  if (type == "avgpool")
    return avgpool(index, s);
  if (type == "route")
    return route(index, s);
  if (type == "shortcut")
    return shortcut(index, s);
  if (type == "upsample")
    return upsample(index, s);
  if (type == "reorg")
    return reorg(index, s);
  if (type == "crop")
    return crop(index, s);
  if (type == "scale_channels")
    return scaleChannels(index, s);
  if (type == "softmax")
    return softmax(index, s);
  if (type == "dropout" || type == "cost") // inference: identity
    return previous(index, s);
  if (type == "yolo" || type == "region")
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
  // Zoo cfgs ship their training batch; detection runs batch 1.
  if (failed(getInt(net, "batch", 1, 1)))
    return nullptr;

  Location netLoc = loc(net.loc);
  OwningOpRef<ModuleOp> module = ModuleOp::create(netLoc);
  builder.setInsertionPointToEnd(module->getBody());
  RankedTensorType inputType = tensorType({1, *channels, *height, *width});
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
    FailureOr<Value> value = importLayer(index, s);
    if (failed(value))
      return nullptr;
    bool isDetection =
        canonicalType(s.type) == "yolo" || canonicalType(s.type) == "region";
    layers.push_back({*value, &s, isDetection});
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
      outputNames.push_back(canonicalType(s.type).str() +
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
                                          uint64_t seed) {
  context.loadDialect<cnn::CnnDialect, func::FuncDialect>();
  std::optional<std::vector<CfgSection>> sections = parseCfg(sourceMgr);
  if (!sections)
    return nullptr;
  return Importer(context, sourceMgr, *sections, std::move(weights), seed)
      .run();
}
