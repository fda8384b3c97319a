//===- CnnPrinter.cpp - the cnn dialect as .cnn source --------------------===//
//
// The inverse of MLIRGen, for `--emit=cnn-text`. Ops are printed in order;
// an op whose first operand is the previous statement's value, used nowhere
// else, continues that statement as a pipe stage (`conv2d(..) |> relu |>
// maxpool2d(kernel=2)`), except layers and concat, which start statements. A
// layer's weights are named after its statement, as MLIRGen names them, so
// statement names come from the weights' own names where those are PyTorch-like
// (`layer1.0.conv1.weight`), else from ONNX node names, else from the op.
// Outputs are bound under their own names and exported at the end, in the
// function's result order, so the C API stays the same.
//
//===----------------------------------------------------------------------===//

#include "compiler/frontend/CnnPrinter.h"
#include "compiler/frontend/MLIRGen.h"
#include "dialects/cnn/CnnOps.h"
#include "dialects/cnn/CnnUnary.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

using namespace mlir;
using namespace cnnc;

namespace {

/// The shortest text that reads back as `v` (0.2, not 0.20000000000000001).
std::string formatDouble(double v) {
  for (int digits = 1; digits <= 17; ++digits) {
    char text[40];
    std::snprintf(text, sizeof(text), "%.*g", digits, v);
    if (std::strtod(text, nullptr) == v)
      return text;
  }
  return std::to_string(v);
}

std::string formatFloat(float v) {
  for (int digits = 1; digits <= 9; ++digits) {
    char text[40];
    std::snprintf(text, sizeof(text), "%.*g", digits, static_cast<double>(v));
    if (std::strtof(text, nullptr) == v)
      return text;
  }
  return std::to_string(v);
}

std::string list(llvm::ArrayRef<int64_t> values, const char *open = "[",
                 const char *close = "]") {
  std::string s = open;
  llvm::raw_string_ostream os(s);
  llvm::interleaveComma(values, os);
  return s + close;
}

/// An integer or an (h, w) pair, as kernel/stride/dilation/scale take them.
std::string pair(llvm::ArrayRef<int64_t> hw) {
  return hw[0] == hw[1] ? std::to_string(hw[0]) : list(hw, "(", ")");
}

/// cnn's [top, left, bottom, right] in the shortest .cnn padding form.
std::string padding(llvm::ArrayRef<int64_t> p) {
  if (p[0] == p[2] && p[1] == p[3])
    return pair({p[0], p[1]});
  return list(p, "(", ")");
}

/// `raw` as a .cnn name: identifier characters and dots that separate them.
std::string identifier(llvm::StringRef raw) {
  std::string s;
  for (char c : raw)
    s += llvm::isAlnum(c) || c == '.' ? c : '_';
  // A dot must sit between identifier characters (the lexer's rule).
  for (size_t i = 0; i < s.size(); ++i)
    if (s[i] == '.' &&
        (i == 0 || i + 1 == s.size() || s[i + 1] == '.' || s[i - 1] == '.'))
      s[i] = '_';
  std::string collapsed;
  for (char c : s)
    if (c != '_' || (!collapsed.empty() && collapsed.back() != '_'))
      collapsed += c;
  while (!collapsed.empty() && collapsed.back() == '_')
    collapsed.pop_back();
  if (collapsed.empty() || !llvm::isAlpha(collapsed[0]))
    collapsed = "t" + collapsed;
  return collapsed;
}

/// PyTorch names ONNX nodes by module scope and op, each scope extending
/// its parent's name: "/layer1/layer1.0/conv1/Conv" is in module
/// "layer1.0.conv1", "/features/features.1/conv/conv.0/Conv" in
/// "features.1.conv.0". Other names are returned as they are.
std::string modulePath(llvm::StringRef name) {
  SmallVector<llvm::StringRef> scopes;
  name.split(scopes, '/', -1, /*KeepEmpty=*/false);
  if (!name.starts_with("/") || scopes.size() < 2)
    return name.str();
  SmallVector<llvm::StringRef> path;
  for (llvm::StringRef scope : llvm::ArrayRef(scopes).drop_back()) {
    if (!path.empty() && scope.starts_with((path.back() + ".").str()))
      path.back() = scope;
    else
      path.push_back(scope);
  }
  return llvm::join(path, ".");
}

/// Ops that continue a statement as a pipe stage when their first operand
/// is its value: all but layers (a statement names one layer) and concat.
bool isPipeStage(Operation *op) {
  return !isa<cnn::Conv2dOp, cnn::DenseOp, cnn::BatchNormOp, cnn::ConcatOp>(op);
}

std::string activationName(cnn::Activation activation, double alpha) {
  if (activation == cnn::Activation::leaky_relu)
    return "leaky_relu(alpha=" + formatDouble(alpha) + ")";
  return cnn::stringifyActivation(activation).str();
}

/// One statement: `NAME = text`.
struct Statement {
  std::string text;
  Value value;
  Operation *first = nullptr; // the op the statement starts with
  Operation *layer = nullptr; // the op whose weights take the name
};

class Printer {
public:
  Printer(func::FuncOp func) : func(func) {}
  FailureOr<CnnText> run(llvm::StringRef weightsFile, llvm::StringRef origin);

private:
  std::string unique(llvm::StringRef base, bool mayBeOp = false);
  /// A name for a statement starting with `op`.
  std::string nameFor(const Statement &stmt);
  /// The text that refers to `v`: its binding, after printing a literal
  /// statement for a constant the first time.
  FailureOr<std::string> ref(Value v);
  FailureOr<std::string> literal(cnn::WeightOp weight);
  /// The call expression of `op`; the text of a pipe stage when `piped`.
  FailureOr<std::string> call(Operation *op, bool piped);
  FailureOr<std::string> args(Operation *op, ValueRange operands, bool piped);
  LogicalResult close();
  LogicalResult addWeight(const std::string &layer, llvm::StringRef suffix,
                          Value weight, Operation *user);

  func::FuncOp func;
  llvm::StringSet<> used;
  llvm::DenseMap<Value, std::string> names;
  llvm::DenseMap<unsigned, std::string> outputNames; // result -> name
  llvm::DenseMap<Value, unsigned> firstResult;       // value -> result
  std::optional<Statement> current;
  std::vector<std::string> lines;
  std::vector<NamedTensor> weights;
};

/// `base`, or `base_N`: unused and, unless `mayBeOp` (inputs and outputs
/// keep their names, the C API's), no op's name (`relu = relu(x)` reads
/// badly).
std::string Printer::unique(llvm::StringRef base, bool mayBeOp) {
  std::string name = base.str();
  for (int i = 1; used.contains(name) || (!mayBeOp && isBuiltinOp(name)); ++i)
    name = (base + "_" + llvm::Twine(i)).str();
  used.insert(name);
  return name;
}

std::string Printer::nameFor(const Statement &stmt) {
  // An output's value is bound under the output's name.
  if (auto it = firstResult.find(stmt.value); it != firstResult.end())
    return outputNames[it->second];
  if (stmt.layer) {
    if (auto weight =
            stmt.layer->getOperand(1).getDefiningOp<cnn::WeightOp>()) {
      llvm::StringRef name = weight.getName();
      if (name.consume_back(".weight")) {
        std::string id = identifier(name);
        if (id == name && !used.contains(id) && !isBuiltinOp(id))
          return unique(id);
      }
    }
  }
  if (auto loc = dyn_cast<NameLoc>(stmt.first->getLoc()))
    return unique(identifier(modulePath(loc.getName())));
  return unique(stmt.first->getName().stripDialect());
}

LogicalResult Printer::addWeight(const std::string &layer,
                                 llvm::StringRef suffix, Value value,
                                 Operation *user) {
  auto weight = value.getDefiningOp<cnn::WeightOp>();
  if (!weight)
    return user->emitError("cannot print '")
           << user->getName() << "' as .cnn: its " << suffix
           << " is not a constant";
  FailureOr<std::vector<float>> values = weight.readValues();
  if (failed(values))
    return failure();
  NamedTensor t;
  t.name = layer + "." + suffix.str();
  llvm::append_range(t.shape, weight.getType().getShape());
  t.values = std::move(*values);
  weights.push_back(std::move(t));
  return success();
}

LogicalResult Printer::close() {
  if (!current)
    return success();
  Statement stmt = std::move(*current);
  current.reset();
  std::string name = nameFor(stmt);
  names[stmt.value] = name;
  lines.push_back(name + " = " + stmt.text);
  if (!stmt.layer)
    return success();
  // MLIRGen names a statement's only layer after the statement.
  return llvm::TypeSwitch<Operation *, LogicalResult>(stmt.layer)
      .Case([&](cnn::Conv2dOp conv) {
        if (failed(addWeight(name, "weight", conv.getWeight(), conv)))
          return failure();
        return conv.getBias() ? addWeight(name, "bias", conv.getBias(), conv)
                              : success();
      })
      .Case([&](cnn::DenseOp dense) {
        if (failed(addWeight(name, "weight", dense.getWeight(), dense)))
          return failure();
        return dense.getBias() ? addWeight(name, "bias", dense.getBias(), dense)
                               : success();
      })
      .Case([&](cnn::BatchNormOp bn) {
        return failure(
            failed(addWeight(name, "weight", bn.getGamma(), bn)) ||
            failed(addWeight(name, "bias", bn.getBeta(), bn)) ||
            failed(addWeight(name, "running_mean", bn.getMean(), bn)) ||
            failed(addWeight(name, "running_var", bn.getVariance(), bn)));
      })
      .Default([](Operation *) { return success(); });
}

FailureOr<std::string> Printer::literal(cnn::WeightOp weight) {
  ArrayRef<int64_t> shape = weight.getType().getShape();
  if (shape.empty())
    return weight.emitError("cannot print the rank-0 constant '")
           << weight.getName() << "' as a .cnn tensor literal";
  FailureOr<std::vector<float>> values = weight.readValues();
  if (failed(values))
    return failure();
  if (llvm::any_of(*values, [](float v) { return !std::isfinite(v); }))
    return weight.emitError("cannot print the constant '")
           << weight.getName() << "' as .cnn: it holds inf or nan";
  // Nested lists, row-major: the list of dimension d spans the product of
  // dims d.. elements; open it where such a span starts, close it where one
  // ends.
  std::string text;
  size_t rank = shape.size();
  SmallVector<int64_t> spans(rank + 1, 1);
  for (size_t d = rank; d > 0; --d)
    spans[d - 1] = spans[d] * shape[d - 1];
  for (size_t i = 0; i < values->size(); ++i) {
    if (i)
      text += ", ";
    for (size_t d = 0; d < rank; ++d)
      if (i % spans[d] == 0)
        text += "[";
    text += formatFloat((*values)[i]);
    for (size_t d = 0; d < rank; ++d)
      if ((i + 1) % spans[d] == 0)
        text += "]";
  }
  return text;
}

FailureOr<std::string> Printer::ref(Value v) {
  if (auto it = names.find(v); it != names.end())
    return it->second;
  auto weight = v.getDefiningOp<cnn::WeightOp>();
  if (!weight)
    return emitError(v.getLoc(), "internal error: value printed before it "
                                 "is defined");
  FailureOr<std::string> text = literal(weight);
  if (failed(text))
    return failure();
  // Constants that are outputs keep the output's name.
  std::string name;
  if (auto it = firstResult.find(v); it != firstResult.end())
    name = outputNames[it->second];
  else
    name = unique(identifier(weight.getName()));
  lines.push_back(name + " = " + *text);
  names[v] = name;
  return name;
}

FailureOr<std::string> Printer::args(Operation *op, ValueRange operands,
                                     bool piped) {
  std::string s;
  for (Value v : piped ? operands.drop_front() : operands) {
    FailureOr<std::string> r = ref(v);
    if (failed(r))
      return failure();
    s += (s.empty() ? "" : ", ") + *r;
  }
  return s;
}

FailureOr<std::string> Printer::call(Operation *op, bool piped) {
  std::string mnemonic = op->getName().stripDialect().str();
  if (auto unary = dyn_cast<cnn::UnaryOp>(op))
    mnemonic = cnn::stringifyUnaryFn(unary.getFn()).str();
  if (auto reduce = dyn_cast<cnn::ReduceOp>(op))
    mnemonic = "reduce_" + cnn::stringifyReduceKind(reduce.getKind()).str();
  if (auto softmax = dyn_cast<cnn::SoftmaxOp>(op); softmax && softmax.getLog())
    mnemonic = "log_softmax";
  if (!isBuiltinOp(mnemonic))
    return op->emitError("cannot print '")
           << op->getName() << "' as .cnn: the language has no such op";
  // Operands that are tensors in the .cnn call (weights are named).
  ValueRange tensors = op->getOperands();
  if (isa<cnn::Conv2dOp, cnn::DenseOp, cnn::BatchNormOp>(op))
    tensors = op->getOperands().take_front(1);
  FailureOr<std::string> operandText = args(op, tensors, piped);
  if (failed(operandText))
    return failure();
  SmallVector<std::string> attrs;
  auto attr = [&](llvm::StringRef key, const std::string &value) {
    attrs.push_back((key + "=" + value).str());
  };
  std::string suffix; // fused epilogue of conv2d/dense
  llvm::TypeSwitch<Operation *>(op)
      .Case([&](cnn::Conv2dOp conv) {
        ArrayRef<int64_t> w = conv.getWeight().getType().getShape();
        attr("filters", std::to_string(w[0]));
        attr("kernel", pair({w[2], w[3]}));
        if (llvm::any_of(conv.getStrides(), [](int64_t s) { return s != 1; }))
          attr("stride", pair(conv.getStrides()));
        if (llvm::any_of(conv.getPadding(), [](int64_t p) { return p; }))
          attr("padding", padding(conv.getPadding()));
        if (llvm::any_of(conv.getDilations(), [](int64_t d) { return d != 1; }))
          attr("dilation", pair(conv.getDilations()));
        if (conv.getGroups() != 1)
          attr("groups", std::to_string(conv.getGroups()));
        if (!conv.getBias())
          attr("bias", "false");
        if (conv.getActivation() != cnn::Activation::none)
          suffix = " |> " + activationName(conv.getActivation(),
                                           conv.getAlpha().convertToDouble());
      })
      .Case([&](cnn::DenseOp dense) {
        attr("units",
             std::to_string(dense.getWeight().getType().getShape()[0]));
        if (!dense.getBias())
          attr("bias", "false");
        if (dense.getActivation() != cnn::Activation::none)
          suffix = " |> " + activationName(dense.getActivation(),
                                           dense.getAlpha().convertToDouble());
      })
      .Case([&](cnn::BatchNormOp bn) {
        if (bn.getEpsilon().convertToDouble() != 1e-5)
          attr("eps", formatDouble(bn.getEpsilon().convertToDouble()));
      })
      .Case<cnn::MaxPool2dOp, cnn::AvgPool2dOp>([&](auto pool) {
        attr("kernel", pair(pool.getKernel()));
        if (pool.getStrides() != pool.getKernel())
          attr("stride", pair(pool.getStrides()));
        if (llvm::any_of(pool.getPadding(), [](int64_t p) { return p; }))
          attr("padding", padding(pool.getPadding()));
        if (pool.getCeilMode())
          attr("ceil_mode", "true");
        if constexpr (std::is_same_v<decltype(pool), cnn::AvgPool2dOp>)
          attr("count_include_pad",
               pool.getCountIncludePad() ? "true" : "false");
      })
      .Case([&](cnn::ConcatOp concat) {
        attr("axis", std::to_string(concat.getAxis()));
      })
      .Case([&](cnn::SliceOp slice) {
        attr("offset", std::to_string(slice.getOffset()));
        attr("size", std::to_string(slice.getSize()));
        attr("axis", std::to_string(slice.getAxis()));
      })
      .Case([&](cnn::TransposeOp transpose) {
        attr("perm", list(transpose.getPerm()));
      })
      .Case([&](cnn::UpsampleOp up) { attr("scale", pair(up.getScale())); })
      .Case([&](cnn::ResizeOp resize) {
        ArrayRef<int64_t> in = resize.getInput().getType().getShape(),
                          out = resize.getType().getShape();
        attr("size", pair(out.drop_front(2)));
        auto quoted = [](StringRef s) { return "\"" + s.str() + "\""; };
        attr("mode", quoted(cnn::stringifyResizeMode(resize.getMode())));
        if (resize.getCoordinates() != cnn::ResizeCoordinates::half_pixel)
          attr("coordinates", quoted(cnn::stringifyResizeCoordinates(
                                  resize.getCoordinates())));
        if (resize.getRounding() != cnn::NearestRounding::round_prefer_floor)
          attr("rounding",
               quoted(cnn::stringifyNearestRounding(resize.getRounding())));
        ArrayRef<double> scale = resize.getScale();
        if (scale[0] != static_cast<double>(out[2]) / in[2] ||
            scale[1] != static_cast<double>(out[3]) / in[3])
          attr("scale", "(" + formatDouble(scale[0]) + ", " +
                            formatDouble(scale[1]) + ")");
        if (resize.getCubicCoeffA().convertToDouble() != -0.75)
          attr("cubic_coeff_a",
               formatDouble(resize.getCubicCoeffA().convertToDouble()));
        if (resize.getExcludeOutside())
          attr("exclude_outside", "true");
      })
      .Case([&](cnn::SoftmaxOp softmax) {
        attr("axis", std::to_string(softmax.getAxis()));
      })
      .Case([&](cnn::ReduceOp reduce) { attr("axes", list(reduce.getAxes())); })
      .Case([&](cnn::ReshapeOp reshape) {
        attr("shape", list(reshape.getType().getShape()));
      })
      .Case([&](cnn::PadOp pad) {
        attr("low", list(pad.getLow()));
        attr("high", list(pad.getHigh()));
        if (pad.getMode() != cnn::PadMode::constant)
          attr("mode",
               "\"" + cnn::stringifyPadMode(pad.getMode()).str() + "\"");
        else if (pad.getValue().convertToDouble() != 0)
          attr("value", formatDouble(pad.getValue().convertToDouble()));
      })
      .Case([&](cnn::LeakyReluOp leaky) {
        attr("alpha", formatDouble(leaky.getAlpha().convertToDouble()));
      })
      .Case([&](cnn::HardSigmoidOp hard) {
        attr("alpha", formatDouble(hard.getAlpha().convertToDouble()));
        attr("beta", formatDouble(hard.getBeta().convertToDouble()));
      })
      .Case([&](cnn::UnaryOp unary) {
        const cnn::UnaryFnInfo &info = cnn::unaryFnInfo(unary.getFn());
        double params[] = {unary.getP0().convertToDouble(),
                           unary.getP1().convertToDouble()};
        // pow's exponent is always given: pow(x) alone is not a call.
        for (size_t i = 0; i < info.numParams(); ++i)
          if (params[i] != info.defaults[i] ||
              unary.getFn() == cnn::UnaryFn::pow)
            attr(info.params[i], formatDouble(params[i]));
      })
      .Case([&](cnn::ClipOp clip) {
        if (clip.getMin())
          attr("min", formatDouble(clip.getMin()->convertToDouble()));
        if (clip.getMax())
          attr("max", formatDouble(clip.getMax()->convertToDouble()));
      });
  // .cnn numbers are finite (a pad value of -inf has no spelling).
  if (llvm::any_of(attrs, [](llvm::StringRef a) {
        return a.contains("inf") || a.contains("nan");
      }))
    return op->emitError("cannot print '")
           << op->getName() << "' as .cnn: an attribute is inf or nan";
  std::string all = *operandText;
  for (const std::string &a : attrs)
    all += (all.empty() ? "" : ", ") + a;
  std::string text =
      piped && all.empty() ? mnemonic : mnemonic + "(" + all + ")";
  // A fused residual is added before the activation.
  if (auto conv = dyn_cast<cnn::Conv2dOp>(op); conv && conv.getResidual()) {
    FailureOr<std::string> residual = ref(conv.getResidual());
    if (failed(residual))
      return failure();
    text = "add(" + text + ", " + *residual + ")";
  }
  return text + suffix;
}

FailureOr<CnnText> Printer::run(llvm::StringRef weightsFile,
                                llvm::StringRef origin) {
  if (!func.getBody().hasOneBlock())
    return func.emitError("cannot print a function with several blocks as "
                          ".cnn");
  for (llvm::StringRef reserved : {"model", "input", "output", "weights",
                                   "block", "return", "true", "false", "same"})
    used.insert(reserved);
  auto nameAttr = [](DictionaryAttr attrs, unsigned i, const char *kind) {
    if (auto name = attrs ? attrs.getAs<StringAttr>("cnn.name") : nullptr)
      return name.getValue().str();
    return (kind + llvm::Twine(i)).str();
  };
  std::vector<std::string> header, renamed;
  // Inputs and outputs keep their names (the C API's) where .cnn can say
  // them; a keyword or a non-identifier is renamed, and the file says so.
  auto boundaryName = [&](DictionaryAttr attrs, unsigned i, const char *kind) {
    std::string original = nameAttr(attrs, i, kind);
    std::string name = unique(identifier(original), /*mayBeOp=*/true);
    if (name != original)
      renamed.push_back("# " + std::string(kind) + " '" + original +
                        "' is named '" + name + "' here");
    return name;
  };
  Block &body = func.getBody().front();
  for (BlockArgument arg : body.getArguments()) {
    std::string name = boundaryName(func.getArgAttrDict(arg.getArgNumber()),
                                    arg.getArgNumber(), "input");
    names[arg] = name;
    auto type = cast<RankedTensorType>(arg.getType());
    header.push_back("input " + name + ": f32" + list(type.getShape()));
  }
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
    outputNames[i] = boundaryName(func.getResultAttrDict(i), i, "output");
    // Inputs are already bound; every other value is bound once.
    if (!isa<BlockArgument>(v))
      firstResult.try_emplace(v, i);
  }
  for (Operation &op : body.without_terminator()) {
    if (isa<cnn::WeightOp>(op))
      continue;
    bool pipe = current && isPipeStage(&op) &&
                op.getOperand(0) == current->value &&
                current->value.hasOneUse();
    if (pipe) {
      FailureOr<std::string> stage = call(&op, /*piped=*/true);
      if (failed(stage))
        return failure();
      current->text += " |> " + *stage;
      current->value = op.getResult(0);
      continue;
    }
    if (failed(close()))
      return failure();
    FailureOr<std::string> text = call(&op, /*piped=*/false);
    if (failed(text))
      return failure();
    current = Statement{*text, op.getResult(0), &op, nullptr};
    if (isa<cnn::Conv2dOp, cnn::DenseOp, cnn::BatchNormOp>(op))
      current->layer = &op;
  }
  if (failed(close()))
    return failure();
  for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
    FailureOr<std::string> r = ref(v);
    if (failed(r))
      return failure();
    lines.push_back(*r == outputNames[i]
                        ? "output " + *r
                        : "output " + outputNames[i] + " = " + *r);
  }

  CnnText result;
  llvm::raw_string_ostream os(result.source);
  os << "# " << func.getSymName() << ", printed by cnnc --emit=cnn-text";
  if (!origin.empty())
    os << " from " << origin;
  os << "\n";
  for (const std::string &line : renamed)
    os << line << "\n";
  os << "model " << func.getSymName() << "\n";
  for (const std::string &line : header)
    os << line << "\n";
  if (!weights.empty())
    os << "weights \"" << weightsFile << "\"\n";
  os << "\n";
  for (const std::string &line : lines)
    os << line << "\n";
  result.weights = std::move(weights);
  return result;
}

} // namespace

FailureOr<CnnText> cnnc::printCnnText(func::FuncOp model,
                                      llvm::StringRef weightsFile,
                                      llvm::StringRef origin) {
  return Printer(model).run(weightsFile, origin);
}
